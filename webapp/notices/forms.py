"""The wizard's forms: a new notice, a step, publishing, and importing a notice.

A step's own fields follow the notice schema (lists that grow and shrink, texts per language):
their specifications in steps.py read them from the submitted form (fields.py); the step's form
carries its CSRF token and the button that was pressed.
"""

from __future__ import annotations

from datetime import date

from flask_wtf.file import FileField
from wtforms import SelectMultipleField, StringField, TextAreaField

from tenants.errors import ValidationFailed

from ..forms import SelosteForm


class NewNoticeForm(SelosteForm):
    """A starting template, a name and the languages."""

    title = StringField()
    starter = StringField()
    languages = SelectMultipleField(validate_choice=False)
    primary_language = StringField()

    def values(self) -> dict:
        """What was chosen, to show the form again."""
        return {
            "title": self.title.data or "",
            "starter": self.starter.data or "",
            "languages": list(self.languages.data or []),
            "primary_language": self.primary_language.data or "",
        }


class StepForm(SelosteForm):
    """One step of the wizard: which button was pressed (see views.parse_action)."""

    action = StringField()


class PublishForm(SelosteForm):
    """The date prepared and the change note of a new version."""

    prepared_on = StringField()
    change_note = TextAreaField()

    def prepared_date(self) -> date | None:
        """The date given (None: the proposed one), or ValidationFailed for one that is no date."""
        raw = (self.prepared_on.data or "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValidationFailed("prepared_on_invalid", "prepared_on") from None


class ImportForm(SelosteForm):
    """A notice the firm already has: pasted, or a file."""

    title = StringField()
    text = TextAreaField()
    file = FileField()
