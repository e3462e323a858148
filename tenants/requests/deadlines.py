"""Deadlines of GDPR Art. 12(3), counted as Regulation (EEC, Euratom) No 1182/71 counts months.

A period of months ends on the day of the last month with the same number as the
day of receipt; when that month has no such day, on its last day. When the last
day is a Saturday, Sunday or public holiday, the practical deadline is the next
working day. Finnish public holidays come from the maintained `holidays` package.

An extension is counted conservatively from the original due date, not from receipt:
received 31.1 -> due 28.2 -> extended by two months -> 28.4 (not 30.4).

"Overdue" and "due soon" always mean the practical date. Because the practical date never
decreases when the legal date increases, a condition on practical dates is the same as a
range of legal dates (`earliest_due_practically_on_or_after`, `latest_due_practically_by`),
which the database can answer from an index on the stored legal due date.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays

ANSWER_MONTHS = 1
MAX_EXTENSION_MONTHS = 2


def add_months(start: date, months: int) -> date:
    """The same day number `months` later, or that month's last day when it has no such day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def due_date(received: date, extension_months: int = 0) -> date:
    """The legal due date: one month from receipt; an extension adds its months to that date."""
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError("an extension is one or two months")
    original = add_months(received, ANSWER_MONTHS)
    return add_months(original, extension_months) if extension_months else original


_HOLIDAY_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


@lru_cache(maxsize=64)
def _finnish_holidays(year: int, language: str = "fi"):
    return holidays.country_holidays("FI", years=year, language=_HOLIDAY_LANGUAGES.get(language, "fi"))


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Finnish public holiday."""
    return day.weekday() < 5 and day not in _finnish_holidays(day.year)


def holiday_name(day: date, language: str = "fi") -> str | None:
    """The Finnish public holiday on that day, if any, named in fi, sv or en."""
    return _finnish_holidays(day.year, language).get(day)


@lru_cache(maxsize=4096)
def practical_due_date(due: date) -> date:
    """The due date, or the next working day when it falls on a weekend or public holiday (a list of
    requests asks this of every row: kept for the few thousand days such lists span)."""
    day = due
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def days_left(due: date, today: date) -> int:
    """Days from today to the practical due date: 0 on the day itself, negative once overdue."""
    return (practical_due_date(due) - today).days


def is_overdue(due: date | None, today: date) -> bool:
    """True when the practical due date has passed."""
    return due is not None and practical_due_date(due) < today


def earliest_due_practically_on_or_after(day: date) -> date:
    """The first legal due date whose practical date is `day` or later.

    That is the day after the last working day before `day`: a due date on the weekend
    before a Monday is practically due on that Monday."""
    previous = day - timedelta(days=1)
    while not is_working_day(previous):
        previous -= timedelta(days=1)
    return previous + timedelta(days=1)


def latest_due_practically_by(day: date) -> date:
    """The last legal due date whose practical date is `day` or earlier: the last working day up to `day`."""
    last = day
    while not is_working_day(last):
        last -= timedelta(days=1)
    return last


def expected_due(status: str, received: date | None, due: date | None) -> date | None:
    """The legal due date to show: the stored one, or for a request whose email is not yet confirmed
    the one its receipt already set (it runs from submission; confirming does not restart it)."""
    if due is not None:
        return due
    if status == "unverified" and received is not None:
        return due_date(received)
    return None
