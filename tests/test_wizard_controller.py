"""The organisation's public contact details, the controller of a notice filled from them and
confirmed as correct before publishing, findings that link to their field, and fields that apply
only after an answer."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sqlalchemy import select

from tenants.models import Tenant
from tenants.notices import check as checklib
from tenants.notices.models import Notice
from tenants.notices.proposals import FIELD_OF_SECTION, SECTIONS
from tenants.scoping import unscoped
from webapp.notices import steps as steplib
from webapp.notices.report import line

from .conftest import ident, login
from .support import answer_starter
from .test_wizard import new_notice, page, save, stored

ORGANISATION = {
    "name": "Anna Oy",
    "slug": "anna-oy",
    "street_address": "Rantakatu 1",
    "postal_code": "00100",
    "city": "Helsinki",
    "public_email": "Tietosuoja@Anna.fi",
    "public_phone": "  09   123 4567 ",
    "default_language": "fi",
    "request_retention_months": "24",
}


def tenant_row(session, tenant_id) -> Tenant:
    with unscoped(session):
        session.expire_all()
        return session.get(Tenant, tenant_id)


def _basics_form(client, nid):
    """The basics step as the browser sends it unchanged."""
    html = page(client, nid, "basics")
    values = dict(
        re.findall(r'<input class="input" type="(?:text|email)" name="([^"]+)" value="([^"]*)"', html)
    )
    values["notice.languages"] = re.findall(r'name="notice.languages" value="([a-z]+)" checked', html)
    chosen = re.search(r'name="notice.primary_language".*?<option value="([a-z]+)" selected', html, re.S)
    values["notice.primary_language"] = chosen.group(1)
    return values


def _review_blocking(client, nid) -> str:
    review = page(client, nid, "review")
    return review.split("report-list", 1)[1].split("</ul>", 1)[0]


# --- the organisation's public contact details ------------------------------------------------


def test_the_organisation_keeps_a_public_email_and_phone_given_in_its_settings(client, make_owner, session):
    _user, tenant = make_owner("anna@a.fi", "Anna Oy")
    login(client, "anna@a.fi")
    form = client.get("/app/organisation").get_data(as_text=True)
    assert 'name="public_email"' in form and 'type="email"' in form and 'name="public_phone"' in form
    assert "Julkinen sähköposti tietosuoja-asioihin" in form  # worded in the user's language (fi)
    r = client.post_form("/app/organisation", ORGANISATION)
    assert r.status_code == 302
    row = tenant_row(session, tenant.id)
    assert row.public_email == "Tietosuoja@anna.fi" and row.public_phone == "09 123 4567"
    assert 'value="Tietosuoja@anna.fi"' in client.get("/app/organisation").get_data(as_text=True)


def test_a_wrong_public_email_or_phone_is_refused_with_a_message_and_nothing_changes(
    client, make_owner, session
):
    _user, tenant = make_owner("anna@a.fi", "Anna Oy", language="en")
    login(client, "anna@a.fi")
    r = client.post_form(
        "/app/organisation", {**ORGANISATION, "name": "Uusi Oy", "public_email": "anna(at)a"}
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'id="public_email-error"' in html and "Enter the organisation&#39;s public email address" in html
    assert 'value="anna(at)a"' in html  # what was typed stays in the form
    r = client.post_form("/app/organisation", {**ORGANISATION, "public_phone": "soita meille"})
    html = r.get_data(as_text=True)
    assert 'id="public_phone-error"' in html and "Enter a phone number with its digits" in html
    row = tenant_row(session, tenant.id)
    assert (row.name, row.public_email, row.public_phone) == ("Anna Oy", "", "")


def test_the_organisation_form_needs_its_csrf_token(client, make_owner, session):
    _user, tenant = make_owner("anna@a.fi", "Anna Oy")
    login(client, "anna@a.fi")
    assert client.post("/app/organisation", data=ORGANISATION).status_code == 400
    assert tenant_row(session, tenant.id).public_email == ""


def test_sign_up_leaves_the_public_contact_details_empty(client, mailbox, session):
    from .test_signup_and_login import signup

    signup(client)
    with unscoped(session):
        tenant = session.scalar(select(Tenant).where(Tenant.name == "Kahvila Åkerö Oy"))
    assert tenant.public_email == "" and tenant.public_phone == ""  # not the login address


# --- the controller of a notice ---------------------------------------------------------------


def test_a_new_notice_takes_the_controller_from_the_settings_and_must_have_it_confirmed(
    client, make_owner, session
):
    user, _tenant = make_owner("anna@a.fi", "Anna Oy", language="en")
    login(client, "anna@a.fi")
    client.post_form("/app/organisation", ORGANISATION)
    nid = new_notice(client, starter="customer_register")
    controller = stored(session, nid).draft["controller"]
    assert controller["email"] == "Tietosuoja@anna.fi" and controller["phone"] == "09 123 4567"
    assert controller["street_address"] == "Rantakatu 1" and controller["name"] == "Anna Oy"

    basics = page(client, nid, "basics")
    assert 'id="controller-unconfirmed"' in basics and 'value="confirm:controller"' in basics
    assert 'id="controller-missing"' not in basics and 'id="controller-differs"' not in basics
    blocking = _review_blocking(client, nid)
    assert "Confirm that the controller&#39;s details are correct" in blocking
    assert f'href="/app/notices/{nid}/steps/basics#controller-confirmation"' in blocking

    # One click (which saves the step first) confirms them, recorded with who and when.
    r = save(client, nid, "basics", _basics_form(client, nid), action="confirm:controller")
    assert r.status_code == 302 and r.headers["Location"].endswith("/steps/basics#controller-confirmation")
    after = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "The controller&#39;s details are confirmed as correct." in after
    assert 'id="controller-confirmed"' in after and 'value="confirm:controller"' not in after
    record = stored(session, nid).confirmed_sections["controller"]
    assert record["by"] == ident(user) and record["at"] and len(record["hash"]) == 64
    assert "controller&#39;s details are correct" not in _review_blocking(client, nid)


def test_an_edit_of_the_confirmed_controller_makes_it_unconfirmed_and_blocks_publishing(
    client, make_owner, session
):
    user, tenant = make_owner("anna@a.fi", "Anna Oy", language="en")
    login(client, "anna@a.fi")
    nid = new_notice(client, starter="customer_register")
    with unscoped(session):
        notice = session.scalar(select(Notice).where(Notice.id == nid))
        answer_starter(session, tenant.id, user.id, notice)
    session.commit()
    assert 'id="report-status" >' not in page(client, nid, "review")
    assert 'id="publish-button"' in page(client, nid, "review")

    form = {**_basics_form(client, nid), "controller.email": "toinen@anna.fi"}
    assert save(client, nid, "basics", form).status_code == 302
    basics = page(client, nid, "basics")
    assert "The controller’s details have changed since they were confirmed." in basics
    review = page(client, nid, "review")
    assert 'id="publish-button"' not in review and "controller&#39;s details are correct" in review
    r = client.post_form(f"/app/notices/{nid}/publish", {"prepared_on": "", "change_note": ""})
    assert r.status_code == 200 and stored(session, nid).published_number is None

    save(client, nid, "basics", _basics_form(client, nid), action="confirm:controller")
    assert 'id="publish-button"' in page(client, nid, "review")
    r = client.post_form(f"/app/notices/{nid}/publish", {"prepared_on": "", "change_note": ""})
    assert r.status_code == 302 and stored(session, nid).published_number == 1


def test_without_public_contact_details_the_wizard_says_so_and_links_the_settings(client, make_owner):
    make_owner("anna@a.fi", "Anna Oy", language="en")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    basics = page(client, nid, "basics")
    missing = basics.split('id="controller-missing"', 1)[1].split("</div>", 1)[0]
    assert "no public email address and no public phone number" in missing
    assert 'href="/app/organisation"' in missing
    # The firm types the email into this notice: settings without one offer nothing to copy over it.
    save(client, nid, "basics", {**_basics_form(client, nid), "controller.email": "info@anna.fi"})
    assert 'id="controller-differs"' not in page(client, nid, "basics")
    client.post_form("/app/organisation", {**ORGANISATION, "public_phone": ""})
    basics = page(client, nid, "basics")
    missing = basics.split('id="controller-missing"', 1)[1].split("</div>", 1)[0]
    assert "no public phone number" in missing and "email" not in missing
    differs = basics.split('id="controller-differs"', 1)[1].split("</div>", 1)[0]
    assert "Email: Tietosuoja@anna.fi" in differs and "Phone" not in differs


def test_a_change_in_the_settings_is_offered_not_pushed_into_the_notice(client, make_owner, session):
    make_owner("anna@a.fi", "Anna Oy", language="en")
    login(client, "anna@a.fi")
    client.post_form("/app/organisation", ORGANISATION)
    nid = new_notice(client)
    save(client, nid, "basics", _basics_form(client, nid), action="confirm:controller")
    client.post_form("/app/organisation", {**ORGANISATION, "public_email": "uusi@anna.fi", "city": "Espoo"})

    assert stored(session, nid).draft["controller"]["email"] == "Tietosuoja@anna.fi"  # not pushed
    basics = page(client, nid, "basics")
    differs = basics.split('id="controller-differs"', 1)[1].split("</div>", 1)[0]
    assert "Email: uusi@anna.fi" in differs and "City: Espoo" in differs and "Postal code" not in differs
    assert 'id="controller-confirmed"' in basics  # what the notice says is still what was confirmed

    r = save(client, nid, "basics", _basics_form(client, nid), action="copy:controller")
    assert r.status_code == 302 and r.headers["Location"].endswith("#controller-confirmation")
    controller = stored(session, nid).draft["controller"]
    assert controller["email"] == "uusi@anna.fi" and controller["city"] == "Espoo"
    basics = page(client, nid, "basics")
    assert 'id="controller-differs"' not in basics
    assert "The controller’s details have changed since they were confirmed." in basics


def test_the_controller_buttons_of_another_firms_notice_are_not_found(client, make_owner, session):
    from tenants.notices import service
    from tenants.scoping import scoped_to

    from .conftest import now

    anna, anna_oy = make_owner("anna@a.fi", "Anna Oy")
    make_owner("bertta@b.fi", "Bertta Oy")
    with scoped_to(session, anna_oy.id, anna.id):
        nid = service.create_notice(
            session,
            anna_oy.id,
            by_user_id=anna.id,
            title="Asiakasrekisteri",
            languages=["fi"],
            primary_language="fi",
            starter_key=None,
            now=now(),
        ).id
    session.commit()
    login(client, "bertta@b.fi")
    for action in ("confirm:controller", "copy:controller"):
        r = save(client, nid, "basics", {"controller.name": "Bertta Oy"}, action=action)
        assert r.status_code == 404
    notice = stored(session, nid)
    assert notice.draft["controller"]["name"] == "Anna Oy"
    assert "controller" not in (notice.confirmed_sections or {})


def test_the_controller_confirmation_needs_the_csrf_token(client, make_owner, session):
    make_owner("anna@a.fi", "Anna Oy")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    r = client.post(
        f"/app/notices/{nid}/steps/basics", data={**_basics_form(client, nid), "action": "confirm:controller"}
    )
    assert r.status_code == 400
    assert "controller" not in (stored(session, nid).confirmed_sections or {})


# --- findings link to their field --------------------------------------------------------------


def _findings_of_the_check() -> list[tuple[str, str]]:
    """(key, code) of every finding check.py can report that is not "present" (read from its source,
    so that a new finding without a link fails the test below)."""
    tree = ast.parse(Path(checklib.__file__).read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("_missing", "_attention"):
            key, code = node.args[0], node.args[1]
            if isinstance(code, ast.Constant):
                found.append((key.value if isinstance(key, ast.Constant) else "proposal", code.value))
    return found


def test_every_finding_of_the_check_links_to_a_step_and_a_field_that_exists(client, make_owner, session):
    from tenants.notices.check import Item

    findings = _findings_of_the_check()
    assert len(findings) > 30
    make_owner("anna@a.fi", "Anna Oy")
    login(client, "anna@a.fi")
    nid = new_notice(client, starter="customer_register")
    pages = {}
    for key, code in findings:
        params = {}
        if key == "proposal":
            for section, _paths, _step in SECTIONS:
                params = {"section": section}
                found = line(Item(f"proposal.{section}", "attention", "blocking", code, params=params))
                assert found.step in steplib.KEYS and found.anchor == f"proposal-{section}", section
                assert FIELD_OF_SECTION[section] in {f.path for f in steplib.BY_KEY[found.step].fields}
            continue
        # Every parameter a finding may have, so that each one can be worded.
        params = {"rights": ["access"], "purposes": [1], "countries": ["US"], "categories": ["health"]}
        params |= {"languages": ["sv"], "count": 1, "section": "retention"}
        params["fields"] = ["retention", "purposes.0.description"]
        # A finding names the field it is about, or points at the fields it names.
        assert key in {**steplib.FIELD_OF_ITEM, "controller_confirmation": 1} or (
            key in steplib.POINT_AT_THEIR_FIELDS
        ), key
        found = line(Item(key, "missing", "blocking", code, params=params))
        assert found.step in steplib.KEYS, (key, code)
        assert found.anchor, (key, code)
        if found.step not in pages:
            pages[found.step] = page(client, nid, found.step)
        assert f'id="{found.anchor}"' in pages[found.step], (key, code, found.anchor)


def test_a_finding_about_a_field_in_a_row_links_to_that_row(client, make_owner, session):
    from tenants.notices.check import Item

    found = line(
        Item(
            "placeholders",
            "attention",
            "blocking",
            "placeholders_left",
            params={"fields": ["purposes.1.legitimate_interest"]},
        )
    )
    assert (found.step, found.anchor) == ("purposes", "field-purposes-1-legitimate_interest")
    found = line(
        Item(
            "languages",
            "attention",
            "blocking",
            "language_text_missing",
            params={"languages": ["sv"], "fields": {"sv": ["controller.representative"]}},
        )
    )
    assert (found.step, found.anchor) == ("basics", "field-controller-representative")


def test_the_review_links_each_open_finding_to_its_field(client, make_owner):
    make_owner("anna@a.fi", "Anna Oy", language="en")
    login(client, "anna@a.fi")
    nid = new_notice(client, starter="customer_register")
    blocking = _review_blocking(client, nid)
    links = re.findall(
        rf'<a href="/app/notices/{nid}/steps/([a-z]+)#([a-z0-9_-]+)" class="finding-link"', blocking
    )
    assert ("recipients", "field-transfers-outside_eea") in links
    assert ("contact", "field-dpo-appointed") in links and ("retention", "proposal-retention") in links
    assert len(links) == blocking.count("<li ")  # every line has its link
    steps = [step for step, _anchor in links]
    assert steps == sorted(steps, key=steplib.KEYS.index)  # in the order of the steps


# --- fields that apply only after an answer ------------------------------------------------------


def _wrapper(html: str, anchor: str) -> str:
    match = re.search(rf'<div class="field-wrap" id="{re.escape(anchor)}"[^>]*>', html)
    assert match, anchor
    return match.group(0)


def test_fields_that_apply_only_after_an_answer_name_it_and_the_script_is_a_static_file(client, make_owner):
    make_owner("anna@a.fi", "Anna Oy")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    expected = {
        "contact": {f"field-dpo-{x}": "dpo.appointed=yes" for x in ("name", "email", "phone")},
        "purposes": {"field-purposes-0-legitimate_interest": "purposes.0.legal_basis=legitimate_interests"},
        "data": {
            "field-special_categories": "special_categories_used=yes",
            "field-special_justification": "special_categories_used=yes",
        },
        "recipients": {"field-transfers-items": "transfers.outside_eea=yes"},
        "cookies": {"field-cookies-text": "cookies.used=yes"},
        "automated": {"field-automated_decisions-description": "automated_decisions.used=yes"},
    }
    for step, wrappers in expected.items():
        r = client.get(f"/app/notices/{nid}/steps/{step}")
        html = r.get_data(as_text=True)
        for anchor, rule in wrappers.items():
            assert f'data-show-when="{rule}"' in _wrapper(html, anchor), (step, anchor)
        # Rendered, not left out: without the script every field is there and visible.
        assert " hidden" not in _wrapper(html, next(iter(wrappers)))
        assert '<script src="/static/js/show-when.js" defer></script>' in html
        assert "<script>" not in html  # nothing inline: the CSP allows scripts from files only
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    # The deciding questions themselves never hide.
    assert "data-show-when" not in _wrapper(page(client, nid, "contact"), "field-dpo-appointed")
    script = client.get("/static/js/show-when.js")
    assert script.status_code == 200 and b"data-show-when" in script.data


def test_a_hidden_field_keeps_what_it_holds(client, make_owner, session):
    make_owner("anna@a.fi", "Anna Oy")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    form = {"dpo.appointed": "yes", "dpo.name": "Tuula Virtanen", "dpo.email": "dpo@anna.fi"}
    assert save(client, nid, "contact", form).status_code == 302
    # "No" hides the officer's fields in the browser; they are still sent, and kept.
    assert save(client, nid, "contact", {**form, "dpo.appointed": "no"}).status_code == 302
    dpo = stored(session, nid).draft["dpo"]
    assert dpo["appointed"] is False and dpo["name"] == "Tuula Virtanen" and dpo["email"] == "dpo@anna.fi"
    assert 'value="Tuula Virtanen"' in page(client, nid, "contact")


def test_a_field_holding_a_contradiction_or_a_proposal_is_never_hidden(client, make_owner):
    make_owner("anna@a.fi", "Anna Oy")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    save(client, nid, "data", {"special_categories_used": "no", "special_categories": ["health"]})
    html = page(client, nid, "data")
    assert "data-show-when" not in _wrapper(html, "field-special_categories")
    nid = new_notice(client, title="Verkkokauppa", starter="webshop_customers")
    html = page(client, nid, "cookies")
    assert 'id="proposal-cookies"' in html
    assert "data-show-when" not in _wrapper(html, "field-cookies-text")


# --- the plan's language limit and the template choice ----------------------------------------


def test_the_free_plan_language_limit_is_shown_at_the_languages_field(client, make_owner):
    make_owner("anna@a.fi", "Anna Oy", language="en", plan="free")
    login(client, "anna@a.fi")
    html = client.get("/app/notices/new").get_data(as_text=True)
    assert not re.search(r'name="starter" value="[^"]*" checked', html)
    limit = html.index('id="languages-limit"')
    assert html.index("Languages of the notice") < limit < html.index("Create the notice")
    nid = new_notice(client)
    basics = page(client, nid, "basics")
    assert "Your plan allows 1 language per notice." in basics
    assert basics.index('id="notice-languages"') < basics.index('id="languages-limit"')
