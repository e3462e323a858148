"""Who is told what in the request workflow, and when: every mail of a request is decided here.

The services call these as the request changes; each queues outbox rows naming a template,
what the mail is about (ids) and the recipient's language. The mail is rendered when it is
delivered, so nothing here needs a web request: the daily job queues the same way a view does.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import outbox
from ..models import Membership, User
from ..notices.models import Notice
from . import states
from .deadlines import is_overdue, latest_due_practically_by
from .listing import SOON_DAYS
from .models import DataRequest, RequestEvent
from .states import VERIFY_DAYS


def _to_requester(session: Session, request: DataRequest, template: str, *, now: datetime, **about) -> None:
    outbox.queue_mail(
        session,
        template,
        to=request.email,
        language=request.answer_language,
        now=now,
        tenant_id=request.tenant_id,
        request_id=request.id,
        **about,
    )


def _to_member(session: Session, request: DataRequest, user: User, template: str, *, now: datetime) -> None:
    outbox.queue_mail(
        session,
        template,
        to=user.email,
        language=user.language,
        now=now,
        tenant_id=request.tenant_id,
        request_id=request.id,
        user_id=user.id,
    )


def contact_persons(session: Session, request: DataRequest) -> list[User]:
    """Who hears of a new request: the notice's contact person when a member, else the owners."""
    members = list(session.scalars(select(Membership).where(Membership.tenant_id == request.tenant_id)))
    if request.notice_id:
        notice = session.scalar(
            select(Notice).where(Notice.id == request.notice_id, Notice.tenant_id == request.tenant_id)
        )
        contact_id = (notice.draft.get("contact") or {}).get("member_user_id") if notice else None
        chosen = [m.user for m in members if m.user_id == contact_id]
        if chosen:
            return chosen
    return [m.user for m in members if m.role == "owner"]


def _handlers(session: Session, request: DataRequest) -> list[User]:
    """The member the request is assigned to, else its contact persons."""
    if request.assignee_id:
        assignee = session.get(User, request.assignee_id)
        return [assignee] if assignee is not None else []
    return contact_persons(session, request)


def verification_requested(session: Session, request: DataRequest, *, now: datetime) -> None:
    """A web request was sent: the requester confirms the address by the link in this mail."""
    _to_requester(session, request, "request_verify", now=now, days=VERIFY_DAYS)


def verification_reminded(session: Session, request: DataRequest, *, now: datetime) -> None:
    """The one reminder to a requester who has not confirmed within a day."""
    _to_requester(session, request, "request_reminder", now=now, days=VERIFY_DAYS)
    request.reminder_sent_at = now


def receipt(session: Session, request: DataRequest, *, now: datetime) -> None:
    """The requester's receipt: the reference and the answer date (of the earlier request when this
    one was linked to it as a duplicate)."""
    _to_requester(session, request, "request_receipt", now=now, earlier_id=request.duplicate_of_id)


def request_received(session: Session, request: DataRequest, *, now: datetime) -> None:
    """The request is received (confirmed): the receipt, and the contact persons are told. A duplicate
    linked to an earlier open request tells nobody new: the earlier request's timeline shows it."""
    receipt(session, request, now=now)
    if request.status == states.LINKED:
        return
    for user in contact_persons(session, request):
        _to_member(session, request, user, "request_new", now=now)


def message_sent(session: Session, request: DataRequest, event: RequestEvent, *, now: datetime) -> None:
    """A member's message (and its files) to the requester."""
    _to_requester(session, request, "request_message", now=now, event_id=event.id)


def requester_replied(session: Session, request: DataRequest, *, now: datetime) -> None:
    """The requester wrote on the status page: whoever handles the request is told."""
    for user in _handlers(session, request):
        _to_member(session, request, user, "request_reply_in", now=now)


def deadline_extended(session: Session, request: DataRequest, *, now: datetime) -> None:
    """The requester is told of the extension and its reason (Art. 12(3))."""
    _to_requester(session, request, "request_extended", now=now)


def request_closed(session: Session, request: DataRequest, *, now: datetime) -> None:
    """The requester is told the outcome; any answer that does not fully grant the request (a refusal,
    a partial one) names the right to complain and to seek a judicial remedy (Art. 12(4))."""
    _to_requester(
        session,
        request,
        "request_closed",
        now=now,
        refused=request.status in states.NOT_FULLY_GRANTED,
        partly=request.status == states.PARTLY_COMPLETED,
    )


def daily_digests(session: Session, *, today: date, now: datetime) -> int:
    """Each handler's list of open requests overdue or due within SOON_DAYS, by the practical due
    date (the next working day), across the organisations they work in. Returns how many."""
    due = session.scalars(
        select(DataRequest)
        .where(
            DataRequest.status == states.OPEN,
            DataRequest.due_on <= latest_due_practically_by(today + timedelta(days=SOON_DAYS)),
        )
        .order_by(DataRequest.due_on, DataRequest.id)
    )
    per_person: dict[int, tuple[User, list[DataRequest]]] = {}
    for request in due:
        for user in _handlers(session, request):
            per_person.setdefault(user.id, (user, []))[1].append(request)
    for user, requests in per_person.values():
        outbox.queue_mail(
            session,
            "request_digest",
            to=user.email,
            language=user.language,
            now=now,
            user_id=user.id,
            overdue=[r.id for r in requests if is_overdue(r.due_on, today)],
            soon=[r.id for r in requests if not is_overdue(r.due_on, today)],
        )
    return len(per_person)
