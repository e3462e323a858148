"""Sessions end on the server: a session or remember-me cookie replayed after logout, after
"log out everywhere" or after a password change opens nothing; remember-me lasts 30 days at most."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from ..conftest import PASSWORD


def _login(app, email, remember=False):
    client = app.test_client()
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    r = client.post_form("/login", data)
    assert r.status_code == 302 and r.headers["Location"] == "/app/"
    return client, r


def _cookie(client, name):
    found = client.get_cookie(name)
    return found.value if found else None


def _replay(app, session_cookie=None, remember_cookie=None):
    """A fresh browser that only has the stolen cookies."""
    thief = app.test_client()
    if session_cookie:
        thief.set_cookie("session", session_cookie)
    if remember_cookie:
        thief.set_cookie("remember_token", remember_cookie)
    return thief.get("/app/account/")


def test_logout_ends_the_session_and_remember_cookie_everywhere(app, make_owner):
    make_owner("anna@a.fi")
    laptop, _ = _login(app, "anna@a.fi", remember=True)
    phone, _ = _login(app, "anna@a.fi")
    stolen_session, stolen_remember = _cookie(laptop, "session"), _cookie(laptop, "remember_token")
    assert stolen_remember and _replay(app, stolen_session).status_code == 200
    assert laptop.post_form("/logout").status_code == 302
    assert _replay(app, stolen_session).status_code == 302  # to the login page
    assert _replay(app, remember_cookie=stolen_remember).status_code == 302
    assert phone.get("/app/account/").status_code == 302  # the other device is logged out too


def test_log_out_everywhere_button_ends_every_session(app, make_owner):
    make_owner("anna@a.fi")
    laptop, _ = _login(app, "anna@a.fi", remember=True)
    phone, _ = _login(app, "anna@a.fi")
    page = phone.get("/app/account/?lang=en").get_data(as_text=True)
    assert "Log out everywhere" in page and 'action="/app/account/sessions/end"' in page
    stolen = _cookie(laptop, "remember_token")
    r = phone.post_form("/app/account/sessions/end")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert phone.get("/app/account/").status_code == 302
    assert laptop.get("/app/account/").status_code == 302
    assert _replay(app, remember_cookie=stolen).status_code == 302
    # Logging in again works as before.
    again, _ = _login(app, "anna@a.fi")
    assert again.get("/app/account/").status_code == 200


def test_a_password_change_ends_other_sessions_and_remember_cookies(app, make_owner):
    make_owner("anna@a.fi")
    laptop, _ = _login(app, "anna@a.fi", remember=True)
    stolen = _cookie(laptop, "remember_token")
    phone, _ = _login(app, "anna@a.fi")
    r = phone.post_form(
        "/app/account/",
        {"password-current_password": PASSWORD, "password-new_password": "uusi pitkä lause ikkunasta"},
    )
    assert r.status_code == 302
    assert phone.get("/app/account/").status_code == 200  # the one who changed it stays in
    assert laptop.get("/app/account/").status_code == 302
    assert _replay(app, remember_cookie=stolen).status_code == 302


def test_the_remember_cookie_lasts_at_most_30_days(app, make_owner):
    make_owner("anna@a.fi")
    _client, r = _login(app, "anna@a.fi", remember=True)
    header = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", header).group(1))
    assert expires <= datetime.now(UTC) + timedelta(days=30, minutes=1)
