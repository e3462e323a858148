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
    "dpo_unanswered",
    "special_categories_unanswered",
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
