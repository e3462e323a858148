"""The notice wizard through its views: create, save each step, lists, errors, rights, preview."""

import re
from types import SimpleNamespace

import pytest
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
    assert notice.draft["controller"]["email"] == ""  # never the login email, silently
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
    # The last "Save and continue" took the user to the review step: that is where they are.
    assert stored(session, nid).last_step == "review"
    # Leaving and coming back resumes where the user was.
    assert client.get(f"/app/notices/{nid}").headers["Location"].endswith("/steps/review")


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


def test_coming_back_resumes_on_the_step_the_user_was_on(client, make_owner, session):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    r = save(client, nid, "contact", _current_values(client, nid, "contact"), action="goto:retention")
    assert r.headers["Location"].endswith("/steps/retention")
    assert client.get(f"/app/notices/{nid}").headers["Location"].endswith("/steps/retention")
    r = save(client, nid, "retention", {"retention.fi": "Kaksi vuotta"}, action="back")
    assert client.get(f"/app/notices/{nid}").headers["Location"].endswith("/steps/recipients")
    # Opening a step from a link (the completeness report's, say) counts too.
    page(client, nid, "cookies")
    assert client.get(f"/app/notices/{nid}").headers["Location"].endswith("/steps/cookies")


MALFORMED_ACTIONS = [
    "remove:data_categories",
    "remove:data_categories:",
    "remove:data_categories:x",
    "remove:data_categories:-1",
    "remove:data_categories:\u00b2",
    "remove:data_categories:1:2",
    "remove:nope:0",
    "remove:",
    "remove",
    "remove:::",
    "goto:",
    "goto:nope",
    "add:",
    "add:nope",
    "add:data_categories\r\nX-Injected: 1",
    "next:",
    "jump",
    "",
    "x" * 5000,
]


@pytest.mark.parametrize("action", MALFORMED_ACTIONS, ids=range(len(MALFORMED_ACTIONS)))
def test_a_malformed_action_is_a_plain_save(client, make_owner, session, action):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    r = save(
        client,
        nid,
        "data",
        {"data_categories.count": "2", "data_categories.0.fi": "Nimi", "data_categories.1.fi": "Osoite"},
        action=action,
    )
    assert r.status_code == 302
    assert r.headers["Location"] == f"/app/notices/{nid}/steps/data"
    assert stored(session, nid).draft["data_categories"] == [{"fi": "Nimi"}, {"fi": "Osoite"}]


def test_choosing_another_member_as_contact_takes_their_name_and_email(client, make_owner, session):
    from tenants import accounts
    from tenants.scoping import scoped_to

    from .conftest import PASSWORD, now

    owner, tenant = make_owner("anna@a.fi")
    with unscoped(session):
        colleague = accounts.create_user(
            session, email="ville@a.fi", name="Ville Virtanen", password=PASSWORD, language="fi", now=now()
        )
    # Plain ids: the test session acts as no user when the rows are expired later.
    owner, colleague = SimpleNamespace(id=owner.id), SimpleNamespace(id=colleague.id)
    with scoped_to(session, tenant.id, owner.id):
        accounts.add_member(session, tenant.id, colleague.id, "handler", now())
    session.commit()
    login(client, "anna@a.fi")
    nid = new_notice(client)
    values = _current_values(client, nid, "contact")
    assert values["contact.member_user_id"] == str(owner.id) and values["contact.email"] == "anna@a.fi"
    save(client, nid, "contact", {**values, "contact.member_user_id": str(colleague.id)})
    contact = stored(session, nid).draft["contact"]
    assert (contact["member_user_id"], contact["name"], contact["email"]) == (
        colleague.id,
        "Ville Virtanen",
        "ville@a.fi",
    )
    # The same member again: what the user typed over the member's details stays.
    values = _current_values(client, nid, "contact")
    save(client, nid, "contact", {**values, "contact.email": "asiakaspalvelu@a.fi"})
    contact = stored(session, nid).draft["contact"]
    assert (contact["name"], contact["email"]) == ("Ville Virtanen", "asiakaspalvelu@a.fi")


