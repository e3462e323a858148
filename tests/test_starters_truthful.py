"""A starter proposes texts and answers nothing: untouched, it is blocked with exactly what the firm
must answer and confirm; answered and confirmed (one click per section, recorded), it publishes."""

import pytest

from tenants.errors import ValidationFailed
from tenants.notices import publishing, service
from tenants.scoping import scoped_to

from .conftest import now
from .support import answer_starter

UNANSWERED = [
    "controller_no_contact_details",  # the organisation has no address yet, and no login email is used
    "controller_unconfirmed",  # nobody has yet said that the organisation's details are right here
    "dpo_unanswered",
    "special_categories_unanswered",
    "collected_from_unanswered",  # Art. 13 or Art. 14: where the data come from is the firm's answer
    "transfers_unanswered",
    "cookies_unanswered",
    "automated_unanswered",
    "requirement_unanswered",
]
COMMON = ["purposes", "requirement", "data_subjects", "data_categories"]
TAIL = ["sources", "recipients", "retention", "security"]
PROPOSALS = {
    "customer_register": [*COMMON, *TAIL, "rights"],
    "webshop_customers": ["purposes", "consent_withdrawal", *COMMON[1:], *TAIL, "cookies", "rights"],
    "newsletter_marketing": ["purposes", "consent_withdrawal", *COMMON[1:], *TAIL, "cookies", "rights"],
    "recruitment": ["purposes", "consent_withdrawal", *COMMON[1:], *TAIL, "rights"],
    "staff": [*COMMON, "special_categories", "personal_identity_code", *TAIL, "rights"],
    "association_members": ["purposes", "consent_withdrawal", *COMMON[1:], *TAIL, "rights"],
    "camera_surveillance": [*COMMON, *TAIL, "rights"],
}


def test_every_starter_is_covered():
    assert set(PROPOSALS) == set(service.starters())


def _new(session, user, tenant, starter):
    return service.create_notice(
        session,
        tenant.id,
        by_user_id=user.id,
        title="",
        languages=["fi", "sv", "en"],
        primary_language="fi",
        starter_key=starter,
        now=now(),
    )


@pytest.mark.parametrize("starter", list(PROPOSALS))
def test_untouched_starter_is_blocked_with_exact_questions_and_proposals(make_owner, session, starter):
    user, tenant = make_owner(f"{starter.replace('_', '')}@firma.fi", "Firma Oy")
    with scoped_to(session, tenant.id, user.id):
        notice = _new(session, user, tenant, starter)
        report = service.completeness(notice)
        blocking = [i.code for i in report.blocking if i.code != "proposal_unconfirmed"]
        proposals = [i.params["section"] for i in report.blocking if i.code == "proposal_unconfirmed"]
        assert blocking == UNANSWERED
        assert proposals == PROPOSALS[starter]
        with pytest.raises(ValidationFailed):
            publishing.publish(
                session,
                tenant.id,
                notice.id,
                by_user_id=user.id,
                prepared_on=None,
                change_note="",
                today=now().date(),
                now=now(),
            )


def test_answering_and_confirming_each_section_makes_it_publishable_and_is_recorded(make_owner, session):
    user, tenant = make_owner("maija@firma.fi", "Firma Oy")
    with scoped_to(session, tenant.id, user.id):
        notice = _new(session, user, tenant, "customer_register")
        answer_starter(session, tenant.id, user.id, notice)
        assert service.completeness(notice).ready
        record = notice.confirmed_sections["retention"]
        assert record["by"] == user.id and record["at"] and set(record["hashes"]) == {"fi", "sv", "en"}
        version = publishing.publish(
            session,
            tenant.id,
            notice.id,
            by_user_id=user.id,
            prepared_on=None,
            change_note="",
            today=now().date(),
            now=now(),
        )
        assert version.number == 1


def test_an_edited_section_needs_no_confirmation_and_a_confirmed_one_stays_confirmed(make_owner, session):
    user, tenant = make_owner("liisa@firma.fi", "Firma Oy")
    with scoped_to(session, tenant.id, user.id):
        notice = _new(session, user, tenant, "customer_register")
        draft = service.draft_of(notice)
        draft.retention = {lang: "<p>Kaksi vuotta viimeisestä ostosta.</p>" for lang in ("fi", "sv", "en")}
        service.save_draft(session, tenant.id, notice.id, draft, step=None, now=now())
        assert "retention" not in service.proposals_open(notice)
        assert service.confirm_section(
            session, tenant.id, notice.id, "security", by_user_id=user.id, now=now()
        )
        assert "security" not in service.proposals_open(notice)
        # nothing to confirm: an edited section, or one that is not a section
        assert not service.confirm_section(
            session, tenant.id, notice.id, "retention", by_user_id=user.id, now=now()
        )
        assert not service.confirm_section(
            session, tenant.id, notice.id, "nonsense", by_user_id=user.id, now=now()
        )


