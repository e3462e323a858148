"""Security headers, cookies, production configuration, rate limits, escaping."""

import pytest

from webapp import create_app
from webapp.config import ConfigError
from webapp.security import is_safe_next

from .conftest import PASSWORD, app_environ, bind_to, login


def test_headers_on_every_response(client):
    for path in ["/", "/login", "/healthz", "/app/no-such-page"]:
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "same-origin"


def test_pages_load_nothing_from_other_hosts(client):
    html = client.get("/").get_data(as_text=True) + client.get("/signup").get_data(as_text=True)
    for attr in ('src="http', "src='http", 'href="http', "//cdn", "fonts.googleapis"):
        assert attr not in html


def test_logged_in_pages_are_not_cached(client, make_owner):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    assert client.get("/app/").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(client, make_owner):
    make_owner("anna@a.fi")
    r = client.post_form("/login", {"email": "anna@a.fi", "password": PASSWORD})
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_refuses_to_start_without_secrets(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(environ={"SELOSTE_ENV": "production", "DATABASE_URL": "sqlite://"})


def test_production_sets_secure_cookies_and_hsts(database_url, smtp_server):
    env = app_environ(database_url, smtp_server.port, SELOSTE_ENV="production", BASE_URL="https://seloste.fi")
    app = create_app(environ=env)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    r = app.test_client().get("/healthz")
    assert "max-age=31536000" in r.headers["Strict-Transport-Security"]


def test_embedded_default_needs_no_configuration(tmp_path, monkeypatch):
    app = create_app(environ={})
    assert app.config["DATABASE_URL"].startswith("sqlite:///")
    assert app.config["MAIL_TRANSPORT"] == "file"
    assert len(app.config["SECRET_KEY"]) >= 32


@pytest.mark.parametrize(
    "target,ok",
    [
        ("/app/", True),
        ("/app/members?x=1", True),
        ("//evil.example", False),
        ("https://evil.example", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("", False),
        (None, False),
        ("/\nx", False),
    ],
)
def test_is_safe_next(target, ok):
    assert is_safe_next(target) is ok


def test_login_is_rate_limited(database_url, smtp_server, engine):
    app = create_app(environ=app_environ(database_url, smtp_server.port, RATELIMIT_ENABLED="1"))
    from .conftest import Client

    app.test_client_class = Client
    with engine.connect() as conn, conn.begin() as outer:
        bind_to(app, conn)
        client = app.test_client()
        codes = [
            client.post_form("/login", {"email": "x@y.fi", "password": "wrong password"}).status_code
            for _ in range(12)
        ]
        outer.rollback()
    assert codes[:10] == [200] * 10
    assert codes[10:] == [429, 429]
    from webapp.limits import limiter

    limiter.reset()


def test_user_input_is_escaped(client, mailbox):
    r = client.post_form(
        "/signup",
        {
            "company_name": "<script>alert(1)</script>",
            "business_id": "x",
            "name": "n",
            "email": "a@b.fi",
            "password": "pitkä salasana 1",
        },
    )
    html = r.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unexpected_error_shows_a_friendly_page_and_saves_nothing(database_url, engine, smtp_server):
    from sqlalchemy import select

    from tenants.models import User
    from webapp.db import db

    app = create_app(environ=app_environ(database_url, smtp_server.port))

    @app.get("/boom")
    def boom():
        from tenants import accounts

        from .conftest import now

        accounts.create_user(db(), email="lost@x.fi", name="X", password=PASSWORD, language="fi", now=now())
        raise RuntimeError("bug")

    with engine.connect() as conn, conn.begin() as outer:
        bind_to(app, conn)
        r = app.test_client().get("/boom")
        assert r.status_code == 500
        assert "Lähettämiäsi tietoja ei tallennettu" in r.get_data(as_text=True)
        check = app.extensions["seloste_db"].new_session()
        assert check.scalar(select(User).where(User.email == "lost@x.fi")) is None
        check.close()
        outer.rollback()