@pytest.mark.parametrize("title", ["Request", "History", "V", "Diff", "Feed"])
def test_a_notice_named_like_a_public_route_gets_a_free_address(client, make_owner, session, title):
    from tenants.validation import check_notice_slug

    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client, title=title)
    slug = stored(session, nid).slug
    assert slug == f"{title.lower()}-1"
    assert check_notice_slug(slug) == slug
    again = new_notice(client, title=title)
    assert stored(session, again).slug == f"{title.lower()}-2"


def test_an_address_cut_from_a_long_title_is_valid(client, make_owner, session):
    from tenants.validation import check_notice_slug

    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client, title="a" * 49 + " rekisteri")
    slug = stored(session, nid).slug
    assert slug == "a" * 49 and check_notice_slug(slug) == slug


@pytest.mark.parametrize("word", ["request", "requests", "v", "history", "diff", "feed"])
def test_a_notice_address_cannot_be_a_public_route_word(client, make_owner, session, word):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    values = _current_values(client, nid, "basics")
    r = save(client, nid, "basics", {**values, "notice.slug": word})
    assert r.status_code == 200 and 'id="notice-slug-error"' in r.get_data(as_text=True)
    assert stored(session, nid).slug == "asiakasrekisteri"


def test_words_of_the_public_routes_under_a_tenant_are_reserved_for_notices(app):
    """Every fixed word of a route /<tenant>/<word>… is refused as a notice's address."""
    from tenants.errors import ValidationFailed
    from tenants.validation import check_notice_slug

    words = set()
    for rule in app.url_map.iter_rules():
        parts = rule.rule.split("/")
        if len(parts) > 2 and parts[1] == "<slug:tenant_slug>":
            words |= {p for p in parts[2:] if p and "<" not in p and "." not in p}
    assert "request" in words and "history" in words
    for word in words:
        with pytest.raises(ValidationFailed):
            check_notice_slug(word)


