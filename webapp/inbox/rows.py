"""What the inbox shows of a request's deadline, and the list's rows as the page writes them.

The list worked this out in the template, row by row, through macros and helper calls: at fifty rows
that was most of the page's time. Here each row is one small object, built in plain Python with the
dates and words that repeat across rows looked up once for the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Row

from tenants.requests import states
from tenants.requests.deadlines import days_left, expected_due, is_overdue, practical_due_date
from tenants.requests.hetu import mask_hetus
from tenants.requests.listing import SOON_DAYS

from ..i18n import format_day


@dataclass(frozen=True, slots=True)
class Urgency:
    """How soon an open request must be answered, in words (never colour alone)."""

    modifier: str  # the badge's class modifier: 'overdue', 'soon' or ''
    words: str


def urgency(status: str, due_on: date | None, today: date) -> Urgency | None:
    """By the practical due date; None for a request that is not open or has no due date."""
    if status != states.OPEN or due_on is None:
        return None
    n = days_left(due_on, today)
    if n < 0:
        return Urgency("overdue", ngettext("overdue by %(num)s day", "overdue by %(num)s days", -n))
    if n == 0:
        return Urgency("soon", _("due today"))
    return Urgency("soon" if n <= SOON_DAYS else "", ngettext("%(num)s day left", "%(num)s days left", n))


@dataclass(frozen=True, slots=True)
class ListRow:
    """One request as a row of the list: every value ready to be written (and escaped) as it is."""

    id: int
    reference: str
    name: str  # personal identity codes masked, here and in the email
    email: str
    type_label: str
    contains_hetu: bool
    status_label: str
    overdue: bool
    due_day: str  # the practical due date, or the one an unconfirmed request will have; '' for none
    urgency: Urgency | None
    unconfirmed: bool  # due_day is the date the request will have once its email is confirmed
    assignee: str


def list_rows(
    requests: Iterable[Row],
    today: date,
    *,
    type_labels: dict[str, str],
    status_labels: dict[str, str],
    names: dict[int, str],
) -> list[ListRow]:
    """The page's rows, from rows of listing.LIST_COLUMNS. A date is formatted, and a count of days
    put in words, once per page."""
    days: dict[date, str] = {}
    urgencies: dict[tuple[date, str], Urgency | None] = {}

    def day(value: date) -> str:
        if value not in days:
            days[value] = format_day(practical_due_date(value))
        return days[value]

    def urgency_of(r: Row) -> Urgency | None:
        key = (r.due_on, r.status)
        if key not in urgencies:
            urgencies[key] = urgency(r.status, r.due_on, today)
        return urgencies[key]

    rows = []
    for r in requests:
        waiting = None if r.due_on else expected_due(r.status, r.received_on, r.due_on)
        shown = r.due_on or waiting
        rows.append(
            ListRow(
                id=r.id,
                reference=r.reference,
                name=mask_hetus(r.name),
                email=mask_hetus(r.email),
                type_label=type_labels[r.type],
                contains_hetu=r.contains_hetu,
                status_label=status_labels[r.status],
                overdue=r.status == states.OPEN and is_overdue(r.due_on, today),
                due_day=day(shown) if shown else "",
                urgency=urgency_of(r) if r.due_on else None,
                unconfirmed=waiting is not None,
                assignee=names.get(r.assignee_id, "–"),
            )
        )
    return rows
