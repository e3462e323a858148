"""A firm starts from a template: the review lists what it must answer and confirm; once answered and
confirmed, it publishes, and the page shows the confirmed texts and links the request form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import answer_and_confirm, assert_accessible
from .test_wizard_flow import _log_in, _owner

RETENTION_START = "Säilytämme asiakkaan tiedot asiakassuhteen ajan."


def test_starter_to_review_to_answers_and_confirmations_to_the_published_page(page, visitor, live_server):
    _log_in(page, _owner(live_server))
    page.goto("/app/notices/new")
    page.locator("input[name=starter][value=customer_register]").check()
    page.locator("#title").fill("Asiakasrekisteri")
    page.locator("main form > button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/app/notices/\d+/steps/basics$"))
    notice_path = re.search(r"/app/notices/\d+", page.url).group(0)

    # The review lists the questions to answer and the proposals to confirm, in step order, each a link.
    page.goto(f"{notice_path}/steps/review")
    expect(page.locator("#report-status")).to_have_class(re.compile("status--open"))
    blocking = page.locator(".report-list").first
    expect(blocking).to_contain_text("Kerro, siirretäänkö tietoja EU:n tai ETA:n ulkopuolelle.")
    expect(blocking).to_contain_text(
        "Kerro, mistä tiedot saadaan: henkilöiltä itseltään, muualta vai molemmista."
    )
    expect(blocking).to_contain_text("Säilytysaika: ehdotus, ei vielä vahvistettu.")
    targets = blocking.locator("a.finding-link").evaluate_all("els => els.map(e => e.dataset.step)")
    order = [
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
    ]
    assert targets == sorted(targets, key=order.index)
    expect(page.locator("#publish-button")).to_have_count(0)
    assert_accessible(page, "the review of an untouched starter")

    # A link goes to the step, where the proposal is marked with its confirm button.
    blocking.locator("li", has_text="Säilytysaika").locator("a.finding-link").click()
    expect(page).to_have_url(re.compile(r"/steps/retention#proposal-retention$"))
    expect(page.locator("#proposal-retention")).to_contain_text("Ehdotus, ei vielä vahvistettu")
    expect(page.locator("#proposal-retention")).to_be_in_viewport()
    expect(page.locator("nav.steps")).to_contain_text("ehdotus vahvistettavana")
    assert_accessible(page, "a step with a proposal to confirm")

    # A finding about a question takes the user to that question's field.
    page.goto(f"{notice_path}/steps/review")
    dpo_finding = page.locator(".report-list").first.locator("li", has_text="tietosuojavastaava")
    dpo_finding.locator("a.finding-link").click()
    expect(page).to_have_url(re.compile(r"/steps/contact#field-dpo-appointed$"))
    expect(page.locator("#field-dpo-appointed")).to_be_in_viewport()

    # The officer's details apply only once one is appointed: they appear on "yes", hide on "no",
    # and what was typed into them stays.
    officer = page.locator("#field-dpo-name")
    expect(officer).to_be_hidden()
    page.locator("input[name='dpo.appointed'][value=yes]").check()
    expect(officer).to_be_visible()
    expect(page.locator("#field-dpo-email")).to_be_visible()
    assert_accessible(page, "the contact step with the officer's fields shown")
    page.locator("#dpo-name").fill("Tuula Virtanen")
    page.locator("input[name='dpo.appointed'][value=no]").check()
    expect(officer).to_be_hidden()
    expect(page.locator("#field-dpo-email")).to_be_hidden()
    page.locator("input[name='dpo.appointed'][value=yes]").check()
    expect(page.locator("#dpo-name")).to_have_value("Tuula Virtanen")
    page.locator("input[name='dpo.appointed'][value=no]").check()

    # The controller's details come from the organisation; the review links to their confirmation.
    page.goto(f"{notice_path}/steps/review")
    controller_finding = page.locator(".report-list").first.locator("li", has_text="rekisterinpitäjän tiedot")
    controller_finding.locator("a.finding-link").click()
    expect(page).to_have_url(re.compile(r"/steps/basics#controller-confirmation$"))
    expect(page.locator("#controller-unconfirmed")).to_be_visible()
    expect(page.locator("#controller-missing")).to_contain_text("ei ole julkista sähköpostiosoitetta")
    assert_accessible(page, "the basics step with the controller to confirm")

    # Answer and confirm everything (the controller's details with their button); the review is
    # ready and publishing works.
    answer_and_confirm(page, notice_path)
    expect(page.locator("#controller-confirmed")).to_have_count(0)  # on another step now
    page.goto(f"{notice_path}/steps/basics")
    expect(page.locator("#controller-confirmed")).to_be_visible()
    page.goto(f"{notice_path}/steps/review")
    status = page.locator("#report-status")
    if "status--ready" not in (status.get_attribute("class") or ""):
        pytest.fail("still open: " + page.locator(".report-list").first.inner_text(), pytrace=False)
    page.locator("#publish-button").click()
    expect(page).to_have_url(re.compile(r"/app/notices/\d+/published$"))
    public_url = page.locator("a#public-url").get_attribute("href")

    # The page shows the confirmed texts and links the request form.
    visitor.goto(public_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Tietosuojaseloste Asiakasrekisteri")
    expect(visitor.locator("#retention")).to_contain_text(RETENTION_START)
    expect(visitor.locator("#transfers")).to_contain_text(
        "Emme siirrä henkilötietoja EU:n tai ETA:n ulkopuolelle."
    )
    expect(visitor.locator("#controller")).to_contain_text("tietosuoja@rantakahvila.fi")
    # Where the data come from, as answered in the wizard; "no publicly accessible source" is not said.
    expect(visitor.locator("#sources")).to_contain_text("Saamme tietoja sinulta itseltäsi ja myös muualta.")
    expect(visitor.locator("#sources")).not_to_contain_text("yleisesti saatavilla")
    form_link = visitor.locator("#request-form-link")
    expect(form_link).to_have_attribute("href", re.compile(r"/request\?lang=fi$"))
    assert_accessible(visitor, "the published notice")
    form_link.click()
    expect(visitor.locator("form.request-form")).to_be_visible()
