"""Publishing: immutable, numbered, dated versions with a content hash; withdrawal; renames.

The hash is SHA-256 over the canonical JSON of {"languages": [...], "content": {...}}:
keys sorted, no insignificant white space, UTF-8, not ASCII-escaped. Anyone holding
the JSON of a version can recompute it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ..billing.plans import check_can_publish
from ..errors import AddressMoved, NotFound, ValidationFailed
from ..models import Tenant, TenantEvent, TenantSlugAlias, User
from ..validation import check_slug
from .imports import proposed_prepared_on
from .models import Notice, NoticeSlugAlias, NoticeVersion
from .schema import load_draft
from .service import completeness, draft_of, get_notice

MAX_NOTE = 2000


class ImmutableVersion(RuntimeError):
    """Something tried to change or delete a published version."""


@event.listens_for(Session, "before_flush")
def _refuse_version_changes(session, flush_context, instances):
    for obj in session.deleted:
        if isinstance(obj, NoticeVersion):
            raise ImmutableVersion("published versions cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, NoticeVersion) and session.is_modified(obj, include_collections=False):
            raise ImmutableVersion("published versions cannot be changed")


def canonical_json(value) -> bytes:
    """The one serialisation the content hash is computed over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(languages: list[str], content: dict) -> str:
    """SHA-256 (hex) of a version's canonical content."""
    return hashlib.sha256(canonical_json({"languages": languages, "content": content})).hexdigest()


def public_content(draft) -> dict:
    """What a version publishes: the draft, without the link to a member's login account (which
    member is the contact person is the firm's own business; the name and address are public)."""
    content = load_draft(draft.to_json()).to_json()
    content["contact"]["member_user_id"] = None
    return content


def latest_version(session: Session, tenant_id: int, notice_id: int) -> NoticeVersion | None:
    """The newest version of a notice, or None."""
    return session.scalar(
        select(NoticeVersion)
        .where(NoticeVersion.tenant_id == tenant_id, NoticeVersion.notice_id == notice_id)
        .order_by(NoticeVersion.number.desc())
        .limit(1)
    )


def publish(
    session: Session,
    tenant_id: int,
    notice_id: int,
    *,
    by_user_id: int,
    prepared_on: date | None,
    change_note: str,
    today: date,
    now: datetime,
    allow_incomplete: bool = False,
) -> NoticeVersion:
    """Publish the draft as version N+1. Refuses a draft that the completeness check blocks, and a
    new notice beyond the plan's limit."""
    notice = get_notice(session, tenant_id, notice_id)
    others = session.scalar(
        select(func.count(Notice.id)).where(
            Notice.tenant_id == tenant_id, Notice.published_number.is_not(None), Notice.id != notice.id
        )
    )
    check_can_publish(
        session.get(Tenant, tenant_id),
        already_published=notice.published_number is not None,
        others_published=others,
        now=now,
    )
    draft = draft_of(notice)
    report = completeness(notice)
    if not report.ready and not allow_incomplete:
        raise ValidationFailed("not_ready")
    open_findings = [{"code": i.code, "params": i.params} for i in report.blocking] or None
    previous = latest_version(session, tenant_id, notice_id)
    prepared_on = prepared_on or proposed_prepared_on(notice, today)
    if prepared_on is None:  # an imported text that states no date: the firm says when it was prepared
        raise ValidationFailed("prepared_on_required", "prepared_on")
    if prepared_on > today:
        raise ValidationFailed("prepared_on_in_future", "prepared_on")
    if previous is not None and prepared_on < previous.prepared_on:
        raise ValidationFailed("prepared_on_before_previous", "prepared_on")
    change_note = (change_note or "").strip()[:MAX_NOTE]
    if previous is not None and not change_note:
        raise ValidationFailed("change_note_required", "change_note")
    user = session.get(User, by_user_id)
    draft.prepared_on = prepared_on
    content = public_content(draft)
    languages = list(notice.languages)
    version = NoticeVersion(
        tenant_id=tenant_id,
        notice_id=notice.id,
        number=(previous.number + 1) if previous else 1,
        prepared_on=prepared_on,
        change_note=change_note,
        published_by_id=by_user_id,
        published_by_name=user.name if user else "",
        published_at=now,
        title=notice.title,
        languages=languages,
        primary_language=notice.primary_language,
        content=content,
        content_hash=content_hash(languages, content),
        open_findings=open_findings,
    )
    session.add(version)
    notice.published_number = version.number
    notice.status = "published"
    notice.withdrawn_at = None
    notice.updated_at = now
    session.flush()
    return version


def withdraw(session: Session, tenant_id: int, notice_id: int, *, now: datetime) -> Notice:
    """Take a published notice offline; its versions then answer with a 'withdrawn' page."""
    notice = get_notice(session, tenant_id, notice_id)
    if notice.published_number is None:
        raise ValidationFailed("not_published")
    notice.status = "withdrawn"
    notice.withdrawn_at = now
    notice.updated_at = now
    session.flush()
    return notice


