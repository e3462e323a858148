"""Forms of the user's own account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from tenants.passwords import MAX_LENGTH

from ..forms import REQUIRED, SelosteForm, language_choices, new_password_field


class ProfileForm(SelosteForm):
    """Own name and interface language."""

    name = StringField(
        _l("Your name"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    language = SelectField(_l("Language"), choices=language_choices)


class ChangePasswordForm(SelosteForm):
    """Change own password."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(REQUIRED), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field(_l("New password"))
