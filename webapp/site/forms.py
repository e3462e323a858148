"""The language switcher's form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired


class LanguageForm(FlaskForm):
    """The language switcher in the page header."""

    language = HiddenField(validators=[DataRequired()])
    next = HiddenField()
