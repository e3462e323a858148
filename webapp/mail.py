"""Mail: rendering queued mail in the recipient's language when it is delivered, and the transports.

The domain queues a template's name with what the mail is about (ids); here each template gets
its context from the database as it is at delivery (read for a claimed batch together, just before
its first mail is sent), with links from LINK_BASE_URL. A mail whose subject no longer exists (an
erased request, a withdrawn invitation) is given up.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import itertools
import logging
import secrets
import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email.charset import BASE64, Charset
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTPUTF8, Compat32
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tenants.models import Invitation, Tenant, User
from tenants.notices.authority import authority
from tenants.outbox import Mail, MailObsolete, deliver_due
from tenants.requests.deadlines import practical_due_date
from tenants.requests.models import DataRequest, RequestEvent
from tenants.scoping import scoped_to, unscoped
from tenants.validation import one_line

from . import tokens
from .db import database
from .routing import link

log = logging.getLogger(__name__)


def _row(session: Session, model, row_id):
    found = session.get(model, row_id) if isinstance(row_id, int) else None
    if found is None:
        raise MailObsolete(f"{model.__name__} {row_id} no longer exists")
    return found


def _user(session: Session, mail: Mail) -> User:
    return _row(session, User, mail.context.get("user_id"))


# Built once: building the statement cost about as much as running it.
_REQUESTS_AND_TENANTS = (
    select(DataRequest, Tenant)
    .join(Tenant, Tenant.id == DataRequest.tenant_id)
    .where(DataRequest.id.in_(bindparam("request_ids", expanding=True)))
)
# session.info: the requests (with their organisations) that a batch's mails of the tenant in scope
# are about, read together before those mails are rendered (render_all).
_READ_AHEAD = "seloste_mail_requests"


def _requests(session: Session, ids: list[int]) -> dict[int, tuple[DataRequest, Tenant]]:
    """These requests (of the tenant in scope) with their organisations, by id, in one statement."""
    if not ids:
        return {}
    return {r.id: (r, t) for r, t in session.execute(_REQUESTS_AND_TENANTS, {"request_ids": ids})}


def _read_ahead(session: Session, mails: list[Mail]) -> dict[int, tuple[DataRequest, Tenant]] | None:
    """The requests these mails (of the tenant in scope) are about, or None when the statement failed
    (each mail then reads its own)."""
    try:
        return _requests(session, sorted({m.request_id for m in mails if isinstance(m.request_id, int)}))
    except Exception:
        log.warning("could not read the requests of a batch of mail together", exc_info=True)
        session.rollback()
        return None


def _request(session: Session, mail: Mail) -> tuple[DataRequest, Tenant]:
    """The request the mail is about and its organisation: as read ahead for its batch (render_all),
    or read now."""
    found = None
    if isinstance(mail.request_id, int):
        read = session.info.get(_READ_AHEAD)
        found = (read if read is not None else _requests(session, [mail.request_id])).get(mail.request_id)
    if found is None:
        raise MailObsolete(f"DataRequest {mail.request_id} no longer exists")
    request, tenant = found
    if request.erased_at is not None:
        raise MailObsolete(f"request {request.id} was erased")
    return request, tenant


def _status_link(request: DataRequest) -> str:
    return link("requests.status", token=tokens.for_request(tokens.REQUEST_STATUS, request))


def _about_request(session: Session, mail: Mail) -> dict:
    """What every mail about a request shows: the request, its organisation, the requester's page."""
    request, tenant = _request(session, mail)
    return {
        "req": request,
        "tenant": tenant,
        "status_link": _status_link(request),
        "practical_due": practical_due_date(request.due_on) if request.due_on else None,
    }


def _to_member(session: Session, mail: Mail) -> dict:
    """A mail to a member about a request: with the link to it in the inbox."""
    context = _about_request(session, mail)
    return {
        **context,
        "user": _user(session, mail),
        "link": link("inbox.detail", request_id=context["req"].id),
    }


def _verify_link(session: Session, mail: Mail) -> dict:
    context = _about_request(session, mail)
    token = tokens.for_request(tokens.REQUEST_VERIFY, context["req"])
    return {**context, "link": link("requests.verify", token=token), "days": mail.context.get("days")}


