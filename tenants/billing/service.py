"""Billing state changes. Every change is written to the tenant's audit log."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import ValidationFailed
from ..models import StripeEvent, Tenant, TenantEvent
from .plans import PLANS

log = logging.getLogger(__name__)

ACTIVE = ("active", "trialing")
PAST_DUE = ("past_due", "unpaid")
ENDED = ("canceled", "incomplete_expired")


@dataclass(frozen=True)
class SubscriptionState:
    """What Stripe says of a subscription now (read from the API, not from the event)."""

    id: str
    customer: str
    status: str
    current_period_end: datetime | None
    price_ids: tuple[str, ...] = ()


def record(
    session: Session, tenant: Tenant, kind: str, data: dict, *, now: datetime, actor_id: int | None = None
) -> TenantEvent:
    """Append to the tenant's audit log."""
    event = TenantEvent(tenant_id=tenant.id, kind=kind, data=data, actor_user_id=actor_id, created_at=now)
    session.add(event)
    session.flush()
    return event


# The audit-log entries that are billing changes (the log also holds the organisation's settings).
BILLING_KINDS = (
    "plan_set",
    "stripe_customer_linked",
    "subscription_active",
    "subscription_past_due",
    "subscription_canceled",
    "subscription_renewed",
)


def audit_log(
    session: Session, tenant_id: int, limit: int = 50, *, kinds: tuple[str, ...] | None = None
) -> list[TenantEvent]:
    """The newest entries of the tenant's audit log, of the given kinds (default: all)."""
    return list(
        session.scalars(
            select(TenantEvent)
            .where(TenantEvent.tenant_id == tenant_id)
            .where(TenantEvent.kind.in_(kinds) if kinds else True)
            .order_by(TenantEvent.created_at.desc(), TenantEvent.id.desc())
            .limit(limit)
        )
    )


def set_plan(
    session: Session, tenant: Tenant, plan: str, *, now: datetime, source: str, actor_id: int | None = None
) -> Tenant:
    """Put a tenant on a plan (operators, or billing without Stripe)."""
    if plan not in PLANS:
        raise ValidationFailed("plan_unknown", "plan")
    before = (tenant.plan, tenant.billing_status)
    tenant.plan = plan
    tenant.billing_status = "none" if plan == "free" else "active"
    tenant.past_due_since = None
    record(
        session,
        tenant,
        "plan_set",
        {"from": before[0], "to": plan, "source": source},
        now=now,
        actor_id=actor_id,
    )
    return tenant


def link_customer(session: Session, tenant: Tenant, customer_id: str, *, now: datetime) -> None:
    """Remember the tenant's Stripe customer."""
    if tenant.stripe_customer_id != customer_id:
        tenant.stripe_customer_id = customer_id
        record(session, tenant, "stripe_customer_linked", {"customer": customer_id}, now=now)


def tenant_for_customer(session: Session, customer_id: str) -> Tenant | None:
    """The tenant a Stripe customer belongs to."""
    return session.scalar(select(Tenant).where(Tenant.stripe_customer_id == customer_id))


def apply_subscription(
    session: Session, tenant: Tenant, sub: SubscriptionState, *, now: datetime, pro_prices: Collection[str]
) -> bool:
    """Make the tenant's plan follow the subscription's current state; True when something changed.

    Only a subscription of one of the Pro prices (`pro_prices`) makes a tenant Pro. The tenant's own
    subscription is followed whatever its price (prices change: a subscriber on an earlier Pro price
    still falls past due or ends). A new billing period (a renewal) is recorded too.
    """
    if not set(sub.price_ids) & set(pro_prices) and sub.id != tenant.stripe_subscription_id:
        log.warning(
            "subscription %s of tenant %s has no Pro price (prices %s); the plan is unchanged",
            sub.id,
            tenant.id,
            ", ".join(sub.price_ids) or "none",
        )
        return False
    before = (tenant.plan, tenant.billing_status, tenant.stripe_subscription_id, tenant.past_due_since)
    period_before = tenant.current_period_end
    if sub.status in ACTIVE:
        tenant.plan, tenant.billing_status, tenant.past_due_since = "pro", "active", None
    elif sub.status in PAST_DUE:
        tenant.plan, tenant.billing_status = "pro", "past_due"
        tenant.past_due_since = tenant.past_due_since or now
    elif sub.status in ENDED:
        if tenant.stripe_subscription_id not in (None, sub.id):
            return False  # an old subscription ended; a newer one decides
        tenant.plan, tenant.billing_status, tenant.past_due_since = "free", "canceled", None
    else:  # incomplete: payment not finished yet, nothing changes
        return False
    tenant.stripe_subscription_id = sub.id
    tenant.current_period_end = sub.current_period_end
    after = (tenant.plan, tenant.billing_status, tenant.stripe_subscription_id, tenant.past_due_since)
    data = {
        "plan": tenant.plan,
        "subscription": sub.id,
        "stripe_status": sub.status,
        "period_end": sub.current_period_end.isoformat() if sub.current_period_end else None,
    }
    if after != before:
        record(session, tenant, "subscription_" + tenant.billing_status, data, now=now)
        return True
    if period_before != sub.current_period_end:
        record(
            session,
            tenant,
            "subscription_renewed",
            {**data, "previous_period_end": period_before.isoformat() if period_before else None},
            now=now,
        )
        return True
    return False


def first_time(session: Session, event_id: str, event_type: str, *, now: datetime) -> bool:
    """Record a webhook event id; False when it was handled before (a replay or a duplicate)."""
    if session.get(StripeEvent, event_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(StripeEvent(id=event_id, type=event_type, received_at=now))
    except IntegrityError:  # another worker took it at the same moment
        return False
    return True
