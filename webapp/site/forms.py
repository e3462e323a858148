"""The language switcher's form."""

from __future__ import annotations

from wtforms import HiddenField
from wtforms.validators import DataRequired

from ..forms import SelosteForm


class LanguageForm(SelosteForm):
    """The language switcher in the page header."""

    language = HiddenField(validators=[DataRequired()])
    next = HiddenField()
