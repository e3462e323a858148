"""The public request form's limits: one address counted on every request form together, limiter keys
of a fixed size whatever was typed, and each shown form sent only once."""

from __future__ import annotations

import pytest

from webapp.limits import limiter

from ..conftest import bound_app
from ..test_requests_web import requests_in, started


@pytest.fixture
def app(database_url, engine, smtp_server):
    """The app with rate limits enforced, counters empty."""
    with bound_app(database_url, engine, smtp_server, RATELIMIT_ENABLED="1") as application:
        limiter.reset()
        yield application
    limiter.reset()


def _data(app, **changes):
    return {
        "type": "access",
        "name": "Maija Meikäläinen",
        "email": "maija@example.fi",
        "details": "Haluan kopion tiedoistani.",
        "phone": "",
        "answer_language": "fi",
        "started": started(app),
        **changes,
    }


def _visitor(app, ip):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def test_one_address_is_limited_across_every_request_form(app, mailbox, session, firm):
    tenant_slug, notice_slug = firm[1].slug, firm[2].slug
    urls = [f"/{tenant_slug}/request", f"/{tenant_slug}/{notice_slug}/request"]
    codes = [_visitor(app, f"10.3.0.{n}").post(urls[n % 2], data=_data(app)).status_code for n in range(10)]
    assert codes[:5] == [302] * 5 and set(codes[5:]) == {429}
    assert len(mailbox.to("maija@example.fi")) == 5
    assert len(requests_in(session)) == 5


def test_one_visitor_is_limited_across_every_request_form(app, mailbox, session, firm):
    tenant_slug, notice_slug = firm[1].slug, firm[2].slug
    same = _visitor(app, "10.4.0.1")
    codes = [
        same.post(
            f"/{tenant_slug}/request" if n % 2 else f"/{tenant_slug}/{notice_slug}/request",
            data=_data(app, email=f"henkilo{n}@example.fi"),
        ).status_code
        for n in range(8)
    ]
    assert codes[:5] == [302] * 5 and set(codes[5:]) == {429}


def test_limiter_keys_are_short_hashes_of_the_normalised_address(app, mailbox, session, firm):
    url = f"/{firm[1].slug}/{firm[2].slug}/request"
    huge = "a" * 200_000 + "@example.fi"
    assert _visitor(app, "10.5.0.1").post(url, data=_data(app, email=huge)).status_code == 200
    storage = limiter.storage
    keys = list(getattr(storage, "storage", {}).keys()) + list(getattr(storage, "expirations", {}).keys())
    assert keys and max(len(k) for k in keys) < 200
    assert not any("example.fi" in k for k in keys)  # no address is kept in the store as typed
    # Normalised: other case, spaces and a compatibility form count as the same address.
    for n, email in enumerate(["pekka@example.fi", " PEKKA@example.fi ", "ｐｅｋｋａ@example.fi"] * 2):
        _visitor(app, f"10.5.1.{n}").post(url, data=_data(app, email=email))
    assert _visitor(app, "10.5.2.1").post(url, data=_data(app, email="Pekka@Example.fi")).status_code == 429


def test_a_shown_form_is_sent_only_once(app, mailbox, session, firm):
    url = f"/{firm[1].slug}/{firm[2].slug}/request"
    stamp = started(app)
    first = _visitor(app, "10.6.0.1").post(url, data=_data(app, started=stamp, email="a@example.fi"))
    assert first.status_code == 302
    again = _visitor(app, "10.6.0.2").post(url, data=_data(app, started=stamp, email="b@example.fi"))
    assert again.status_code == 200  # the form is shown again, with a fresh stamp, nothing sent
    assert [r.email for r in requests_in(session)] == ["a@example.fi"]
