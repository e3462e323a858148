"""Sign-up, verification, login, logout and password reset through the real views and SMTP."""

import re

import pytest
from sqlalchemy import select

from tenants.models import Membership, Tenant, User
from tenants.scoping import unscoped

from .conftest import PASSWORD, login

SIGNUP = {
    "company_name": "Kahvila Åkerö Oy",
    "business_id": "2617416-4",
    "name": "Aino Virtanen",
    "email": "Aino@Example.fi",
    "password": "pitkä salasana 1",
}


def _path(url: str) -> str:
    return url.replace("http://localhost", "")


def signup(client, **changes):
    return client.post_form("/signup", {**SIGNUP, **changes}, follow_redirects=True)


def test_signup_creates_unverified_owner_and_tenant(client, mailbox, session):
    r = signup(client)
    assert r.status_code == 200
    assert r.request.path == "/signup/done"
    with unscoped(session):
        user = session.scalar(select(User).where(User.email == "aino@example.fi"))
        assert user is not None and user.email_verified_at is None
        membership = session.scalar(select(Membership).where(Membership.user_id == user.id))
        assert membership.role == "owner"
        tenant = session.get(Tenant, membership.tenant_id)
    assert tenant.slug == "kahvila-akero-oy"
    assert tenant.business_id == "2617416-4"
    assert user.password_hash.startswith("$argon2id$")
    mail = mailbox.last("aino@example.fi")
    assert mail.message.is_multipart()
    assert "/verify/" in mail.text and "/verify/" in mail.html


def test_signup_errors_are_shown_per_field_and_nothing_typed_is_lost(client, mailbox):
    r = signup(client, business_id="1234567-8", password="short")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'id="business_id" ' in html and 'aria-invalid="true"' in html
    assert "Y-tunnus" in html  # the Finnish interface speaks of Y-tunnus
    assert 'value="Kahvila Åkerö Oy"' in html
    assert 'value="Aino Virtanen"' in html
    assert mailbox.messages == []


def test_signup_with_known_address_reveals_nothing_and_mails_the_owner(client, mailbox, make_owner, session):
    make_owner("known@example.fi", "Known Oy")
    r = signup(client, email="known@example.fi", company_name="Imposter Oy")
    assert r.request.path == "/signup/done"
    with unscoped(session):
        assert session.scalar(select(Tenant).where(Tenant.name == "Imposter Oy")) is None
    mail = mailbox.last("known@example.fi")
    assert "/login" in mail.text and "/reset" in mail.text


def test_verification_link_then_login_then_logout(client, mailbox):
    signup(client)
    link = mailbox.last("aino@example.fi").link("/verify/")
    # Before verification, login is refused and a new link is sent.
    r = client.post_form("/login", {"email": "aino@example.fi", "password": SIGNUP["password"]})
    assert r.status_code == 200 and "/app" not in r.request.path
    assert len(mailbox.to("aino@example.fi")) == 2
    r = client.get(_path(link), follow_redirects=True)
    assert r.request.path == "/login"
    r = login(client, "AINO@example.fi", SIGNUP["password"])
    assert r.request.path == "/app/"
    assert "<h1>Kahvila Åkerö Oy</h1>" in r.get_data(as_text=True)
    # A used link does nothing more.
    r = client.get(_path(link), follow_redirects=True)
    assert r.status_code == 200
    r = client.post_form("/logout", follow_redirects=True)
    assert r.request.path == "/"
    assert client.get("/app/").status_code == 302


def test_tampered_or_foreign_token_is_refused(client, mailbox):
    signup(client)
    link = _path(mailbox.last("aino@example.fi").link("/verify/"))
    r = client.get(link[:-3] + "xyz")
    assert r.status_code == 400
    token = link.rsplit("/", 1)[1]
    assert client.get(f"/reset/{token}").status_code == 400  # a verify token is no reset token


def test_wrong_password_and_unknown_address_get_the_same_answer(client, make_owner):
    make_owner("anna@a.fi")
    wrong = client.post_form("/login", {"email": "anna@a.fi", "password": "not the password"})
    unknown = client.post_form("/login", {"email": "nobody@a.fi", "password": "not the password"})

    def message(r):
        return re.search(
            r'<div class="alert alert--error" role="alert">(.*?)</div>', r.get_data(as_text=True), re.S
        ).group(1)

    assert message(wrong) == message(unknown)


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/app/members", "/app/members"),
        ("https://evil.example/", "/app/"),
        ("//evil.example/x", "/app/"),
        ("/\\evil.example", "/app/"),
    ],
)
def test_login_follows_only_local_next(client, make_owner, target, expected):
    make_owner("anna@a.fi")
    r = client.post_form("/login", {"email": "anna@a.fi", "password": PASSWORD, "next": target})
    assert r.status_code == 302
    assert r.headers["Location"] == expected


