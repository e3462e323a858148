"""Notice services: create from a starter, save the draft, list, look up by id and tenant."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..billing.plans import check_languages, require_editing
from ..errors import NotFound, ValidationFailed
from ..models import Tenant, User
from ..validation import check_notice_slug, slugify
from .check import Report, check
from .models import Notice, NoticeSlugAlias
from .proposals import (
    CONTROLLER,
    STEP_OF_SECTION,
    controller_fingerprint,
    fill_language,
    fingerprints,
    open_proposals,
)
from .rights import sync_rights
from .schema import LANGS, NoticeDraft, load_draft

STARTERS_DIR = Path(__file__).resolve().parent / "starters"
# The order a chooser shows them in: the most common registers first.
STARTER_ORDER = (
    "customer_register",
    "webshop_customers",
    "newsletter_marketing",
    "recruitment",
    "staff",
    "association_members",
    "camera_surveillance",
)


@dataclass(frozen=True)
class Starter:
    """A starting template: its key, names and summaries per language, and its partial draft."""

    key: str
    name: dict[str, str]
    summary: dict[str, str]
    draft: dict


@cache
def starters() -> dict[str, Starter]:
    """Every starting template, by key, in a stable order."""
    found = {}
    paths = sorted(
        STARTERS_DIR.glob("*.json"),
        key=lambda p: (
            STARTER_ORDER.index(p.stem) if p.stem in STARTER_ORDER else len(STARTER_ORDER),
            p.stem,
        ),
    )
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        load_draft(data["draft"])  # a broken template fails loudly, not in a customer's wizard
        found[data["key"]] = Starter(data["key"], data["name"], data["summary"], data["draft"])
    return found


def only_languages(value, languages: set[str]):
    """Drop texts in languages the notice is not written in."""
    if isinstance(value, dict):
        if value and set(value) <= set(LANGS) and all(isinstance(v, str) for v in value.values()):
            return {k: v for k, v in value.items() if k in languages}
        return {k: only_languages(v, languages) for k, v in value.items()}
    if isinstance(value, list):
        return [only_languages(v, languages) for v in value]
    return value


def _check_languages(languages: list[str], primary: str) -> list[str]:
    chosen = [lang for lang in LANGS if lang in set(languages)]
    if not chosen:
        raise ValidationFailed("languages_required", "languages")
    if primary not in chosen:
        raise ValidationFailed("primary_language_not_chosen", "primary_language")
    return chosen


def _free_slug(session: Session, tenant_id: int, title: str) -> str:
    """An address from the title that passes the same checks as one typed in, and is free.

    A reserved word (`request`, `history`, ...) becomes `request-1`; a taken one `…-2`, `…-3`."""
    base = slugify(title)[:50].rstrip("-")
    try:
        slug, n = check_notice_slug(base), 2
    except ValidationFailed:  # slugify gives a-z, 0-9 and single inner hyphens: only a reserved word
        slug, n = f"{base}-1", 2
    taken = set(session.scalars(select(Notice.slug).where(Notice.tenant_id == tenant_id)))
    taken |= set(session.scalars(select(NoticeSlugAlias.slug).where(NoticeSlugAlias.tenant_id == tenant_id)))
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_notice(
    session: Session,
    tenant_id: int,
    *,
    by_user_id: int,
    title: str,
    languages: list[str],
    primary_language: str,
    starter_key: str | None,
    now: datetime,
) -> Notice:
    """A new draft, pre-filled from a starter, from the organisation's settings (controller: shown in
    the wizard for confirmation) and from the user (contact person, a member).

    Without a title, the starter's name in the main language is used."""
    chosen = _check_languages(languages, primary_language)
    tenant = session.get(Tenant, tenant_id)
    if tenant is not None:
        require_editing(tenant, now)
        check_languages(tenant, chosen)
    if starter_key and starter_key not in starters():
        raise ValidationFailed("starter_unknown", "starter")
    title = " ".join((title or "").split())[:200]
    if not title and starter_key:
        title = starters()[starter_key].name.get(primary_language, "")
    if not title:
        raise ValidationFailed("title_required", "title")
    user = session.get(User, by_user_id)
    if tenant is None or user is None:
        raise NotFound()
    base = starters()[starter_key].draft if starter_key else {}
    data = only_languages(json.loads(json.dumps(base)), set(chosen))
    if not data.get("register_name"):
        data["register_name"] = {lang: title for lang in chosen}
    # Never the login email of whoever created the notice: the firm's public details from its
    # settings, which the wizard asks the firm to confirm before the first version is published.
    data["controller"] = organisation_controller(tenant)
    data["contact"] = {"member_user_id": user.id, "name": user.name, "email": user.email}
    draft = sync_rights(load_draft(data))
    notice = Notice(
        tenant_id=tenant_id,
        slug=_free_slug(session, tenant_id, title),
        title=title,
        languages=chosen,
        primary_language=primary_language,
        draft=draft.to_json(),
        template_key=starter_key,
        status="draft",
        created_by_id=by_user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(notice)
    session.flush()
    return notice


def organisation_controller(tenant: Tenant) -> dict[str, str]:
    """The controller's details as the organisation's settings give them now."""
    return {
        "name": tenant.name,
        "business_id": tenant.business_id or "",
        "street_address": tenant.street_address or "",
        "postal_code": tenant.postal_code or "",
        "city": tenant.city or "",
        "email": tenant.public_email or "",
        "phone": tenant.public_phone or "",
    }


def controller_differs(notice: Notice, tenant: Tenant) -> dict[str, str]:
    """The organisation's current details that the notice's controller does not have (field -> value
    in the settings); empty when the notice says what the settings say. A detail the settings leave
    empty is not offered (it would only erase what the notice gives)."""
    have = draft_of(notice).controller
    return {k: v for k, v in organisation_controller(tenant).items() if v and getattr(have, k) != v}


def controller_confirmation(notice: Notice) -> dict | None:
    """Who confirmed the controller's details as correct, and when, while the details are still
    the ones confirmed (None: never confirmed, or changed since)."""
    record = (notice.confirmed_sections or {}).get(CONTROLLER)
    if not record or record.get("hash") != controller_fingerprint(draft_of(notice).to_json()):
        return None
    return record


def confirm_controller(
    session: Session, tenant_id: int, notice_id: int, *, by_user_id: int, now: datetime
) -> bool:
    """Record that the firm confirms the controller's details of the draft as correct (who, when and
    a fingerprint of the details: a later edit makes them unconfirmed again). False when there is
    no controller name to confirm."""
    notice = get_notice(session, tenant_id, notice_id)
    require_editing(session.get(Tenant, tenant_id), now)
    data = draft_of(notice).to_json()
    if not (data.get("controller") or {}).get("name"):
        return False
    confirmed = dict(notice.confirmed_sections or {})
    confirmed[CONTROLLER] = {"hash": controller_fingerprint(data), "by": by_user_id, "at": now.isoformat()}
    notice.confirmed_sections = confirmed
    notice.updated_at = now
    session.flush()
    return True


def copy_controller_from_organisation(session: Session, tenant_id: int, notice_id: int, *, now: datetime):
    """Put the organisation's current details into the notice's controller: those the settings give
    (the representative, which they do not hold, and details they leave empty stay). The firm then
    confirms them again."""
    notice = get_notice(session, tenant_id, notice_id)
    tenant = session.get(Tenant, tenant_id)
    require_editing(tenant, now)
    draft = draft_of(notice)
    for key, value in controller_differs(notice, tenant).items():
        setattr(draft.controller, key, value)
    return save_draft(session, tenant_id, notice_id, draft, step=None, now=now)


def get_notice(session: Session, tenant_id: int, notice_id: int) -> Notice:
    """The tenant's notice, or NotFound."""
    notice = session.scalar(select(Notice).where(Notice.id == notice_id, Notice.tenant_id == tenant_id))
    if notice is None:
        raise NotFound()
    return notice


def list_notices(session: Session, tenant_id: int) -> list[Notice]:
    """The tenant's notices, newest change first."""
    return list(
        session.scalars(
            select(Notice).where(Notice.tenant_id == tenant_id).order_by(Notice.updated_at.desc(), Notice.id)
        )
    )


def draft_of(notice: Notice) -> NoticeDraft:
    """The notice's draft as a schema object."""
    return load_draft(notice.draft)


def save_draft(
    session: Session, tenant_id: int, notice_id: int, draft: NoticeDraft, *, step: str | None, now: datetime
) -> Notice:
    """Store a new version of the draft (rights kept in sync with the bases).

    `step` is the wizard step the user goes on to, where coming back later resumes."""
    notice = get_notice(session, tenant_id, notice_id)
    require_editing(session.get(Tenant, tenant_id), now)
    notice.draft = sync_rights(draft).to_json()
    if step:
        notice.last_step = step
    notice.updated_at = now
    session.flush()
    return notice


def remember_step(session: Session, tenant_id: int, notice_id: int, step: str) -> None:
    """Note the wizard step the user is on, to resume there later (not an edit of the notice:
    the time it was last changed stays)."""
    notice = get_notice(session, tenant_id, notice_id)
    if notice.last_step != step:
        session.execute(
            update(Notice)
            .where(Notice.id == notice.id, Notice.tenant_id == tenant_id)
            .values(last_step=step, updated_at=Notice.updated_at)
            .execution_options(synchronize_session=False)
        )
        session.refresh(notice, ["last_step"])


def update_settings(
    session: Session,
    tenant_id: int,
    notice_id: int,
    *,
    title: str,
    languages: list[str],
    primary_language: str,
    slug: str | None = None,
    now: datetime,
) -> Notice:
    """Rename the notice, change its address (a published one keeps redirecting from the old),
    or its languages (texts of a dropped language are kept)."""
    notice = get_notice(session, tenant_id, notice_id)
    title = " ".join((title or "").split())[:200]
    if not title:
        raise ValidationFailed("title_required", "title")
    if slug is not None and slug.strip().lower() != notice.slug:
        rename_notice(session, tenant_id, notice.id, slug, now=now)
    tenant = session.get(Tenant, tenant_id)
    require_editing(tenant, now)
    before = set(notice.languages)
    notice.languages = _check_languages(languages, primary_language)
    added = [lang for lang in notice.languages if lang not in before]
    if added and notice.template_key in starters():
        # A new language starts from the starter's texts wherever the firm has not changed them.
        full = starter_draft(notice.template_key, LANGS)
        data = draft_of(notice).to_json()
        for lang in added:
            data = fill_language(data, full, lang)
        notice.draft = sync_rights(load_draft(data)).to_json()
    check_languages(tenant, notice.languages)
    notice.primary_language = primary_language
    notice.title = title
    notice.updated_at = now
    session.flush()
    return notice


def starter_draft(key: str | None, languages) -> dict | None:
    """A starter's draft in the given languages, normalised by the schema as a new notice's is."""
    if not key or key not in starters():
        return None
    data = only_languages(json.loads(json.dumps(starters()[key].draft)), set(languages))
    return load_draft(data).to_json()


def proposals_open(notice: Notice) -> list[str]:
    """Sections, in step order, still holding the starter's proposal that nobody has confirmed."""
    languages = list(notice.languages)
    return open_proposals(
        draft_of(notice).to_json(),
        starter_draft(notice.template_key, languages),
        languages,
        notice.confirmed_sections,
    )


def completeness(notice: Notice) -> Report:
    """The completeness check of the notice's current draft. Before the first version is
    published, every proposal not yet confirmed blocks, and so do controller's details that nobody
    has confirmed as correct."""
    first = notice.published_number is None
    proposals = proposals_open(notice) if first else []
    unconfirmed = first and controller_confirmation(notice) is None
    return check(
        draft_of(notice), list(notice.languages), proposals=proposals, controller_unconfirmed=unconfirmed
    )


def confirm_section(
    session: Session, tenant_id: int, notice_id: int, section: str, *, by_user_id: int, now: datetime
) -> bool:
    """Record that the firm confirms a section's proposed text as its own (who and when).
    False when there is nothing to confirm (unknown section, or no longer the proposal)."""
    notice = get_notice(session, tenant_id, notice_id)
    if section not in STEP_OF_SECTION or section not in proposals_open(notice):
        return False
    require_editing(session.get(Tenant, tenant_id), now)
    hashes = fingerprints(draft_of(notice).to_json(), section, list(notice.languages))
    confirmed = dict(notice.confirmed_sections or {})
    earlier = (confirmed.get(section) or {}).get("hashes") or {}
    confirmed[section] = {"hashes": {**earlier, **hashes}, "by": by_user_id, "at": now.isoformat()}
    notice.confirmed_sections = confirmed
    notice.updated_at = now
    session.flush()
    return True


def rename_notice(
    session: Session, tenant_id: int, notice_id: int, new_slug: str, *, now: datetime | None = None
) -> Notice:
    """Give a notice a new address; a published notice keeps its old one as a permanent redirect.
    Not while billing has locked editing."""
    notice = get_notice(session, tenant_id, notice_id)
    now = now or datetime.now(UTC)
    require_editing(session.get(Tenant, tenant_id), now)
    new_slug = check_notice_slug(new_slug.strip().lower())
    if new_slug == notice.slug:
        return notice
    taken = session.scalar(select(Notice.id).where(Notice.tenant_id == tenant_id, Notice.slug == new_slug))
    alias = session.scalar(
        select(NoticeSlugAlias).where(
            NoticeSlugAlias.tenant_id == tenant_id, NoticeSlugAlias.slug == new_slug
        )
    )
    if taken is not None or (alias is not None and alias.notice_id != notice.id):
        raise ValidationFailed("slug_taken", "slug")
    if alias is not None:  # taking back an address this notice had before
        session.delete(alias)
        session.flush()
    if notice.published_number is not None:
        # Its date is when the tenant's public list changed (publishing.last_public_change).
        session.add(
            NoticeSlugAlias(tenant_id=tenant_id, slug=notice.slug, notice_id=notice.id, created_at=now)
        )
    notice.slug = new_slug
    session.flush()
    return notice


def draft_hash(draft_json: dict) -> str:
    """A fingerprint of a draft, to tell whether it changed since import."""
    import hashlib

    return hashlib.sha256(json.dumps(draft_json, sort_keys=True).encode()).hexdigest()