def test_blank_notice_has_no_proposals_but_unanswered_questions(make_owner, session):
    user, tenant = make_owner("pekka@firma.fi", "Firma Oy")
    with scoped_to(session, tenant.id, user.id):
        notice = service.create_notice(
            session,
            tenant.id,
            by_user_id=user.id,
            title="Oma",
            languages=["fi"],
            primary_language="fi",
            starter_key=None,
            now=now(),
        )
        codes = [i.code for i in service.completeness(notice).blocking]
        assert "proposal_unconfirmed" not in codes
        assert set(UNANSWERED) <= set(codes)


def test_adding_a_language_fills_it_from_the_starter_where_the_text_is_unchanged(make_owner, session):
    user, tenant = make_owner("kielet@firma.fi", "Firma Oy")
    with scoped_to(session, tenant.id, user.id):
        notice = service.create_notice(
            session,
            tenant.id,
            by_user_id=user.id,
            title="Asiakkaat",
            languages=["fi"],
            primary_language="fi",
            starter_key="customer_register",
            now=now(),
        )
        draft = service.draft_of(notice)
        draft.retention = {"fi": "<p>Kaksi vuotta viimeisestä ostosta.</p>"}  # the firm's own words
        service.save_draft(session, tenant.id, notice.id, draft, step=None, now=now())
        service.update_settings(
            session,
            tenant.id,
            notice.id,
            title="Asiakkaat",
            languages=["fi", "sv"],
            primary_language="fi",
            now=now(),
        )
        draft = service.draft_of(notice)
        starter = service.starter_draft("customer_register", ["sv"])
        assert draft.security.electronic["sv"] == starter["security"]["electronic"]["sv"]
        assert draft.purposes[0].description["sv"] == starter["purposes"][0]["description"]["sv"]
        assert "sv" not in draft.retention  # changed by the firm: not filled with a text that says otherwise
        # the filled Swedish texts are proposals to confirm like the Finnish ones were
        assert "security" in service.proposals_open(notice)


def _draft(key):
    return service.starters()[key].draft


def _text(value):
    return " ".join(value.values()) if isinstance(value, dict) else str(value)


def test_camera_starter_does_not_tell_employees_they_can_avoid_the_cameras():
    consequences = _draft("camera_surveillance")["requirement"]["consequences"]
    # True: visitors can stay away; employees cannot, and are told before the surveillance begins.
    for lang, employee, cannot in (
        ("fi", "Työntekijä", "ei voi välttää"),
        ("sv", "En anställd", "kan inte undvika"),
        ("en", "An employee", "cannot avoid"),
    ):
        assert employee in consequences[lang] and cannot in consequences[lang]
        assert "759/2004" in consequences[lang]
    # False: the old sentence that told everyone, staff included, to avoid the monitored areas.
    assert "vältä alueita" not in consequences["fi"]
    assert "undvik de områden" not in consequences["sv"]
    assert "If you do not want to be filmed, avoid" not in consequences["en"]


def test_recruitment_starter_limits_data_to_what_is_directly_necessary_and_names_its_retention_laws():
    draft = _draft("recruitment")
    purpose = draft["purposes"][0]["description"]
    assert "välittömästi tarpeellisia" in purpose["fi"] and "759/2004" in purpose["fi"]
    assert "direkt nödvändiga" in purpose["sv"]
    assert "directly necessary" in purpose["en"]
    assert "ovat tarpeen työsuhteen kannalta" not in purpose["fi"]  # the weaker wording of the law is gone
    for lang in ("fi", "sv", "en"):
        retention = draft["retention"][lang]
        assert "609/1986" in retention and "1325/2014" in retention and "47" in retention
    assert "laissa säädetyn määräajan" not in draft["retention"]["fi"]  # no unnamed "time limit set by law"


def test_customer_register_names_carriers_payment_and_collection_and_its_retention_sources():
    draft = _draft("customer_register")
    recipients = [_text(r) for r in draft["recipients"]]
    for word in (
        "Kuljetus",
        "Maksupalvelujen",
        "Perintätoimisto",
        "Transport",
        "inkassobyrå",
        "Carriers",
        "debt collection",
    ):
        assert any(word in r for r in recipients), word
    # The closing "otherwise we disclose to no one" stays the last item, after every named recipient.
    assert "Muuten emme luovuta" in draft["recipients"][-1]["fi"]
    for lang in ("fi", "sv", "en"):
        assert "1336/1997" in draft["retention"][lang] and "728/2003" in draft["retention"][lang]
    # False: a starter without these recipients (the staff starter) does not get them.
    assert not any("Perintätoimisto" in _text(r) for r in _draft("staff")["recipients"])


def test_staff_retention_ties_each_period_to_its_law():
    retention = _draft("staff")["retention"]
    for lang in ("fi", "sv", "en"):
        items = retention[lang].split("<li>")[1:]
        assert len(items) == 3
        assert "55/2001" in items[0] and "728/2003" in items[0]  # pay and working-time data: claims
        certificate = ("6 luku 7 §", "6 kap. 7 §", "chapter 6, section 7")  # TSL 6:7
        assert any(ref in items[1] for ref in certificate)
        assert "1336/1997" in items[2]  # accounts
        assert "759/2004" in retention[lang]  # health data
