"""Billing through Stripe: the pricing page, Checkout, the customer portal, and the webhook.

Without Stripe keys (the embedded default) billing is off, visibly, and operators set plans
with `flask tenants set-plan`.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import click
import stripe
from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tenants.billing import service as billing
from tenants.billing.plans import GRACE_PERIOD, INTERVALS, PLANS, editing_locked, stripe_price_problems
from tenants.models import Tenant
from tenants.scoping import scoped_to, unscoped

from ..config import ConfigError, billing_configured
from ..db import db
from ..forms import ActionForm
from ..routing import absolute_url
from ..security import csrf
from ..tenancy import owner_required, tenant_required
from ..unit_of_work import mark_rollback_only

bp = Blueprint("billing", __name__)
log = logging.getLogger(__name__)

HANDLED = {
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
}

SUBSCRIBED = ("active", "past_due")  # billing states in which Checkout is not offered again


def _now() -> datetime:
    return datetime.now(UTC)


def enabled(app: Flask | None = None) -> bool:
    """Billing is on when the Stripe key, the webhook secret and both prices are configured."""
    return billing_configured((app or current_app).config)


STRIPE_PAGES = "https://checkout.stripe.com https://billing.stripe.com"


def stripe_origins() -> str:
    """Where Checkout and the portal live (plus the API base's origin when one is configured, as in tests)."""
    base = current_app.config["STRIPE_API_BASE"]
    if base:
        parts = urlsplit(base)
        return f"{STRIPE_PAGES} {parts.scheme}://{parts.netloc}"
    return STRIPE_PAGES


def client() -> stripe.StripeClient:
    """The Stripe client, built once per app."""
    existing = current_app.extensions.get("seloste_stripe")
    if existing is None:
        cfg = current_app.config
        kwargs = {"max_network_retries": 2}
        if cfg["STRIPE_API_BASE"]:
            kwargs["base_addresses"] = {"api": cfg["STRIPE_API_BASE"]}
        existing = stripe.StripeClient(cfg["STRIPE_SECRET_KEY"], **kwargs)
        current_app.extensions["seloste_stripe"] = existing
    return existing


PRICE_SETTING = {"monthly": "STRIPE_PRICE_PRO_MONTHLY", "yearly": "STRIPE_PRICE_PRO_YEARLY"}


def price_problems() -> list[str]:
    """Where the configured Stripe prices disagree with PLANS (what the pages show); empty when
    they agree. Raises stripe.StripeError when Stripe cannot be asked."""
    problems = []
    for interval in INTERVALS:
        price_id = current_app.config[PRICE_SETTING[interval]]
        price = client().v1.prices.retrieve(price_id).to_dict()
        problems += [
            f"{PRICE_SETTING[interval]} ({price_id}): {p}"
            for p in stripe_price_problems(PLANS["pro"], interval, price)
        ]
    return problems


def check_prices_at_start(app: Flask) -> None:
    """In production with billing on, refuse to start while Stripe would charge another price than
    the pages show; when Stripe cannot be asked, say so and start."""
    if app.config["SELOSTE_ENV"] != "production" or not enabled(app):
        return
    with app.app_context():
        try:
            problems = price_problems()
        except stripe.StripeError as exc:
            log.warning(
                "The Stripe prices could not be compared with PLANS at start-up: %s", type(exc).__name__
            )
            return
    if problems:
        raise ConfigError(
            "The Stripe prices disagree with PLANS in tenants/billing/plans.py: " + "; ".join(problems)
        )


@bp.cli.command("check-prices")
def check_prices_command():
    """Compare the configured Stripe prices with PLANS; exit 1 when they disagree."""
    if not enabled():
        raise click.ClickException("Billing is off: the Stripe settings are not all set.")
    try:
        problems = price_problems()
    except stripe.StripeError as exc:
        raise click.ClickException(f"Stripe could not be asked: {type(exc).__name__}") from exc
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException("The Stripe prices disagree with PLANS.")
    click.echo("The Stripe prices agree with PLANS.")


def init_app(app: Flask) -> None:
    """Banner state for every logged-in page, where plan limits send people to upgrade, whom to ask
    when billing is off, and the check that Stripe charges what the pages show."""
    check_prices_at_start(app)

    @app.context_processor
    def _operator():
        return {"operator_email": app.config["OPERATOR_EMAIL"]}

    @app.template_global()
    def upgrade_url() -> str:
        """The billing page, or the public plans when billing is off (an operator sets plans then)."""
        return url_for("billing.overview") if enabled() else url_for("billing.pricing")

    @app.context_processor
    def _billing_banner():
        tenant = g.get("tenant")
        if tenant is None or tenant.billing_status != "past_due":
            return {}
        locked = editing_locked(tenant, _now())
        until = tenant.past_due_since + GRACE_PERIOD if tenant.past_due_since else None
        return {"billing_banner": {"locked": locked, "until": until}}


@bp.get("/pricing")
def pricing():
    """The plans and their prices, public."""
    return render_template("billing/pricing.html", plans=PLANS, billing_enabled=enabled())


@bp.get("/app/billing")
@tenant_required
def overview():
    """The tenant's plan, its state, and the ways to change it."""
    set_up = enabled()
    # Its forms answer with a redirect to Stripe's pages, which `form-action` must allow.
    g.form_action_extra = stripe_origins()
    return render_template(
        "billing/overview.html",
        plans=PLANS,
        billing_enabled=set_up,
        form=ActionForm(),
        log=billing.audit_log(db(), g.tenant.id, 20, kinds=billing.BILLING_KINDS),
        LOG_LABELS=LOG_LABELS,
    )


@bp.post("/app/billing/checkout")
@owner_required
def checkout():
    """Start Stripe Checkout for Pro, monthly or yearly."""
    if not ActionForm().validate_on_submit() or not enabled():
        abort(400)
    interval = request.form.get("interval", "monthly")
    price = current_app.config[
        "STRIPE_PRICE_PRO_YEARLY" if interval == "yearly" else "STRIPE_PRICE_PRO_MONTHLY"
    ]
    tenant = db().get(Tenant, g.tenant.id)
    if tenant.stripe_subscription_id and tenant.billing_status in SUBSCRIBED:
        # A second subscription would charge twice: changes go through the portal.
        flash(
            _(
                "Your organisation already has a subscription. Change or cancel it with the button "
                "“Manage payment details, invoices or cancel”."
            ),
            "info",
        )
        return redirect(url_for("billing.overview"))
    try:
        if not tenant.stripe_customer_id:
            customer = client().v1.customers.create(
                params={
                    "name": tenant.name,
                    "email": current_user.email,
                    "metadata": {"tenant_id": str(tenant.id)},
                }
            )
            billing.link_customer(db(), tenant, customer.id, now=_now())
        session = client().v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": tenant.stripe_customer_id,
                "client_reference_id": str(tenant.id),
                "line_items": [{"price": price, "quantity": 1}],
                "metadata": {"tenant_id": str(tenant.id)},
                "subscription_data": {"metadata": {"tenant_id": str(tenant.id)}},
                "success_url": absolute_url("billing.success"),
                "cancel_url": absolute_url("billing.overview"),
            }
        )
    except stripe.StripeError:
        log.exception("Stripe Checkout could not be started")
        flash(
            _("The payment service did not answer. Nothing was charged; please try again in a moment."),
            "error",
        )
        return redirect(url_for("billing.overview"))
    return redirect(session.url, code=303)


