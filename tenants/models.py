"""SQLAlchemy models. Tenant-owned rows carry `tenant_id` and the `TenantOwned` mixin."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

LANGUAGES = ("fi", "sv", "en")
ROLES = ("owner", "handler")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC; always hands back timezone-aware datetimes, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING)


class TenantOwned:
    """Mixin for rows that belong to one tenant; the scoping guard filters every query of them."""

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    # True where a row may also belong to no tenant (tenant_id NULL): the platform's own rows.
    platform_rows = False

    @classmethod
    def tenant_criteria(cls, tenant_id: int | None, user_id: int | None):
        """The filter that limits this model to what the scope may see."""
        return cls.tenant_id == tenant_id


class Tenant(Base):
    """A firm using Seloste. Its slug appears in public URLs and never changes once used."""

    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    business_id: Mapped[str] = mapped_column(String(9))
    street_address: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    # The firm's public contact details, given by an owner in the organisation's settings (never a
    # member's login email): a new notice's controller is filled from them.
    public_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    public_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    default_language: Mapped[str] = mapped_column(String(2), default="fi")
    request_retention_months: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    plan: Mapped[str] = mapped_column(String(20), default="free", server_default="free")
    billing_status: Mapped[str] = mapped_column(String(20), default="none", server_default="none")
    past_due_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255))
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TenantSlugAlias(Base):
    """An address a tenant had before it was renamed. Public pages redirect from it forever,
    so no other tenant may ever take it."""

    __tablename__ = "tenant_slug_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TenantEvent(TenantOwned, Base):
    """The tenant's audit log (billing changes and other account events). Append-only."""

    __tablename__ = "tenant_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Entries that change nothing a public page shows (no plan, name or address): they neither move
    # the pages' Last-Modified nor rewrite the tenant's snapshots.
    NOT_PUBLIC = frozenset({"subscription_renewed", "stripe_customer_linked"})


class StripeEvent(Base):
    """A Stripe webhook event already handled: a replay or duplicate changes nothing."""

    __tablename__ = "stripe_event"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    """A person who logs in. One user may belong to several tenants."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(2), default="fi")
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped on password change or reset: sessions and links issued before stop working.
    auth_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Membership(TenantOwned, Base):
    """A user's role in a tenant."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    tenant: Mapped[Tenant] = relationship(lazy="joined")

    @classmethod
    def tenant_criteria(cls, tenant_id, user_id):
        """Members of the tenant in scope, plus the scoped user's own memberships elsewhere."""
        if user_id is None:
            return cls.tenant_id == tenant_id
        if tenant_id is None:
            return cls.user_id == user_id
        return or_(cls.tenant_id == tenant_id, cls.user_id == user_id)


class Invitation(TenantOwned, Base):
    """An invitation by email to join a tenant; single use."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_open(self) -> bool:
        """Neither accepted nor revoked."""
        return self.accepted_at is None and self.revoked_at is None


class OutboxMessage(TenantOwned, Base):
    """A side effect to perform after commit (for now: one email), written in the same transaction.

    A mail either names a template and what it is about (`context`: ids and plain values), and is
    rendered when it is delivered, or carries its rendered subject and bodies. It belongs to the
    tenant it is about; mail of the platform itself (sign-up, password reset) to no tenant.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)
    platform_rows = True

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(  # type: ignore[assignment]
        ForeignKey("tenant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="mail")
    template: Mapped[str | None] = mapped_column(String(64))
    context: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(2), default="fi")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The data subject request the mail is about, so that retention can erase its copy of personal data.
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_request.id", ondelete="SET NULL"), index=True
    )

    @classmethod
    def tenant_criteria(cls, tenant_id: int | None, user_id: int | None):
        """A tenant's own mail and the platform's; without a tenant in scope, the platform's only."""
        if tenant_id is None:
            return cls.tenant_id.is_(None)
        return or_(cls.tenant_id == tenant_id, cls.tenant_id.is_(None))


def open_invitation_criteria():
    """Invitations neither accepted nor revoked."""
    return and_(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))


class SnapshotJob(Base):
    """Rewrite a tenant's public snapshots (every page, JSON, PDF, feed, list, redirect and 410 of its
    notices), queued in the transaction of the change that alters them and done by the worker.

    Claimed like the outbox: one UPDATE that succeeds only while the row is still due with the
    attempt count the worker saw, a lease for a worker that dies, backoff after a failure. A build
    reads the tenant as it is when it starts, so it also covers every job of the tenant queued
    before its claim (they are marked `done` with it).

    A platform row, like the webhook's event ids: it names a tenant by id and holds nothing of it, and
    a change made by an operator or a webhook outside the tenant's scope queues one all the same (so
    it is not tenant-scoped and has no row-level security)."""

    __tablename__ = "snapshot_job"
    __table_args__ = (Index("ix_snapshot_job_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, running, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
