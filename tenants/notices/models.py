"""The Notice row: one register of one tenant, with its structured draft."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, TenantOwned, UTCDateTime, utcnow


class Notice(TenantOwned, Base):
    """A privacy notice. Its slug is unique within the tenant and fixed once published."""

    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63))
    title: Mapped[str] = mapped_column(String(200))
    languages: Mapped[list] = mapped_column(JSON, default=lambda: ["fi"])
    primary_language: Mapped[str] = mapped_column(String(2), default="fi")
    draft: Mapped[dict] = mapped_column(JSON, default=dict)
    template_key: Mapped[str | None] = mapped_column(String(40))
    last_step: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft, published, withdrawn
    published_number: Mapped[int | None] = mapped_column(Integer)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    import_report: Mapped[dict | None] = mapped_column(JSON)
    imported_hash: Mapped[str | None] = mapped_column(String(64))
    # Proposed starter texts the firm confirmed: {section: {"hash", "by", "at"}} (see proposals.py).
    confirmed_sections: Mapped[dict | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class NoticeVersion(TenantOwned, Base):
    """A published version: an immutable snapshot with its date, note and content hash.

    Nothing in the application updates or deletes these rows; on PostgreSQL a
    trigger refuses UPDATE and DELETE as well.
    """

    __tablename__ = "notice_version"
    __table_args__ = (UniqueConstraint("notice_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    prepared_on: Mapped[date] = mapped_column(Date)
    change_note: Mapped[str] = mapped_column(Text, default="")
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    published_by_name: Mapped[str] = mapped_column(String(200), default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(200))
    languages: Mapped[list] = mapped_column(JSON)
    primary_language: Mapped[str] = mapped_column(String(2))
    content: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Set only when an operator published an imported notice despite blocking findings.
    open_findings: Mapped[list | None] = mapped_column(JSON)


class NoticeSlugAlias(TenantOwned, Base):
    """An address a notice had before it was renamed; answers with a permanent redirect."""

    __tablename__ = "notice_slug_alias"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63))
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
