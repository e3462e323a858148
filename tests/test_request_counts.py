"""The counts per status above the inbox come from counters, never from counting the requests: they
match a recount after every transition, on both databases and under concurrent changes."""

import os
import threading
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, delete
from sqlalchemy.orm import sessionmaker

from tenants import accounts
from tenants.errors import ValidationFailed
from tenants.requests import counts, service
from tenants.requests.models import DataRequest, RequestStatusCount
from tenants.requests.service import NewRequest
from tenants.scoping import scoped_to, unscoped

from .support import drop_postgres, operator_url, prepare_postgres

NOW = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
TODAY = date(2026, 1, 31)


def _person(n: int, **changes) -> NewRequest:
    return NewRequest(
        **{
            "type": "access",
            "name": f"Maija Mäki {n}",
            "email": f"maija{n}@example.fi",
            "details": "Kopio",
            **changes,
        }
    )


def _agree(session, tenant_id: int) -> dict[str, int]:
    shown = counts.status_counts(session, tenant_id)
    assert shown == counts.recount(session, tenant_id)
    return shown


def test_every_transition_keeps_the_counts_equal_to_a_recount(session, make_owner):
    user, t = make_owner("kasittelija@firma.fi", "Firma Oy")
    _other_user, other = make_owner("muu@muu.fi", "Muu Oy", business_id="0112038-9")
    with scoped_to(session, other.id):
        service.submit_request(session, other.id, None, _person(99), now=NOW)  # another tenant's
    session.commit()
    with scoped_to(session, t.id, user.id):
        assert _agree(session, t.id) == {}
        a = service.submit_request(session, t.id, None, _person(1), now=NOW)
        assert _agree(session, t.id) == {"unverified": 1}
        service.verify_request(session, t.id, a.id, today=TODAY, now=NOW)
        assert _agree(session, t.id) == {"open": 1}
        dup = service.submit_request(session, t.id, None, _person(1), now=NOW)
        service.verify_request(session, t.id, dup.id, today=TODAY, now=NOW)  # the same person again
        assert dup.status == "linked" and _agree(session, t.id) == {"open": 1, "linked": 1}
        service.unlink(session, t.id, dup.id, by=user, now=NOW)
        assert _agree(session, t.id) == {"open": 2}
        service.extend(session, t.id, a.id, 1, "Paljon aineistoa", by=user, today=TODAY, now=NOW)
        service.assign(session, t.id, a.id, user.id, by=user, now=NOW)
        assert _agree(session, t.id) == {"open": 2}
        service.close(session, t.id, a.id, "complete", "Kopio lähetetty", by=user, now=NOW)
        service.close(session, t.id, dup.id, "refuse", "Sama pyyntö kuin aiempi", by=user, now=NOW)
        assert _agree(session, t.id) == {"completed": 1, "refused": 1}
        entered = service.enter_request(
            session, t.id, None, _person(2), channel="letter", received_on=TODAY,
            identity_note="Allekirjoitettu kirje", by=user, now=NOW,
        )  # fmt: skip
        assert entered.status == "open" and _agree(session, t.id) == {"completed": 1, "refused": 1, "open": 1}
        late = service.submit_request(session, t.id, None, _person(3), now=NOW)
        with pytest.raises(ValidationFailed, match="illegal_transition"):
            service.close(session, t.id, late.id, "complete", "Ei voi", by=user, now=NOW)
        assert _agree(session, t.id)["unverified"] == 1
    session.commit()
    with unscoped(session):
        assert late in service.expire_unverified(session, now=NOW + timedelta(days=8))
    with scoped_to(session, t.id, user.id):
        assert _agree(session, t.id) == {"completed": 1, "refused": 1, "open": 1, "closed_unverified": 1}
        # A status added later is counted by its name, with nothing to change in the counters.
        counts.set_status(session, entered, "partly_completed")
        assert _agree(session, t.id)["partly_completed"] == 1
    with scoped_to(session, other.id):
        assert _agree(session, other.id) == {"closed_unverified": 1}  # expired by the same job


