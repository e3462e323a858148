"""A firm pastes the notice it already has, fixes what the check finds, and publishes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ..support import skip_or_fail
from .conftest import assert_accessible, published_notice
from .test_wizard_flow import _log_in

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def test_paste_seed_fix_findings_publish(page, visitor, live_server):
    matches = sorted(SEEDS.glob("001_*.txt"))
    if not matches:
        skip_or_fail("the seed notices (../shared/seeds) are not beside the repository")
    email, tenant_slug, _first = published_notice(live_server, company="Konttorimix Oy")
    _log_in(page, email)
    page.goto("/app/notices/import")
    page.locator("#text").fill(matches[0].read_text(encoding="utf-8"))
    page.locator("#import-button").click()
    expect(page).to_have_url(re.compile(r"/steps/basics"))
    expect(page.locator("#import-report")).to_be_visible()
    expect(page.locator("#import-facts")).to_contain_text("ellei")  # the sentence behind the open answer
    expect(page.locator("#controller-name")).to_have_value("Konttorimix Oy")

    # The review lists what must be fixed; each "Fix" leads to its step.
    page.locator("nav button[name=action][value='goto:review']").click()
    expect(page.locator("#report-status")).to_have_class(re.compile("status--open"))

    # Fix what the check found, each through its "Fix" link on the review: a way to reach the
    # controller (and its details confirmed as correct), the automated-decisions answer, the
    # statutory/contractual requirement, and the supervisory authority's old address.
    def fix(step):
        page.locator(f".report-list a.finding-link[data-step='{step}']").first.click()
        expect(page.locator("h1")).to_be_visible()

    def back_to_review():
        page.locator("nav button[name=action][value='goto:review']").click()

    fix("basics")
    page.locator("#controller-email").fill("tietosuoja@konttorimix.fi")
    page.locator("button[name=action][value='confirm:controller']").click()
    expect(page.locator("#controller-confirmed")).to_be_visible()
    back_to_review()
    fix("automated")
    page.locator("input[name='automated_decisions.used'][value=no]").check()
    page.locator("button[name=action][value=save]").click()
    back_to_review()
    # "ei siirretä …, ellei …" left the transfers question open: the firm answers it itself.
    fix("recipients")
    page.locator("input[name='transfers.outside_eea'][value=no]").check()
    page.locator("button[name=action][value=save]").click()
    back_to_review()
    fix("purposes")
    page.locator("select[name='requirement.kind']").select_option("contractual")
    page.locator("#requirement-consequences-fi").fill("Ilman yhteystietoja emme voi toimittaa tilauksia.")
    page.locator("button[name=action][value=save]").click()
    back_to_review()
    expect(page.locator(".report-list").first).to_contain_text("Ratapihantie 9")
    fix("rights")
    old = page.locator("textarea").filter(has_text="Ratapihantie")
    expect(old).to_have_count(1)
    old.fill(old.input_value().replace("Ratapihantie 9", "Lintulahdenkuja 4").replace("00521", "00530"))
    # The old law's procedure (a signed request, a refusal taken to the ombudsman) is flagged: drop it.
    for sentence in (
        " Tarkastuspyyntö on allekirjoitettava.",
        "omakätisesti allekirjoitetulla kirjallisella ",
        " Asianomainen voi saattaa epäämisen tietosuojavaltuutetun ratkaistavaksi.",
    ):
        area = page.locator("textarea").filter(has_text=sentence.strip())
        expect(area).to_have_count(1)
        area.fill(area.input_value().replace(sentence, " " if sentence.endswith(" ") else ""))
    page.locator("button[name=action][value=save]").click()
    back_to_review()
    # The source says nothing about a data protection officer or special categories: the firm answers.
    fix("contact")
    page.locator("input[name='dpo.appointed'][value=no]").check()
    page.locator("button[name=action][value=save]").click()
    back_to_review()
    fix("data")
    page.locator("input[name='special_categories_used'][value=no]").check()
    page.locator("button[name=action][value=save]").click()
    back_to_review()
    # Where the data come from, and whether a source is publicly accessible: the firm's answers.
    fix("sources")
    page.locator("select[name='collected_from']").select_option("both")
    page.locator("input[name='sources_public'][value=no]").check()
    page.locator("button[name=action][value=save]").click()

    back_to_review()
    status = page.locator("#report-status")
    if "status--ready" not in (status.get_attribute("class") or ""):
        pytest.fail("still open: " + page.locator(".report").inner_text(), pytrace=False)
    page.locator("#publish-button").click()
    expect(page).to_have_url(re.compile(r"/published$"))
    public = page.locator("#public-url").inner_text()
    response = visitor.goto(public)
    assert response.status == 200
    expect(visitor.locator("#controller")).to_contain_text("Konttorimix Oy")


CORPUS = Path(__file__).resolve().parents[1] / "import_corpus"


def test_the_report_asks_and_splits_a_file_of_two_notices(page, live_server):
    """The report's questions are accessible, the split button makes two drafts, and the
    controller the firm picks is the one in the draft."""
    email, _tenant_slug, _first = published_notice(live_server, company="Toinen Yhdistys ry")
    _log_in(page, email)
    page.goto("/app/notices/import")
    page.locator("#text").fill((CORPUS / "fi_16_two_notices.md").read_text(encoding="utf-8"))
    page.locator("#import-button").click()
    expect(page).to_have_url(re.compile(r"/steps/basics"))
    expect(page.locator("#import-split")).to_contain_text("Tietosuojaseloste – Kameravalvonta")
    expect(page.locator("#import-controller")).to_contain_text("Asukasyhdistys Koivukumpu ry")
    for details in page.locator("#import-report details").all():
        details.locator("summary").click()
    assert_accessible(page, "the import report with its questions")
    page.locator("#import-controller button[value=notice]").click()
    expect(page.locator("#import-controller-settled")).to_be_visible()
    page.locator("#import-split-button").click()
    expect(page.locator(".flashes")).to_contain_text("Kerhotalon kameravalvontarekisteri")
    expect(page.locator("#import-split-done")).to_be_visible()
    expect(page.locator("#controller-name")).to_have_value("Asukasyhdistys Koivukumpu ry")
    expect(page.locator("#import-controller-settled")).to_be_visible()  # not asked again
    assert_accessible(page, "the first draft after the split")
