"""The outbox sends a batch of due mail over one SMTP connection, and still sends each mail once:
through a dropped connection, a mail server that is down, two senders at once and a sender that
stops mid-batch."""

import asyncio
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from tenants import outbox
from tenants.models import OutboxMessage
from tenants.outbox import CLAIM_LEASE, claim_batch, deliver_due
from webapp.mail import SmtpTransport

from .conftest import _free_port
from .support import Mailbox, invoke_until_sigterm
from .test_outbox import _factory, committed_mail, senders_at_once, statuses_of
from .test_outbox import _queue as queue


class CountingMailbox(Mailbox):
    """A mailbox that counts the connections made to it and can drop one in the middle of a batch."""

    def __init__(self):
        super().__init__()
        self.connections = 0
        self.drop = None  # (after how many messages on a connection, "close" or "421"), used once
        self.cut_data = None  # after how many messages on a connection to end it once after the data

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802 (aiosmtpd's name)
        """Take the sender; or, once, end the connection before this message."""
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        carried = getattr(session, "carried", 0)
        if self.drop is not None and carried == self.drop[0]:
            how, self.drop = self.drop[1], None
            if how == "close":  # without a word, as a restarted server's connection ends
                server.transport.close()
            else:  # saying so first, as a server closing an idle connection does
                asyncio.get_running_loop().call_soon(server.transport.close)
                return "421 4.3.2 Closing this connection"
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        """Store the message and count it on this connection (or, once, end the connection instead)."""
        if self.cut_data is not None and getattr(session, "carried", 0) == self.cut_data:
            self.cut_data = None
            server.transport.close()
            return "451 4.3.0 Not stored"
        session.carried = getattr(session, "carried", 0) + 1
        return await super().handle_DATA(server, session, envelope)


class CountingController(Controller):
    def factory(self):
        """One SMTP server object per connection: counted."""
        self.handler.connections += 1
        return super().factory()

    def start(self):
        """Start, then forget the connection the controller makes itself to see the server up."""
        super().start()
        self.handler.connections = 0


@pytest.fixture
def server():
    """A real SMTP server (aiosmtpd) on loopback for this test, counting connections."""
    box = CountingMailbox()
    box.port = _free_port()
    controller = CountingController(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    box.controller = controller
    yield box
    controller.stop()


def _queue(session, n, prefix="batch"):
    return queue(session, n, to=prefix + "{i}@example.fi")


def _received_once(box, rows) -> bool:
    return all(len(box.to(row.recipient)) == 1 for row in rows) and len(box.messages) == len(rows)


def _statuses(session, rows) -> dict[str, int]:
    session.expire_all()
    found = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in rows]))).all()
    counts: dict[str, int] = {}
    for row in found:
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


def test_a_batch_of_due_mail_goes_through_one_connection(app, session, server):
    rows = _queue(session, 7)
    transport = SmtpTransport("127.0.0.1", server.port, "Seloste <no-reply@seloste.test>")
    report = deliver_due(_factory(app), transport, now=lambda: datetime.now(UTC), batch=3)
    assert report.sent == 7
    assert server.connections == 1  # three claims of the outbox, one connection
    assert _received_once(server, rows)
    assert _statuses(session, rows) == {"sent": 7}
    # Nothing is due any more: no connection is opened for nothing.
    assert deliver_due(_factory(app), transport, now=lambda: datetime.now(UTC)).sent == 0
    assert server.connections == 1


@pytest.mark.parametrize("how", ["close", "421"])
def test_a_connection_dropped_mid_batch_is_reopened_and_each_mail_arrives_once(app, session, server, how):
    rows = _queue(session, 6)
    server.drop = (2, how)  # the server ends the connection before the third message
    transport = SmtpTransport("127.0.0.1", server.port, "x@seloste.test")
    report = deliver_due(_factory(app), transport, now=lambda: datetime.now(UTC))
    assert (report.sent, report.failed) == (6, 0)
    assert server.connections == 2
    assert _received_once(server, rows)
    assert _statuses(session, rows) == {"sent": 6}


def test_a_connection_lost_while_the_message_went_out_is_left_to_the_retry(app, session, server):
    """The server may have taken a message whose data was cut off: it is not sent again at once, but
    recorded as a failed attempt, retried later; the other mails go on a new connection."""
    rows = _queue(session, 3)
    server.cut_data = 1  # the second message's data goes out, then the connection ends
    transport = SmtpTransport("127.0.0.1", server.port, "x@seloste.test")
    t0 = datetime.now(UTC)
    report = deliver_due(_factory(app), transport, now=lambda: t0)
    assert (report.sent, report.failed) == (2, 1)
    assert server.connections == 2
    session.expire_all()
    cut = session.get(OutboxMessage, rows[1].id)
    assert (cut.status, cut.attempts) == ("pending", 1)
    assert cut.next_attempt_at == t0 + timedelta(seconds=30)
    assert [len(server.to(r.recipient)) for r in rows] == [1, 0, 1]
    assert deliver_due(_factory(app), transport, now=lambda: t0 + timedelta(seconds=31)).sent == 1
    assert _received_once(server, rows)


