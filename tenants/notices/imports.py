"""Notices made from an imported text: the new draft with its import report, and what the report asks.

The report (Notice.import_report, JSON) keeps what the import found for the firm to check: where
each heading went, what was placed by meaning, what was left out, every date the source states,
the yes/no facts with the sentence behind each (for special categories the answer has no field
of its own yet; it waits here), a controller that differs from the organisation, and a second
notice in the same file, which can be split off into a draft of its own while the imported
draft is unchanged. A source that states no date proposes none: the firm is asked for it.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy.orm import Session

from ..billing.plans import require_editing
from ..errors import NotFound, ValidationFailed
from ..models import Tenant, User
from .importing import import_parts
from .models import Notice
from .schema import NoticeDraft
from .service import _free_slug, draft_hash, get_notice, save_draft

# A notice's title in its own language when the source gives none (never a Finnish title on an
# English notice).
DEFAULT_TITLES = {"fi": "Tietosuojaseloste", "sv": "Dataskyddsbeskrivning", "en": "Privacy notice"}
LEFT_OUT_SHOWN = 60  # pieces of page chrome kept for the report (each at most 300 characters)


def _title(result, given: str) -> str:
    lang = result.language
    title = " ".join((given or "").split())[:200]
    return (
        title
        or result.draft.register_name.get(lang, "")
        or " ".join(result.title.split())[:200]
        or DEFAULT_TITLES.get(lang, DEFAULT_TITLES["fi"])
    )


def _norm_name(name: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", (name or "").casefold()).split())


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def controller_difference(draft: NoticeDraft, tenant: Tenant) -> dict | None:
    """The source's controller and the organisation's, when the name or business ID differ."""
    name, business_id = draft.controller.name, draft.controller.business_id
    name_differs = bool(name and tenant.name and _norm_name(name) != _norm_name(tenant.name))
    id_differs = bool(
        business_id and tenant.business_id and _digits(business_id) != _digits(tenant.business_id)
    )
    if not (name_differs or id_differs):
        return None
    return {
        "source": {"name": name, "business_id": business_id},
        "organisation": {"name": tenant.name, "business_id": tenant.business_id or ""},
        "settled": None,
    }


def _with_organisation(draft: NoticeDraft, tenant: Tenant) -> None:
    """The organisation's details in the controller fields the source left empty."""
    own = {
        "name": tenant.name,
        "business_id": tenant.business_id,
        "street_address": tenant.street_address,
        "postal_code": tenant.postal_code,
        "city": tenant.city,
    }
    for field, value in own.items():
        if not getattr(draft.controller, field) and value:
            setattr(draft.controller, field, value)


def import_report(result, tenant: Tenant, *, source: str = "", content_type: str = "") -> dict:
    """What the import found, as the JSON the notice keeps."""
    report = {
        "sections": [{"heading": s.heading, "key": s.key, "empty": s.empty} for s in result.sections],
        "unplaced": list(result.unplaced),
        "language": result.language,
        "prepared_on": result.prepared_on.isoformat() if result.prepared_on else None,
        "dates": [{"on": d.on.isoformat(), "kind": d.kind, "quote": d.quote[:300]} for d in result.dates],
        "facts": {
            key: {"answer": f.answer, "quote": f.quote, "categories": list(f.categories)}
            for key, f in result.facts.items()
        },
        "inferred": [{"text": i.text, "key": i.key, "kept": i.kept} for i in result.inferred],
        "left_out": [piece[:300] for piece in result.left_out[:LEFT_OUT_SHOWN]],
        "parts": list(result.parts),
    }
    if len(result.parts) > 1 and source:
        report["split"] = {"source": source, "content_type": content_type}
    difference = controller_difference(result.draft, tenant)
    if difference:
        report["controller"] = difference
    return report