@bp.post("/app/billing/portal")
@owner_required
def portal():
    """Manage or cancel the subscription in Stripe's customer portal."""
    if not ActionForm().validate_on_submit() or not enabled() or not g.tenant.stripe_customer_id:
        abort(400)
    try:
        session = client().v1.billing_portal.sessions.create(
            params={
                "customer": g.tenant.stripe_customer_id,
                "return_url": absolute_url("billing.overview"),
            }
        )
    except stripe.StripeError:
        log.exception("Stripe portal could not be opened")
        flash(_("The payment service did not answer. Please try again in a moment."), "error")
        return redirect(url_for("billing.overview"))
    return redirect(session.url, code=303)


@bp.get("/app/billing/success")
@tenant_required
def success():
    """Back from Checkout: shows the plan as soon as the webhook has landed (refreshes until then)."""
    return render_template("billing/success.html", waiting=g.tenant.plan != "pro")


LOG_LABELS = {
    "plan_set": _l("Plan set by the operator"),
    "stripe_customer_linked": _l("Linked to the payment service"),
    "subscription_active": _l("Subscription active"),
    "subscription_past_due": _l("Payment failed; grace period started"),
    "subscription_canceled": _l("Subscription ended; back on Free"),
    "subscription_renewed": _l("Subscription renewed"),
}


