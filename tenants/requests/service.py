"""Request services: submit, verify, handle, close. Every change writes a timeline event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import NotFound, ValidationFailed
from ..models import Membership, OutboxMessage, User
from ..notices.models import Notice
from ..notices.publishing import latest_version
from ..validation import has_control_characters, normalise_email, one_line
from . import counts, notify, states
from .deadlines import MAX_EXTENSION_MONTHS, due_date
from .hetu import contains_hetu
from .models import REQUEST_TYPES, DataRequest, RequestEvent
from .reference import new_reference
from .states import VERIFY_DAYS

HELSINKI = ZoneInfo("Europe/Helsinki")


def received_day(now: datetime) -> date:
    """The day a request submitted at `now` is received, in Finnish time."""
    return now.astimezone(HELSINKI).date()


REMIND_AFTER = timedelta(hours=24)
MAX_DETAILS = 5000
MAX_NAME = 200
MAX_EMAIL = 254
MAX_PHONE = 40
MAX_IDENTITY_NOTE = 2000
RIGHT_FOR_TYPE = {t: t for t in REQUEST_TYPES if t != "other"}


def offered_types(session: Session, tenant_id: int, notice_id: int | None) -> list[str]:
    """The request types a form offers: the rights of the notice in force, and 'other'."""
    if notice_id is None:
        return list(REQUEST_TYPES)
    notice = session.scalar(select(Notice).where(Notice.id == notice_id, Notice.tenant_id == tenant_id))
    version = latest_version(session, tenant_id, notice_id) if notice is not None else None
    if version is None:
        return list(REQUEST_TYPES)
    rights = {item["key"] for item in version.content.get("rights", {}).get("items", [])}
    return [t for t in REQUEST_TYPES if t == "other" or RIGHT_FOR_TYPE[t] in rights]


def _event(
    session,
    request: DataRequest,
    kind: str,
    *,
    now: datetime,
    actor: User | None = None,
    label: str = "",
    body: str = "",
    data: dict | None = None,
) -> RequestEvent:
    event = RequestEvent(
        tenant_id=request.tenant_id,
        request_id=request.id,
        kind=kind,
        actor_user_id=actor.id if actor else None,
        actor_label=actor.name if actor else label,
        body=body,
        data=data or {},
        created_at=now,
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class NewRequest:
    """What a requester (or a handler entering a request by hand) gives."""

    type: str
    name: str
    email: str
    details: str
    phone: str = ""
    answer_language: str = "fi"


@dataclass(frozen=True)
class CheckedRequest(NewRequest):
    """A request as check_new_request returned it: in canonical form and without problems, for the
    tenant and notice it was checked for (a notice's rights decide the types it takes)."""

    checked_for: tuple[int, int | None] = (0, None)


def _checked(session: Session, tenant_id: int, notice_id: int | None, data: NewRequest) -> CheckedRequest:
    """`data` when it was already checked for this tenant and notice, else checked now."""
    if isinstance(data, CheckedRequest) and data.checked_for == (tenant_id, notice_id):
        return data
    return check_new_request(session, tenant_id, notice_id, data)


def _text(value: str, field: str, problems: dict, *, limit: int, required: str | None = None) -> str:
    """The text stripped, or '' with its problem noted (control characters, too long, missing)."""
    value = value or ""
    if has_control_characters(value):
        problems[field] = "control_characters"
        return ""
    value = value.strip()
    if len(value) > limit:
        problems[field] = "too_long"
    elif required and not value:
        problems[field] = required
    return value


def check_new_request(
    session: Session, tenant_id: int, notice_id: int | None, data: NewRequest
) -> CheckedRequest:
    """The request in canonical form, or ValidationFailed naming every field with a problem at once."""
    problems: dict[str, str] = {}
    if data.type not in offered_types(session, tenant_id, notice_id):
        problems["type"] = "request_type_invalid"
    name = one_line(_text(data.name, "name", problems, limit=MAX_NAME * 2, required="name_required"))
    if "name" not in problems and len(name) > MAX_NAME:
        problems["name"] = "too_long"
    email = _text(data.email, "email", problems, limit=MAX_EMAIL)
    if "email" not in problems:
        try:
            email = normalise_email(email)
        except ValidationFailed as exc:
            problems["email"] = exc.code
    details = _text(data.details, "details", problems, limit=MAX_DETAILS)
    phone = one_line(_text(data.phone, "phone", problems, limit=MAX_PHONE * 2))
    if "phone" not in problems and len(phone) > MAX_PHONE:
        problems["phone"] = "too_long"
    if data.answer_language not in ("fi", "sv", "en"):
        problems["answer_language"] = "language_invalid"
    if problems:
        raise ValidationFailed.of(problems)
    return CheckedRequest(
        data.type, name, email, details, phone, data.answer_language, checked_for=(tenant_id, notice_id)
    )


def has_hetu(data: NewRequest) -> bool:
    """True when the name, phone or details look like they hold a henkilötunnus."""
    return any(contains_hetu(value) for value in (data.name, data.phone, data.details))


class ReferenceTaken(Exception):
    """The new request's random reference is already another request's (in any tenant, which row-level
    security would hide from a look-up). The transaction is spoilt: the caller rolls it back and
    tries once more, with a new reference."""


def _insert(session: Session, request: DataRequest) -> None:
    """Store a new request, counted in its status. Its reference is checked by the database's unique
    constraint, not by a look-up first: a clash (about one in 650 000 at a million requests) raises
    ReferenceTaken."""
    counts.count_new(session, request)
    session.add(request)
    try:
        session.flush()
    except IntegrityError as exc:
        if "uq_data_request_reference" in str(exc.orig) or "data_request.reference" in str(exc.orig):
            raise ReferenceTaken(request.reference) from exc
        raise


def submit_request(
    session: Session, tenant_id: int, notice_id: int | None, data: NewRequest, *, now: datetime
) -> DataRequest:
    """Store a web request and mail the requester the verification link. The request is received
    now (Art. 12(3): when it reaches the controller), so its month counts from today; confirming the
    email address is an identity step inside that month, not its start.

    A request the caller already checked (check_new_request, for the same tenant and notice) is not
    checked again."""
    data = _checked(session, tenant_id, notice_id, data)
    request = DataRequest(
        tenant_id=tenant_id,
        reference=new_reference(),
        notice_id=notice_id,
        type=data.type,
        status=states.UNVERIFIED,
        channel="web",
        name=data.name,
        email=data.email,
        phone=data.phone,
        details=data.details,
        contains_hetu=has_hetu(data),
        answer_language=data.answer_language,
        received_on=received_day(now),
        created_at=now,
    )
    _insert(session, request)
    _event(session, request, "submitted", now=now, label=data.name)  # flushed with the mail's row
    notify.verification_requested(session, request, now=now)
    return request


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _open(session, request: DataRequest, received_on: date, now: datetime) -> None:
    """The request is received: its deadline runs, or, as a duplicate, it joins the earlier request.

    A duplicate (the same name and email asking the same type about the same notice while that
    request is open) opens no deadline of its own: it is closed as linked, and its text goes to the
    earlier request's timeline to be answered there. "Other questions" are never linked: two of them
    need not be the same question. A member can undo a link (`unlink`)."""
    request.received_on = received_on
    candidates = session.scalars(
        select(DataRequest)
        .where(
            DataRequest.tenant_id == request.tenant_id,
            DataRequest.id != request.id,
            DataRequest.email == request.email,
            DataRequest.type == request.type,
            DataRequest.status == states.OPEN,
            (DataRequest.notice_id == request.notice_id)
            if request.notice_id is not None
            else DataRequest.notice_id.is_(None),
        )
        .order_by(DataRequest.id)
    )
    duplicate = (
        None
        if request.type == "other"
        else next((c for c in candidates if _same_person(c.name, request.name)), None)
    )
    if duplicate is None:
        counts.set_status(session, request, states.transition(request.status, "verify"))
        request.due_on = due_date(received_on)
        return
    counts.set_status(session, request, states.transition(request.status, "link"))
    request.duplicate_of_id = duplicate.id
    request.due_on = None
    request.closed_at = now
    _event(session, request, "linked_duplicate", now=now, data={"reference": duplicate.reference})
    _event(
        session,
        duplicate,
        "linked_duplicate",
        now=now,
        label=request.name,
        body=request.details,
        data={"reference": request.reference, "contains_hetu": request.contains_hetu},
    )


def unlink(session: Session, tenant_id: int, request_id: int, *, by: User, now: datetime) -> DataRequest:
    """Handle a linked request on its own after all: it opens with the deadline of its own receipt."""
    request = get_request(session, tenant_id, request_id)
    if request.erased_at is not None:
        raise ValidationFailed("illegal_transition")
    counts.set_status(session, request, states.transition(request.status, "unlink"))
    earlier = linked_to(session, request)
    request.duplicate_of_id = None
    request.closed_at = None
    request.due_on = due_date(request.received_on)
    reference = earlier.reference if earlier else ""
    _event(session, request, "unlinked", now=now, actor=by, data={"reference": reference})
    if earlier is not None:
        _event(session, earlier, "unlinked", now=now, actor=by, data={"reference": request.reference})
    session.flush()
    notify.receipt(session, request, now=now)  # its own reference and due date now
    return request


def linked_to(session: Session, request: DataRequest) -> DataRequest | None:
    """The earlier request a duplicate was linked to, if any."""
    if request.duplicate_of_id is None:
        return None
    return session.scalar(
        select(DataRequest).where(
            DataRequest.id == request.duplicate_of_id, DataRequest.tenant_id == request.tenant_id
        )
    )


def verify_request(
    session: Session, tenant_id: int, request_id: int, *, today: date, now: datetime
) -> DataRequest:
    """The requester confirmed the address: the request opens with the deadline counted from its
    receipt (when it was submitted); the requester gets the receipt and the contact persons are told."""
    request = get_request(session, tenant_id, request_id)
    # Two presses of the button at once: the second waits here and then finds the request open.
    session.refresh(request, with_for_update=True)
    states.transition(request.status, "verify")
    request.verified_at = now
    _event(session, request, "verified", now=now, label=request.name)
    _open(session, request, request.received_on or today, now)
    session.flush()
    notify.request_received(session, request, now=now)
    return request


def enter_request(
    session: Session,
    tenant_id: int,
    notice_id: int | None,
    data: NewRequest,
    *,
    channel: str,
    received_on: date,
    identity_note: str,
    by: User,
    now: datetime,
) -> DataRequest:
    """A request received by email, phone or letter, entered by a member; no email verification.

    `received_on` None means the date could not be read; every problem is reported at once."""
    problems: dict[str, str] = {}
    if channel not in ("email", "phone", "letter"):
        problems["channel"] = "channel_invalid"
    identity_note = _text(
        identity_note, "identity_note", problems, limit=MAX_IDENTITY_NOTE, required="identity_note_required"
    )
    if received_on is None:
        problems["received_on"] = "date_invalid"
    elif received_on > now.date() + timedelta(days=1):
        problems["received_on"] = "received_in_future"
    try:
        data = check_new_request(session, tenant_id, notice_id, data)
    except ValidationFailed as exc:
        problems.update(exc.problems)
    if problems:
        raise ValidationFailed.of(problems)
    request = DataRequest(
        tenant_id=tenant_id,
        reference=new_reference(),
        notice_id=notice_id,
        type=data.type,
        status=states.UNVERIFIED,
        channel=channel,
        name=data.name,
        email=data.email,
        phone=data.phone,
        details=data.details,
        contains_hetu=has_hetu(data),
        answer_language=data.answer_language,
        identity_note=identity_note,
        created_at=now,
    )
    _insert(session, request)
    _event(session, request, "entered", now=now, actor=by, data={"channel": channel})
    _open(session, request, received_on, now)
    session.flush()
    return request


def _id_or_not_found(value: int) -> int:
    """Ids from URLs beyond what the database stores are simply not found (never an overflow error)."""
    if not isinstance(value, int) or not 0 < value < 2**31:
        raise NotFound()
    return value


def get_request(session: Session, tenant_id: int, request_id: int) -> DataRequest:
    """The tenant's request, or NotFound."""
    _id_or_not_found(request_id)
    request = session.scalar(
        select(DataRequest).where(DataRequest.id == request_id, DataRequest.tenant_id == tenant_id)
    )
    if request is None:
        raise NotFound()
    return request


def timeline(session: Session, tenant_id: int, request_id: int) -> list[RequestEvent]:
    """Every event of a request, oldest first."""
    return list(
        session.scalars(
            select(RequestEvent)
            .where(RequestEvent.tenant_id == tenant_id, RequestEvent.request_id == request_id)
            .order_by(RequestEvent.created_at, RequestEvent.id)
        )
    )


def get_event(session: Session, tenant_id: int, request_id: int, event_id: int) -> RequestEvent:
    """One event of the tenant's request, or NotFound."""
    _id_or_not_found(event_id)
    event = session.scalar(
        select(RequestEvent).where(
            RequestEvent.id == event_id,
            RequestEvent.tenant_id == tenant_id,
            RequestEvent.request_id == request_id,
        )
    )
    if event is None:
        raise NotFound()
    return event


def _checked_text(text: str, field: str, *, required: str = "text_required") -> str:
    """A note's or message's text, or ValidationFailed (missing, too long, control characters)."""
    problems: dict[str, str] = {}
    text = _text(text, field, problems, limit=MAX_DETAILS, required=required)
    if problems:
        raise ValidationFailed.of(problems)
    return text


def _member(session, tenant_id: int, user_id: int) -> User:
    membership = session.scalar(
        select(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
    )
    if membership is None:
        raise ValidationFailed("assignee_invalid", "assignee")
    return membership.user


def assign(
    session: Session, tenant_id: int, request_id: int, assignee_id: int | None, *, by: User, now: datetime
) -> DataRequest:
    """Give the request to a member (or nobody)."""
    request = get_request(session, tenant_id, request_id)
    states.transition(request.status, "assign")
    assignee = _member(session, tenant_id, assignee_id) if assignee_id else None
    request.assignee_id = assignee.id if assignee else None
    data = {"assignee": assignee.name, "assignee_id": assignee.id} if assignee else {"assignee": ""}
    _event(session, request, "assigned", now=now, actor=by, data=data)
    session.flush()
    return request


def add_note(
    session: Session, tenant_id: int, request_id: int, text: str, *, by: User, now: datetime
) -> RequestEvent:
    """An internal note (never shown to the requester)."""
    request = get_request(session, tenant_id, request_id)
    states.transition(request.status, "note")
    text = _checked_text(text, "note")
    event = _event(session, request, "note", now=now, actor=by, body=text)
    session.flush()
    return event


def reply(
    session: Session,
    tenant_id: int,
    request_id: int,
    text: str,
    *,
    by: User,
    now: datetime,
    attachments: list[dict] | None = None,
) -> RequestEvent:
    """A message to the requester, mailed to them; attachments are stored references."""
    request = get_request(session, tenant_id, request_id)
    states.transition(request.status, "reply")
    text = _checked_text(text, "message")
    event = _event(
        session,
        request,
        "message_out",
        now=now,
        actor=by,
        body=text,
        data={"attachments": attachments or []},
    )
    session.flush()
    notify.message_sent(session, request, event, now=now)
    return event


def requester_reply(
    session: Session, tenant_id: int, request_id: int, text: str, *, now: datetime
) -> RequestEvent:
    """A message from the requester through the status page; whoever handles the request is told."""
    request = get_request(session, tenant_id, request_id)
    states.transition(request.status, "requester_reply")
    text = _checked_text(text, "message")
    event = _event(
        session,
        request,
        "message_in",
        now=now,
        label=request.name,
        body=text,
        data={"contains_hetu": contains_hetu(text)},
    )
    session.flush()
    notify.requester_replied(session, request, now=now)
    return event


def extend(
    session: Session,
    tenant_id: int,
    request_id: int,
    months: int,
    reason: str,
    *,
    by: User,
    today: date,
    now: datetime,
) -> DataRequest:
    """Extend the deadline once, by one or two months, before the original due date, with a reason
    that the requester is told."""
    request = get_request(session, tenant_id, request_id)
    states.transition(request.status, "extend")
    if request.extension_months:
        raise ValidationFailed("already_extended", "months")
    if months not in range(1, MAX_EXTENSION_MONTHS + 1):
        raise ValidationFailed("extension_months_invalid", "months")
    if today > due_date(request.received_on):
        raise ValidationFailed("extension_too_late", "months")
    reason = _checked_text(reason, "reason", required="extension_reason_required")
    request.extension_months = months
    request.extension_reason = reason
    request.due_on = due_date(request.received_on, months)
    _event(
        session,
        request,
        "extended",
        now=now,
        actor=by,
        body=request.extension_reason,
        data={"months": months, "due_on": request.due_on.isoformat()},
    )
    session.flush()
    notify.deadline_extended(session, request, now=now)
    return request


def close(
    session: Session, tenant_id: int, request_id: int, outcome: str, text: str, *, by: User, now: datetime
) -> DataRequest:
    """Close as completed (what was done), partly completed (what was done and why not the rest) or
    refused (why); the requester is told, and unless fully granted, of the right to complain."""
    if outcome not in ("complete", "partial", "refuse"):
        raise ValueError(outcome)
    request = get_request(session, tenant_id, request_id)
    counts.set_status(session, request, states.transition(request.status, outcome))
    request.outcome = _checked_text(text, "outcome", required="outcome_required")
    request.closed_at = now
    _event(
        session,
        request,
        {"complete": "completed", "partial": "partly_completed", "refuse": "refused"}[outcome],
        now=now,
        actor=by,
        body=request.outcome,
    )
    session.flush()
    notify.request_closed(session, request, now=now)
    return request


def expire_unverified(session: Session, *, now: datetime) -> list[DataRequest]:
    """Close web requests never verified within VERIFY_DAYS (operator job, any tenant in scope)."""
    cutoff = now - timedelta(days=VERIFY_DAYS)
    expired = list(
        session.scalars(
            select(DataRequest).where(
                DataRequest.status == states.UNVERIFIED, DataRequest.created_at < cutoff
            )
        )
    )
    for request in expired:
        counts.set_status(session, request, states.transition(request.status, "expire"))
        request.closed_at = now
        _event(session, request, "expired", now=now)
    session.flush()
    return expired


def remind_unverified(session: Session, *, now: datetime) -> int:
    """Remind each requester once who has not confirmed within a day (operator job, any tenant in
    scope). Returns how many were reminded."""
    waiting = needing_verification_reminder(session, now=now)
    for request in waiting:
        notify.verification_reminded(session, request, now=now)
    session.flush()
    return len(waiting)


def needing_verification_reminder(session: Session, *, now: datetime) -> list[DataRequest]:
    """Unverified requests older than a day that have had no reminder yet."""
    return list(
        session.scalars(
            select(DataRequest).where(
                DataRequest.status == states.UNVERIFIED,
                DataRequest.reminder_sent_at.is_(None),
                DataRequest.created_at < now - REMIND_AFTER,
                DataRequest.created_at >= now - timedelta(days=VERIFY_DAYS),
            )
        )
    )


# Events labelled with the requester's name (the others name the member who acted, which stays).
REQUESTER_EVENTS = frozenset({"submitted", "verified", "message_in", "linked_duplicate"})


def erase_personal_data(session: Session, request: DataRequest, *, now: datetime) -> list[str]:
    """Blank the request's personal data, keeping type, dates and outcome status for statistics.

    The timeline keeps its events and who of the organisation acted; the texts, files and the
    requester's name on their own events are blanked. The copies of the mails about the request
    are blanked in the outbox too, and any not yet sent is given up. Returns the storage keys of its
    attachments, for the caller to delete."""
    keys: list[str] = []
    for event in session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)):
        keys += [f["key"] for f in (event.data or {}).get("attachments", []) if f.get("key")]
        requester_label = event.kind in REQUESTER_EVENTS and event.actor_label
        if event.body or event.data or requester_label:
            event.body = ""
            event.data = {}
            if requester_label:
                event.actor_label = ""
    # Every copy is blanked; one not sent yet is given up (it would go out blank, long after its time).
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.request_id == request.id)
        .values(
            recipient="",
            subject="",
            context={},
            body_text="",
            body_html="",
            last_error=None,
            status=case((OutboxMessage.status == "sent", "sent"), else_="failed"),
        )
        .execution_options(synchronize_session=False)
    )
    request.name = ""
    request.email = ""
    request.phone = ""
    request.details = ""
    request.identity_note = ""
    request.extension_reason = ""
    request.outcome = ""
    request.contains_hetu = False
    request.erased_at = now
    session.flush()
    return keys


def purge_expired(session: Session, *, now: datetime, delete_file) -> int:
    """Erase the personal data of requests closed longer ago than their tenant's retention setting."""
    from ..models import Tenant

    erased = 0
    for tenant in session.scalars(select(Tenant)):
        cutoff = now - timedelta(days=int(tenant.request_retention_months * 30.44))
        # A linked duplicate is kept as long as the request it was answered with, and erased with it.
        old = list(
            session.scalars(
                select(DataRequest).where(
                    DataRequest.tenant_id == tenant.id,
                    DataRequest.closed_at.is_not(None),
                    DataRequest.closed_at < cutoff,
                    DataRequest.erased_at.is_(None),
                    DataRequest.status != states.LINKED,
                )
            )
        )
        for request in old:
            linked = session.scalars(
                select(DataRequest).where(
                    DataRequest.tenant_id == tenant.id,
                    DataRequest.duplicate_of_id == request.id,
                    DataRequest.erased_at.is_(None),
                )
            )
            for each in [request, *linked]:
                for key in erase_personal_data(session, each, now=now):
                    delete_file(key)
                erased += 1
    return erased