def _receipt(session: Session, mail: Mail) -> dict:
    context = _about_request(session, mail)
    earlier_id = mail.context.get("earlier_id")
    earlier = session.get(DataRequest, earlier_id) if isinstance(earlier_id, int) else None
    answered_with = earlier or context["req"]
    return {
        **context,
        "earlier": earlier,
        "practical_due": practical_due_date(answered_with.due_on),
        "status_link": _status_link(answered_with),
    }


def _message(session: Session, mail: Mail) -> dict:
    context = _about_request(session, mail)
    event = session.scalar(
        select(RequestEvent).where(
            RequestEvent.id == mail.context.get("event_id"), RequestEvent.request_id == context["req"].id
        )
    )
    if event is None:
        raise MailObsolete("the message no longer exists")
    return {**context, "body": event.body, "files": (event.data or {}).get("attachments", [])}


def _closed(session: Session, mail: Mail) -> dict:
    context = _about_request(session, mail)
    return {
        **context,
        "refused": bool(mail.context.get("refused")),
        "partly": bool(mail.context.get("partly")),
        "authority": authority(mail.language),
    }


def _digest(session: Session, mail: Mail) -> dict:
    def requests(key: str) -> list[DataRequest]:
        ids = [i for i in mail.context.get(key, []) if isinstance(i, int)]
        found = session.scalars(select(DataRequest).where(DataRequest.id.in_(ids))).all() if ids else []
        return sorted((r for r in found if r.due_on), key=lambda r: (r.due_on, r.id))

    return {
        "user": _user(session, mail),
        "overdue": requests("overdue"),
        "soon": requests("soon"),
        "link_for": lambda r: link("inbox.detail", request_id=r.id),
        "practical_due_date": practical_due_date,
    }