def test_a_status_written_past_the_counters_is_refused(session, make_owner):
    user, t = make_owner("kasittelija@firma.fi", "Firma Oy")
    user = SimpleNamespace(id=user.id)  # the rollback below expires the row
    with scoped_to(session, t.id, user.id):
        request = service.submit_request(session, t.id, None, _person(1), now=NOW)
        session.flush()
        request.status = "open"
        with pytest.raises(RuntimeError, match="set_status"):
            session.flush()
    session.rollback()
    with scoped_to(session, t.id, user.id):
        session.add(
            DataRequest(tenant_id=t.id, reference="SEL-2345-6789", type="access", name="X", email="x@x.fi")
        )
        with pytest.raises(RuntimeError, match="count_new"):
            session.flush()
    session.rollback()


def test_rebuild_repairs_counters(session, make_owner):
    user, t = make_owner("kasittelija@firma.fi", "Firma Oy")
    with scoped_to(session, t.id, user.id):
        service.submit_request(session, t.id, None, _person(1), now=NOW)
    session.commit()
    with unscoped(session):
        session.execute(delete(RequestStatusCount))
        assert counts.rebuild(session) >= 1
    with scoped_to(session, t.id):
        assert _agree(session, t.id) == {"unverified": 1}


@pytest.fixture
def committed_firm(backend):
    """A database of its own with a tenant and a member, committed for real (the threads need their
    own connections, and nothing they commit may reach the other tests' database); dropped after."""
    url = prepare_postgres(f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_concurrent")
    engine = create_engine(operator_url(url))  # the set-up works across tenants, as the CLI does
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s, unscoped(s):
        user = accounts.create_user(
            s, email="rinnakkain@firma.fi", name="Rinnakkain", password="correct horse battery",
            language="fi", now=NOW, verified=True,
        )  # fmt: skip
        tenant = accounts.create_tenant(s, name="Rinnakkain Oy", business_id="2617416-4", now=NOW)
        tenant.plan = "pro"
        accounts.add_member(s, tenant.id, user.id, "owner", NOW)
        s.commit()
    yield factory, user, tenant
    engine.dispose()
    drop_postgres(url)


@pytest.mark.postgresql_only
def test_concurrent_transitions_keep_the_counts(backend, committed_firm):
    """Four connections at once: two race to close each of the same requests (one wins, the other is
    told it changed), and two verify and close others in opposite orders; no deadlock, no drift."""
    factory, user, tenant = committed_firm
    with factory() as s, scoped_to(s, tenant.id, user.id):
        made = [service.submit_request(s, tenant.id, None, _person(n), now=NOW).id for n in range(40)]
        for rid in made[:20]:
            service.verify_request(s, tenant.id, rid, today=TODAY, now=NOW)
        s.commit()
    contested, fresh = made[:20], made[20:]
    outcomes, errors, start = [], [], threading.Barrier(4)

    def work(job):
        start.wait()
        try:
            for step in job:
                with factory() as s, scoped_to(s, tenant.id, user.id):
                    try:
                        step(s)
                        s.commit()
                        outcomes.append("ok")
                    except ValidationFailed as exc:
                        s.rollback()
                        outcomes.append(exc.code)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    def closing(rid, how):
        return lambda s: service.close(s, tenant.id, rid, how, "Tehty", by=user, now=NOW)

    def verifying_then_closing(rid):
        def step(s):
            service.verify_request(s, tenant.id, rid, today=TODAY, now=NOW)
            service.close(s, tenant.id, rid, "complete", "Tehty", by=user, now=NOW)

        return step

    jobs = [
        [closing(rid, "complete") for rid in contested],
        [closing(rid, "refuse") for rid in reversed(contested)],
        [verifying_then_closing(rid) for rid in fresh[:10]],
        [verifying_then_closing(rid) for rid in reversed(fresh[10:])],
    ]
    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    assert not any(t.is_alive() for t in threads)
    assert outcomes.count("illegal_transition") == 20 and outcomes.count("ok") == 40
    with factory() as s, scoped_to(s, tenant.id):
        shown = _agree(s, tenant.id)
    assert sum(shown.values()) == 40 and shown.get("open", 0) == 0 and shown["completed"] >= 20
