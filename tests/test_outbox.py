"""The durable outbox: queued with the change, delivered once, retried with backoff on failure."""

import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from tenants.models import OutboxMessage
from tenants.outbox import CLAIM_LEASE, MAX_ATTEMPTS, claim_next, deliver_due, enqueue_mail, retry_delay
from webapp.mail import FileTransport, SmtpTransport


def _queue(session, n=1, to="person@example.fi"):
    """Queue n rendered mails, committed; `to` may hold `{i}`, the mail's number."""
    now = datetime.now(UTC)
    rows = [
        enqueue_mail(
            session,
            recipient=to.format(i=i),
            subject=f"Aihe {i}",
            body_text="Hei",
            body_html="<p>Hei</p>",
            language="fi",
            now=now,
        )
        for i in range(n)
    ]
    session.commit()
    return rows


@contextmanager
def committed_mail(engine, n: int, prefix: str):
    """n mails committed outside the test's transaction, for senders working on connections of their
    own; deleted afterwards. Yields the session factory and the rows."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s, s.begin():
        rows = [
            enqueue_mail(
                s, recipient=f"{prefix}{i}@example.fi", subject="x", body_text="x", now=datetime.now(UTC)
            )
            for i in range(n)
        ]
    try:
        yield factory, rows
    finally:
        with factory() as s, s.begin():
            s.execute(delete(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in rows])))


def statuses_of(factory, rows) -> set[str]:
    """The statuses these committed mails have now."""
    with factory() as s:
        return set(s.scalars(select(OutboxMessage.status).where(OutboxMessage.id.in_([r.id for r in rows]))))


def senders_at_once(factory, transport, **options) -> list[Exception]:
    """Two senders drain the outbox at the same moment, each in a thread; their errors."""
    errors, start = [], threading.Barrier(2)

    def sender():
        start.wait()
        try:
            deliver_due(factory, transport, now=lambda: datetime.now(UTC), **options)
        except Exception as exc:  # noqa: BLE001  (returned)
            errors.append(exc)

    workers = [threading.Thread(target=sender) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    return errors


def _factory(app):
    return app.extensions["seloste_db"].new_session


def test_mail_is_delivered_once_over_smtp(app, session, smtp_server, mailbox):
    _queue(session, 3)
    transport = SmtpTransport("127.0.0.1", smtp_server.port, "Seloste <no-reply@seloste.test>")
    report = deliver_due(_factory(app), transport, now=lambda: datetime.now(UTC))
    assert report.sent == 3
    again = deliver_due(_factory(app), transport, now=lambda: datetime.now(UTC))
    assert again.sent == 0
    assert len(mailbox.to("person@example.fi")) == 3
    statuses = set(session.scalars(select(OutboxMessage.status)))
    assert statuses == {"sent"}
    msg = mailbox.last("person@example.fi").message
    assert msg["Message-ID"].startswith("<") and "outbox-" in msg["Message-ID"]


def test_failure_is_recorded_and_retried_with_backoff(app, session, smtp_server, mailbox):
    (row,) = _queue(session)
    closed_port = SmtpTransport("127.0.0.1", 1, "x@seloste.test", timeout=2)
    t0 = datetime.now(UTC)
    report = deliver_due(_factory(app), closed_port, now=lambda: t0)
    assert (report.sent, report.failed) == (0, 1)
    session.expire_all()
    failed = session.get(OutboxMessage, row.id)
    assert failed.status == "pending" and failed.attempts == 1
    assert "ConnectionRefusedError" in failed.last_error
    assert failed.next_attempt_at == t0 + timedelta(seconds=30)
    # Not due yet: nothing is tried.
    working = SmtpTransport("127.0.0.1", smtp_server.port, "x@seloste.test")
    assert deliver_due(_factory(app), working, now=lambda: t0 + timedelta(seconds=10)).sent == 0
    # Due: delivered, the error cleared.
    assert deliver_due(_factory(app), working, now=lambda: t0 + timedelta(seconds=31)).sent == 1
    session.expire_all()
    assert session.get(OutboxMessage, row.id).last_error is None
    assert len(mailbox.to("person@example.fi")) == 1


def test_gives_up_after_max_attempts(app, session):
    (row,) = _queue(session)

    class Broken:
        def send(self, mail):
            raise OSError("mail server down")

    start = datetime.now(UTC)
    for attempt in range(MAX_ATTEMPTS):
        moment = start + timedelta(hours=7 * attempt)
        deliver_due(_factory(app), Broken(), now=lambda moment=moment: moment)
    session.expire_all()
    gave_up = session.get(OutboxMessage, row.id)
    assert gave_up.status == "failed" and gave_up.attempts == MAX_ATTEMPTS


def test_backoff_grows_and_is_capped():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(50) == timedelta(hours=6)


def test_file_transport_writes_multipart_eml(app, session, tmp_path):
    _queue(session, to="tiedosto@example.fi")
    report = deliver_due(
        _factory(app), FileTransport(str(tmp_path), "Seloste <a@b.fi>"), now=lambda: datetime.now(UTC)
    )
    assert report.sent == 1
    (eml,) = tmp_path.glob("*.eml")
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["To"] == "tiedosto@example.fi"
    assert msg.get_body(("plain",)).get_content().strip() == "Hei"
    assert "<p>Hei</p>" in msg.get_body(("html",)).get_content()


def test_mail_is_not_sent_when_the_change_is_rolled_back(app, session, smtp_server, mailbox):
    _queue(session)
    enqueue_mail(session, recipient="ghost@example.fi", subject="x", body_text="x", now=datetime.now(UTC))
    session.rollback()
    deliver_due(
        _factory(app),
        SmtpTransport("127.0.0.1", smtp_server.port, "x@seloste.test"),
        now=lambda: datetime.now(UTC),
    )
    assert mailbox.to("ghost@example.fi") == []
    assert len(mailbox.to("person@example.fi")) == 1


def test_cli_drains_the_outbox(app, session, mailbox):
    _queue(session, 2, to="cli@example.fi")
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output
    assert len(mailbox.to("cli@example.fi")) == 2


def test_embedded_default_writes_signup_mail_to_the_mail_folder(database_url, engine, smtp_server, tmp_path):
    from webapp import create_app

    from .conftest import Client, app_environ, bind_to

    env = app_environ(database_url, smtp_server.port, MAIL_TRANSPORT="file", MAIL_DIR=str(tmp_path))
    app = create_app(environ=env)
    app.test_client_class = Client
    with engine.connect() as conn, conn.begin() as outer:
        bind_to(app, conn)
        client = app.test_client()
        client.post_form(
            "/signup",
            {
                "company_name": "Tiedosto Oy",
                "business_id": "2617416-4",
                "name": "Tiina",
                "email": "tiina@example.fi",
                "password": "pitkä salasana 1",
            },
        )
        outer.rollback()
    (eml,) = tmp_path.glob("*.eml")
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["To"] == "tiina@example.fi"
    assert "/verify/" in msg.get_body(("plain",)).get_content()


def test_two_senders_at_once_never_send_a_row_twice(engine):
    """Two workers drain the same outbox at the same moment: every row goes out exactly once."""
    sent, lock = [], threading.Lock()

    class Slow:
        def send(self, mail):
            with lock:
                sent.append(mail.message_id)
            time.sleep(0.01)  # a delivery takes time: the other sender is busy meanwhile

    with committed_mail(engine, 20, "race") as (factory, rows):
        ids = {r.id for r in rows}
        assert senders_at_once(factory, Slow()) == []
        mine = [i for i in sent if i in ids]
        assert sorted(mine) == sorted(ids)  # each row once, none twice, none left behind
        assert statuses_of(factory, rows) == {"sent"}


def test_a_claim_abandoned_by_a_dead_sender_is_retried_after_its_lease(app, session):
    """A sender that dies after claiming leaves the row `sending`; after the lease another sends it."""
    (row,) = _queue(session)
    t0 = datetime.now(UTC)
    mail, attempt = claim_next(_factory(app), t0)  # ...and the sender dies here, before sending
    assert (mail.message_id, attempt) == (row.id, 1)
    session.expire_all()
    assert session.get(OutboxMessage, row.id).status == "sending"

    delivered = []

    class Recording:
        def send(self, mail):
            delivered.append(mail.message_id)

    assert deliver_due(_factory(app), Recording(), now=lambda: t0 + timedelta(minutes=1)).sent == 0
    later = t0 + CLAIM_LEASE + timedelta(seconds=1)
    assert deliver_due(_factory(app), Recording(), now=lambda: later).sent == 1
    assert delivered == [row.id]
    session.expire_all()
    done = session.get(OutboxMessage, row.id)
    assert done.status == "sent" and done.attempts == 2


def test_a_mail_whose_sender_keeps_dying_is_given_up_not_retried_forever(app, session):
    """Each sender dies mid-delivery (no error to record); after MAX_ATTEMPTS claims the row fails."""
    (row,) = _queue(session)
    moment = datetime.now(UTC)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claimed = claim_next(_factory(app), moment)
        assert claimed is not None and claimed[1] == attempt  # ...and this sender dies too
        moment += CLAIM_LEASE + timedelta(seconds=1)
    assert claim_next(_factory(app), moment) is None
    session.expire_all()
    given_up = session.get(OutboxMessage, row.id)
    assert (given_up.status, given_up.attempts) == ("failed", MAX_ATTEMPTS)
    assert given_up.last_error == "the sender stopped during delivery"


def test_a_row_claimed_by_another_sender_is_not_claimed_again(app, session):
    _queue(session)
    t0 = datetime.now(UTC)
    assert claim_next(_factory(app), t0) is not None
    assert claim_next(_factory(app), t0) is None


def _built(mail_fields: dict, sender: str = "Seloste <no-reply@seloste.fi>"):
    from tenants.outbox import Mail
    from webapp.mail import build_message

    mail = Mail(**{"message_id": 7, "body_html": "", "language": "fi", **mail_fields})
    return message_from_bytes(build_message(mail, sender), policy=policy.default)


def test_a_built_message_reads_back_as_written_in_every_part():
    text = "Hei Äijälä,\n\nvahvista pyyntösi: https://seloste.fi/r/abc\n" + "pitkä rivi " * 40
    got = _built(
        {
            "recipient": "maija@example.fi",
            "subject": "Vahvista pyyntösi – Kahvila Åkerö Oy",
            "body_text": text,
            "body_html": "<p>Hei Äijälä</p>",
            "language": "sv",
        },
        sender="Tietosuoja – Seloste <no-reply@seloste.fi>",
    )
    assert got["Subject"] == "Vahvista pyyntösi – Kahvila Åkerö Oy"
    assert got["From"].addresses[0].display_name == "Tietosuoja – Seloste"
    assert got["From"].addresses[0].addr_spec == "no-reply@seloste.fi"
    assert got["To"] == "maija@example.fi"
    assert got["Content-Language"] == "sv"
    assert got["Message-ID"].endswith("@seloste.fi>") and "outbox-7" in got["Message-ID"]
    assert got.get_body(("plain",)).get_content() == text
    assert got.get_body(("html",)).get_content() == "<p>Hei Äijälä</p>"


def test_a_subject_cannot_add_a_header_and_a_mail_without_html_is_plain_text():
    got = _built(
        {"recipient": "maija@example.fi", "subject": "Aihe\r\nBcc: kaikki@example.fi", "body_text": "Hei"}
    )
    assert got["Subject"] == "Aihe Bcc: kaikki@example.fi"
    assert got["Bcc"] is None
    assert got.get_content_type() == "text/plain"
    assert got.get_content() == "Hei"


def test_an_internationalised_address_is_written_as_it_is():
    got = _built({"recipient": "äiti@esimerkki.fi", "subject": "Hei\nkaikki", "body_text": "Hei"})
    assert got["To"] == "äiti@esimerkki.fi" and got["Subject"] == "Hei kaikki"
    assert got.get_content().strip() == "Hei"


def test_mail_about_an_erased_request_is_given_up_and_about_a_live_one_is_sent(
    app, session, make_owner, mailbox
):
    from tenants.requests import service
    from tenants.requests.models import DataRequest
    from tenants.scoping import scoped_to
    from webapp.mail import drain_outbox

    _user, tenant = make_owner("omistaja@poisto.fi", "Poisto Oy")
    with scoped_to(session, tenant.id):
        data = service.NewRequest("access", "Eero Esimerkki", "eero@example.fi", "")
        erased = service.submit_request(session, tenant.id, None, data, now=datetime.now(UTC))
        kept = service.submit_request(
            session,
            tenant.id,
            None,
            service.NewRequest("access", "Kaisa", "kaisa@example.fi", ""),
            now=datetime.now(UTC),
        )
        session.get(DataRequest, erased.id).erased_at = datetime.now(UTC)
        ids = [erased.id, kept.id]
        session.commit()
    report = drain_outbox(app)
    assert (report.sent, report.gave_up, report.failed) == (1, 1, 0)
    assert mailbox.to("eero@example.fi") == [] and len(mailbox.to("kaisa@example.fi")) == 1
    assert "Poisto Oy" in mailbox.last("kaisa@example.fi").text
    session.expire_all()
    with scoped_to(session, tenant.id):
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.request_id.in_(ids)))
        assert {r.request_id: r.status for r in rows} == {ids[0]: "failed", ids[1]: "sent"}


def _submitted(session, tenant, *names):
    """A web request from each name (address <name>@example.fi) to the tenant, committed."""
    from tenants.requests import service
    from tenants.scoping import scoped_to

    with scoped_to(session, tenant.id):
        made = [
            service.submit_request(
                session,
                tenant.id,
                None,
                service.NewRequest("access", name.title(), f"{name}@example.fi", ""),
                now=datetime.now(UTC),
            )
            for name in names
        ]
        session.commit()
    return made


def test_one_batch_of_mail_for_several_organisations_names_each_ones_own(app, session, make_owner, mailbox):
    """A batch is rendered together, each mail within its own organisation: the requesters of two
    organisations, queued in turns, each get a link and a name of the organisation they wrote to."""
    from webapp.mail import drain_outbox

    _u, first = make_owner("omistaja@ensimmainen.fi", "Ensimmäinen Oy")
    _u, second = make_owner("omistaja@toinen.fi", "Toinen Oy", business_id="0112038-9")
    for one, other in (("aino", "bertta"), ("cecilia", "doris")):
        _submitted(session, first, one)
        _submitted(session, second, other)
    report = drain_outbox(app)
    assert (report.sent, report.failed, report.gave_up) == (4, 0, 0)
    for name, own, not_own in (
        ("aino", "Ensimmäinen Oy", "Toinen Oy"),
        ("bertta", "Toinen Oy", "Ensimmäinen Oy"),
        ("cecilia", "Ensimmäinen Oy", "Toinen Oy"),
        ("doris", "Toinen Oy", "Ensimmäinen Oy"),
    ):
        text = mailbox.last(f"{name}@example.fi").text
        assert own in text and not_own not in text
        assert "/requests/verify/" in text


def test_a_mail_the_database_fails_to_render_is_retried_and_the_rest_of_its_batch_goes(
    app, session, make_owner, mailbox, monkeypatch
):
    """A statement that fails while one mail of a batch is rendered (on PostgreSQL it aborts the read)
    costs that mail an attempt; the mails rendered after it in the same batch are sent."""
    from sqlalchemy import text

    from webapp import mail as mail_module
    from webapp.mail import drain_outbox

    _u, tenant = make_owner("omistaja@virhe.fi", "Virhe Oy")
    first, broken, last = _submitted(session, tenant, "eka", "toka", "kolmas")
    verify_link = mail_module.CONTEXTS["request_verify"]

    def failing_for_one(s, mail):
        if mail.request_id == broken.id:
            s.execute(text("SELECT no_such_column FROM data_request"))
        return verify_link(s, mail)

    monkeypatch.setitem(mail_module.CONTEXTS, "request_verify", failing_for_one)
    report = drain_outbox(app)
    assert (report.sent, report.failed, report.gave_up) == (2, 1, 0)
    assert mailbox.to("toka@example.fi") == []
    assert len(mailbox.to("eka@example.fi")) == 1 and len(mailbox.to("kolmas@example.fi")) == 1
    session.expire_all()
    with unscoped_session(session):
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.request_id == broken.id)).one()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "no_such_column" in row.last_error


@contextmanager
def unscoped_session(session):
    from tenants.scoping import unscoped

    with unscoped(session):
        yield session


def test_an_internationalised_address_goes_to_a_server_that_takes_them_and_not_to_one_that_does_not():
    """A mailbox written in other than ASCII is sent with SMTPUTF8 where the server offers it; a
    server that does not offer it refuses nothing silently: the send fails, to be retried."""
    import smtplib

    import pytest
    from aiosmtpd.controller import Controller

    from tenants.outbox import Mail

    from .conftest import _free_port
    from .support import Mailbox

    mail = Mail(
        9, "äiti@esimerkki.fi", "Hei äiti", "Pyyntösi on vastaanotettu.", "<p>Vastaanotettu</p>", "fi"
    )
    for takes_them in (True, False):
        box, port = Mailbox(), _free_port()
        controller = Controller(box, hostname="127.0.0.1", port=port, enable_SMTPUTF8=takes_them)
        controller.start()
        try:
            transport = SmtpTransport("127.0.0.1", port, "Seloste <no-reply@seloste.test>")
            if takes_them:
                transport.send(mail)
                got = box.last("äiti@esimerkki.fi")
                assert got.message["To"] == "äiti@esimerkki.fi" and got.message["Subject"] == "Hei äiti"
                assert got.text.strip() == "Pyyntösi on vastaanotettu."
                assert got.html.strip() == "<p>Vastaanotettu</p>"
            else:
                with pytest.raises(smtplib.SMTPNotSupportedError):
                    transport.send(mail)
                assert box.messages == []
        finally:
            controller.stop()


def test_a_mail_of_one_organisation_never_shows_a_request_read_for_another_in_its_batch(
    app, session, make_owner, mailbox
):
    """The requests of a batch are read together, one organisation at a time. A mail of organisation
    B that names a request of organisation A (a row no code writes, made here by hand) finds nothing
    in B's scope and is given up, though A's requests were read a moment before in the same batch."""
    from tenants.outbox import queue_mail
    from tenants.scoping import scoped_to
    from webapp.mail import drain_outbox

    _u, first = make_owner("omistaja@aa.fi", "Aa Oy")
    _u, second = make_owner("omistaja@bb.fi", "Bb Oy", business_id="0112038-9")
    asked, also = _submitted(session, first, "aamu", "ilta")
    with scoped_to(session, second.id):
        forged = queue_mail(
            session,
            "request_verify",
            to="urkkija@example.fi",
            language="fi",
            now=datetime.now(UTC),
            tenant_id=second.id,
            request_id=asked.id,
            days=14,
        )
        session.commit()
    report = drain_outbox(app)
    assert (report.sent, report.gave_up) == (2, 1)
    assert mailbox.to("urkkija@example.fi") == []
    assert "Aa Oy" in mailbox.last("aamu@example.fi").text and "Aa Oy" in mailbox.last("ilta@example.fi").text
    session.expire_all()
    with unscoped_session(session):
        assert session.get(OutboxMessage, forged.id).status == "failed"
