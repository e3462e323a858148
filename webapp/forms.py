"""Forms (Flask-WTF: CSRF token on each). Rules that need the database live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from tenants.errors import ValidationFailed
from tenants.passwords import MAX_LENGTH, MIN_LENGTH
from tenants.validation import normalise_business_id

from .errors import MESSAGES
from .i18n import LANGUAGE_NAMES

_REQUIRED = _l("This field is required.")
_EMAIL = _l("Enter an email address such as name@example.fi.")
_PASSWORD_LEN = _l("Use at least 10 characters.")


def _languages():
    return list(LANGUAGE_NAMES.items())


def _roles():
    return [("handler", _l("Handler (handles requests)")), ("owner", _l("Owner (manages everything)"))]


def _email_field(label):
    return EmailField(
        label,
        validators=[DataRequired(_REQUIRED), Email(_EMAIL), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


def _new_password_field(label):
    return PasswordField(
        label,
        validators=[InputRequired(_REQUIRED), Length(min=MIN_LENGTH, max=MAX_LENGTH, message=_PASSWORD_LEN)],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 10 characters. A phrase of several words is easy to remember."),
    )


class SignupForm(FlaskForm):
    """A new firm and its first owner."""

    company_name = StringField(
        _l("Company name"),
        validators=[DataRequired(_REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "organization"},
    )
    business_id = StringField(
        _l("Business ID (Y-tunnus)"),
        validators=[DataRequired(_REQUIRED), Length(max=20)],
        description=_l("For example 1234567-8."),
    )
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = _email_field(_l("Email"))
    password = _new_password_field(_l("Password"))

    def validate_business_id(self, field):
        """Check the Y-tunnus with the other fields, so every error shows at once."""
        try:
            normalise_business_id(field.data or "")
        except ValidationFailed as exc:
            raise ValidationError(MESSAGES[exc.code]) from exc


class LoginForm(FlaskForm):
    """Email and password."""

    email = _email_field(_l("Email"))
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_REQUIRED), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    """Ask for a password reset link."""

    email = _email_field(_l("Email"))


class NewPasswordForm(FlaskForm):
    """Choose a new password (from a reset link)."""

    password = _new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("New password again"),
        validators=[InputRequired(_REQUIRED), EqualTo("password", _l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class AcceptInvitationForm(FlaskForm):
    """Create an account while accepting an invitation."""

    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    password = _new_password_field(_l("Password"))


class InviteForm(FlaskForm):
    """Invite a colleague by email."""

    email = _email_field(_l("Colleague's email"))
    role = SelectField(_l("Role"), choices=_roles, default="handler")


class ProfileForm(FlaskForm):
    """Own name and interface language."""

    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    language = SelectField(_l("Language"), choices=_languages)


class ChangePasswordForm(FlaskForm):
    """Change own password."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_REQUIRED), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password_field(_l("New password"))


class TenantForm(FlaskForm):
    """The firm's own details."""

    name = StringField(_l("Company name"), validators=[DataRequired(_REQUIRED), Length(max=200)])
    slug = StringField(
        _l("Address of your notices"),
        validators=[DataRequired(_REQUIRED), Length(max=63)],
        description=_l(
            "The first part of your notices' public addresses. If you change it, the old addresses keep working and lead to the new ones."
        ),
    )
    street_address = StringField(_l("Street address"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    default_language = SelectField(_l("Default language of public pages"), choices=_languages)
    request_retention_months = IntegerField(
        _l("Keep the personal data of closed requests for (months)"),
        validators=[
            InputRequired(_REQUIRED),
            NumberRange(min=1, max=120, message=_l("Between 1 and 120 months.")),
        ],
        description=_l(
            "After this, the requester's details and messages are erased; the type, dates and outcome stay for statistics."
        ),
    )


class LanguageForm(FlaskForm):
    """The language switcher in the page header."""

    language = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""
