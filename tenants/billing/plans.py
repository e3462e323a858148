"""The plans and what each allows. Limits are checked in the services, not only in the interface."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import ValidationFailed
from ..models import Membership, Tenant

GRACE_PERIOD = timedelta(days=14)


# Finland's general VAT rate (arvonlisävero, ALV), in force since 1 September 2024.
VAT_PERCENT = Decimal("25.5")
CURRENCY = "eur"
INTERVALS = ("monthly", "yearly")
STRIPE_INTERVAL = {"monthly": "month", "yearly": "year"}


@dataclass(frozen=True)
class Plan:
    """What a tenant on this plan may do (None: no limit), and what it costs in euro cents without
    VAT, per month and per year. The pages show these prices, and the Stripe prices are checked
    against them (webapp/billing: at start-up in production, and `flask billing check-prices`)."""

    key: str
    published_notices: int | None
    languages: int | None
    members: int | None
    pdf: bool
    badge: bool
    monthly_cents: int = 0
    yearly_cents: int = 0

    def price_cents(self, interval: str) -> int:
        """The price of one period ('monthly' or 'yearly') without VAT."""
        return self.yearly_cents if interval == "yearly" else self.monthly_cents


PLANS = {
    "free": Plan("free", published_notices=1, languages=1, members=1, pdf=False, badge=True),
    "pro": Plan(
        "pro",
        published_notices=None,
        languages=None,
        members=None,
        pdf=True,
        badge=False,
        monthly_cents=1200,
        yearly_cents=12000,
    ),
}


def with_vat(cents: int) -> int:
    """The price with VAT, rounded to the cent (half up, as invoices round)."""
    gross = Decimal(cents) * (1 + VAT_PERCENT / 100)
    return int(gross.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def stripe_price_problems(plan: Plan, interval: str, price: dict) -> list[str]:
    """How a Stripe price (as the API returns it) differs from what the plan says it costs; empty
    when they agree. A price with tax behaviour 'inclusive' must carry the VAT, any other none."""
    problems = []
    if not price.get("active", True):
        problems.append("the price is archived in Stripe")
    if (price.get("currency") or "").lower() != CURRENCY:
        problems.append(f"currency {price.get('currency')!r}, expected {CURRENCY!r}")
    recurring = price.get("recurring") or {}
    if recurring.get("interval") != STRIPE_INTERVAL[interval] or recurring.get("interval_count", 1) != 1:
        problems.append(f"billed every {recurring.get('interval_count', 1)} {recurring.get('interval')}")
    net = plan.price_cents(interval)
    expected = with_vat(net) if price.get("tax_behavior") == "inclusive" else net
    if price.get("unit_amount") != expected:
        problems.append(
            f"unit_amount {price.get('unit_amount')}, expected {expected} (PLANS: {net} without VAT)"
        )
    return problems


class PlanLimit(ValidationFailed):
    """An action needs a bigger plan; `limit` names which one (for the upgrade message)."""

    def __init__(self, limit: str, field: str | None = None):
        super().__init__(f"plan_limit_{limit}", field)
        self.limit = limit


def plan_of(tenant: Tenant) -> Plan:
    """The tenant's plan (unknown keys fall back to Free)."""
    return PLANS.get(tenant.plan, PLANS["free"])


def editing_locked(tenant: Tenant, now: datetime) -> bool:
    """Past due for longer than the grace period: editing and new publishing stop (public pages never)."""
    return (
        tenant.billing_status == "past_due"
        and tenant.past_due_since is not None
        and (now - tenant.past_due_since > GRACE_PERIOD)
    )


def require_editing(tenant: Tenant, now: datetime) -> None:
    """Raise when billing has locked editing."""
    if editing_locked(tenant, now):
        raise PlanLimit("locked")


def check_languages(tenant: Tenant, languages: list[str]) -> None:
    """A notice may use as many languages as the plan allows."""
    limit = plan_of(tenant).languages
    if limit is not None and len(languages) > limit:
        raise PlanLimit("languages", "languages")


def check_can_publish(
    tenant: Tenant, *, already_published: bool, others_published: int, now: datetime
) -> None:
    """Publishing another notice must fit the plan; a new version of a published one always does."""
    require_editing(tenant, now)
    limit = plan_of(tenant).published_notices
    if limit is not None and not already_published and others_published >= limit:
        raise PlanLimit("published_notices")


def check_can_add_member(session: Session, tenant: Tenant) -> None:
    """Inviting one more member must fit the plan."""
    limit = plan_of(tenant).members
    if limit is None:
        return
    members = session.scalar(select(func.count(Membership.id)).where(Membership.tenant_id == tenant.id))
    if members >= limit:
        raise PlanLimit("members", "email")