def test_mail_waits_while_the_server_is_down_and_goes_once_when_it_is_up(app, session):
    rows = _queue(session, 4)
    port = _free_port()  # nothing listens here yet
    transport = SmtpTransport("127.0.0.1", port, "x@seloste.test", timeout=2)
    t0 = datetime.now(UTC)
    report = deliver_due(_factory(app), transport, now=lambda: t0)
    assert (report.sent, report.failed) == (0, 4)
    session.expire_all()
    for row in rows:
        waiting = session.get(OutboxMessage, row.id)
        assert (waiting.status, waiting.attempts) == ("pending", 1)
        assert waiting.next_attempt_at == t0 + timedelta(seconds=30)
        assert "ConnectionRefusedError" in waiting.last_error

    box = CountingMailbox()
    controller = CountingController(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert deliver_due(_factory(app), transport, now=lambda: t0 + timedelta(seconds=10)).sent == 0
        assert deliver_due(_factory(app), transport, now=lambda: t0 + timedelta(seconds=31)).sent == 4
        assert deliver_due(_factory(app), transport, now=lambda: t0 + timedelta(hours=1)).sent == 0
        assert box.connections == 1
        assert _received_once(box, rows)
        assert _statuses(session, rows) == {"sent": 4}
    finally:
        controller.stop()


def test_a_sender_stopped_mid_batch_leaves_only_the_mail_in_flight_to_its_lease(app, session, server):
    """Mail already sent stays sent, the one in flight waits for the lease (it may have gone out),
    and the rest of the batch is given back for the next drain at once."""
    rows = _queue(session, 5)
    smtp = SmtpTransport("127.0.0.1", server.port, "x@seloste.test")

    class StoppedOnThird:
        def __init__(self):
            self.sent = 0

        def send(self, mail):
            if self.sent == 2:
                raise KeyboardInterrupt  # the sender is stopped while it sends the third mail
            smtp.send(mail)
            self.sent += 1

    t0 = datetime.now(UTC)
    with pytest.raises(KeyboardInterrupt):
        deliver_due(_factory(app), StoppedOnThird(), now=lambda: t0)
    session.expire_all()
    states = [(r.status, r.attempts) for r in (session.get(OutboxMessage, row.id) for row in rows)]
    assert states == [("sent", 1), ("sent", 1), ("sending", 1), ("pending", 0), ("pending", 0)]

    report = deliver_due(_factory(app), smtp, now=lambda: t0 + timedelta(seconds=1))
    assert report.sent == 2  # the two given back; the third waits for its lease
    later = t0 + CLAIM_LEASE + timedelta(seconds=1)
    assert deliver_due(_factory(app), smtp, now=lambda: later).sent == 1
    assert _received_once(server, rows)
    assert _statuses(session, rows) == {"sent": 5}


def test_a_sender_that_dies_after_claiming_a_batch_leaves_it_to_the_lease(app, session, server):
    rows = _queue(session, 4)
    t0 = datetime.now(UTC)
    claims = claim_batch(_factory(app), t0, 10)  # ...and the sender is killed here
    assert [c.mail.message_id for c in claims] == [r.id for r in rows]
    assert claim_batch(_factory(app), t0 + timedelta(minutes=1), 10) == []
    smtp = SmtpTransport("127.0.0.1", server.port, "x@seloste.test")
    later = t0 + CLAIM_LEASE + timedelta(seconds=1)
    assert deliver_due(_factory(app), smtp, now=lambda: later).sent == 4
    assert _received_once(server, rows)
    session.expire_all()
    assert {session.get(OutboxMessage, r.id).attempts for r in rows} == {2}


def test_a_batch_still_unsent_at_half_its_lease_is_given_back(app, session, server, monkeypatch):
    """A mail server so slow that the lease could run out: the rest of the batch is released unsent
    (another sender could otherwise claim it while this one still holds it)."""
    monkeypatch.setattr(outbox, "CLAIM_LEASE", timedelta(seconds=0.4))
    rows = _queue(session, 5)
    smtp = SmtpTransport("127.0.0.1", server.port, "x@seloste.test")
    slow = threading.Event()

    class Slow:
        def send(self, mail):
            smtp.send(mail)
            slow.wait(0.15)

    report = deliver_due(_factory(app), Slow(), now=lambda: datetime.now(UTC))
    assert report.sent == 2 and report.given_back == 3
    assert _statuses(session, rows) == {"sent": 2, "pending": 3}
    session.expire_all()
    assert {session.get(OutboxMessage, r.id).attempts for r in rows[2:]} == {0}
    assert deliver_due(_factory(app), smtp, now=lambda: datetime.now(UTC)).sent == 3
    assert _received_once(server, rows)


def test_two_batch_senders_at_once_send_each_mail_once(engine, server):
    transport = SmtpTransport("127.0.0.1", server.port, "x@seloste.test")
    with committed_mail(engine, 30, "pair") as (factory, rows):
        assert senders_at_once(factory, transport, batch=4) == []
        assert _received_once(server, rows)
        assert server.connections <= 2  # one per sender
        assert statuses_of(factory, rows) == {"sent"}


def test_a_stop_asked_between_mails_gives_back_the_rest_of_the_batch_at_once(app, session, server):
    """A worker being stopped (SIGTERM) finishes the mail in hand, never one half sent, and gives
    back the rest of its batch, due again at once with the attempt not counted."""
    rows = _queue(session, 5)
    smtp = SmtpTransport("127.0.0.1", server.port, "x@seloste.test")
    sent = []

    class Counting:
        def send(self, mail):
            smtp.send(mail)
            sent.append(mail)

    t0 = datetime.now(UTC)
    report = deliver_due(_factory(app), Counting(), now=lambda: t0, stop=lambda: len(sent) == 2)
    assert (report.sent, report.given_back) == (2, 3)
    session.expire_all()
    states = [(r.status, r.attempts) for r in (session.get(OutboxMessage, row.id) for row in rows)]
    assert states == [("sent", 1), ("sent", 1), ("pending", 0), ("pending", 0), ("pending", 0)]
    assert deliver_due(_factory(app), smtp, now=lambda: t0 + timedelta(seconds=1)).sent == 3
    assert _received_once(server, rows)


def test_the_worker_stops_cleanly_on_sigterm_after_sending(app, session, mailbox):
    """systemd stops the worker with SIGTERM: it leaves at the next safe point (here while it waits
    for the next poll, never in the middle of a statement) and exits 0."""
    rows = _queue(session, 3, prefix="term")
    result = invoke_until_sigterm(app, ["outbox", "send", "--worker", "--interval", "0.1"])
    assert result.exit_code == 0, result.output
    assert "sent 3" in result.output
    assert _received_once(mailbox, rows)
    assert _statuses(session, rows) == {"sent": 3}


def test_a_drain_sends_no_more_than_its_limit_and_claims_no_more_than_a_batch(app, session, server):
    rows = _queue(session, 12, prefix="limit")
    moment = datetime.now(UTC)
    claimed = claim_batch(_factory(app), moment, 5)
    assert len(claimed) == 5
    assert _statuses(session, rows) == {"sending": 5, "pending": 7}
    transport = SmtpTransport("127.0.0.1", server.port, "Seloste <no-reply@seloste.test>")
    report = deliver_due(_factory(app), transport, now=lambda: datetime.now(UTC), limit=4, batch=3)
    assert report.sent == 4
    assert _statuses(session, rows) == {"sending": 5, "sent": 4, "pending": 3}


def test_a_batch_that_cannot_be_rendered_at_all_is_given_back_unsent(app, session, server):
    """When rendering a claimed batch fails as a whole (the database went away between the claim
    and the read), nothing of it is sent: the batch is due again at once, no attempt counted, and the
    next drain sends each mail once."""
    rows = _queue(session, 4, prefix="unread")
    smtp = SmtpTransport("127.0.0.1", server.port, "x@seloste.test")

    class Unreadable:
        def send(self, mail):
            smtp.send(mail)

        @contextmanager
        def batch(self):
            yield self

        def prepare(self, mails):
            raise OperationalError("SELECT 1", {}, Exception("the server closed the connection"))

    t0 = datetime.now(UTC)
    with pytest.raises(OperationalError):
        deliver_due(_factory(app), Unreadable(), now=lambda: t0)
    assert server.messages == []
    session.expire_all()
    states = [(r.status, r.attempts) for r in (session.get(OutboxMessage, row.id) for row in rows)]
    assert states == [("pending", 0)] * 4
    assert deliver_due(_factory(app), smtp, now=lambda: t0 + timedelta(seconds=1)).sent == 4
    assert _received_once(server, rows)
