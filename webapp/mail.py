"""Rendering mail in the recipient's language, queueing it, and the transports that send it."""

from __future__ import annotations

import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import Flask, current_app, g, render_template
from flask_babel import force_locale

from tenants.outbox import Mail, deliver_due, enqueue_mail

from .db import database, db


def queue_mail(template: str, *, to: str, language: str, request_id: int | None = None, **context) -> None:
    """Render templates/mail/<template>.{txt,html} in `language` and add it to the outbox.

    `request_id` names the data subject request the mail is about (its retention erases the copy)."""
    with force_locale(language):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", subject=subject, **context)
    enqueue_mail(
        db(),
        recipient=to,
        subject=subject,
        body_text=text,
        body_html=html,
        language=language,
        now=datetime.now(UTC),
        request_id=request_id,
    )
    g.mail_queued = True


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """A multipart text+HTML message with a stable Message-ID derived from the outbox row."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.recipient
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "seloste.local"
    msg["Message-ID"] = make_msgid(idstring=f"outbox-{mail.message_id}", domain=domain)
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
        tmp.write_bytes(bytes(build_message(mail, self.sender)))
        tmp.replace(path)


class SmtpTransport:
    """Delivers through an SMTP server, with STARTTLS and login when configured."""

    def __init__(self, host, port, sender, *, username="", password="", starttls=False, timeout=20.0):
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.starttls, self.timeout = starttls, timeout

    def send(self, mail: Mail) -> None:
        """Open a connection and hand over one message."""
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(build_message(mail, self.sender))


def transport_for(app: Flask):
    """The transport the app's configuration asks for (built once, kept on the app)."""
    transport = app.extensions.get("seloste_mail")
    if transport is None:
        cfg = app.config
        if cfg["MAIL_TRANSPORT"] == "smtp":
            transport = SmtpTransport(
                cfg["SMTP_HOST"],
                cfg["SMTP_PORT"],
                cfg["MAIL_FROM"],
                username=cfg["SMTP_USERNAME"],
                password=cfg["SMTP_PASSWORD"],
                starttls=cfg["SMTP_STARTTLS"],
                timeout=cfg["SMTP_TIMEOUT"],
            )
        else:
            transport = FileTransport(cfg["MAIL_DIR"], cfg["MAIL_FROM"])
        app.extensions["seloste_mail"] = transport
    return transport


def drain_outbox(app: Flask, limit: int = 100):
    """Send what is due now; returns the DeliveryReport."""
    with app.app_context():
        return deliver_due(
            database().new_session,
            transport_for(current_app._get_current_object()),
            now=lambda: datetime.now(UTC),
            limit=limit,
        )
