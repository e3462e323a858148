"""Import the notice a firm already has: paste or upload, get a draft in the wizard with a report."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tenants.errors import ValidationFailed
from tenants.notices import service
from tenants.notices.importing import NoticeTooLong, UnreadableFile, import_notice, read_source

from ..db import db
from ..errors import note_plan_limit
from ..messages import message
from ..tenancy import tenant_required
from ..unit_of_work import mark_rollback_only
from .forms import ImportForm
from .views import bp, section_name


def _import(form: ImportForm):
    """The new draft, or the reason why there is none (a sentence for the page)."""
    upload = form.file.data
    try:
        source, kind = read_source(form.text.data or "", upload.filename if upload else None, upload)
        result = import_notice(source, content_type=kind)
        return service.create_imported_notice(
            db(),
            g.tenant.id,
            by_user_id=current_user.id,
            result=result,
            title=form.title.data or "",
            now=datetime.now(UTC),
        ), None
    except UnreadableFile as exc:
        return None, message(exc.code)
    except NoticeTooLong as exc:
        return None, _(
            "The part “%(section)s” is too long for one section of a notice. Shorten or split it, then import again.",
            section=section_name(exc.where),
        )
    except ValidationFailed as exc:
        note_plan_limit(exc)
        return None, message(exc.code)


@bp.route("/import", methods=["GET", "POST"])
@tenant_required
def import_page():
    """Paste or upload; the result opens in the wizard with an import report."""
    form = ImportForm()
    error = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        notice, error = _import(form)
        if notice is not None:
            return redirect(url_for("notices.step", notice_id=notice.id, step="basics", imported=1))
        mark_rollback_only()
    values = {"title": form.title.data or "", "text": form.text.data or ""}
    return render_template("notices/import.html", values=values, error=error, form=form), (
        400 if error else 200
    )
