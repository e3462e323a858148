"""Forms of the organisation: inviting members, its settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import REQUIRED, SelosteForm, email_field, language_choices


def _roles():
    return [("handler", _l("Handler (handles requests)")), ("owner", _l("Owner (manages everything)"))]


class InviteForm(SelosteForm):
    """Invite a colleague by email."""

    email = email_field(_l("Colleague's email"))
    role = SelectField(_l("Role"), choices=_roles, default="handler")


class TenantForm(SelosteForm):
    """The firm's own details."""

    name = StringField(_l("Company name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    slug = StringField(
        _l("Address of your notices"),
        validators=[DataRequired(REQUIRED), Length(max=63)],
        description=_l(
            "The first part of your notices' public addresses. If you change it, the old addresses keep working and lead to the new ones."
        ),
    )
    street_address = StringField(_l("Street address"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    public_email = StringField(
        _l("Public email for privacy matters"),
        validators=[Optional(), Length(max=254)],
        description=_l(
            "Published in your privacy notices as the controller's email. Use an address of the firm, such as tietosuoja@yritys.fi; nobody's login address is used for it."
        ),
        render_kw={"type": "email", "autocomplete": "email"},
    )
    public_phone = StringField(
        _l("Public phone"),
        validators=[Optional(), Length(max=40)],
        description=_l("Optional. Published in your privacy notices as the controller's phone."),
        render_kw={"type": "tel", "autocomplete": "tel"},
    )
    default_language = SelectField(_l("Default language of public pages"), choices=language_choices)
    request_retention_months = IntegerField(
        _l("Keep the personal data of closed requests for (months)"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=1, max=120, message=_l("Between 1 and 120 months.")),
        ],
        description=_l(
            "After this, the requester's details and messages are erased; the type, dates and outcome stay for statistics."
        ),
    )