def test_remember_me_sets_a_persistent_cookie(client, make_owner):
    make_owner("anna@a.fi")
    r = client.post_form("/login", {"email": "anna@a.fi", "password": PASSWORD, "remember": "y"})
    cookie = [h for h in r.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert cookie and "Expires=" in cookie[0] and "HttpOnly" in cookie[0]


def test_password_reset_works_once_and_ends_other_sessions(app, client, mailbox, make_owner):
    make_owner("anna@a.fi")
    other_device = app.test_client()
    login(other_device, "anna@a.fi")
    assert other_device.get("/app/").status_code == 200

    r = client.post_form("/reset", {"email": "anna@a.fi"})
    assert r.status_code == 200
    link = _path(mailbox.last("anna@a.fi").link("/reset/"))
    r = client.post_form(
        link, {"password": "uusi salasana 42", "confirm": "uusi salasana 42"}, follow_redirects=True
    )
    assert r.request.path == "/login"
    assert client.get(link).status_code == 400  # used
    assert other_device.get("/app/").status_code == 302  # logged out elsewhere
    r = login(client, "anna@a.fi", "uusi salasana 42")
    assert r.request.path == "/app/"


def test_reset_for_unknown_address_looks_the_same_and_tells_the_address(client, mailbox, make_owner):
    make_owner("anna@a.fi")
    known = client.post_form("/reset", {"email": "anna@a.fi"}).get_data(as_text=True)
    unknown = client.post_form("/reset", {"email": "ghost@a.fi"}).get_data(as_text=True)
    strip = lambda h: re.sub(r'value="[^"]*"', "", h)  # noqa: E731  (CSRF tokens differ)
    assert strip(known) == strip(unknown)
    assert len(mailbox.to("anna@a.fi")) == 1 and "/reset/" in mailbox.last("anna@a.fi").text
    # The unknown address gets no link, only word that it has no account (and where to sign up).
    ghost = mailbox.last("ghost@a.fi")
    assert "/reset/" not in ghost.text and "/signup" in ghost.text


@pytest.fixture
def work_done(monkeypatch):
    """What a request did that takes time: password hashes computed and mails queued."""
    from tenants import outbox, passwords

    done = {"hashes": 0, "mails": []}
    real_hash, real_queue = passwords.hash_password, outbox.queue_mail

    def counting_hash(password):
        done["hashes"] += 1
        return real_hash(password)

    def recording_queue(session, template, **kwargs):
        done["mails"].append(template)
        return real_queue(session, template, **kwargs)

    monkeypatch.setattr(passwords, "hash_password", counting_hash)
    monkeypatch.setattr(outbox, "queue_mail", recording_queue)
    return done


def test_reset_does_the_same_work_whether_or_not_the_address_has_an_account(client, make_owner, work_done):
    make_owner("anna@a.fi")
    work_done.update(hashes=0, mails=[])
    client.post_form("/reset", {"email": "anna@a.fi"})
    known = dict(hashes=work_done["hashes"], mails=list(work_done["mails"]))
    work_done.update(hashes=0, mails=[])
    client.post_form("/reset", {"email": "ghost@a.fi"})
    assert known == {"hashes": 0, "mails": ["reset_password"]}
    assert work_done == {"hashes": 0, "mails": ["reset_unknown"]}


def test_signup_does_the_same_work_whether_or_not_the_address_has_an_account(client, make_owner, work_done):
    make_owner("known@example.fi", "Known Oy")
    work_done.update(hashes=0, mails=[])
    signup(client, email="new@example.fi")
    new = dict(hashes=work_done["hashes"], mails=list(work_done["mails"]))
    work_done.update(hashes=0, mails=[])
    signup(client, email="known@example.fi")
    assert new == {"hashes": 1, "mails": ["verify_email"]}
    assert work_done == {"hashes": 1, "mails": ["signup_existing"]}


def test_reset_confirmation_must_match(client, mailbox, make_owner):
    make_owner("anna@a.fi")
    client.post_form("/reset", {"email": "anna@a.fi"})
    link = _path(mailbox.last("anna@a.fi").link("/reset/"))
    r = client.post_form(link, {"password": "uusi salasana 42", "confirm": "toinen salasana 42"})
    assert r.status_code == 200
    assert 'aria-invalid="true"' in r.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client, make_owner):
    make_owner("anna@a.fi")
    r = client.post("/login", data={"email": "anna@a.fi", "password": PASSWORD})
    assert r.status_code == 400
    assert client.get("/app/").status_code == 302


def test_all_field_errors_show_in_one_round(client):
    html = signup(client, business_id="1234567-8", password="short").get_data(as_text=True)
    assert html.count('class="error"') == 2
    assert "tarkistusnumero" in html  # the Finnish message, next to the Y-tunnus field