def _verify_email(session: Session, mail: Mail) -> dict:
    user = _user(session, mail)
    token = tokens.make(tokens.VERIFY, {"u": user.id, "e": user.email})
    return {"user": user, "link": link("auth.verify", token=token), "hours": tokens.verify_max_age() // 3600}


def _reset_password(session: Session, mail: Mail) -> dict:
    user = _user(session, mail)
    token = tokens.make(tokens.RESET, {"u": user.id, "v": user.auth_version})
    return {"user": user, "link": link("auth.reset", token=token), "hours": tokens.reset_max_age() // 3600}


def _account_links(session: Session, mail: Mail) -> dict:
    user = _user(session, mail) if "user_id" in mail.context else None
    return {
        "user": user,
        "login_link": link("auth.login"),
        "reset_link": link("auth.reset_request"),
        "signup_link": link("auth.signup"),
    }


def _invitation(session: Session, mail: Mail) -> dict:
    invite = _row(session, Invitation, mail.context.get("invitation_id"))
    if not invite.is_open:
        raise MailObsolete(f"invitation {invite.id} is no longer open")
    token = tokens.make(tokens.INVITE, {"i": invite.id, "t": invite.tenant_id})
    return {
        "tenant": _row(session, Tenant, invite.tenant_id),
        "inviter": _row(session, User, mail.context.get("inviter_id")),
        "link": link("auth.invitation", token=token),
        "days": tokens.invite_max_age() // 86400,
    }


# template -> what it shows, read from the database at delivery
CONTEXTS: dict[str, Callable[[Session, Mail], dict]] = {
    "verify_email": _verify_email,
    "signup_existing": _account_links,
    "reset_password": _reset_password,
    "reset_unknown": _account_links,
    "invitation": _invitation,
    "request_verify": _verify_link,
    "request_reminder": _verify_link,
    "request_receipt": _receipt,
    "request_new": _to_member,
    "request_reply_in": _to_member,
    "request_message": _message,
    "request_extended": _about_request,
    "request_closed": _closed,
    "request_digest": _digest,
}


def render_mail(session: Session, mail: Mail) -> Mail:
    """The mail with its subject and bodies rendered from templates/mail/<template> in its language."""
    build = CONTEXTS.get(mail.template or "")
    if build is None:
        raise MailObsolete(f"no mail template {mail.template!r}")
    context = build(session, mail)
    with force_locale(mail.language):
        subject = render_template(f"mail/{mail.template}.subject.txt", **context).strip()
        text = render_template(f"mail/{mail.template}.txt", **context)
        html = render_template(f"mail/{mail.template}.html", subject=subject, **context)
    return dataclasses.replace(mail, subject=subject, body_text=text, body_html=html)


def build_message(mail: Mail, sender: str) -> bytes:
    """The message as it goes to the server (CRLF line ends), with a stable Message-ID derived from
    the outbox row: text and HTML as multipart/alternative (text alone when there is no HTML), each
    body UTF-8 in base64, the subject and the sender's name as encoded words.

    Written here rather than by the email package's generator, which took as long as everything else
    in sending a mail: a header is written as set when it is a short line of ASCII, and otherwise
    folded as compat32 folds it; a body is base64 in lines of 76. An address that is not ASCII (an
    internationalised mailbox, sent with SMTPUTF8) is built as an `EmailMessage`, which knows how
    to write it."""
    name, address = parseaddr(sender)
    if _international(mail, address):
        return _international_message(mail, sender).as_bytes(policy=SMTPUTF8)  # CRLF, UTF-8 headers
    head = [
        _header("From", formataddr((one_line(name), address), charset=_UTF8_B)),
        _header("To", mail.recipient),
        _header("Subject", Header(one_line(mail.subject), _UTF8_B)),
        _header("Date", formatdate(localtime=False)),
        _header("Message-ID", _message_id(mail, sender)),
        _header("Content-Language", mail.language),
        b"MIME-Version: 1.0\r\n",
    ]
    if not mail.body_html:
        return b"".join(head) + _part(mail.body_text, "plain")
    # A boundary of its own: base64 lines cannot hold "=_", so no body can hold it.
    boundary = ("=_" + secrets.token_hex(16)).encode("ascii")
    return b"".join(
        [
            *head,
            b'Content-Type: multipart/alternative; boundary="' + boundary + b'"\r\n\r\n',
            b"--" + boundary + b"\r\n",
            _part(mail.body_text, "plain"),
            b"\r\n--" + boundary + b"\r\n",
            _part(mail.body_html, "html"),
            b"\r\n--" + boundary + b"--\r\n",
        ]
    )


def _international(mail: Mail, envelope_from: str) -> bool:
    """An address of the mail is not ASCII: an internationalised mailbox, sent with SMTPUTF8."""
    return not (mail.recipient.isascii() and envelope_from.isascii())


def _header(name: str, value) -> bytes:
    """One header line (folded when it is long or not plain ASCII, as compat32 folds it)."""
    if (
        type(value) is str
        and len(name) + len(value) <= 76
        and value.isascii()
        and "\r" not in value
        and "\n" not in value
    ):
        return f"{name}: {value}\r\n".encode("ascii")
    return _FOLDED.fold_binary(name, value)


def _part(text: str, subtype: str) -> bytes:
    """A text part: its headers, a blank line and the text in base64 (UTF-8)."""
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'.encode("ascii")
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(text.encode("utf-8")).replace(b"\n", b"\r\n")
    )


_FOLDED = Compat32(linesep="\r\n")


# Headers as base64 encoded words: the email package's default for UTF-8 tries both encodings on
# every header to pick the shorter, a third of the time it spends on a message.
_UTF8_B = Charset("utf-8")
_UTF8_B.header_encoding = BASE64


def _message_id(mail: Mail, sender: str) -> str:
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "seloste.local"
    return make_msgid(idstring=f"outbox-{mail.message_id}", domain=domain)


def _international_message(mail: Mail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.recipient
    msg["Subject"] = one_line(mail.subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = _message_id(mail, sender)
    msg.set_content(mail.body_text)
    if mail.body_html:
        msg.add_alternative(mail.body_html, subtype="html")
    msg["Content-Language"] = mail.language  # after set_content, which clears Content-* headers
    return msg


class FileTransport:
    """Writes each mail as an .eml file in a folder (the embedded default)."""

    def __init__(self, folder: str, sender: str):
        self.folder = Path(folder)
        self.sender = sender

    def send(self, mail: Mail) -> None:
        """Write the message to <folder>/<time>-<id>.eml."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{mail.message_id:06d}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(build_message(mail, self.sender))
        tmp.replace(path)


class SmtpTransport:
    """Delivers through an SMTP server, with STARTTLS and login when configured: one connection per
    mail with `send`, or one for a whole drain of the outbox with `batch()`."""

    def __init__(self, host, port, sender, *, username="", password="", starttls=False, timeout=20.0):
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.starttls, self.timeout = starttls, timeout

    def connect(self) -> _Smtp:
        """A connection ready to take messages (STARTTLS and login done)."""
        smtp = _Smtp(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, mail: Mail) -> None:
        """Open a connection and hand over one message."""
        with contextlib.closing(SmtpConnection(self)) as connection:
            connection.send(mail)

    @contextlib.contextmanager
    def batch(self):
        """One connection for many mails, opened with the first and closed at the end."""
        with contextlib.closing(SmtpConnection(self)) as connection:
            yield connection


class _Smtp(smtplib.SMTP):
    """An SMTP connection that knows whether a message's data has begun to go out: until then the
    server cannot have taken it, so after a lost connection it may be sent again at once."""

    data_begun = False

    def data(self, msg):
        self.data_begun = True
        return super().data(msg)


def _lost(exc: Exception) -> bool:
    """The server closed the connection (or says it is closing it: 421)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code == 421 for code, _text in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code == 421


class SmtpConnection:
    """Sends mails one after another over one SMTP connection, opened when the first mail is sent.

    After an error the connection is dropped and the next mail opens a new one. When a connection
    that has already carried a mail turns out to be closed by the server before this message's data
    began (an idle timeout, a restart), the mail is sent once more on a new connection: the server
    cannot have taken it. A connection lost later, while the data went out, may have delivered it:
    that is left to the outbox's retry, as any other error."""

    def __init__(self, transport: SmtpTransport):
        self.transport = transport
        self.envelope_from = parseaddr(transport.sender)[1]
        self.smtp: _Smtp | None = None
        self.carried = 0  # mails sent over the open connection

    def send(self, mail: Mail) -> None:
        """Hand over one message, on the open connection or a new one."""
        message = build_message(mail, self.transport.sender)
        try:
            self._hand_over(mail, message)
        except Exception as exc:
            reused, before_data = self.carried > 0, self.smtp is not None and not self.smtp.data_begun
            self.drop()
            if not (reused and before_data and _lost(exc)):
                raise
            log.info("the SMTP connection was closed by the server; sending on a new one")
            try:
                self._hand_over(mail, message)
            except Exception:
                self.drop()
                raise

    def _hand_over(self, mail: Mail, message: bytes) -> None:
        if self.smtp is None:
            self.smtp = self.transport.connect()
            self.carried = 0
        self.smtp.data_begun = False
        sender = self.envelope_from
        options: tuple[str, ...] = ()
        if _international(mail, sender):
            self.smtp.ehlo_or_helo_if_needed()  # what the server offers is known after its EHLO
            if not self.smtp.has_extn("smtputf8"):  # as smtplib's send_message refuses it
                raise smtplib.SMTPNotSupportedError("the server does not take internationalised addresses")
            options = ("SMTPUTF8", "BODY=8BITMIME")
        self.smtp.sendmail(sender, [mail.recipient], message, mail_options=options)
        self.carried += 1

    def drop(self) -> None:
        """Close the connection without a goodbye (it may be broken)."""
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

    def close(self) -> None:
        """Say goodbye (QUIT) and close the connection, if one is open."""
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):  # already gone: nothing more to say
                pass
            finally:
                self.drop()


class RenderingTransport:
    """Renders a queued template (within the tenant it belongs to), then hands it on to be sent."""

    def __init__(self, app: Flask, transport):
        self.app, self.transport = app, transport

    def send(self, mail: Mail) -> None:
        """Render when needed, then send."""
        if mail.template is not None:
            mail = self.render(mail)
        self.transport.send(mail)

    @contextlib.contextmanager
    def batch(self):
        """Renders each batch the outbox claims at once (`prepare`), then sends each mail with the
        wrapped transport's batch, if it has one."""
        opener = getattr(self.transport, "batch", None)
        if opener is None:
            yield _BatchRendering(self.app, self.transport)
            return
        with opener() as sender:
            yield _BatchRendering(self.app, sender)

    def render(self, mail: Mail) -> Mail:
        """Render in an app context of its own, reading the database as the tenant (or, for the
        platform's own mail such as a digest across organisations, as the operator)."""
        return _render_one(self.app, mail)


def _render_one(app: Flask, mail: Mail) -> Mail:
    """One mail rendered on its own (render_all of it alone), or what stopped it raised."""
    return _rendered(render_all(app, [mail])[mail.message_id])


def _rendered(done: Mail | Exception) -> Mail:
    """The rendered mail, or what stopped its rendering raised."""
    if isinstance(done, Exception):
        raise done
    return done


def _tenant_of(mail: Mail) -> int:
    return mail.tenant_id or 0


def render_all(app: Flask, mails: list[Mail]) -> dict[int, Mail | Exception]:
    """Each mail rendered, or the error that stopped it, by message id: in one app context and one
    read of the database, each mail within its own tenant (mails of one tenant together, so the
    scope is written once for them, and the requests they are about read in one statement). A mail
    whose rendering failed in the database ends the read; the next mail starts a new one."""
    done: dict[int, Mail | Exception] = {}
    with app.app_context():
        session = database().operator_session()
        try:
            for tenant_id, grouped in itertools.groupby(sorted(mails, key=_tenant_of), key=_tenant_of):
                group = list(grouped)
                with scoped_to(session, tenant_id) if tenant_id else unscoped(session):
                    session.info[_READ_AHEAD] = _read_ahead(session, group)
                    try:
                        for mail in group:
                            try:
                                done[mail.message_id] = render_mail(session, mail)
                            except Exception as exc:  # this mail's alone: recorded when it was to be sent
                                done[mail.message_id] = exc
                                if not isinstance(exc, MailObsolete):  # the read itself may have failed
                                    session.rollback()
                    finally:
                        session.info.pop(_READ_AHEAD, None)  # read in this tenant's scope: for it alone
        finally:
            session.rollback()  # the read ends here: the scope is restored on no connection
            session.close()
    return done


class _BatchRendering:
    """The transport for one drain: what `prepare` rendered is sent as rendered; a mail that was not
    prepared is rendered when it is sent."""

    def __init__(self, app: Flask, sender):
        self.app, self.sender = app, sender
        self.rendered: dict[int, Mail | Exception] = {}

    def prepare(self, mails: list[Mail]) -> None:
        """Render the mails of a claimed batch together, before the first is sent."""
        self.rendered = render_all(self.app, [mail for mail in mails if mail.template is not None])

    def send(self, mail: Mail) -> None:
        """Send the mail as prepared (raising what stopped its rendering), or render and send it."""
        if mail.template is not None:
            done = self.rendered.pop(mail.message_id, None)
            mail = _render_one(self.app, mail) if done is None else _rendered(done)  # None: not prepared
        self.sender.send(mail)


def transport_for(app: Flask):
    """The transport the app's configuration asks for (built once, kept on the app)."""
    transport = app.extensions.get("seloste_mail")
    if transport is None:
        cfg = app.config
        if cfg["MAIL_TRANSPORT"] == "smtp":
            sender = SmtpTransport(
                cfg["SMTP_HOST"],
                cfg["SMTP_PORT"],
                cfg["MAIL_FROM"],
                username=cfg["SMTP_USERNAME"],
                password=cfg["SMTP_PASSWORD"],
                starttls=cfg["SMTP_STARTTLS"],
                timeout=cfg["SMTP_TIMEOUT"],
            )
        else:
            sender = FileTransport(cfg["MAIL_DIR"], cfg["MAIL_FROM"])
        transport = RenderingTransport(app, sender)
        app.extensions["seloste_mail"] = transport
    return transport


def drain_outbox(app: Flask, limit: int = 100, stop: Callable[[], bool] | None = None):
    """Send what is due now (until `stop()` says to stop); returns the DeliveryReport."""
    with app.app_context():
        return deliver_due(
            database().operator_session,
            transport_for(current_app._get_current_object()),
            now=lambda: datetime.now(UTC),
            limit=limit,
            stop=stop,
        )
