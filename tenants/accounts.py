"""Account services: sign-up, tenants, memberships, invitations, passwords.

Each function takes a session and plain arguments, validates, then acts. None
commits: the caller owns the transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import BindParameter, Select, bindparam, false, func, select, text, update
from sqlalchemy.orm import Session, contains_eager

from . import notify, passwords
from .errors import Forbidden, NotFound, ValidationFailed
from .models import (
    LANGUAGES,
    ROLES,
    Invitation,
    Membership,
    Tenant,
    TenantEvent,
    TenantSlugAlias,
    User,
    open_invitation_criteria,
)
from .scoping import account_for_email, scoped_to, with_user
from .validation import check_slug, normalise_business_id, normalise_email, slugify


@dataclass(frozen=True)
class SignupResult:
    """What sign-up did: a new user and tenant, or nothing because the address has an account."""

    user: User | None
    tenant: Tenant | None
    existing_user: User | None


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValidationFailed("language_invalid", "language")
    return language


def _check_new_password(password: str, field: str = "password", *, about: tuple[str, ...] = ()) -> None:
    # `about`: the user's own address and name, which make a password easy to guess too.
    problem = passwords.password_problem(password, about)
    if problem:
        raise ValidationFailed(problem, field)


def _check_name(name: str, field: str, code: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise ValidationFailed(code, field)
    return name


def find_user_by_email(session: Session, email: str) -> User | None:
    """The user with this address (case-insensitive), or None."""
    try:
        email = normalise_email(email)
    except ValidationFailed:
        return None
    found = account_for_email(session, email)
    return None if found is None else user_by_id(session, found[0])


def has_account(session: Session, email: str) -> bool:
    """Whether the address has an account (in any organisation), without reading it."""
    try:
        return account_for_email(session, normalise_email(email)) is not None
    except ValidationFailed:
        return False


def user_by_id(session: Session, user_id: int) -> User | None:
    """The user, read as that user: the unit of work acts as them from now on (a log-in, or a link
    signed for them). On PostgreSQL no other user's row outside the tenant in scope is visible."""
    with_user(session, user_id)
    return session.get(User, user_id)


def create_tenant(
    session: Session,
    *,
    name: str,
    business_id: str,
    slug: str | None = None,
    default_language: str = "fi",
    now: datetime,
) -> Tenant:
    """Create a tenant with a unique slug (the name's slug, suffixed -2, -3, ... when taken)."""
    name = _check_name(name, "company_name", "company_name_required")
    business_id = normalise_business_id(business_id)
    _check_language(default_language)
    if slug is not None:
        slug = check_slug(slug.strip().lower())
        if slug in _taken_slugs(session, slug):
            raise ValidationFailed("slug_taken", "slug")
    else:
        slug = _free_slug(session, slugify(name))
    tenant = Tenant(
        slug=slug,
        name=name,
        business_id=business_id,
        default_language=default_language,
        created_at=now,
    )
    session.add(tenant)
    session.flush()
    return tenant


def _free_slug(session: Session, base: str) -> str:
    base = base[:56]
    try:
        check_slug(base)
    except ValidationFailed:
        base = f"{base}-org".strip("-")
    taken = _taken_slugs(session, base)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _taken_slugs(session: Session, base: str) -> set[str]:
    """Slugs starting with `base` that tenants use now or used before (old ones redirect forever)."""
    like = f"{base}-%"
    now_used = select(Tenant.slug).where((Tenant.slug == base) | Tenant.slug.like(like))
    before = select(TenantSlugAlias.slug).where(
        (TenantSlugAlias.slug == base) | TenantSlugAlias.slug.like(like)
    )
    return set(session.scalars(now_used)) | set(session.scalars(before))


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    language: str,
    now: datetime,
    verified: bool = False,
) -> User:
    """Create a user; raises ValidationFailed('email_taken') when the address has an account."""
    email = normalise_email(email)
    name = _check_name(name, "name", "name_required")
    _check_new_password(password, about=(email, email.split("@")[0], name))
    _check_language(language)
    if account_for_email(session, email) is not None:
        raise ValidationFailed("email_taken", "email")
    user = User(
        email=email,
        name=name,
        password_hash=passwords.hash_password(password),
        language=language,
        email_verified_at=now if verified else None,
        created_at=now,
    )
    if session.connection().dialect.name == "postgresql":
        # A user's own row is the only one visible to them outside a tenant: the new row's id is
        # taken first and the unit of work acts as the new user, so the row can be written and read.
        user.id = session.scalar(text("SELECT nextval(pg_get_serial_sequence('user_account', 'id'))"))
        with_user(session, user.id)
    session.add(user)
    session.flush()
    return user