def test_an_over_long_list_item_is_an_error_next_to_it_and_nothing_is_lost(client, make_owner, session):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    long_text = "Ostohistoria " + "x" * 2100
    r = save(
        client,
        nid,
        "data",
        {
            "data_categories.count": "3",
            "data_categories.0.fi": "Nimi",
            "data_categories.1.fi": "",
            "data_categories.2.fi": long_text,
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    # The empty row is gone, so the long one is shown second, with its error beside it.
    assert 'id="data_categories-1-fi-error"' in html
    assert re.search(r'id="data_categories-1-fi"[^>]*aria-invalid="true"', html)
    assert f'value="{long_text}"' in html
    assert stored(session, nid).draft["data_categories"] != [{"fi": "Nimi"}, {"fi": long_text[:2000]}]


def test_an_over_long_line_is_an_error_not_cut(client, make_owner, session):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    name = "Maija " + "M" * 400
    r = save(client, nid, "contact", {**_current_values(client, nid, "contact"), "contact.name": name})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="contact-name-error"' in html and f'value="{name}"' in html
    assert stored(session, nid).draft["contact"]["name"] != name[:300]


def test_the_preview_shows_the_date_prepared_like_the_public_page(client, make_owner):
    from webapp.i18n import format_day, helsinki_today

    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    html = client.get(f"/app/notices/{nid}/preview").get_data(as_text=True)
    meta = re.search(r'<p class="notice-meta">(.*?)</p>', html, re.S).group(1)
    assert "Laatimispäivä" in meta and format_day(helsinki_today(), "fi") in meta


def _all_fields(fields, prefix=""):
    for f in fields:
        yield prefix + f.path, f
        if f.kind == "group":
            yield from _all_fields(f.fields, f"{prefix}{f.path}.N.")


def test_every_field_has_help_and_every_text_field_an_example():
    from webapp.notices.steps import STEPS

    takes_text = {"line", "email", "text", "rich", "list"}
    fields = [(step.key, path, f) for step in STEPS for path, f in _all_fields(step.fields)]
    assert len(fields) > 50
    no_help = [(key, path) for key, path, f in fields if not f.help or not str(f.help).strip()]
    no_example = [(key, path) for key, path, f in fields if f.kind in takes_text and not f.example]
    assert no_help == []
    assert no_example == []


def test_leaving_the_review_step_saves_nothing(client, make_owner, session):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    before = stored(session, nid).updated_at
    r = save(client, nid, "review", {}, action="goto:retention")
    assert r.headers["Location"].endswith("/steps/retention")
    notice = stored(session, nid)
    assert notice.updated_at == before and notice.last_step == "retention"


def _with_texts(client, nid, step):
    """The form as sent unchanged, text areas included."""
    import html as htmllib

    values = _current_values(client, nid, step)
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page(client, nid, step), re.S
    ):
        values[name] = htmllib.unescape(value)
    return values


def test_review_lists_questions_and_proposals_in_step_order_and_a_click_confirms(client, make_owner, session):
    make_owner("anna@a.fi", language="en")
    login(client, "anna@a.fi")
    nid = new_notice(client, starter="customer_register")
    review = page(client, nid, "review")
    blocking = review.split("report-list", 1)[1].split("</ul>", 1)[0]
    targets = re.findall(r'class="finding-link" data-step="([a-z]+)"', blocking)
    assert len(targets) > 10 and targets == sorted(targets, key=STEPS.index)  # in the order of the steps
    assert blocking.count("proposal, not yet confirmed. Confirm") == 2 * 9  # the line and its button
    assert "Say whether data are transferred outside the EU or the EEA." in blocking
    assert "Retention period: proposal, not yet confirmed." in blocking
    # the step marks the proposal; one click confirms it, records who, and says so
    retention = page(client, nid, "retention")
    assert 'id="proposal-retention"' in retention and "Proposal, not yet confirmed" in retention
    assert "(proposal to confirm)" in retention and "(needs an answer)" in retention
    r = save(client, nid, "retention", _with_texts(client, nid, "retention"), action="confirm:retention")
    assert r.status_code == 302 and r.headers["Location"].endswith("#proposal-retention")
    after = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Confirmed as your text: Retention period." in after and 'id="proposal-retention"' not in after
    notice = stored(session, nid)
    assert notice.confirmed_sections["retention"]["by"] == notice.created_by_id
    assert "Retention period: proposal" not in page(client, nid, "review")
    # a plain save says that it saved
    r = save(client, nid, "sources", _with_texts(client, nid, "sources"))
    assert "Saved." in client.get(r.headers["Location"]).get_data(as_text=True)


def test_a_new_notice_starts_from_a_choice_and_the_free_language_limit_is_shown(client, make_owner, session):
    make_owner("anna@a.fi", language="en", plan="free")
    login(client, "anna@a.fi")
    html = client.get("/app/notices/new").get_data(as_text=True)
    assert not re.search(r'name="starter" value="[^"]*" checked', html)  # not even "blank"
    assert 'id="languages-limit"' in html and "Your plan allows 1 language per notice." in html
    r = client.post_form("/app/notices/new", {"title": "X", "languages": ["fi"], "primary_language": "fi"})
    assert r.status_code == 200 and 'id="starter-error"' in r.get_data(as_text=True)
    assert new_notice(client, title="Tyhjä", starter="")  # blank, when chosen


def test_every_proposal_section_is_marked_at_a_field_of_its_step():
    from tenants.notices.proposals import FIELD_OF_SECTION, STEP_OF_SECTION
    from webapp.notices.steps import BY_KEY

    for section, step in STEP_OF_SECTION.items():
        assert FIELD_OF_SECTION[section] in {f.path for f in BY_KEY[step].fields}, section


def test_criminal_data_are_asked_apart_from_the_special_categories(client, make_owner, session):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    page = client.get(f"/app/notices/{nid}/steps/data").get_data(as_text=True)
    assert 'name="criminal_data"' in page and 'name="criminal_justification.fi"' in page
    assert 'value="criminal"' not in page  # no longer a special-category checkbox
    form = {"criminal_data": "y", "criminal_justification.fi": "<p>Laki 504/2002.</p>"}
    assert save(client, nid, "data", form).status_code == 302
    draft = stored(session, nid).draft
    assert draft["criminal_data"] is True and draft["special_categories"] == []
    assert "504/2002" in draft["criminal_justification"]["fi"]
    save(client, nid, "data", {"criminal_justification.fi": "<p>Laki 504/2002.</p>"})
    assert stored(session, nid).draft["criminal_data"] is False


def test_where_the_data_come_from_is_asked_with_the_sources_and_decides_the_requirement_question(
    client, make_owner, session
):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    sources = page(client, nid, "sources")
    assert 'name="collected_from"' in sources and 'name="sources_public"' in sources
    assert '<option value="">' in sources  # nothing chosen for the firm
    assert stored(session, nid).draft["collected_from"] is None
    # The person gives the data: the requirement is asked.
    form = {"collected_from": "data_subject", "sources.count": "0"}
    assert save(client, nid, "sources", form).status_code == 302
    assert stored(session, nid).draft["collected_from"] == "data_subject"
    assert 'name="requirement.kind"' in page(client, nid, "purposes")
    purposes = _current_values(client, nid, "purposes")
    purposes["requirement.kind"] = "contractual"
    assert save(client, nid, "purposes", purposes).status_code == 302
    # Only from elsewhere: the question is shown as not asked, and saving the step keeps the answer.
    form = {
        "collected_from": "elsewhere",
        "sources_public": "yes",
        "sources.count": "1",
        "sources.0.fi": "Kaupparekisteri",
    }
    assert save(client, nid, "sources", form).status_code == 302
    draft = stored(session, nid).draft
    assert draft["collected_from"] == "elsewhere" and draft["sources_public"] is True
    html = page(client, nid, "purposes")
    assert 'name="requirement.kind"' not in html and 'name="requirement.consequences.fi"' not in html
    assert "Ei kysytä tässä selosteessa" in html  # the interface speaks Finnish
    assert save(client, nid, "purposes", _current_values(client, nid, "purposes")).status_code == 302
    assert stored(session, nid).draft["requirement"]["kind"] == "contractual"
    # A value that is not one of the options is refused.
    r = save(client, nid, "sources", {"collected_from": "somewhere", "sources.count": "0"})
    assert r.status_code == 200 and stored(session, nid).draft["collected_from"] == "elsewhere"


def test_each_transfer_asks_how_to_get_a_copy_of_its_safeguards(client, make_owner, session):
    make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    nid = new_notice(client)
    assert 'name="transfers.items.0.copy_how.fi"' in page(client, nid, "recipients")
    form = {
        "recipients.count": "0",
        "transfers.outside_eea": "yes",
        "transfers.items.count": "1",
        "transfers.items.0.country": "Yhdysvallat",
        "transfers.items.0.safeguard": "scc",
    }
    assert save(client, nid, "recipients", form).status_code == 302
    review = page(client, nid, "review")
    assert "Kerro, miten suojatoimista saa kopion" in review and "Yhdysvallat" in review
    form["transfers.items.0.copy_how.fi"] = "Pyydä kopio sähköpostitse."
    assert save(client, nid, "recipients", form).status_code == 302
    item = stored(session, nid).draft["transfers"]["items"][0]
    assert "Pyydä kopio sähköpostitse." in item["copy_how"]["fi"]
    assert "Kerro, miten suojatoimista saa kopion" not in page(client, nid, "review")
