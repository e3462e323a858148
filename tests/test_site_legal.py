"""Seloste's own privacy notice (a notice of its own organisation, published by a command), its terms
of service and data processing agreement, and the footer and sign-up that link them."""

import re

import pytest
from sqlalchemy import select

from tenants import accounts
from tenants.models import Tenant
from tenants.notices.models import NoticeVersion
from tenants.platform import OWN_NOTICE_SLUG, PLATFORM_SLUG
from tenants.scoping import unscoped
from webapp import page_cache as cache

from .conftest import PASSWORD, login, now

OWN_NOTICE = f"/{PLATFORM_SLUG}/{OWN_NOTICE_SLUG}"
OPERATOR = ["--name", "Seloste Oy", "--business-id", "2617416-4", "--owner-email", "outi@seloste.example"]


@pytest.fixture
def operator(session):
    """The person at the provider who owns its organisation and answers requests about its data."""
    with unscoped(session):
        user = accounts.create_user(
            session,
            email="outi@seloste.example",
            name="Outi Operaattori",
            password=PASSWORD,
            language="fi",
            now=now(),
            verified=True,
        )
    session.commit()
    return user


def publish(app, *extra):
    result = app.test_cli_runner().invoke(args=["site", "publish-own-notice", *OPERATOR, *extra])
    cache.forget_resolutions()
    return result


def versions(session) -> list[NoticeVersion]:
    with unscoped(session):
        session.expire_all()
        tenant = session.scalar(select(Tenant).where(Tenant.slug == PLATFORM_SLUG))
        return list(
            session.scalars(
                select(NoticeVersion)
                .where(NoticeVersion.tenant_id == tenant.id)
                .order_by(NoticeVersion.number)
            )
        )


def test_our_own_privacy_notice_is_published_by_a_command_as_a_notice_of_our_organisation(
    app, client, session, operator
):
    address = ["--street-address", "Rantakatu 1", "--postal-code", "00100", "--city", "Helsinki"]
    r = publish(app, *address)
    assert r.exit_code == 0, r.output
    assert f"Published version 1 at {OWN_NOTICE}" in r.output
    page = client.get(f"{OWN_NOTICE}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Customer and user register of the Seloste service" in html
    assert "Seloste Oy" in html and "2617416-4" in html and "Rantakatu 1, 00100 Helsinki" in html
    assert "outi@seloste.example" in html  # the contact person, a member who answers requests
    for language, heading in (("fi", "Rekisterinpitäjä"), ("sv", "Personuppgiftsansvarig")):
        assert heading in client.get(f"{OWN_NOTICE}?lang={language}").get_data(as_text=True)
    # Without online payments the notice names no payment service and no transfer.
    assert "Stripe" not in html and "We do not transfer personal data outside the EU" in html
    # Requests about our own processing reach our organisation's inbox through the same form.
    assert client.get(f"{OWN_NOTICE}/request").status_code == 200

    again = publish(app, *address)
    assert again.exit_code == 0 and "Unchanged: version 1" in again.output, again.output
    assert len(versions(session)) == 1


def test_a_changed_notice_is_a_new_version_with_its_change_note(app, session, operator):
    assert publish(app).exit_code == 0
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
        STRIPE_PRICE_PRO_MONTHLY="price_month",
        STRIPE_PRICE_PRO_YEARLY="price_year",
    )
    refused = publish(app)
    assert refused.exit_code == 1 and "change_note" in refused.output
    r = publish(app, "--change-note", "Maksut Stripen kautta")
    assert r.exit_code == 0 and "Published version 2" in r.output, r.output
    latest = versions(session)[-1]
    assert latest.change_note == "Maksut Stripen kautta"
    assert latest.content["transfers"]["outside_eea"] is True
    assert latest.content["transfers"]["items"][0]["safeguard"] == "scc"
    assert any("Stripe" in item["en"] for item in latest.content["recipients"])