def add_member(session: Session, tenant_id: int, user_id: int, role: str, now: datetime) -> Membership:
    """Make a user a member of the tenant in scope (idempotent: an existing membership is kept)."""
    if role not in ROLES:
        raise ValidationFailed("role_invalid", "role")
    existing = session.scalar(
        select(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
    )
    if existing is not None:
        return existing
    membership = Membership(tenant_id=tenant_id, user_id=user_id, role=role, created_at=now)
    session.add(membership)
    session.flush()
    return membership


def sign_up(
    session: Session,
    *,
    company_name: str,
    business_id: str,
    name: str,
    email: str,
    password: str,
    language: str,
    now: datetime,
) -> SignupResult:
    """Create an unverified owner and their tenant, and mail the link that confirms the address.
    An address that has an account creates nothing: its owner is told by mail, never the visitor;
    either way the same work is done (one password hash, one mail queued)."""
    email = normalise_email(email)
    _check_name(name, "name", "name_required")
    _check_name(company_name, "company_name", "company_name_required")
    normalise_business_id(business_id)
    _check_new_password(password)
    found = account_for_email(session, email)
    existing = None if found is None else user_by_id(session, found[0])
    if existing is not None:
        passwords.hash_password(password)  # same work as the new-account path
        notify.address_has_account(session, existing, now=now)
        return SignupResult(user=None, tenant=None, existing_user=existing)
    user = create_user(session, email=email, name=name, password=password, language=language, now=now)
    tenant = create_tenant(
        session, name=company_name, business_id=business_id, default_language=language, now=now
    )
    with scoped_to(session, tenant.id, user.id):
        add_member(session, tenant.id, user.id, "owner", now)
    notify.confirm_address(session, user, now=now)
    return SignupResult(user=user, tenant=tenant, existing_user=None)


def request_password_reset(session: Session, email: str, *, language: str, now: datetime) -> None:
    """Mail a reset link when the address has an account, else tell the address that it has none;
    the same work either way (one mail queued), so the answer's timing tells nothing."""
    user = find_user_by_email(session, email)
    if user is not None:
        notify.password_reset(session, user, now=now)
        return
    try:
        address = normalise_email(email)
    except ValidationFailed:
        return  # nowhere to send it
    notify.no_account_for_reset(session, address, language=language, now=now)


def mark_email_verified(session: Session, user_id: int, now: datetime) -> User:
    """Record that the user proved the address; a second call changes nothing."""
    user = user_by_id(session, user_id)
    if user is None:
        raise NotFound()
    if user.email_verified_at is None:
        user.email_verified_at = now
    return user


def authenticate(session: Session, email: str, password: str, now: datetime) -> User | None:
    """The user when the address and password match, else None, in the same time either way."""
    user = find_user_by_email(session, email)
    if not passwords.verify_password(user.password_hash if user else None, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = now
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Change a password after checking the current one; other sessions are signed out."""
    if not passwords.verify_password(user.password_hash, current):
        raise ValidationFailed("current_password_wrong", "current_password")
    _check_new_password(new, "new_password", about=(user.email, user.email.split("@")[0], user.name))
    user.password_hash = passwords.hash_password(new)
    user.auth_version += 1


def reset_password(session: Session, user_id: int, new: str) -> User:
    """Set a new password from a reset link; every earlier session and link stops working."""
    user = user_by_id(session, user_id)
    if user is None:
        raise NotFound()
    _check_new_password(new, about=(user.email, user.email.split("@")[0], user.name))
    user.password_hash = passwords.hash_password(new)
    user.auth_version += 1
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """End every session and remember-me cookie of the user, on every device (logout, "log out
    everywhere"): each carries the auth version, checked on every request."""
    user = user_by_id(session, user_id)
    if user is not None:
        user.auth_version += 1
        session.flush()


def update_profile(session: Session, user: User, *, name: str, language: str) -> None:
    """Change a user's own name and interface language."""
    user.name = _check_name(name, "name", "name_required")
    user.language = _check_language(language)


def memberships_of(session: Session, user_id: int) -> list[Membership]:
    """Every tenant the user belongs to, by tenant name."""
    return user_and_memberships(session, user_id)[1]


# Built once, with the user's id as a parameter: every logged-in page runs it, and building it anew
# and the tenant guard's walk through it cost 1.3 M processor instructions a page (callgrind).
_USER_AND_MEMBERSHIPS = (
    select(User, Membership)
    .outerjoin(Membership, Membership.user_id == User.id)
    .outerjoin(Tenant, Tenant.id == Membership.tenant_id)
    .options(contains_eager(Membership.tenant))
    .where(User.id == bindparam("user_id"))
    .order_by(func.lower(Tenant.name), Tenant.id)
)


def user_and_memberships(session: Session, user_id: int) -> tuple[User | None, list[Membership]]:
    """The user's row and every tenant they belong to, by tenant name, in one statement: what every
    logged-in page reads first. (None, []) for no such user."""
    rows = session.execute(_USER_AND_MEMBERSHIPS, {"user_id": user_id}).all()
    if not rows:
        return None, []
    return rows[0][0], [membership for _user, membership in rows if membership is not None]


def membership_in(session: Session, tenant_id: int, user_id: int) -> Membership:
    """The user's membership in the tenant, or NotFound (other tenants are invisible)."""
    membership = session.scalar(
        select(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
    )
    if membership is None:
        raise NotFound()
    return membership


def _require_owner(session: Session, tenant_id: int, user_id: int) -> None:
    if membership_in(session, tenant_id, user_id).role != "owner":
        raise Forbidden()


# Owners first, then by name: the order of the members everywhere they are listed.
MEMBER_ORDER = (Membership.role.desc(), func.lower(User.name))


def list_members(session: Session, tenant_id: int) -> list[Membership]:
    """The tenant's members, owners first."""
    return list(
        session.scalars(
            select(Membership)
            .join(Membership.user)
            .where(Membership.tenant_id == tenant_id)
            .order_by(*MEMBER_ORDER)
        )
    )


def member_names_select(tenant_id: int | BindParameter) -> Select:
    """(name, user id) of the tenant's members, unordered (MEMBER_ORDER is their order): for reading
    together with other small lists in one statement."""
    return (
        select(User.name, Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant_id)
    )


def member_names(session: Session, tenant_id: int) -> list[tuple[int, str]]:
    """The tenant's members as (user id, name), in list_members' order: what a choice of member shows."""
    stmt = member_names_select(tenant_id).order_by(*MEMBER_ORDER)
    return [(user_id, name) for name, user_id in session.execute(stmt)]


def list_open_invitations(session: Session, tenant_id: int) -> list[Invitation]:
    """Invitations of the tenant still waiting for an answer, newest first."""
    return list(
        session.scalars(
            select(Invitation)
            .where(Invitation.tenant_id == tenant_id, open_invitation_criteria())
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def invite_member(
    session: Session, tenant_id: int, *, by_user_id: int, email: str, role: str, now: datetime
) -> Invitation:
    """Invite an address to the tenant (owners only) and mail it the link. An open invitation to it
    is reused."""
    from .billing.plans import check_can_add_member

    _require_owner(session, tenant_id, by_user_id)
    check_can_add_member(session, session.get(Tenant, tenant_id))
    email = normalise_email(email)
    if role not in ROLES:
        raise ValidationFailed("role_invalid", "role")
    member = session.scalar(
        select(Membership.id)
        .join(Membership.user)
        .where(Membership.tenant_id == tenant_id, User.email == email)
    )
    if member is not None:
        raise ValidationFailed("already_member", "email")
    invitation = session.scalar(
        select(Invitation).where(
            Invitation.tenant_id == tenant_id, Invitation.email == email, open_invitation_criteria()
        )
    )
    if invitation is None:
        invitation = Invitation(tenant_id=tenant_id, email=email, created_at=now)
        session.add(invitation)
    invitation.role = role
    invitation.invited_by_id = by_user_id
    session.flush()
    notify.invitation(session, invitation, now=now)
    return invitation


def get_open_invitation(session: Session, tenant_id: int, invitation_id: int) -> Invitation:
    """An invitation of this tenant that can still be accepted, or NotFound."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.id == invitation_id, Invitation.tenant_id == tenant_id)
    )
    if invitation is None or not invitation.is_open:
        raise NotFound()
    return invitation


def accept_invitation(
    session: Session, tenant_id: int, invitation_id: int, user_id: int, now: datetime
) -> Membership:
    """Attach an existing user to the tenant through an open invitation, if the tenant's plan has room."""
    from .billing.plans import PlanLimit, check_can_add_member

    invitation = get_open_invitation(session, tenant_id, invitation_id)
    joined = session.scalar(
        select(Membership.id).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
    )
    if joined is None:
        try:  # the plan may have shrunk since the invitation was sent
            check_can_add_member(session, session.get(Tenant, tenant_id))
        except PlanLimit:
            raise PlanLimit("members_invitation") from None
    membership = add_member(session, tenant_id, user_id, invitation.role, now)
    invitation.accepted_at = now
    session.flush()
    return membership


def revoke_invitation(
    session: Session, tenant_id: int, invitation_id: int, *, by_user_id: int, now: datetime
) -> None:
    """Withdraw an open invitation (owners only)."""
    _require_owner(session, tenant_id, by_user_id)
    get_open_invitation(session, tenant_id, invitation_id).revoked_at = now
    session.flush()


def lock_memberships(session: Session, tenant_id: int) -> None:
    """Hold the tenant's memberships until the transaction ends, so that a change that must leave an
    owner (removing a member, changing a role, deleting an account) checks and changes them while no
    other transaction can: another such change waits, then sees this one's result.

    PostgreSQL locks the rows (FOR UPDATE); SQLite has one writer at a time, taken here by a write
    that changes nothing, before anything is read."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(Membership).where(Membership.tenant_id == tenant_id, false()).values(role=Membership.role)
        )
        return
    session.execute(select(Membership.id).where(Membership.tenant_id == tenant_id).with_for_update())


def remove_member(session: Session, tenant_id: int, membership_id: int, *, by_user_id: int) -> Membership:
    """Remove a member (owners only); the last owner cannot be removed, however many removals run
    at once: the check and the removal hold the tenant's memberships until the transaction ends."""
    lock_memberships(session, tenant_id)
    _require_owner(session, tenant_id, by_user_id)
    membership = session.scalar(
        select(Membership).where(Membership.id == membership_id, Membership.tenant_id == tenant_id)
    )
    if membership is None:
        raise NotFound()
    if membership.role == "owner":
        owners = session.scalar(
            select(func.count(Membership.id)).where(
                Membership.tenant_id == tenant_id, Membership.role == "owner"
            )
        )
        if owners <= 1:
            raise ValidationFailed("last_owner")
    session.delete(membership)
    session.flush()
    return membership


_TENANT_SETTINGS = (
    "name",
    "street_address",
    "postal_code",
    "city",
    "public_email",
    "public_phone",
    "default_language",
    "request_retention_months",
)
# A phone number as people write it: digits, spaces, +, hyphens, parentheses and slashes.
_PHONE = re.compile(r"\+?[0-9 ()/-]+")


def check_public_email(value: str) -> str:
    """The organisation's public email normalised ('' when none is given), or ValidationFailed."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationFailed("public_email_invalid", "public_email") from exc


def check_public_phone(value: str) -> str:
    """The organisation's public phone with its spaces tidied ('' when none), or ValidationFailed."""
    value = " ".join((value or "").split())
    if not value:
        return ""
    digits = sum(c.isdigit() for c in value)
    if len(value) > 40 or not _PHONE.fullmatch(value) or not 5 <= digits <= 20:
        raise ValidationFailed("public_phone_invalid", "public_phone")
    return value


def update_tenant(
    session: Session,
    tenant_id: int,
    *,
    by_user_id: int,
    name: str,
    street_address: str,
    postal_code: str,
    city: str,
    default_language: str,
    request_retention_months: int | None = None,
    public_email: str | None = None,
    public_phone: str | None = None,
    now: datetime | None = None,
) -> Tenant:
    """Change the firm's name, address, public contact details, default language and request
    retention (owners only). Contact details left out (None) stay as they are.

    A change is written to the tenant's audit log: the public pages show the name, and their
    Last-Modified is never older than the newest entry there."""
    _require_owner(session, tenant_id, by_user_id)
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound()
    # Checked before anything changes: a refused value leaves the organisation as it was.
    email = check_public_email(public_email) if public_email is not None else None
    phone = check_public_phone(public_phone) if public_phone is not None else None
    before = {field: getattr(tenant, field) for field in _TENANT_SETTINGS}
    tenant.name = _check_name(name, "name", "company_name_required")
    tenant.street_address = street_address.strip()[:200]
    tenant.postal_code = postal_code.strip()[:10]
    tenant.city = city.strip()[:100]
    if public_email is not None:
        tenant.public_email = email
    if public_phone is not None:
        tenant.public_phone = phone
    tenant.default_language = _check_language(default_language)
    if request_retention_months is not None:
        if not 1 <= request_retention_months <= 120:
            raise ValidationFailed("retention_months_invalid", "request_retention_months")
        tenant.request_retention_months = request_retention_months
    changed = [field for field in _TENANT_SETTINGS if getattr(tenant, field) != before[field]]
    if changed:
        session.add(
            TenantEvent(
                tenant_id=tenant.id,
                kind="organisation_changed",
                actor_user_id=by_user_id,
                data={"fields": changed},
                created_at=now or datetime.now(UTC),
            )
        )
        session.flush()
    return tenant
