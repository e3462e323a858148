"""Deadlines of GDPR Art. 12(3), counted as Regulation (EEC, Euratom) No 1182/71 counts months.

A period of months ends on the day of the last month with the same number as the
day of receipt; when that month has no such day, on its last day. When the last
day is a Saturday, Sunday or public holiday, the practical deadline is the next
working day. Finnish public holidays come from the maintained `holidays` package.
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
    """The legal due date: one month from receipt, plus any extension (at most two months)."""
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError("an extension is one or two months")
    return add_months(received, ANSWER_MONTHS + extension_months)


_HOLIDAY_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


@lru_cache(maxsize=64)
def _finnish_holidays(year: int, language: str = "fi"):
    return holidays.country_holidays("FI", years=year, language=_HOLIDAY_LANGUAGES.get(language, "fi"))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Finnish public holiday."""
    return day.weekday() < 5 and day not in _finnish_holidays(day.year)


def holiday_name(day: date, language: str = "fi") -> str | None:
    """The Finnish public holiday on that day, if any, named in fi, sv or en."""
    return _finnish_holidays(day.year, language).get(day)


def practical_due_date(due: date) -> date:
    """The due date, or the next working day when it falls on a weekend or public holiday."""
    day = due
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