def create_imported_notice(
    session: Session,
    tenant_id: int,
    *,
    by_user_id: int,
    result,
    title: str,
    now: datetime,
    source: str = "",
    content_type: str = "",
) -> Notice:
    """A new draft from an imported notice (an importing.ImportResult), with its import report.

    The controller's empty fields are filled from the organisation; everything else is as the
    source says. `source` is kept only when the file holds several notices, to split it later."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None or session.get(User, by_user_id) is None:
        raise NotFound()
    require_editing(tenant, now)
    language = result.language
    report = import_report(result, tenant, source=source, content_type=content_type)
    draft = result.draft
    _with_organisation(draft, tenant)
    data = draft.to_json()
    title = _title(result, title)
    notice = Notice(
        tenant_id=tenant_id,
        slug=_free_slug(session, tenant_id, title),
        title=title[:200],
        languages=[language],
        primary_language=language,
        draft=data,
        template_key=None,
        status="draft",
        created_by_id=by_user_id,
        created_at=now,
        updated_at=now,
        import_report=report,
        imported_hash=draft_hash(data),
    )
    session.add(notice)
    session.flush()
    return notice


def unchanged_since_import(notice: Notice) -> bool:
    """Whether the draft is still exactly what the import made (and was never published)."""
    return (
        bool(notice.import_report)
        and notice.published_number is None
        and notice.imported_hash == draft_hash(notice.draft)
    )


def split_imported_notice(
    session: Session, tenant_id: int, notice_id: int, *, by_user_id: int, now: datetime
) -> list[Notice]:
    """The file's notices as drafts of their own: this one keeps the first, the others are new."""
    notice = get_notice(session, tenant_id, notice_id)
    split = (notice.import_report or {}).get("split")
    if not split:
        raise ValidationFailed("import_split_unavailable")
    if not unchanged_since_import(notice):
        raise ValidationFailed("import_split_changed")
    results = import_parts(split["source"], content_type=split["content_type"])
    if len(results) < 2:
        raise ValidationFailed("import_split_unavailable")
    tenant = session.get(Tenant, tenant_id)
    require_editing(tenant, now)
    settled = ((notice.import_report or {}).get("controller") or {}).get("settled")
    first = results[0]
    _with_organisation(first.draft, tenant)
    notice.draft = first.draft.to_json()
    notice.imported_hash = draft_hash(notice.draft)
    notice.import_report = {**import_report(first, tenant), "split_into": len(results)}
    notice.updated_at = now
    others = [
        create_imported_notice(session, tenant_id, by_user_id=by_user_id, result=r, title="", now=now)
        for r in results[1:]
    ]
    for each in (notice, *others):  # the firm's answer about the controller holds for every part
        if settled and each.import_report.get("controller"):
            each.import_report = {
                **each.import_report,
                "controller": {**each.import_report["controller"], "settled": settled},
            }
    session.flush()
    return [notice, *others]


def settle_controller(
    session: Session, tenant_id: int, notice_id: int, *, choice: str, now: datetime
) -> Notice:
    """The firm's answer when the source's controller differs from the organisation's."""
    notice = get_notice(session, tenant_id, notice_id)
    report = dict(notice.import_report or {})
    difference = report.get("controller")
    if not difference or choice not in ("organisation", "notice"):
        raise ValidationFailed("import_controller_unknown")
    if choice == "organisation":
        tenant = session.get(Tenant, tenant_id)
        draft = NoticeDraft.model_validate(notice.draft)
        draft.controller.name = tenant.name
        draft.controller.business_id = tenant.business_id or ""
        for field in ("street_address", "postal_code", "city"):
            if getattr(tenant, field):
                setattr(draft.controller, field, getattr(tenant, field))
        save_draft(session, tenant_id, notice_id, draft, step=None, now=now)
    report["controller"] = {**difference, "settled": choice}
    notice.import_report = report  # a new dict: the JSON column sees the change
    session.flush()
    return notice


def proposed_prepared_on(notice: Notice, today: date) -> date | None:
    """The date a publish form proposes: the source's own while the imported draft is unchanged.

    An unchanged import whose source states no date proposes none: an old text never gets
    today's date by default; the firm gives the date. After any edit, today's date is proposed."""
    if not unchanged_since_import(notice):
        return today
    stated = (notice.import_report or {}).get("prepared_on")
    return date.fromisoformat(stated) if stated else None