def test_the_platform_address_is_ours_alone(app, session, operator):
    with unscoped(session):
        customer = accounts.create_tenant(session, name="Seloste", business_id="2617416-4", now=now())
    assert customer.slug != PLATFORM_SLUG  # reserved: no customer is ever given it
    assert publish(app).exit_code == 0
    other = app.test_cli_runner().invoke(
        args=["site", "publish-own-notice", "--name", "Toinen Oy", "--business-id", "0112038-9"]
        + ["--owner-email", "outi@seloste.example"]
    )
    assert other.exit_code == 1 and "another Business ID" in other.output
    nobody = app.test_cli_runner().invoke(
        args=["site", "publish-own-notice", *OPERATOR[:4], "--owner-email", "nobody@seloste.example"]
    )
    assert nobody.exit_code == 1 and "No user has this email address." in nobody.output


@pytest.mark.parametrize(
    ("language", "terms_title", "dpa_title", "breach"),
    [
        ("fi", "Seloste-palvelun käyttöehdot", "Tietojenkäsittelysopimus", "viimeistään 48 tunnin kuluessa"),
        (
            "sv",
            "Användarvillkor för tjänsten Seloste",
            "Personuppgiftsbiträdesavtal",
            "senast inom 48 timmar",
        ),
        ("en", "Terms of service of Seloste", "Data processing agreement", "at the latest within 48 hours"),
    ],
)
def test_the_terms_and_the_processing_agreement_in_each_language(
    app, client, session, operator, language, terms_title, dpa_title, breach
):
    terms = client.get(f"/terms?lang={language}").get_data(as_text=True)
    assert f"<h1>{terms_title}</h1>" in terms
    assert {
        "fi": "palvelun ylläpitäjä",
        "sv": "den som driver tjänsten",
        "en": "the operator of the service",
    }[language] in terms  # before the provider's organisation exists
    assert publish(app, "--city", "Helsinki").exit_code == 0
    terms = client.get(f"/terms?lang={language}").get_data(as_text=True)
    assert "Seloste Oy (" in terms and "2617416-4, Helsinki)" in terms
    assert f'href="{OWN_NOTICE}?lang={language}"' in terms and 'href="/dpa"' in terms
    dpa = client.get(f"/dpa?lang={language}").get_data(as_text=True)
    assert f"<h1>{dpa_title}</h1>" in dpa and breach in dpa and "Seloste Oy (" in dpa
    assert len(re.findall(r"<h2>\d+\. ", dpa)) == 12  # every item Art. 28(3) asks for has its section


def test_every_page_links_our_notice_terms_and_agreement_and_sign_up_names_them(
    app, client, session, operator
):
    pages = ["/", "/pricing", "/login", "/signup", "/terms", "/dpa"]
    for page in pages:
        html = client.get(page + "?lang=fi").get_data(as_text=True)
        footer = html.split('<footer class="site-footer">', 1)[1]
        assert f'href="{OWN_NOTICE}?lang=fi" id="footer-privacy"' in footer, page
        assert 'href="/terms" id="footer-terms"' in footer and 'href="/dpa" id="footer-dpa"' in footer, page
        # The footer claims what sign-up accepts: Finnish Business IDs.
        assert "suomalaisille yrityksille" in footer and "pohjoismaisille" not in footer, page
    signup = client.get("/signup?lang=en").get_data(as_text=True)
    consent = signup.split('id="signup-terms"', 1)[1].split("</p>", 1)[0]
    assert '<a href="/terms">terms of service</a>' in consent
    assert '<a href="/dpa">data processing agreement</a>' in consent
    assert f'<a href="{OWN_NOTICE}?lang=en">privacy notice</a>' in consent
    with unscoped(session):  # the logged-in pages carry the same footer
        tenant = accounts.create_tenant(session, name="Kahvila Oy", business_id="2617416-4", now=now())
        accounts.add_member(session, tenant.id, operator.id, "owner", now())
    session.commit()
    login(client, "outi@seloste.example")
    assert 'id="footer-dpa"' in client.get("/app/").get_data(as_text=True)
