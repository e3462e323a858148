"""Pieces every feature's forms share (each form is Flask-WTF: a CSRF token on each)."""

from __future__ import annotations

from functools import lru_cache

from babel import support
from flask import current_app, has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, TextAreaField
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Email, InputRequired, Length

from tenants.passwords import MAX_LENGTH, MIN_LENGTH
from tenants.requests.service import NewRequest
from tenants.validation import has_control_characters

from .i18n import LANGUAGE_NAMES

REQUIRED = _l("This field is required.")
EMAIL = _l("Enter an email address such as name@example.fi.")
PASSWORD_LENGTH = _l("Use at least 10 characters.")
CONTROL_CHARACTERS = _l(
    "This field has invisible control characters (such as a NUL byte) that cannot be saved. "
    "Type or paste the text again."
)


@lru_cache(maxsize=16)
def _wtforms_catalog(locale: str) -> support.Translations:
    """WTForms' own messages in one language, read from its catalog once per process (Flask-WTF
    would read and parse the file again on every request that shows or checks a form)."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class SelosteForm(FlaskForm):
    """Every form of the app: a field holding a NUL or another control character (tab and line
    breaks aside) is refused with a message next to it, on every database alike. A form whose
    service refuses them itself, with its own message, turns this off."""

    class Meta:
        def get_translations(self, form):
            """WTForms' own messages in the language of the response (as Flask-WTF gives them)."""
            if not has_request_context() or not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _wtforms_catalog(str(get_locale() or "fi"))

    services_refuse_control_characters = False

    def validate(self, extra_validators=None) -> bool:
        """WTForms' validation, and no control characters in any text."""
        valid = super().validate(extra_validators)
        self.control_character_errors = {}
        if self.services_refuse_control_characters:
            return valid
        for field in self:
            values = field.data if isinstance(field.data, list | tuple) else [field.data]
            if any(isinstance(value, str) and has_control_characters(value) for value in values):
                field.errors = [*list(field.errors or []), CONTROL_CHARACTERS]
                self.control_character_errors[field.name] = CONTROL_CHARACTERS
                valid = False
        return valid


def language_choices():
    """The interface languages, for a select field."""
    return list(LANGUAGE_NAMES.items())


def email_field(label):
    """A required email address."""
    return EmailField(
        label,
        validators=[DataRequired(REQUIRED), Email(EMAIL), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


def new_password_field(label):
    """A new password of an allowed length."""
    return PasswordField(
        label,
        validators=[InputRequired(REQUIRED), Length(min=MIN_LENGTH, max=MAX_LENGTH, message=PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 10 characters. A phrase of several words is easy to remember."),
    )


class ActionForm(SelosteForm):
    """A button that changes something: carries only the CSRF token."""


class RequesterFields:
    """The requester's details of a data subject request (the public form and manual entry); the
    request service checks them."""

    type = StringField()
    name = StringField()
    email = StringField()
    details = TextAreaField()
    phone = StringField()
    answer_language = StringField()

    def new_request(self) -> NewRequest:
        """The details as typed."""
        return NewRequest(
            self.type.data or "",
            self.name.data or "",
            self.email.data or "",
            self.details.data or "",
            self.phone.data or "",
            self.answer_language.data or "fi",
        )
