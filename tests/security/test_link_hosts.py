"""Addresses come from BASE_URL or, without it, only from a trusted Host (TRUSTED_HOSTS, the loopback
names by default): a forged Host header never ends up in a mail, a feed or a JSON document, and the
health checks answer whatever Host a load balancer sends."""

from __future__ import annotations

from datetime import date

import pytest

from ..conftest import bound_app, publish_version
from ..support import csrf_from

EVIL = "evil.example"


@pytest.fixture
def app(database_url, engine, smtp_server):
    """The embedded default's way: no BASE_URL."""
    with bound_app(database_url, engine, smtp_server, BASE_URL="") as application:
        yield application


def test_a_reset_link_never_comes_from_the_host_header(app, mailbox, make_owner):
    make_owner("anna@a.fi")
    client = app.test_client()
    token = csrf_from(client.get("/reset", headers={"Host": EVIL}).get_data(as_text=True))
    r = client.post("/reset", data={"csrf_token": token, "email": "anna@a.fi"}, headers={"Host": EVIL})
    assert r.status_code == 200
    mail = mailbox.last("anna@a.fi")
    link = mail.link("/reset/")
    assert EVIL not in mail.text and EVIL not in mail.html
    assert link.startswith(("http://127.0.0.1:", "http://localhost"))


def test_public_documents_build_addresses_only_from_a_trusted_host(app, session, notice_firm):
    publish_version(session, notice_firm, today=date.today())
    _user, tenant, notice = notice_firm
    client = app.test_client()
    for url in (f"/{tenant.slug}/{notice.slug}.json", f"/{tenant.slug}/{notice.slug}/feed.atom"):
        forged = client.get(url, headers={"Host": EVIL})
        assert forged.status_code == 200 and EVIL not in forged.get_data(as_text=True), url
        trusted = client.get(url, headers={"Host": "localhost:5000"})
        assert "http://localhost:5000/" in trusted.get_data(as_text=True), url


def test_trusted_hosts_can_be_configured(app, session, notice_firm):
    from webapp.config import load

    app.config["LINK_TRUSTED_HOSTS"] = load(app.instance_path, {"TRUSTED_HOSTS": "seloste.example, "})[
        "LINK_TRUSTED_HOSTS"
    ]
    publish_version(session, notice_firm, today=date.today())
    _user, tenant, notice = notice_firm
    client = app.test_client()
    body = client.get(f"/{tenant.slug}/{notice.slug}.json", headers={"Host": "seloste.example"})
    assert "http://seloste.example/" in body.get_data(as_text=True)
    body = client.get(f"/{tenant.slug}/{notice.slug}.json", headers={"Host": "localhost"})
    assert "http://localhost/" not in body.get_data(as_text=True)


def test_health_checks_answer_any_host(app):
    for host in (EVIL, "10.0.0.7:8000", "localhost"):
        assert app.test_client().get("/healthz", headers={"Host": host}).status_code == 200
