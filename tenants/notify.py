"""Who is told what about accounts: confirming an address, sign-up of a known address, password
reset, invitations. Each queues an outbox row (a template, what it is about, the language); the
mail is rendered when it is delivered. The request workflow's mail is in requests/notify.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from . import outbox
from .models import Invitation, Tenant, User
from .scoping import account_for_email


def confirm_address(session: Session, user: User, *, now: datetime) -> None:
    """The link that confirms a new account's address (sent again when an unconfirmed user logs in)."""
    outbox.queue_mail(
        session, "verify_email", to=user.email, language=user.language, now=now, user_id=user.id
    )


def address_has_account(session: Session, user: User, *, now: datetime) -> None:
    """Someone signed up with an address that has an account: its owner is told, never the visitor."""
    outbox.queue_mail(
        session, "signup_existing", to=user.email, language=user.language, now=now, user_id=user.id
    )


def password_reset(session: Session, user: User, *, now: datetime) -> None:
    """The link to choose a new password."""
    outbox.queue_mail(
        session, "reset_password", to=user.email, language=user.language, now=now, user_id=user.id
    )


def no_account_for_reset(session: Session, address: str, *, language: str, now: datetime) -> None:
    """A reset was asked for an address without an account: it learns so, and where to sign up."""
    outbox.queue_mail(session, "reset_unknown", to=address, language=language, now=now)


def invitation(session: Session, invite: Invitation, *, now: datetime) -> None:
    """The invitation link: in the invitee's own language when the address has an account, else in
    the organisation's default language."""
    known = account_for_email(session, invite.email)
    tenant = session.get(Tenant, invite.tenant_id)
    outbox.queue_mail(
        session,
        "invitation",
        to=invite.email,
        language=known[1] if known is not None else tenant.default_language,
        now=now,
        tenant_id=invite.tenant_id,
        invitation_id=invite.id,
        inviter_id=invite.invited_by_id,
    )
