"""Seloste's own organisation on the platform, and its privacy notice.

The provider of the service is the controller of its customers' account data (Art. 13), so it
publishes a notice like any customer: in an organisation of its own at a reserved address
(`/seloste`), written in the product's own notice structure (`platform_notice.json`, shaped like a
starting template) and published through the same services. Requests about that data reach the
platform organisation's inbox through the notice's request form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import accounts
from .errors import ValidationFailed
from .models import Membership, Tenant, User
from .notices import publishing
from .notices import service as notices
from .notices.models import Notice, NoticeVersion
from .notices.rights import sync_rights
from .notices.schema import LANGS, load_draft
from .validation import normalise_business_id, normalise_email

PLATFORM_SLUG = "seloste"  # reserved (tenants/validation.py): no customer can take it
OWN_NOTICE_SLUG = "tietosuojaseloste"
OWN_NOTICE_FILE = Path(__file__).resolve().parent / "platform_notice.json"


@dataclass(frozen=True)
class Operator:
    """Who provides the service: the controller named in its privacy notice."""

    name: str
    business_id: str
    street_address: str = ""
    postal_code: str = ""
    city: str = ""


def platform_tenant(session: Session) -> Tenant | None:
    """The provider's own organisation, once it exists."""
    return session.scalar(select(Tenant).where(Tenant.slug == PLATFORM_SLUG))


def _ensure_tenant(session: Session, operator: Operator, owner: User, now: datetime) -> Tenant:
    """The platform organisation with the operator's details, its owner a member (created at first)."""
    tenant = platform_tenant(session)
    if tenant is not None and tenant.business_id != normalise_business_id(operator.business_id):
        raise ValidationFailed("platform_business_id_differs", "business_id")
    if tenant is None:
        tenant = Tenant(
            slug=PLATFORM_SLUG,
            name=operator.name.strip(),
            business_id=normalise_business_id(operator.business_id),
            street_address=operator.street_address.strip(),
            postal_code=operator.postal_code.strip(),
            city=operator.city.strip(),
            plan="pro",  # three languages; the platform pays no one
            created_at=now,
        )
        session.add(tenant)
        session.flush()
    member = session.scalar(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.user_id == owner.id)
    )
    if member is None:
        accounts.add_member(session, tenant.id, owner.id, "owner", now)
    elif member.role != "owner":
        member.role = "owner"
    accounts.update_tenant(
        session,
        tenant.id,
        by_user_id=owner.id,
        name=operator.name,
        street_address=operator.street_address,
        postal_code=operator.postal_code,
        city=operator.city,
        default_language=tenant.default_language,
        now=now,
    )
    return tenant


def own_notice_content(operator: Operator, contact: User, contact_email: str, *, payments: bool) -> dict:
    """The notice as the product stores a draft: our text, the operator as the controller, the
    contact person, and the parts about card payments only where the service takes them."""
    source = json.loads(OWN_NOTICE_FILE.read_text(encoding="utf-8"))
    data = source["draft"]
    if payments:
        extra = source["payments"]
        data["sources"] += extra["sources"]
        data["recipients"] += extra["recipients"]
        data["transfers"] = extra["transfers"]
    data["controller"] = {
        "name": operator.name.strip(),
        "business_id": normalise_business_id(operator.business_id),
        "street_address": operator.street_address.strip(),
        "postal_code": operator.postal_code.strip(),
        "city": operator.city.strip(),
        "email": contact_email,
    }
    data["contact"] = {"member_user_id": contact.id, "name": contact.name, "email": contact_email}
    return sync_rights(load_draft(data)).to_json()


def _without_date(content: dict) -> dict:
    return {key: value for key, value in content.items() if key != "prepared_on"}


def publish_own_notice(
    session: Session,
    operator: Operator,
    *,
    owner_email: str,
    contact_email: str,
    payments: bool,
    change_note: str,
    today: date,
    now: datetime,
) -> tuple[Tenant, Notice, NoticeVersion | None]:
    """Create or update the platform organisation and its privacy notice, and publish a new version
    when the text differs from the version in force (None when nothing changed)."""
    owner = accounts.find_user_by_email(session, owner_email)
    if owner is None:
        raise ValidationFailed("user_not_found", "owner_email")
    contact_email = normalise_email(contact_email or owner.email)
    tenant = _ensure_tenant(session, operator, owner, now)
    notice = session.scalar(
        select(Notice).where(Notice.tenant_id == tenant.id, Notice.slug == OWN_NOTICE_SLUG)
    )
    if notice is None:
        notice = notices.create_notice(
            session,
            tenant.id,
            by_user_id=owner.id,
            title=json.loads(OWN_NOTICE_FILE.read_text(encoding="utf-8"))["name"]["fi"],
            languages=list(LANGS),
            primary_language="fi",
            starter_key=None,
            now=now,
        )
    content = own_notice_content(operator, owner, contact_email, payments=payments)
    notices.save_draft(session, tenant.id, notice.id, load_draft(content), step=None, now=now)
    # The operator gives the controller's details in the command itself: that is its confirmation.
    if notices.controller_confirmation(notice) is None:
        notices.confirm_controller(session, tenant.id, notice.id, by_user_id=owner.id, now=now)
    latest = publishing.latest_version(session, tenant.id, notice.id)
    if latest is not None and notice.status == "published":
        if _without_date(latest.content) == _without_date(
            publishing.public_content(notices.draft_of(notice))
        ):
            return tenant, notice, None
    version = publishing.publish(
        session,
        tenant.id,
        notice.id,
        by_user_id=owner.id,
        prepared_on=None,
        change_note=change_note,
        today=today,
        now=now,
    )
    return tenant, notice, version
