"""The notice wizard through its views: create, save each step, lists, errors, rights, preview."""

import re

from sqlalchemy import select

from tenants.notices import service
from tenants.notices.models import Notice
from tenants.scoping import unscoped

from .conftest import login

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


def new_notice(client, title="Asiakasrekisteri", languages=("fi",), primary="fi", starter=""):
    r = client.post_form(
        "/app/notices/new",
        {"title": title, "starter": starter, "languages": list(languages), "primary_language": primary},
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.headers["Location"].split("/")[3])


def stored(session, notice_id) -> Notice:
    with unscoped(session):
        session.expire_all()
        return session.scalar(select(Notice).where(Notice.id == notice_id))


def page(client, notice_id, step):
    r = client.get(f"/app/notices/{notice_id}/steps/{step}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def save(client, notice_id, step, data, action="save"):
    return client.post_form(f"/app/notices/{notice_id}/steps/{step}", {**data, "action": action})


def test_new_notice_is_prefilled_from_tenant_and_user(client, make_owner, session):
    make_owner("anna@a.fi", "Anna Oy")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    notice = stored(session, nid)
    assert notice.slug == "asiakasrekisteri" and notice.languages == ["fi"]
    assert notice.draft["controller"]["name"] == "Anna Oy"
    assert notice.draft["controller"]["business_id"] == "2617416-4"
    assert notice.draft["contact"]["email"] == "anna@a.fi"
    assert notice.draft["register_name"] == {"fi": "Asiakasrekisteri"}
    assert 'value="Anna Oy"' in page(client, nid, "basics")


def test_new_notice_errors_keep_what_was_typed(client, make_owner):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    r = client.post_form("/app/notices/new", {"title": "Rekrytointi", "primary_language": "fi"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'id="languages-error"' in html
    assert 'value="Rekrytointi"' in html


def test_every_step_renders_and_next_walks_in_order(client, make_owner, session):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    for here, there in zip(STEPS, STEPS[1:], strict=False):
        r = client.post_form(
            f"/app/notices/{nid}/steps/{here}", {"action": "next", **_current_values(client, nid, here)}
        )
        assert r.status_code == 302, (here, r.get_data(as_text=True)[-2000:])
        assert r.headers["Location"] == f"/app/notices/{nid}/steps/{there}"
    assert stored(session, nid).last_step == "rights"
    # Leaving and coming back resumes where the user was.
    assert client.get(f"/app/notices/{nid}").headers["Location"].endswith("/steps/rights")


def _current_values(client, nid, step):
    """The form as the browser would send it unchanged."""
    html = page(client, nid, step)
    values = {}
    for name, value in re.findall(
        r'<input class="input" type="(?:text|email)" name="([^"]+)" value="([^"]*)"', html
    ):
        values[name] = value
    for name, value in re.findall(r'type="hidden" name="([^"]+\.(?:count|key))" value="([^"]*)"', html):
        values[name] = value
    for name, value in re.findall(r'type="checkbox" name="([^"]+)" value="([^"]+)"[^>]*checked', html):
        values.setdefault(name, [])
        values[name] = [*values[name], value] if isinstance(values[name], list) else [value]
    for name in re.findall(r'<select class="input" name="([^"]+)"', html):
        block = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        chosen = re.search(r'<option value="([^"]*)" selected', block)
        values[name] = chosen.group(1) if chosen else ""
    return values


def test_legal_basis_change_updates_the_rights(client, make_owner):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client, languages=("fi", "en"), primary="fi")
    save(
        client,
        nid,
        "purposes",
        {
            "purposes.count": "1",
            "purposes.0.description.fi": "Uutiskirje",
            "purposes.0.description.en": "Newsletter",
            "purposes.0.legal_basis": "consent",
            "processed_electronically": "y",
        },
    )
    rights = page(client, nid, "rights")
    assert 'value="withdraw_consent"' in rights and 'value="portability"' in rights
    assert 'value="objection"' not in rights
    save(
        client,
        nid,
        "purposes",
        {
            "purposes.count": "1",
            "purposes.0.description.fi": "Uutiskirje",
            "purposes.0.description.en": "Newsletter",
            "purposes.0.legal_basis": "legitimate_interests",
        },
    )
    rights = page(client, nid, "rights")
    assert 'value="withdraw_consent"' not in rights and 'value="objection"' in rights


def test_invalid_email_shows_error_and_keeps_everything_typed(client, make_owner, session):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    r = save(
        client,
        nid,
        "contact",
        {
            "contact.name": "Maija Meikäläinen",
            "contact.email": "maija(at)firma",
            "contact.phone": "040 123 4567",
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'id="contact-email-error"' in html and 'aria-invalid="true"' in html
    assert (
        'value="Maija Meikäläinen"' in html
        and 'value="maija(at)firma"' in html
        and 'value="040 123 4567"' in html
    )
    assert stored(session, nid).draft["contact"]["name"] != "Maija Meikäläinen"  # nothing half-saved


def test_list_rows_are_added_and_removed(client, make_owner, session):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    r = save(
        client,
        nid,
        "data",
        {"data_categories.count": "1", "data_categories.0.fi": "Nimi"},
        action="add:data_categories",
    )
    assert r.headers["Location"].endswith("?add=data_categories#data_categories")
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'name="data_categories.count" value="2"' in html
    save(
        client,
        nid,
        "data",
        {
            "data_categories.count": "3",
            "data_categories.0.fi": "Nimi",
            "data_categories.1.fi": "Puhelinnumero",
            "data_categories.2.fi": "  ",
        },
    )
    assert stored(session, nid).draft["data_categories"] == [{"fi": "Nimi"}, {"fi": "Puhelinnumero"}]
    save(
        client,
        nid,
        "data",
        {
            "data_categories.count": "2",
            "data_categories.0.fi": "Nimi",
            "data_categories.1.fi": "Puhelinnumero",
        },
        action="remove:data_categories:0",
    )
    assert stored(session, nid).draft["data_categories"] == [{"fi": "Puhelinnumero"}]


def test_texts_of_a_dropped_language_are_kept(client, make_owner, session):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client, languages=("fi", "sv"))
    save(client, nid, "retention", {"retention.fi": "Kaksi vuotta", "retention.sv": "Två år"})
    values = _current_values(client, nid, "basics")
    values["notice.languages"] = ["fi"]
    save(client, nid, "basics", values)
    assert stored(session, nid).languages == ["fi"]
    save(client, nid, "retention", {"retention.fi": "Kolme vuotta"})
    assert stored(session, nid).draft["retention"] == {"sv": "<p>Två år</p>", "fi": "<p>Kolme vuotta</p>"}


def test_preview_renders_the_draft_and_escapes_tenant_text(client, make_owner):
    make_owner("anna@a.fi", "Anna Oy")
    login(client, "anna@a.fi")
    nid = new_notice(client, languages=("fi", "sv"))
    save(
        client,
        nid,
        "basics",
        {
            **_current_values(client, nid, "basics"),
            "register_name.fi": "Asiakkaat <script>alert(1)</script>",
            "register_name.sv": "Kunder",
        },
    )
    save(
        client,
        nid,
        "retention",
        {"retention.fi": "Kaksi <b>vuotta</b> <img src=x onerror=alert(1)>", "retention.sv": "Två år"},
    )
    html = client.get(f"/app/notices/{nid}/preview").get_data(as_text=True)
    assert '<html lang="fi">' in html
    assert "<script>alert(1)</script>" not in html and "onerror" not in html
    assert "Kaksi <b>vuotta</b>" in html
    assert "Tietosuojavaltuutetun toimisto" in html  # the complaint section, from one place in the code
    sv = client.get(f"/app/notices/{nid}/preview?in=sv").get_data(as_text=True)
    assert '<html lang="sv">' in sv and "Kunder" in sv and "Dataombudsmannens byrå" in sv
    assert client.get(f"/app/notices/{nid}/preview?in=en").status_code == 404


def test_unknown_step_is_404(client, make_owner):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    assert client.get(f"/app/notices/{nid}/steps/nope").status_code == 404


def test_dashboard_lists_notices_with_state_and_completeness(client, make_owner):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    new_notice(client, title="Rekrytointi")
    html = client.get("/app/").get_data(as_text=True)
    assert "Rekrytointi" in html and "status--open" in html


def test_notice_address_can_change_while_draft_and_must_be_valid(client, make_owner, session):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client, title="Asiakasrekisteri")
    other = new_notice(client, title="Rekrytointi")
    values = _current_values(client, nid, "basics")
    r = save(client, nid, "basics", {**values, "notice.slug": "asiakkaat"})
    assert r.status_code == 302 and stored(session, nid).slug == "asiakkaat"
    r = save(client, nid, "basics", {**values, "notice.slug": "Ei Kelpaa!"})
    assert r.status_code == 200 and 'id="notice-slug-error"' in r.get_data(as_text=True)
    r = save(client, nid, "basics", {**values, "notice.slug": stored(session, other).slug})
    assert r.status_code == 200 and 'id="notice-slug-error"' in r.get_data(as_text=True)
    assert stored(session, nid).slug == "asiakkaat"


def test_starter_name_is_the_default_title_and_templates_come_in_a_sensible_order(
    client, make_owner, session
):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    html = client.get("/app/notices/new").get_data(as_text=True)
    order = re.findall(r'name="starter" value="([a-z_]+)"', html)
    assert order[0] == "customer_register" and len(order) >= 7
    nid = new_notice(client, title="", starter="recruitment", languages=("sv",), primary="sv")
    notice = stored(session, nid)
    assert notice.title == service.starters()["recruitment"].name["sv"]
    assert notice.draft["purposes"] and set(notice.draft["retention"]) == {"sv"}