@bp.post("/billing/webhook")
@csrf.exempt
def webhook():
    """Stripe's events: signature checked, each event handled once, state read from Stripe."""
    if not enabled():
        abort(404)
    payload = request.get_data()
    event = _verified_event(payload, request.headers.get("Stripe-Signature") or "")
    if event is None:
        return {"error": "invalid signature or payload"}, 400
    if event.type not in HANDLED:
        return {"received": True, "handled": False}
    session = db()
    now = _now()
    with unscoped(session):
        if not billing.first_time(session, event.id, event.type, now=now):
            return {"received": True, "duplicate": True}
        obj = event.data.object.to_dict()
        customer_id = _id(obj.get("customer"))
        tenant = billing.tenant_for_customer(session, customer_id) if customer_id else None
        # A Checkout is only ever started for the tenant's own customer, created and recorded before
        # it: an event names its tenant by that customer alone, never by the metadata it carries,
        # so no Checkout can tie a tenant to someone else's customer or subscription.
        subscription_id = _subscription_of(event.type, obj)
    if tenant is None or not subscription_id:
        log.warning("Stripe event %s (%s) matched no tenant", event.id, event.type)
        return {"received": True, "handled": False}
    # Webhooks for one tenant may run at once: hold its row so that the state read last is applied last.
    session.refresh(tenant, with_for_update=True)
    # Read the subscription as it is now: events may arrive in any order.
    try:
        sub = client().v1.subscriptions.retrieve(subscription_id).to_dict()
    except stripe.InvalidRequestError as exc:
        if exc.http_status != 404:
            return _retry_later(event)
        log.warning("Stripe event %s (%s): its subscription does not exist", event.id, event.type)
        return {"received": True, "handled": False}
    except stripe.StripeError:
        return _retry_later(event)
    if _id(sub.get("customer")) != tenant.stripe_customer_id:
        # Only the tenant's own customer's subscriptions decide its plan.
        log.warning("Stripe event %s (%s): the subscription is another customer's", event.id, event.type)
        return {"received": True, "handled": False}
    with scoped_to(session, tenant.id):
        changed = billing.apply_subscription(session, tenant, _state(sub), now=now, pro_prices=pro_prices())
    return {"received": True, "handled": True, "changed": changed}


# Stripe's own tolerance for an event signed in the past; the same holds for one dated ahead.
SIGNATURE_TOLERANCE = 300


def _verified_event(payload: bytes, header: str):
    """The event, when the signature is ours, its time within five minutes of now either way, and
    the body an event object; else None (answered with a 400)."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), header, secret, tolerance=SIGNATURE_TOLERANCE
        )
    except (ValueError, UnicodeDecodeError, stripe.SignatureVerificationError):
        return None
    stamps = [part[2:] for part in header.split(",") if part.strip().startswith("t=")]
    try:
        signed_at = int(stamps[0].strip())
    except (IndexError, ValueError):
        return None
    if signed_at > time.time() + SIGNATURE_TOLERANCE:
        return None
    try:
        body = json.loads(payload)
    except ValueError:
        return None
    data = body.get("data") if isinstance(body, dict) else None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("object"), dict)
        or not isinstance(body.get("id"), str)
        or not isinstance(body.get("type"), str)
    ):
        return None
    return stripe.Event.construct_from(body, stripe.api_key)


def pro_prices() -> set[str]:
    """The configured Pro prices: only a subscription of one of them makes a tenant Pro."""
    cfg = current_app.config
    return {cfg["STRIPE_PRICE_PRO_MONTHLY"], cfg["STRIPE_PRICE_PRO_YEARLY"]} - {None, ""}


def _id(value) -> str | None:
    """An id, whether Stripe sent the object expanded or not."""
    return value.get("id") if isinstance(value, dict) else value


def _subscription_of(event_type: str, obj: dict) -> str | None:
    """The subscription an event is about.

    Invoices name it under `parent.subscription_details` since API version 2025-03-31 (the top-level
    `subscription` of older versions is the fallback); Checkout sessions at the top level.
    """
    if event_type.startswith("invoice"):
        details = (obj.get("parent") or {}).get("subscription_details") or {}
        return _id(details.get("subscription")) or _id(obj.get("subscription"))
    if event_type.startswith("checkout"):
        return _id(obj.get("subscription"))
    return obj.get("id")


def _state(sub: dict) -> billing.SubscriptionState:
    """The parts of a subscription that decide the plan.

    The billing period is on the subscription's items since API version 2025-03-31 (the Pro item's
    end, else the latest; the top-level `current_period_end` of older versions is the fallback).
    """
    items = [item for item in ((sub.get("items") or {}).get("data") or []) if isinstance(item, dict)]
    prices = tuple(p for p in (_id(item.get("price")) for item in items) if p)
    dated = [item for item in items if isinstance(item.get("current_period_end"), int)]
    pro = [item for item in dated if _id(item.get("price")) in pro_prices()]
    period_end = max((item["current_period_end"] for item in pro or dated), default=None)
    if period_end is None and isinstance(sub.get("current_period_end"), int):
        period_end = sub["current_period_end"]
    return billing.SubscriptionState(
        id=sub["id"],
        customer=_id(sub.get("customer")) or "",
        status=sub.get("status", ""),
        current_period_end=datetime.fromtimestamp(period_end, UTC) if period_end else None,
        price_ids=prices,
    )


def _retry_later(event):
    """Stripe could not be asked: store nothing (not even the event id) so that its retry is handled."""
    log.warning(
        "Stripe event %s (%s): the subscription could not be read; Stripe retries", event.id, event.type
    )
    mark_rollback_only()
    return {"error": "the payment service did not answer; try again"}, 503
