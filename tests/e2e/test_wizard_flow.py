"""A firm writes its customer-register notice with the wizard, in a real browser."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

from babel.support import Translations
from playwright.sync_api import expect

from tenants import accounts
from tenants.scoping import unscoped

from .conftest import answer_and_confirm, assert_accessible

PASSWORD = "kolme pientä porsasta"
CATALOGS = Path(__file__).resolve().parents[2] / "webapp" / "translations"
STEPS = [
    "basics",
    "contact",
    "purposes",
    "data",
    "sources",
    "recipients",
    "retention",
    "security",
    "cookies",
    "automated",
    "rights",
    "review",
]


def _owner(live_server) -> str:
    email = f"omistaja.{uuid.uuid4().hex[:8]}@example.fi"
    session = live_server.app.extensions["seloste_db"].new_session()
    now = datetime.now(UTC)
    with session, session.begin(), unscoped(session):
        user = accounts.create_user(
            session,
            email=email,
            name="Olli Omistaja",
            password=PASSWORD,
            language="fi",
            now=now,
            verified=True,
        )
        tenant = accounts.create_tenant(session, name="Rantakahvila Oy", business_id="2617416-4", now=now)
        tenant.plan = "pro"
        accounts.add_member(session, tenant.id, user.id, "owner", now)
    return email


def _log_in(page, email):
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/app/$"))


def _current_step(page):
    return page.locator("nav.steps [aria-current=step]")


def _next(page):
    page.locator("button[name=action][value=next]").click()


def _rights(page) -> list[str]:
    return page.locator("input[type=hidden][name$='.key']").evaluate_all("els => els.map(e => e.value)")


def test_customer_register_notice_from_template_to_ready(page, live_server):
    email = _owner(live_server)
    _log_in(page, email)

    page.locator("a[href='/app/notices/new']").click()
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    assert_accessible(page, "the new-notice page")
    page.locator("input[name=starter][value=customer_register]").check()
    page.locator("#title").fill("Asiakasrekisteri")
    page.locator("main form > button[type=submit]").click()

    # Step 1 is pre-filled from the firm.
    expect(page).to_have_url(re.compile(r"/steps/basics$"))
    expect(page.locator("#controller-name")).to_have_value("Rantakahvila Oy")
    expect(page.locator("#controller-business_id")).to_have_value("2617416-4")
    assert_accessible(page, "step basics")

    # Walk every step in Finnish; each page is accessible and Save and continue moves on.
    for index, step in enumerate(STEPS[:-1]):
        expect(page).to_have_url(re.compile(rf"/steps/{step}$"))
        expect(_current_step(page)).to_contain_text(f"{index + 1}.")
        if step != "basics":
            assert_accessible(page, f"step {step}")
        if step == "cookies":
            page.locator("input[name='cookies.used'][value=no]").check()
        if step == "rights":
            template_rights = _rights(page)
        _next(page)
    expect(page).to_have_url(re.compile(r"/steps/review$"))
    assert_accessible(page, "the review step")
    # A starter answers nothing for the firm: the review waits for its answers and confirmations.
    expect(page.locator("#report-status")).to_have_class(re.compile("status--open"))
    answer_and_confirm(page, re.search(r"/app/notices/\d+", page.url).group(0))
    page.goto(re.sub(r"/steps/.*$", "/steps/review", page.url))
    expect(page.locator("#report-status")).to_have_class(re.compile("status--ready"))
    assert "complaint" in template_rights and "restriction" in template_rights
    # No purpose of the template rests on consent, so there is no right to withdraw it yet.
    assert "withdraw_consent" not in template_rights

    # Back to the purposes: the first purpose becomes consent, with nothing said about withdrawing it.
    # The generated right to withdraw consent already tells it, so the notice stays ready.
    page.locator("button[name=action][value='goto:purposes']").click()
    expect(page).to_have_url(re.compile(r"/steps/purposes$"))
    page.locator("select[name='purposes.0.legal_basis']").select_option("consent")
    page.locator("button[name=action][value=save]").click()
    expect(page.locator(".wizard-status .status")).to_have_class(re.compile("status--ready"))

    # The rights follow the new basis: withdrawing consent appears.
    page.locator("button[name=action][value='goto:rights']").click()
    expect(page).to_have_url(re.compile(r"/steps/rights$"))
    assert "withdraw_consent" in _rights(page)

    # Say in own words how consent is withdrawn: the notice stays ready and the page carries the words.
    page.locator("button[name=action][value='goto:purposes']").click()
    page.locator("#consent_withdrawal-fi").fill(
        "Voit perua suostumuksesi milloin tahansa lähettämällä meille sähköpostia."
    )
    page.locator("button[name=action][value='goto:review']").click()
    expect(page.locator("#report-status")).to_have_class(re.compile("status--ready"))

    # The preview is the public page: Finnish, with the controller and the supervisory authority.
    page.locator("a[href*='/preview']").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("#controller")).to_contain_text("Rantakahvila Oy")
    expect(page.locator("#complaint")).to_contain_text("Tietosuojavaltuutetun toimisto")
    expect(page.locator("main")).to_contain_text("Voit perua suostumuksesi milloin tahansa")
    assert_accessible(page, "the preview")


def test_a_step_in_swedish(page, live_server):
    email = _owner(live_server)
    _log_in(page, email)
    page.goto("/app/notices/new")
    page.locator("input[name=starter][value=customer_register]").check()
    page.locator("#title").fill("Kundregister")
    page.locator("input[name=languages][value=sv]").check()
    page.locator("input[name=languages][value=fi]").uncheck()
    page.locator("#primary_language").select_option("sv")
    page.locator("main form > button[type=submit]").click()
    page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    page.locator("button[name=action][value='goto:retention']").click()
    expect(page).to_have_url(re.compile(r"/steps/retention$"))
    swedish = Translations.load(str(CATALOGS), ["sv"])
    assert swedish.gettext("Retention") != "Retention"
    expect(page.get_by_role("heading", level=1)).to_have_text(swedish.gettext("Retention"))
    expect(page.locator("button[name=action][value=next]")).to_have_text(swedish.gettext("Save and continue"))
    textarea = page.locator("#retention-sv")
    expect(textarea).to_have_attribute("lang", "sv")
    textarea.fill("Vi sparar uppgifterna i två år efter det senaste köpet.")
    assert_accessible(page, "the retention step in Swedish")
    page.locator("button[name=action][value=next]").click()
    expect(page).to_have_url(re.compile(r"/steps/security$"))
    page.locator("button[name=action][value=back]").click()
    expect(page.locator("#retention-sv")).to_have_value(
        "Vi sparar uppgifterna i två år efter det senaste köpet."
    )


def test_enter_in_a_field_saves_and_stays_on_the_step(page, live_server):
    """Enter submits with the form's default button, which saves; it never jumps to step 1."""
    email = _owner(live_server)
    _log_in(page, email)
    page.goto("/app/notices/new")
    page.locator("input[name=starter][value=customer_register]").check()
    page.locator("#title").fill("Asiakasrekisteri")
    page.locator("main form > button[type=submit]").click()
    page.locator("button[name=action][value='goto:contact']").click()
    expect(page).to_have_url(re.compile(r"/steps/contact$"))
    phone = page.locator("#contact-phone")
    phone.fill("040 555 1234")
    with page.expect_navigation():
        phone.press("Enter")
    expect(page).to_have_url(re.compile(r"/steps/contact$"))
    expect(_current_step(page)).to_contain_text("2.")
    page.reload()
    expect(page.locator("#contact-phone")).to_have_value("040 555 1234")
    # The default button is out of the way: not reached with Tab, not read by screen readers.
    default = page.locator("#default-save")
    expect(default).to_have_attribute("tabindex", "-1")
    expect(default).to_have_attribute("aria-hidden", "true")
