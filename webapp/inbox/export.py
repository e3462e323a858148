"""The request register as CSV, filtered like the list (GDPR Art. 5(2) accountability)."""

from __future__ import annotations

import csv
import io

from flask import Response, g, request, stream_with_context
from flask_login import current_user

from tenants.requests import listing
from tenants.requests.hetu import mask_hetus
from tenants.requests.models import DataRequest

from ..db import db
from ..i18n import helsinki_today
from ..tenancy import tenant_required
from .views import bp

COLUMNS = (
    "reference",
    "type",
    "status",
    "channel",
    "name",
    "email",
    "received_on",
    "due_on",
    "extended_months",
    "closed_at",
    "outcome",
)


def csv_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula; henkilötunnus masked."""
    text = mask_hetus(str(value)) if isinstance(value, str) else ("" if value is None else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _cells(r: DataRequest) -> list[str]:
    closed = r.closed_at.isoformat() if r.closed_at else ""
    values = (r.reference, r.type, r.status, r.channel, r.name, r.email, r.received_on or "", r.due_on or "")
    return [csv_cell(v) for v in (*values, r.extension_months, closed, r.outcome)]


@bp.get("/export.csv")
@tenant_required
def export():
    """Every request matching the list's filters, oldest first, streamed."""
    f = listing.filters_from(request.args)
    query = listing.filtered_query(g.tenant.id, f, helsinki_today(), current_user.id).order_by(
        DataRequest.created_at, DataRequest.id
    )
    session = db()  # streamed after the view returns: the session keeps the request's tenant scope

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        yield buffer.getvalue()
        for r in session.execute(query.execution_options(yield_per=500)).scalars():
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(_cells(r))
            yield buffer.getvalue()

    response = Response(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="requests-{helsinki_today()}.csv"'
    return response
