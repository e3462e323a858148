"""Deadline arithmetic, the status machine, henkilötunnus detection and references."""

from datetime import date, timedelta

import pytest

from tenants.errors import ValidationFailed
from tenants.requests import states
from tenants.requests.deadlines import (
    add_months,
    due_date,
    earliest_due_practically_on_or_after,
    holiday_name,
    is_overdue,
    is_working_day,
    latest_due_practically_by,
    practical_due_date,
)
from tenants.requests.hetu import MASK, contains_hetu, find_hetus, mask_hetus
from tenants.requests.listing import parse_id
from tenants.requests.reference import ALPHABET, new_reference, normalise_reference
from tenants.validation import has_control_characters


@pytest.mark.parametrize(
    "received,due",
    [
        (date(2026, 3, 5), date(2026, 4, 5)),  # same day number
        (date(2026, 1, 31), date(2026, 2, 28)),  # no 31 February
        (date(2024, 1, 31), date(2024, 2, 29)),  # leap year
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 15), date(2027, 1, 15)),  # over the year end
        (date(2026, 2, 28), date(2026, 3, 28)),
    ],
)
def test_one_month_from_receipt(received, due):
    assert due_date(received) == due


def test_extension_adds_up_to_two_months_counted_from_receipt():
    assert due_date(date(2026, 11, 30), 2) == date(2027, 2, 28)
    assert due_date(date(2027, 11, 30), 2) == date(2028, 2, 29)
    assert due_date(date(2026, 5, 10), 1) == date(2026, 7, 10)
    with pytest.raises(ValueError):
        due_date(date(2026, 5, 10), 3)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


@pytest.mark.parametrize(
    "due,practical",
    [
        (date(2026, 11, 25), date(2026, 11, 25)),  # a Wednesday
        (date(2026, 11, 28), date(2026, 11, 30)),  # Saturday -> Monday
        (date(2026, 12, 6), date(2026, 12, 7)),  # Independence Day (a Sunday)
        (date(2026, 12, 24), date(2026, 12, 28)),  # Christmas Eve, Christmas, Boxing Day, Sunday
        (date(2027, 5, 6), date(2027, 5, 7)),  # Ascension Day
        (date(2026, 6, 19), date(2026, 6, 22)),  # Midsummer Eve (Fri) and Midsummer Day (Sat)
    ],
)
def test_practical_due_date_skips_weekends_and_finnish_holidays(due, practical):
    assert practical_due_date(due) == practical


def test_holidays_come_from_the_library_with_names():
    assert not is_working_day(date(2026, 12, 6))
    assert holiday_name(date(2026, 12, 6), "fi") == "Itsenäisyyspäivä"
    assert holiday_name(date(2026, 11, 25)) is None


def test_status_machine_allows_the_legal_paths():
    s = states.transition(states.UNVERIFIED, "verify")
    assert s == states.OPEN
    assert states.transition(s, "extend") == states.OPEN
    assert states.transition(s, "complete") == states.COMPLETED
    assert states.transition(states.OPEN, "refuse") == states.REFUSED
    assert states.transition(states.UNVERIFIED, "expire") == states.CLOSED_UNVERIFIED


@pytest.mark.parametrize(
    "status,action",
    [
        (states.UNVERIFIED, "complete"),
        (states.UNVERIFIED, "reply"),
        (states.COMPLETED, "reply"),
        (states.COMPLETED, "refuse"),
        (states.REFUSED, "complete"),
        (states.CLOSED_UNVERIFIED, "verify"),
        (states.OPEN, "verify"),
        (states.OPEN, "expire"),
        (states.COMPLETED, "extend"),
    ],
)
def test_illegal_transitions_are_refused(status, action):
    with pytest.raises(ValidationFailed, match="illegal_transition"):
        states.transition(status, action)


@pytest.mark.parametrize(
    "text,found",
    [
        ("Henkilötunnukseni on 131052-308T, tarkistakaa", ["131052-308T"]),
        ("hetu 010101A123N ja toinen 311299+999X", ["010101A123N", "311299+999X"]),
        ("uusi muoto 010594Y9032", ["010594Y9032"]),
        ("tilausnumero 1234567-8 ja puhelin 040 123 4567", []),
        ("IBAN FI21 1234 5600 0007 85", []),
        ("välilyönnein 131052 - 308T", ["131052 - 308T"]),
    ],
)
def test_hetu_detection(text, found):
    assert find_hetus(text) == found
    assert contains_hetu(text) is bool(found)


