"""What the inbox shows of a request's deadline, and the list's rows as the page writes them.

The list worked this out in the template, row by row, through macros and helper calls: at fifty rows
that was most of the page's time. Here each row is one small object, built in plain Python with the
dates and words that repeat across rows looked up once for the page, and written as its table row
here too: written by the template, each row cost about 100 000 more processor instructions, a tenth
of the list page. Every value a requester typed is escaped (row_html).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape
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

    def badge(self, overdue_id: str = "") -> Markup:
        """The badge; one that says overdue gets `overdue_id` as its id, when given."""
        modifier = f" badge--{self.modifier}" if self.modifier else ""
        id_ = f' id="{escape(overdue_id)}"' if overdue_id and self.modifier == "overdue" else ""
        return Markup(f'<span class="badge{modifier}"{id_}>{escape(self.words)}</span>')  # noqa: S704 (escaped)


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


@dataclass(frozen=True, slots=True)
class RowWords:
    """What every row of a page repeats, escaped once for the page: each cell's column label (shown
    beside the cell on narrow screens), the words of the tags, and the link to a request without its
    id."""

    reference: str
    requester: str
    type: str
    status: str
    due: str
    assignee: str
    hetu: str
    hetu_title: str
    unconfirmed: str
    detail_prefix: str


def row_words(detail_prefix: str) -> RowWords:
    """The words in the request's language; `detail_prefix` is a request's address less its id."""
    return RowWords(
        *(
            str(escape(word))
            for word in (
                _("Reference"),
                _("Requester"),
                _("Type"),
                _("Status"),
                _("Due"),
                _("Assignee"),
                _("hetu"),
                _("Contains a personal identity code; shown only on the request page"),
                _("email not yet confirmed"),
                detail_prefix,
            )
        )
    )


def row_html(r: ListRow, w: RowWords) -> Markup:
    """The row of the list's table. Every value is escaped here or in row_words: an f-string, because
    Markup's own formatting escapes through Python calls and cost as much as the template did."""
    overdue = ' class="row--overdue"' if r.overdue else ""
    hetu = f' <span class="tag" title="{w.hetu_title}">{w.hetu}</span>' if r.contains_hetu else ""
    if r.unconfirmed:
        badge = f'<span class="badge badge--unconfirmed">{w.unconfirmed}</span>'
    else:
        badge = r.urgency.badge() if r.urgency else ""
    due = f'<span class="due-date">{escape(r.due_day)}</span> {badge}' if r.due_day else "–"
    return Markup(  # noqa: S704 (every value escaped, as the docstring says)
        f"<tr{overdue}>\n"
        f'  <td data-label="{w.reference}"><a class="ref" href="{w.detail_prefix}{r.id:d}">'
        f"{escape(r.reference)}</a></td>\n"
        f'  <td data-label="{w.requester}">{escape(r.name)}<br><span class="muted">{escape(r.email)}</span></td>\n'
        f'  <td data-label="{w.type}">{escape(r.type_label)}{hetu}</td>\n'
        f'  <td data-label="{w.status}">{escape(r.status_label)}</td>\n'
        f'  <td data-label="{w.due}">{due}</td>\n'
        f'  <td data-label="{w.assignee}">{escape(r.assignee)}</td>\n'
        "</tr>"
    )


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
