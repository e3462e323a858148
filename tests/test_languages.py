"""Finnish by default, Swedish and English on request; complete catalogs; Finnish dates."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tenants.scoping import unscoped
from webapp.i18n import format_day

from .conftest import login

CATALOGS = Path(__file__).resolve().parent.parent / "webapp" / "translations"
# Words that are spelled the same in English and in that language.
SAME_AS_ENGLISH = {
    # Place names and addresses in examples read the same in Finnish.
    "fi": {
        "Seloste",
        "hetu",
        "Pro",
        "Helsinki",
        "EU Rep Oy, Rantakatu 2, 00100 Helsinki",
        "Rantakatu 1, 00100 Helsinki",
    },
    "sv": {"Seloste", "Organisation", "Version", "Version %(n)s", "Pro"},
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_catalog_is_complete(language):
    with open(CATALOGS / language / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh, locale=language)
    with open(CATALOGS / "messages.pot", "rb") as fh:
        template = read_po(fh)
    assert not catalog.fuzzy, f"{language}: the catalog header is missing or fuzzy, so it would not compile"
    assert catalog.plural_forms, f"{language}: no Plural-Forms header"
    missing = [m.id for m in template if m.id and (m.id not in catalog or not catalog[m.id].string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, f"{language}: untranslated {missing[:5]}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:5]}"
    if language != "en":
        english_left = [
            m.id for m in catalog if m.id and m.string == m.id and m.id not in SAME_AS_ENGLISH[language]
        ]
        assert not english_left, f"{language}: English left in {english_left[:5]}"


def test_templates_and_code_have_no_string_missing_from_the_template():
    """The .pot is up to date: `make catalogs` was run after the last interface change."""
    import subprocess
    import sys
    import tempfile

    root = CATALOGS.parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "fresh.pot"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "extract",
                "--no-location",
                "--omit-header",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "-o",
                str(out),
                ".",
            ],
            cwd=root,
            check=True,
            capture_output=True,
        )
        with open(out, "rb") as fh:
            fresh = {m.id for m in read_po(fh) if m.id}
    with open(CATALOGS / "messages.pot", "rb") as fh:
        known = {m.id for m in read_po(fh) if m.id}
    assert fresh - known == set(), "run `make catalogs` and translate the new strings"


def test_finnish_is_the_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="fi">' in html
    assert "Kirjaudu sisään" in html


@pytest.mark.parametrize(
    "header,lang,word",
    [("sv-FI,sv;q=0.9", "sv", "Logga in"), ("en-GB,en;q=0.8", "en", "Log in"), ("de-DE", "fi", "Kirjaudu")],
)
def test_browser_language_is_followed(client, header, lang, word):
    html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and word in html


def test_explicit_choice_beats_everything(client):
    html = client.get("/login?lang=sv", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="sv">' in html


def test_switcher_sets_cookie_and_user_preference(client, make_owner, session):
    user, _ = make_owner("anna@a.fi", language="fi")
    login(client, "anna@a.fi")
    r = client.post_form("/language", {"language": "sv", "next": "/app/"}, follow_redirects=True)
    assert r.request.path == "/app/"
    assert '<html lang="sv">' in r.get_data(as_text=True)
    with unscoped(session):
        session.refresh(user)
    assert user.language == "sv"
    # Logged out, the cookie still remembers the choice.
    client.post_form("/logout")
    assert '<html lang="sv">' in client.get("/login").get_data(as_text=True)


def test_switcher_ignores_foreign_redirects(client):
    r = client.post_form("/language", {"language": "en", "next": "https://evil.example/"})
    assert r.headers["Location"] == "/"


def test_error_pages_in_three_languages(client):
    for lang, text in [("fi", "Sivua ei löytynyt"), ("sv", "Sidan hittades inte"), ("en", "Page not found")]:
        r = client.get(f"/no-such-page?lang={lang}")
        assert r.status_code == 404
        assert text in r.get_data(as_text=True)


def test_dates_are_shown_finnish_style():
    assert format_day(date(2019, 3, 21), "fi") == "21.3.2019"
    assert format_day(date(2019, 3, 21), "sv") == "21.3.2019"
    assert format_day(date(2019, 3, 21), "en") == "21 March 2019"
    # Late evening UTC is already the next day in Helsinki.
    assert format_day(datetime(2019, 3, 20, 23, 30, tzinfo=UTC), "fi") == "21.3.2019"


def test_mail_goes_out_in_the_recipients_language(client, mailbox, make_owner):
    make_owner("sven@firma.fi", language="sv")
    client.post_form("/reset?lang=fi", {"email": "sven@firma.fi"})
    mail = mailbox.last("sven@firma.fi")
    assert mail.message["Content-Language"] == "sv"
    assert "lösenord" in mail.text.lower()


def test_a_response_that_changes_its_language_translates_in_the_new_one(app):
    """The catalog kept for a request (webapp.i18n._Catalogs) follows force_locale and refresh."""
    from types import SimpleNamespace

    from flask import render_template_string
    from flask_babel import force_locale, gettext

    from webapp.i18n import use_tenant_language

    def both():
        return gettext("Requests"), render_template_string("{{ _('Requests') }}")

    with app.test_request_context("/?lang=fi"):
        assert both() == ("Pyynnöt", "Pyynnöt")
        with force_locale("sv"):
            assert both() == ("Begäranden", "Begäranden")
        assert both() == ("Pyynnöt", "Pyynnöt")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert both() == ("Requests", "Requests")
        use_tenant_language(SimpleNamespace(default_language="sv"))  # a page of a Swedish firm
        assert both() == ("Begäranden", "Begäranden")


def _invitation_link(client, mailbox, make_owner, session, default_language):
    from tenants import accounts
    from tenants.scoping import scoped_to

    owner, tenant = make_owner("olli@firma.fi", "Firma Ab")
    with scoped_to(session, tenant.id, owner.id):
        accounts.update_tenant(
            session,
            tenant.id,
            by_user_id=owner.id,
            name=tenant.name,
            street_address="",
            postal_code="",
            city="",
            default_language=default_language,
        )
    session.commit()
    login(client, "olli@firma.fi")
    client.post_form("/app/members", {"email": "kaisa@firma.fi", "role": "handler"})
    client.post_form("/logout")
    client.delete_cookie("lang")
    return mailbox.last("kaisa@firma.fi").link("/invite/").replace("http://localhost", "")


def test_a_tenants_default_language_speaks_to_visitors_of_its_pages(client, mailbox, make_owner, session):
    """The chain: ?lang=, the user's preference, the cookie, the tenant's default, the browser."""
    link = _invitation_link(client, mailbox, make_owner, session, "sv")
    # Nobody logged in, no cookie: the firm's Swedish beats the browser's English.
    html = client.get(link, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="sv">' in html
    # A page without a tenant still follows the browser.
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    # The cookie, and an explicit choice, come before the tenant.
    client.set_cookie("lang", "fi")
    assert '<html lang="fi">' in client.get(link).get_data(as_text=True)
    assert '<html lang="en">' in client.get(f"{link}?lang=en").get_data(as_text=True)