def test_hetu_is_masked_in_lists():
    masked = mask_hetus("Tunnus 131052-308T pyydetty")
    assert "131052" not in masked and MASK in masked


def test_references_are_readable_and_forgiving():
    ref = new_reference()
    assert ref.startswith("SEL-") and len(ref) == 13
    assert all(ch in ALPHABET for ch in ref[4:].replace("-", ""))
    assert normalise_reference(" sel 7k3f 92qd ") == "SEL-7K3F-92QD"
    assert normalise_reference("7K3F92QD") == "SEL-7K3F-92QD"
    assert len({new_reference() for _ in range(1000)}) == 1000


def test_an_extension_counts_from_the_original_due_date():
    # Received 31.1 -> due 28.2 -> extended by two months -> 28.4 (not 30.4, counted from receipt).
    assert due_date(date(2026, 1, 31)) == date(2026, 2, 28)
    assert due_date(date(2026, 1, 31), 2) == date(2026, 4, 28)
    assert due_date(date(2026, 1, 31), 1) == date(2026, 3, 28)
    assert due_date(date(2024, 1, 31), 1) == date(2024, 3, 29)  # due 29.2 in a leap year
    assert due_date(date(2026, 3, 31), 2) == date(2026, 6, 30)  # due 30.4 -> 30.6


def test_overdue_goes_by_the_practical_due_date():
    saturday, friday = date(2026, 11, 28), date(2026, 11, 27)
    monday, tuesday = date(2026, 11, 30), date(2026, 12, 1)
    assert not is_overdue(saturday, monday)  # due on Saturday: in time until Monday evening
    assert is_overdue(saturday, tuesday)
    assert is_overdue(friday, monday)
    assert not is_overdue(None, tuesday)
    # Christmas: due on Christmas Eve 2026 (a Thursday holiday), in practice Monday 28.12.
    assert not is_overdue(date(2026, 12, 24), date(2026, 12, 28))
    assert is_overdue(date(2026, 12, 24), date(2026, 12, 29))


def test_practical_date_conditions_are_legal_date_ranges():
    # Concrete: on Monday 30.11.2026 a legal due date on Saturday 28.11 or later is not overdue;
    # "due within 7 days" reaches Sunday 6.12 (Independence Day), which is practically due Monday 7.12.
    assert earliest_due_practically_on_or_after(date(2026, 11, 30)) == date(2026, 11, 28)
    assert latest_due_practically_by(date(2026, 12, 7)) == date(2026, 12, 7)
    assert latest_due_practically_by(date(2026, 12, 6)) == date(2026, 12, 4)
    assert latest_due_practically_by(date(2026, 12, 27)) == date(2026, 12, 23)
    # And for every pair of days over two years, the ranges say exactly what the practical dates say.
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(730)]
    for today in days[10:-10]:
        low, high = earliest_due_practically_on_or_after(today), latest_due_practically_by(today)
        for due in (today + timedelta(days=k) for k in range(-10, 11)):
            assert (practical_due_date(due) >= today) == (due >= low), (today, due)
            assert (practical_due_date(due) <= today) == (due <= high), (today, due)


@pytest.mark.parametrize(
    "value,expected",
    [("12", 12), (12, 12), ("²", None), ("١", None), ("-1", None), ("0", None), ("1e3", None)]
    + [(" 7", None), ("99999999999", None), (10**12, None), (True, None), (None, None), ("", None)],
)
def test_ids_from_browsers_are_parsed_strictly(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    "text,bad",
    [("tab\tand\r\nnew line", False), ("NUL\x00", True), ("bell\x07", True), ("esc\x1b[31m", True)]
    + [("unit separator\x1f", True), ("vertical tab\x0b", True), ("ääkköset ja emoji 🙂", False)],
)
def test_control_characters_are_recognised(text, bad):
    assert has_control_characters(text) is bad


@pytest.mark.parametrize(
    "value,cell",
    [('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'), ("+358401234567", "'+358401234567")]
    + [("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx")]
    + [("Maija", "Maija"), ("Tunnus 131052-308T", "Tunnus " + MASK), (3, "3"), (None, "")],
)
def test_csv_cells_never_start_a_formula(value, cell):
    from webapp.inbox.export import csv_cell

    assert csv_cell(value) == cell
