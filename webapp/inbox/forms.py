"""The inbox's forms: one per action on a request, and the manual entry of a request.

Fields carry what was typed; the request services decide what is valid and say why not.
"""

from __future__ import annotations

from datetime import date

from wtforms import MultipleFileField, StringField, TextAreaField

from tenants.requests.listing import parse_id

from ..forms import RequesterFields, SelosteForm


class AssignForm(SelosteForm):
    """Give the request to a member, or to nobody."""

    services_refuse_control_characters = True  # the request services word the refusal

    assignee = StringField()

    def assignee_id(self) -> int | None:
        """The chosen member's id; None for nobody. A value that is no id is refused as a member."""
        raw = self.assignee.data or ""
        return parse_id(raw) if raw else None

    def names_nobody_or_a_member(self) -> bool:
        """False when something was sent that is neither empty nor an id."""
        return not self.assignee.data or self.assignee_id() is not None


class NoteForm(SelosteForm):
    """An internal note."""

    services_refuse_control_characters = True  # the request services word the refusal

    note = TextAreaField()


class ReplyForm(SelosteForm):
    """A message to the requester, with files."""

    services_refuse_control_characters = True  # the request services word the refusal

    message = TextAreaField()
    attachments = MultipleFileField()


class ExtendForm(SelosteForm):
    """Extend the deadline by one or two months, with the reason."""

    services_refuse_control_characters = True  # the request services word the refusal

    months = StringField()
    reason = TextAreaField()

    def month_count(self) -> int:
        """The months chosen (0 when nothing sensible was sent: the service refuses it)."""
        return parse_id(self.months.data or "") or 0


class CloseForm(SelosteForm):
    """Close as completed (what was done) or refused (why); `result` says which, where one form
    offers both."""

    services_refuse_control_characters = True  # the request services word the refusal

    result = StringField()
    outcome = TextAreaField()

    def chosen_outcome(self) -> str | None:
        """'complete' or 'refuse' as chosen, else None."""
        return {"completed": "complete", "partly_completed": "partial", "refused": "refuse"}.get(
            self.result.data or ""
        )


class EntryForm(RequesterFields, SelosteForm):
    """A request received by email, phone or letter."""

    services_refuse_control_characters = True  # the request services word the refusal

    type = StringField(default="access")
    answer_language = StringField(default="fi")
    channel = StringField(default="email")
    received_on = StringField()
    identity_note = TextAreaField()
    notice = StringField()

    def received_date(self) -> date | None:
        """The date received, or None when it cannot be read (the service says so)."""
        try:
            return date.fromisoformat((self.received_on.data or "").strip())
        except ValueError:
            return None

    def notice_id(self, allowed: set[int]) -> int | None:
        """The chosen notice, if it is one of the organisation's."""
        chosen = parse_id(self.notice.data or "")
        return chosen if chosen in allowed else None

    def values(self) -> dict:
        """What was typed, to show the form again."""
        return {name: field.data or "" for name, field in self._fields.items() if name != "csrf_token"}