def list_versions(session: Session, tenant_id: int, notice_id: int) -> list[NoticeVersion]:
    """Every version, newest first."""
    return list(
        session.scalars(
            select(NoticeVersion)
            .where(NoticeVersion.tenant_id == tenant_id, NoticeVersion.notice_id == notice_id)
            .order_by(NoticeVersion.number.desc())
        )
    )


def get_version(session: Session, tenant_id: int, notice_id: int, number: int) -> NoticeVersion:
    """One version by number, or NotFound."""
    version = session.scalar(
        select(NoticeVersion).where(
            NoticeVersion.tenant_id == tenant_id,
            NoticeVersion.notice_id == notice_id,
            NoticeVersion.number == number,
        )
    )
    if version is None:
        raise NotFound()
    return version


def published_notices(session: Session, tenant_id: int) -> list[tuple[Notice, NoticeVersion]]:
    """The tenant's notices that are online now, each with its version in force, by that version's
    title (a title changed in the draft is not public until it is published)."""
    rows = session.execute(
        select(Notice, NoticeVersion)
        .join(
            NoticeVersion,
            (NoticeVersion.notice_id == Notice.id)
            & (NoticeVersion.tenant_id == Notice.tenant_id)
            & (NoticeVersion.number == Notice.published_number),
        )
        .where(Notice.tenant_id == tenant_id, Notice.status == "published")
        .order_by(NoticeVersion.title, Notice.id)
    )
    return [(notice, version) for notice, version in rows]


def last_public_change(session: Session, tenant_id: int) -> datetime | None:
    """When the tenant's list of public notices last changed: the newest publication, withdrawal,
    or change of a published notice's address (each leaves an alias behind)."""
    published = session.scalar(
        select(func.max(NoticeVersion.published_at)).where(NoticeVersion.tenant_id == tenant_id)
    )
    withdrawn = session.scalar(select(func.max(Notice.withdrawn_at)).where(Notice.tenant_id == tenant_id))
    moved = session.scalar(
        select(func.max(NoticeSlugAlias.created_at)).where(NoticeSlugAlias.tenant_id == tenant_id)
    )
    return max((t for t in (published, withdrawn, moved) if t is not None), default=None)


def last_account_change(session: Session, tenant_id: int) -> datetime | None:
    """The newest entry of the tenant's audit log: plan and billing changes (the badge, the PDF
    link) and changes of the organisation's settings (its name), which public pages show."""
    return session.scalar(
        select(func.max(TenantEvent.created_at)).where(
            TenantEvent.tenant_id == tenant_id, TenantEvent.kind.not_in(TenantEvent.NOT_PUBLIC)
        )
    )


def tenant_at(session: Session, slug: str) -> Tenant:
    """The tenant whose public address is `slug`; AddressMoved for an address it used to have,
    NotFound otherwise."""
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is not None:
        return tenant
    alias = session.scalar(select(TenantSlugAlias).where(TenantSlugAlias.slug == slug))
    if alias is not None:
        raise AddressMoved(session.get(Tenant, alias.tenant_id).slug)
    raise NotFound()


def notice_at(session: Session, tenant: Tenant, slug: str) -> Notice:
    """The tenant's notice that is (or was, until withdrawn) public at `slug`; AddressMoved for an
    address it used to have; NotFound for a draft or an unknown address."""
    notice = session.scalar(select(Notice).where(Notice.tenant_id == tenant.id, Notice.slug == slug))
    if notice is None:
        moved = session.scalar(
            select(Notice.slug)
            .join(NoticeSlugAlias, NoticeSlugAlias.notice_id == Notice.id)
            .where(NoticeSlugAlias.tenant_id == tenant.id, NoticeSlugAlias.slug == slug)
        )
        if moved is not None:
            raise AddressMoved(tenant.slug, moved)
        raise NotFound()
    if notice.published_number is None:
        raise NotFound()
    return notice


def rename_tenant(session: Session, tenant_id: int, new_slug: str) -> Tenant:
    """Give a tenant a new address; the old one redirects forever and is never given to another."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound()
    new_slug = check_slug(new_slug.strip().lower())
    if new_slug == tenant.slug:
        return tenant
    if session.scalar(select(Tenant.id).where(Tenant.slug == new_slug)) is not None:
        raise ValidationFailed("slug_taken", "slug")
    alias = session.scalar(select(TenantSlugAlias).where(TenantSlugAlias.slug == new_slug))
    if alias is not None and alias.tenant_id != tenant.id:
        raise ValidationFailed("slug_taken", "slug")
    if alias is not None:
        session.delete(alias)
        session.flush()
    session.add(TenantSlugAlias(slug=tenant.slug, tenant_id=tenant.id))
    tenant.slug = new_slug
    session.flush()
    return tenant
