"""New passwords: the length rules, and neither the most common passwords nor trivial patterns,
refused with a message that says why."""

from __future__ import annotations

import pytest

from tenants.passwords import password_problem

from ..conftest import PASSWORD, login

WEAK = ["1234567890", " " * 10, "qwertyuiop", "salasana123", "password12", "aaaaaaaaaaaa", "abcdefghij"]


@pytest.mark.parametrize("weak", WEAK)
def test_common_and_trivial_passwords_are_refused(weak):
    assert password_problem(weak) == "password_too_common"


def test_a_password_made_of_ones_own_address_is_refused():
    assert password_problem("maija.meikalainen", ("maija.meikalainen@example.fi", "maija.meikalainen")) == (
        "password_too_common"
    )


@pytest.mark.parametrize("good", [PASSWORD, "Kesä tuli taas Porvooseen", "vihreä-kettu-hyppää-aidan"])
def test_phrases_pass(good):
    assert password_problem(good) is None


def test_the_length_rules_still_come_first():
    assert password_problem("lyhyt") == "password_too_short"
    assert password_problem("a" * 257) == "password_too_long"


@pytest.mark.parametrize("weak", ["1234567890", " " * 10])
def test_sign_up_says_why_a_password_is_refused(client, weak):
    r = client.post_form(
        "/signup?lang=en",
        {
            "company_name": "Kahvila Oy",
            "business_id": "2617416-4",
            "name": "Maija",
            "email": "maija@kahvila.fi",
            "password": weak,
        },
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "among the most common ones" in page and 'id="password-error"' in page


def test_changing_to_a_common_password_is_refused(client, make_owner):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    r = client.post_form(
        "/app/account/?lang=en",
        {"password-current_password": PASSWORD, "password-new_password": "1234567890"},
    )
    assert r.status_code == 200 and "among the most common ones" in r.get_data(as_text=True)
