"""The last owner, with real concurrent transactions on PostgreSQL: however removals interleave, a
tenant is never left without an owner (the check and the removal hold the tenant's memberships)."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tenants import accounts
from tenants.errors import DomainError
from tenants.models import Membership, Tenant, User
from tenants.scoping import scoped_to, unscoped

from ..conftest import PASSWORD

pytestmark = pytest.mark.postgresql_only


def _now():
    return datetime.now(UTC)


@pytest.fixture
def two_owners(engine):
    """A committed tenant with owners A and B (outside any test transaction); removed afterwards."""
    tag = uuid.uuid4().hex[:8]
    with Session(engine) as s, unscoped(s):
        a = accounts.create_user(
            s, email=f"a-{tag}@race.fi", name="A", password=PASSWORD, language="fi", now=_now(), verified=True
        )
        b = accounts.create_user(
            s, email=f"b-{tag}@race.fi", name="B", password=PASSWORD, language="fi", now=_now(), verified=True
        )
        tenant = accounts.create_tenant(s, name=f"Kilpa {tag} Oy", business_id="2617416-4", now=_now())
        ma = accounts.add_member(s, tenant.id, a.id, "owner", _now())
        mb = accounts.add_member(s, tenant.id, b.id, "owner", _now())
        ids = {"tenant": tenant.id, "a": a.id, "b": b.id, "ma": ma.id, "mb": mb.id}
        s.commit()
    yield ids
    with Session(engine) as s, unscoped(s):
        s.execute(delete(Tenant).where(Tenant.id == ids["tenant"]))
        s.execute(delete(User).where(User.id.in_([ids["a"], ids["b"]])))
        s.commit()


def _owners(engine, tenant_id) -> int:
    with Session(engine) as s, unscoped(s):
        return s.scalar(
            select(func.count(Membership.id)).where(
                Membership.tenant_id == tenant_id, Membership.role == "owner"
            )
        )


def _interleave(engine, tenant_id, first: tuple[int, int], second: tuple[int, int]) -> list:
    """`first` = (by user, membership to remove) runs and holds its transaction open while `second`
    runs in another connection; then `first` commits. Returns what each ended with."""
    outcome: list = [None, None]
    s1 = Session(engine)
    with scoped_to(s1, tenant_id, first[0]):
        try:
            accounts.remove_member(s1, tenant_id, first[1], by_user_id=first[0])
            outcome[0] = "removed"
        except DomainError as exc:
            outcome[0] = type(exc).__name__

        def other():
            with Session(engine) as s2, scoped_to(s2, tenant_id, second[0]):
                try:
                    accounts.remove_member(s2, tenant_id, second[1], by_user_id=second[0])
                    s2.commit()
                    outcome[1] = "removed"
                except DomainError as exc:
                    s2.rollback()
                    outcome[1] = getattr(exc, "code", None) or type(exc).__name__

        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.6)  # the other transaction reaches its check while this one is still open
        s1.commit()
    s1.close()
    thread.join(timeout=30)
    assert not thread.is_alive()
    return outcome


def test_two_owners_removing_each_other_at_once_leave_one_owner(engine, two_owners):
    ids = two_owners
    outcome = _interleave(engine, ids["tenant"], (ids["a"], ids["mb"]), (ids["b"], ids["ma"]))
    assert outcome[0] == "removed"
    assert outcome[1] != "removed"  # B was removed meanwhile: B may no longer remove anyone
    assert _owners(engine, ids["tenant"]) == 1


def test_an_owner_leaving_while_the_other_removes_them_leaves_one_owner(engine, two_owners):
    ids = two_owners
    # A removes themself while B removes A too: one of them happens, the tenant keeps B.
    outcome = _interleave(engine, ids["tenant"], (ids["a"], ids["ma"]), (ids["b"], ids["ma"]))
    assert outcome[0] == "removed" and outcome[1] != "removed"
    assert _owners(engine, ids["tenant"]) == 1


def test_both_owners_leaving_at_once_keep_the_last_one(engine, two_owners):
    ids = two_owners
    outcome = _interleave(engine, ids["tenant"], (ids["a"], ids["ma"]), (ids["b"], ids["mb"]))
    assert outcome == ["removed", "last_owner"]
    assert _owners(engine, ids["tenant"]) == 1
