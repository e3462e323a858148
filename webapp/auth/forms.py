"""Forms of sign-up, login, password reset and invitations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from tenants.errors import ValidationFailed
from tenants.passwords import MAX_LENGTH
from tenants.validation import normalise_business_id

from ..forms import REQUIRED, SelosteForm, email_field, new_password_field
from ..messages import message


class SignupForm(SelosteForm):
    """A new firm and its first owner."""

    company_name = StringField(
        _l("Company name"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "organization"},
    )
    business_id = StringField(
        _l("Business ID (Y-tunnus)"),
        validators=[DataRequired(REQUIRED), Length(max=20)],
        description=_l("For example 1234567-8."),
    )
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = email_field(_l("Email"))
    password = new_password_field(_l("Password"))

    def validate_business_id(self, field):
        """Check the Y-tunnus with the other fields, so every error shows at once."""
        try:
            normalise_business_id(field.data or "")
        except ValidationFailed as exc:
            raise ValidationError(message(exc.code)) from exc


class LoginForm(SelosteForm):
    """Email and password."""

    email = email_field(_l("Email"))
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(REQUIRED), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ResetRequestForm(SelosteForm):
    """Ask for a password reset link."""

    email = email_field(_l("Email"))


class NewPasswordForm(SelosteForm):
    """Choose a new password (from a reset link)."""

    password = new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("New password again"),
        validators=[InputRequired(REQUIRED), EqualTo("password", _l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class AcceptInvitationForm(SelosteForm):
    """Create an account while accepting an invitation."""

    name = StringField(
        _l("Your name"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    password = new_password_field(_l("Password"))
