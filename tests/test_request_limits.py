"""Rate limits of the public request form, with limits on (the rest of the suite runs without them)."""

from datetime import date

import pytest

from webapp.limits import limiter

from .conftest import bound_app, publish_version
from .test_requests_web import requests_in, send


@pytest.fixture
def firm(notice_firm, session):
    """The firm with its customer-register notice published."""
    publish_version(session, notice_firm, today=date.today())
    return notice_firm


@pytest.fixture
def app(database_url, engine, smtp_server):
    """The app with rate limits enforced, counters empty."""
    with bound_app(database_url, engine, smtp_server, RATELIMIT_ENABLED="1") as application:
        limiter.reset()
        yield application
    limiter.reset()


def visitor(app, ip):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def test_the_form_is_limited_per_ip_address(app, mailbox, session, firm):
    same = visitor(app, "10.1.0.1")
    codes = [send(app, same, email=f"henkilo{n}@example.fi").status_code for n in range(7)]
    assert codes == [302] * 5 + [429, 429]
    assert len(requests_in(session)) == 5
    # Another address is not held back by the first one's limit.
    assert send(app, visitor(app, "10.1.0.2"), email="muu@example.fi").status_code == 302
    assert len(requests_in(session)) == 6


def test_the_form_is_limited_per_email_address(app, mailbox, session, firm):
    codes = [send(app, visitor(app, f"10.2.0.{n}"), email="sama@example.fi").status_code for n in range(7)]
    assert codes == [302] * 5 + [429, 429]
    assert [r.email for r in requests_in(session)] == ["sama@example.fi"] * 5
    # Case and spaces do not make it another address; another address still gets through.
    assert send(app, visitor(app, "10.2.1.1"), email=" SAMA@example.fi").status_code == 429
    assert send(app, visitor(app, "10.2.1.2"), email="toinen@example.fi").status_code == 302
    assert len(requests_in(session)) == 6
