"""Rate limits of the public request form, with limits on (the rest of the suite runs without them)."""

import socket
import threading
import time
import uuid
from datetime import date

import pytest

from webapp.limits import digest, first_use, limiter, marks_store

from .conftest import bound_app, publish_version
from .support import skip_or_fail
from .test_requests_web import requests_in, send


@pytest.fixture
def firm(notice_firm, session):
    """The firm with its customer-register notice published."""
    publish_version(session, notice_firm, today=date.today())
    return notice_firm


@pytest.fixture
def app(database_url, engine, smtp_server):
    """The app with rate limits enforced, counters empty."""
    with bound_app(database_url, engine, smtp_server, RATELIMIT_ENABLED="1") as application:
        limiter.reset()
        yield application
    limiter.reset()


def visitor(app, ip):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def test_the_form_is_limited_per_ip_address(app, mailbox, session, firm):
    same = visitor(app, "10.1.0.1")
    codes = [send(app, same, email=f"henkilo{n}@example.fi").status_code for n in range(7)]
    assert codes == [302] * 5 + [429, 429]
    assert len(requests_in(session)) == 5
    # Another address is not held back by the first one's limit.
    assert send(app, visitor(app, "10.1.0.2"), email="muu@example.fi").status_code == 302
    assert len(requests_in(session)) == 6


def test_the_form_is_limited_per_email_address(app, mailbox, session, firm):
    codes = [send(app, visitor(app, f"10.2.0.{n}"), email="sama@example.fi").status_code for n in range(7)]
    assert codes == [302] * 5 + [429, 429]
    assert [r.email for r in requests_in(session)] == ["sama@example.fi"] * 5
    # Case and spaces do not make it another address; another address still gets through.
    assert send(app, visitor(app, "10.2.1.1"), email=" SAMA@example.fi").status_code == 429
    assert send(app, visitor(app, "10.2.1.2"), email="toinen@example.fi").status_code == 302
    assert len(requests_in(session)) == 6


class HeldReplies:
    """A relay to the Redis server on 127.0.0.1:6379 that can hold back its next reply (as a stalled
    network does after the server has carried out the command)."""

    def __init__(self):
        self.hold_next = 0.0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", 6379))
            threading.Thread(target=self._relay, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._relay, args=(upstream, client, True), daemon=True).start()

    def _relay(self, source, target, replies):
        try:
            while data := source.recv(65536):
                if replies and self.hold_next:
                    held, self.hold_next = self.hold_next, 0.0
                    time.sleep(held)
                target.sendall(data)
        except OSError:
            pass
        finally:
            source.close()
            target.close()

    def close(self):
        self.listener.close()


def test_a_form_whose_mark_answer_was_lost_is_not_refused_as_already_sent(app):
    """The server made the mark but its answer came too late: the command is not sent again, even
    with retries asked for in the address (that would count the form's first use as its second),
    and the person is let through."""
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/12").ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis on 127.0.0.1:6379 does not answer: {exc}")
    relay = HeldReplies()
    stamp = f"stamp-{uuid.uuid4()}"
    store = marks_store(f"redis://127.0.0.1:{relay.port}/12?socket_timeout=0.3&retry_on_timeout=true")
    try:
        with app.app_context():
            app.extensions["seloste_marks"] = store
            assert first_use("request-form", f"warm-{uuid.uuid4()}", 60)  # the connection is open
            relay.hold_next = 1.0
            assert first_use("request-form", stamp, 60)
            key = store.prefixed_key(f"seloste-once:request-form:{digest(stamp)}")
            direct = redis.Redis.from_url("redis://127.0.0.1:6379/12")
            assert direct.get(key) == b"1"  # counted once, by the one command sent
            assert not first_use("request-form", stamp, 60)  # the mark holds: a second send is refused
            direct.delete(key)
    finally:
        relay.close()
