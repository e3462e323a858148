"""The requester's forms: the request itself, the confirmation button, and a reply.

The request form and the confirmation are shown inside other sites' iframes, where browsers do
not send our SameSite=Lax session cookie, so a session-bound CSRF token could never validate there.
They act for no logged-in user (nothing to forge); a signed start time (a person takes seconds to
fill the form in), a honeypot field people never see, and rate limits protect them instead.
"""

from __future__ import annotations

import secrets
import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from ..forms import RequesterFields, SelosteForm

MIN_FILL_SECONDS = 3
STARTED_MAX_AGE = 86400


def _form_clock() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="seloste-request-form")


def signed_start() -> str:
    """A fresh signed start time for a form being shown (URL-safe characters only). It carries a
    random part: two forms shown at the same clock reading (by two processes, within the clock's
    quarter of a microsecond) still get stamps of their own, and each can be sent once."""
    return _form_clock().dumps([time.time(), secrets.token_hex(6)])


def started_at(stamp: str) -> float | None:
    """When the form with this signed start was shown, or None when the stamp is not ours. A stamp
    of a form shown before stamps had a random part (the bare time) is still read."""
    try:
        value = _form_clock().loads(stamp or "", max_age=STARTED_MAX_AGE)
    except BadSignature:
        return None
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class RequestForm(RequesterFields, SelosteForm):
    """A request about one's personal data."""

    class Meta:
        csrf = False  # see the module's docstring

    hetu_ack = BooleanField()
    started = HiddenField()  # when the form was shown, signed
    website = StringField()  # the honeypot: hidden from people, filled in by bots

    def is_bot(self) -> bool:
        """The honeypot was filled in."""
        return bool(self.website.data)

    def too_quick(self) -> bool:
        """Sent sooner than a person can fill the form in (or without a valid start time)."""
        started = started_at(self.started.data)
        return started is None or time.time() - started < MIN_FILL_SECONDS

    def values(self) -> dict:
        """The typed values, to show the form again."""
        return {
            "type": self.type.data or "",
            "name": self.name.data or "",
            "email": self.email.data or "",
            "details": self.details.data or "",
            "phone": self.phone.data or "",
            "answer_language": self.answer_language.data or "",
        }


class ConfirmForm(SelosteForm):
    """The button that confirms a request (it carries the signed link it was opened from)."""

    class Meta:
        csrf = False  # the signed token is the proof; no session is involved

    token = HiddenField()


class ReplyForm(SelosteForm):
    """The requester's message on the status page."""

    services_refuse_control_characters = True  # the request services word the refusal

    message = TextAreaField()
    hetu_ack = BooleanField()
