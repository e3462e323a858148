"""The request workflow in the domain: submit, verify, duplicates, handling, extension, closing."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from tenants.errors import ValidationFailed
from tenants.requests import service
from tenants.requests.service import NewRequest
from tenants.scoping import scoped_to, unscoped

NOW = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


@pytest.fixture
def tenant(make_owner, session):
    user, tenant = make_owner("kasittelija@firma.fi", "Firma Oy")
    return user, tenant


def submit(session, tenant, **changes):
    user, t = tenant
    data = NewRequest(
        **{
            "type": "access",
            "name": "Maija Meikäläinen",
            "email": "maija@example.fi",
            "details": "Haluan kopion tiedoistani.",
            **changes,
        }
    )
    with scoped_to(session, t.id, user.id):
        request = service.submit_request(session, t.id, None, data, now=NOW)
    session.commit()
    return request


def verify(session, tenant, request, today=date(2026, 1, 31)):
    user, t = tenant
    with scoped_to(session, t.id, user.id):
        service.verify_request(session, t.id, request.id, today=today, now=NOW)
    session.commit()
    return request


def test_submit_is_the_receipt_and_verify_opens_the_request(session, tenant):
    request = submit(session, tenant, details="Tunnukseni 131052-308T")
    assert request.status == "unverified" and request.due_on is None and request.contains_hetu
    verify(session, tenant, request)
    assert request.status == "open" and request.received_on == date(2026, 1, 31)
    assert request.due_on == date(2026, 2, 28)


def test_bad_input_is_refused_with_the_field(session, tenant):
    for changes, field in [
        ({"name": " "}, "name"),
        ({"email": "maija(at)x"}, "email"),
        ({"type": "bribe"}, "type"),
        ({"details": "x" * 5001}, "details"),
    ]:
        with pytest.raises(ValidationFailed) as err:
            submit(session, tenant, **changes)
        assert err.value.field == field
        session.rollback()


def test_a_request_checked_for_another_organisation_is_checked_again(session, tenant, make_owner):
    user, t = tenant
    _other_user, other = make_owner("toinen@yritys.fi", "Yritys Oy")
    typed = NewRequest("access", "  Maija   Meikäläinen ", "Maija@Example.FI", "Haluan kopion.")
    with scoped_to(session, t.id, user.id):
        checked = service.check_new_request(session, t.id, None, typed)
        request = service.submit_request(session, t.id, None, checked, now=NOW)
    assert (request.name, request.email) == ("Maija Meikäläinen", "maija@example.fi")
    # A request checked for one organisation is not taken as checked by another: checked again, a
    # bad one is refused there.
    bad = service.check_new_request(session, t.id, None, typed)
    bad = type(bad)(**{**bad.__dict__, "email": "maija(at)x"})
    with scoped_to(session, other.id, None), pytest.raises(ValidationFailed) as refused:
        service.submit_request(session, other.id, None, bad, now=NOW)
    assert refused.value.problems == {"email": "email_invalid"}


def test_duplicates_are_linked_not_doubled(session, tenant):
    first = verify(session, tenant, submit(session, tenant))
    second = verify(
        session, tenant, submit(session, tenant, details="Myös laskut, kiitos."), today=date(2026, 2, 3)
    )
    other_type = verify(session, tenant, submit(session, tenant, type="erasure"))
    assert second.duplicate_of_id == first.id
    assert other_type.duplicate_of_id is None and other_type.status == "open"
    # The duplicate opens no deadline of its own: it is answered with the first one.
    # Received when submitted (31.1), though confirmed on 3.2.
    assert (second.status, second.due_on, second.received_on) == ("linked", None, date(2026, 1, 31))
    assert second.closed_at == NOW and first.due_on == date(2026, 2, 28) and first.status == "open"
    user, t = tenant
    with scoped_to(session, t.id):
        linked = [e for e in service.timeline(session, t.id, first.id) if e.kind == "linked_duplicate"]
        assert [e.kind for e in service.timeline(session, t.id, second.id)] == [
            "submitted",
            "verified",
            "linked_duplicate",
        ]
    # What the person added in the duplicate is in the first request's timeline, nothing lost.
    (event,) = linked
    assert event.body == "Myös laskut, kiitos." and event.data["reference"] == second.reference
    # A request of the same kind after the first was closed is a new request again.
    with scoped_to(session, t.id, user.id):
        service.close(session, t.id, first.id, "complete", "Kopio lähetetty", by=user, now=NOW)
    session.commit()
    third = verify(session, tenant, submit(session, tenant))
    assert third.status == "open" and third.duplicate_of_id is None


def test_every_problem_of_a_request_is_reported_at_once(session, tenant):
    with pytest.raises(ValidationFailed) as err:
        submit(
            session,
            tenant,
            type="bribe",
            name="Maija\x00",
            email="maija(at)x",
            details="x\x1b[31m",
            phone="0" * 41,
            answer_language="de",
        )
    assert err.value.problems == {
        "type": "request_type_invalid",
        "name": "control_characters",
        "email": "email_invalid",
        "details": "control_characters",
        "phone": "too_long",
        "answer_language": "language_invalid",
    }
    session.rollback()


def test_control_characters_are_refused_in_every_text(session, tenant):
    user, t = tenant
    request = verify(session, tenant, submit(session, tenant))
    nul = "Tarkistettu\x00"
    with scoped_to(session, t.id, user.id):
        for call, field in [
            (lambda: service.add_note(session, t.id, request.id, nul, by=user, now=NOW), "note"),
            (lambda: service.reply(session, t.id, request.id, nul, by=user, now=NOW), "message"),
            (lambda: service.requester_reply(session, t.id, request.id, "\x07", now=NOW), "message"),
            (
                lambda: service.extend(
                    session, t.id, request.id, 1, nul, by=user, today=date(2026, 2, 1), now=NOW
                ),
                "reason",
            ),
            (lambda: service.close(session, t.id, request.id, "refuse", nul, by=user, now=NOW), "outcome"),
            (
                lambda: service.enter_request(
                    session,
                    t.id,
                    None,
                    NewRequest("erasure", "Pekka", "pekka@x.fi", "Poistakaa"),
                    channel="letter",
                    received_on=date(2026, 1, 20),
                    identity_note="Kirje\x08",
                    by=user,
                    now=NOW,
                ),
                "identity_note",
            ),
        ]:
            with pytest.raises(ValidationFailed) as err:
                call()
            assert (err.value.code, err.value.field) == ("control_characters", field)
            session.rollback()


def test_extension_once_before_the_due_date_with_a_reason(session, tenant):
    user, t = tenant
    request = verify(session, tenant, submit(session, tenant))
    with scoped_to(session, t.id, user.id):
        with pytest.raises(ValidationFailed, match="extension_reason_required"):
            service.extend(session, t.id, request.id, 2, " ", by=user, today=date(2026, 2, 10), now=NOW)
        with pytest.raises(ValidationFailed, match="extension_too_late"):
            service.extend(
                session, t.id, request.id, 2, "Paljon aineistoa", by=user, today=date(2026, 3, 1), now=NOW
            )
        with pytest.raises(ValidationFailed, match="extension_months_invalid"):
            service.extend(
                session, t.id, request.id, 3, "Paljon aineistoa", by=user, today=date(2026, 2, 10), now=NOW
            )
        service.extend(
            session, t.id, request.id, 2, "Paljon aineistoa", by=user, today=date(2026, 2, 28), now=NOW
        )
        assert request.due_on == date(2026, 4, 28)  # 31.1 -> due 28.2 -> two months from that date
        with pytest.raises(ValidationFailed, match="already_extended"):
            service.extend(session, t.id, request.id, 1, "Lisää", by=user, today=date(2026, 2, 20), now=NOW)


def test_handling_and_closing(session, tenant):
    user, t = tenant
    request = verify(session, tenant, submit(session, tenant))
    with scoped_to(session, t.id, user.id):
        service.assign(session, t.id, request.id, user.id, by=user, now=NOW)
        service.add_note(session, t.id, request.id, "Tarkistettu asiakasrekisteristä", by=user, now=NOW)
        service.reply(session, t.id, request.id, "Tässä tietosi.", by=user, now=NOW)
        service.requester_reply(session, t.id, request.id, "Kiitos!", now=NOW)
        service.close(session, t.id, request.id, "complete", "Kopio lähetetty", by=user, now=NOW)
        with pytest.raises(ValidationFailed, match="illegal_transition"):
            service.reply(session, t.id, request.id, "Vielä yksi", by=user, now=NOW)
        kinds = [e.kind for e in service.timeline(session, t.id, request.id)]
    assert kinds == ["submitted", "verified", "assigned", "note", "message_out", "message_in", "completed"]
    assert request.status == "completed" and request.closed_at == NOW


def test_assignee_must_be_a_member(session, tenant, make_owner):
    stranger, _ = make_owner("vieras@muu.fi", "Muu Oy")
    user, t = tenant
    request = verify(session, tenant, submit(session, tenant))
    with scoped_to(session, t.id, user.id), pytest.raises(ValidationFailed, match="assignee_invalid"):
        service.assign(session, t.id, request.id, stranger.id, by=user, now=NOW)


def test_manual_entry_opens_at_once_with_identity_note(session, tenant):
    user, t = tenant
    with scoped_to(session, t.id, user.id):
        with pytest.raises(ValidationFailed, match="identity_note_required"):
            service.enter_request(
                session,
                t.id,
                None,
                NewRequest("erasure", "Pekka", "pekka@x.fi", "Poistakaa"),
                channel="letter",
                received_on=date(2026, 1, 20),
                identity_note=" ",
                by=user,
                now=NOW,
            )
        request = service.enter_request(
            session,
            t.id,
            None,
            NewRequest("erasure", "Pekka", "pekka@x.fi", "Poistakaa"),
            channel="letter",
            received_on=date(2026, 1, 20),
            identity_note="Allekirjoitettu kirje, osoite asiakastiedoissa",
            by=user,
            now=NOW,
        )
    assert request.status == "open" and request.channel == "letter" and request.due_on == date(2026, 2, 20)


def test_unverified_requests_get_one_reminder_then_expire(session, tenant):
    request = submit(session, tenant)
    with unscoped(session):
        assert service.needing_verification_reminder(session, now=NOW + timedelta(hours=2)) == []
        assert service.needing_verification_reminder(session, now=NOW + timedelta(hours=25)) == [request]
        assert service.expire_unverified(session, now=NOW + timedelta(days=6)) == []
        assert service.expire_unverified(session, now=NOW + timedelta(days=8)) == [request]
    assert request.status == "closed_unverified"


def test_timeline_is_append_only_in_the_database(session, tenant, make_owner):
    request = verify(session, tenant, submit(session, tenant))
    _other_user, other_tenant = make_owner("muu@muu.fi", "Muu Oy")
    with unscoped(session):
        for statement, params in (
            ("UPDATE request_event SET body = 'changed'", {}),
            ("DELETE FROM request_event", {}),
            # Blanking does not cover rewriting anything else in the same statement.
            ("UPDATE request_event SET body = '', data = '{}', actor_label = 'Someone else'", {}),
            ("UPDATE request_event SET body = '', data = '{}', kind = 'note'", {}),
            ("UPDATE request_event SET body = '', data = '{}', tenant_id = :v", {"v": other_tenant.id}),
            ("UPDATE request_event SET body = '', data = '{}', actor_user_id = :v", {"v": tenant[0].id}),
            (
                "UPDATE request_event SET body = '', data = '{}', created_at = :v",
                {"v": NOW - timedelta(days=9)},
            ),
        ):
            with pytest.raises(Exception, match="append-only"):
                with session.begin_nested():
                    session.execute(text(statement), params)
        # Blanking personal data (retention), the requester's name on their events included, is allowed.
        with session.begin_nested():
            session.execute(
                text(
                    "UPDATE request_event SET body = '', data = '{}', actor_label = '' WHERE request_id = :r"
                ),
                {"r": request.id},
            )


def test_retention_erases_personal_data_and_keeps_statistics(session, tenant):
    from sqlalchemy import select

    from tenants.models import OutboxMessage
    from tenants.outbox import enqueue_mail

    user, t = tenant
    request = verify(session, tenant, submit(session, tenant, details="Tunnukseni 131052-308T"))
    duplicate = verify(session, tenant, submit(session, tenant, details="Sama uudestaan"))
    kept = verify(session, tenant, submit(session, tenant, type="erasure", email="toinen@example.fi"))
    with unscoped(session):
        mails = {
            name: enqueue_mail(
                session,
                recipient=recipient,
                subject=f"Pyyntö {ref.reference}",
                body_text="Hei Maija Meikäläinen",
                body_html="<p>Hei Maija Meikäläinen</p>",
                now=NOW,
                request_id=ref.id,
            )
            for name, recipient, ref in [
                ("receipt", "maija@example.fi", request),
                ("notification", "kasittelija@firma.fi", request),
                ("failed", "maija@example.fi", request),
                ("pending", "maija@example.fi", request),
                ("duplicate", "maija@example.fi", duplicate),
                ("other", "toinen@example.fi", kept),
            ]
        }
        for name in ("receipt", "notification", "duplicate", "other"):
            mails[name].status = "sent"
        mails["failed"].status, mails["failed"].last_error = "failed", "550 maija@example.fi unknown"
    session.commit()
    with scoped_to(session, t.id, user.id):
        service.reply(
            session,
            t.id,
            request.id,
            "Tässä tietosi",
            by=user,
            now=NOW,
            attachments=[{"key": "k/1.pdf", "filename": "tiedot.pdf", "size": 3}],
        )
        service.close(session, t.id, request.id, "complete", "Kopio lähetetty", by=user, now=NOW)
    session.commit()
    with unscoped(session):  # the member who closed it has deleted their account since
        session.execute(text("UPDATE request_event SET actor_user_id = NULL WHERE kind = 'completed'"))
    session.commit()
    deleted = []
    with unscoped(session):
        assert service.purge_expired(session, now=NOW + timedelta(days=300), delete_file=deleted.append) == 0
        erased = service.purge_expired(session, now=NOW + timedelta(days=24 * 31), delete_file=deleted.append)
        assert erased == 2 and deleted == ["k/1.pdf"]  # the request, and the duplicate answered with it
        events = service.timeline(session, t.id, request.id)
        session.expire_all()
        rows = {name: session.get(OutboxMessage, mail.id) for name, mail in mails.items()}
        assert (request.name, request.email, request.details, request.outcome) == ("", "", "", "")
        assert request.type == "access" and request.status == "completed" and request.received_on is not None
        assert all(e.body == "" and e.data == {} for e in events)
        assert [e.kind for e in events][-1] == "completed"
        # The requester's name is gone from their own events; who of the firm acted stays.
        assert {e.kind: e.actor_label for e in events}["submitted"] == ""
        assert {e.kind: e.actor_label for e in events}["verified"] == ""
        assert {e.kind: e.actor_label for e in events}["completed"] == user.name
        assert duplicate.name == "" and duplicate.details == "" and duplicate.erased_at is not None
        # The copies of the mails sent about it are blanked, and nothing else is.
        for name in ("receipt", "notification", "failed", "duplicate", "pending"):
            row = rows[name]
            blanked = (row.recipient, row.subject, row.body_text, row.body_html, row.last_error)
            assert blanked == ("", "", "", "", None), name
            assert row.status in ("sent", "failed") and row.created_at is not None
        assert rows["receipt"].status == "sent"
        assert rows["pending"].status == "failed"  # never sent now: it would go out blank
        assert rows["other"].body_text == "Hei Maija Meikäläinen" and kept.email == "toinen@example.fi"
        assert session.scalar(select(OutboxMessage.id).where(OutboxMessage.recipient == "")) is not None
