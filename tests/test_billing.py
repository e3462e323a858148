"""Plans and limits, Stripe Checkout and portal against a local fake, signed webhooks, past-due locks."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tenants.billing.plans import PlanLimit
from tenants.models import Tenant, TenantEvent
from tenants.notices import service
from tenants.scoping import scoped_to, unscoped

from .conftest import login, publish_version
from .stripe_fake import FakeStripe, event, sign

SECRET = "whsec_test_secret"


@pytest.fixture(scope="module")
def fake_stripe():
    fake = FakeStripe(SECRET).start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_app(app, fake_stripe):
    """The test app with Stripe configured against the local fake (settings are read per request)."""
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_fake",
        STRIPE_WEBHOOK_SECRET=SECRET,
        STRIPE_PRICE_PRO_MONTHLY="price_month",
        STRIPE_PRICE_PRO_YEARLY="price_year",
        STRIPE_API_BASE=fake_stripe.url,
    )
    return app


@pytest.fixture
def free_firm(make_owner, session):
    user, tenant = make_owner("olli@rantakahvila.fi", "Rantakahvila Oy", plan="free")
    return user, tenant


def tenant_now(session, tenant_id) -> Tenant:
    with unscoped(session):
        session.expire_all()
        return session.get(Tenant, tenant_id)


def post_event(app, payload: bytes, signature: str | None = None):
    headers = {"Content-Type": "application/json"}
    if signature is not False:
        headers["Stripe-Signature"] = signature or sign(payload, SECRET)
    return app.test_client().post("/billing/webhook", data=payload, headers=headers)


def new_notice(session, user, tenant, title, languages=("fi",)):
    session.expire_all()  # the webhook changed the plan through another session
    with scoped_to(session, tenant.id, user.id):
        notice = service.create_notice(
            session,
            tenant.id,
            by_user_id=user.id,
            title=title,
            languages=list(languages),
            primary_language="fi",
            starter_key="customer_register",
            now=datetime.now(UTC),
        )
    session.commit()
    return notice


# -- without Stripe --------------------------------------------------------------------------------------


def test_without_keys_billing_is_visibly_off_and_operators_set_plans(app, client, session, free_firm):
    assert 'id="billing-off"' in client.get("/pricing").get_data(as_text=True)
    assert client.post("/billing/webhook", data=b"{}").status_code == 404
    result = app.test_cli_runner().invoke(args=["tenants", "set-plan", "rantakahvila-oy", "pro"])
    assert result.exit_code == 0 and "free -> pro" in result.output
    assert tenant_now(session, free_firm[1].id).plan == "pro"
    with unscoped(session):
        kinds = [e.kind for e in session.scalars(select(TenantEvent))]
    assert kinds == ["plan_set"]
    bad = app.test_cli_runner().invoke(args=["tenants", "set-plan", "no-such-firm", "pro"])
    assert bad.exit_code != 0 and "No tenant has the address" in bad.output


# -- limits in the services ----------------------------------------------------------------------------


def test_free_plan_limits_are_enforced_in_services(session, free_firm):
    user, tenant = free_firm
    with pytest.raises(PlanLimit, match="languages"):
        new_notice(session, user, tenant, "Kaksikielinen", languages=("fi", "sv"))
    session.rollback()
    first = new_notice(session, user, tenant, "Asiakasrekisteri")
    second = new_notice(session, user, tenant, "Rekrytointi")
    publish_version(session, (user, tenant, first), today=datetime.now(UTC).date())
    with pytest.raises(PlanLimit, match="published_notices"):
        publish_version(session, (user, tenant, second), today=datetime.now(UTC).date())
    session.rollback()
    # A new version of the published notice is always fine.
    publish_version(session, (user, tenant, first), today=datetime.now(UTC).date(), note="Korjaus")


def test_limits_show_a_clear_message_with_the_way_to_upgrade(client, session, free_firm):
    login(client, "olli@rantakahvila.fi")
    r = client.post_form(
        "/app/notices/new",
        {"title": "X", "starter": "customer_register", "languages": ["fi", "en"], "primary_language": "fi"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'href="/app/billing"' in html
    r = client.post_form("/app/members", {"email": "kollega@rantakahvila.fi", "role": "handler"})
    assert 'aria-invalid="true"' in r.get_data(as_text=True)


# -- Stripe --------------------------------------------------------------------------------------------


def test_checkout_links_the_customer_and_redirects_to_stripe(stripe_app, session, free_firm, fake_stripe):
    client = stripe_app.test_client()
    login(client, "olli@rantakahvila.fi")
    r = client.post_form("/app/billing/checkout", {"interval": "yearly"})
    assert r.status_code == 303 and r.headers["Location"].startswith(f"{fake_stripe.url}/checkout/cs_")
    session_id = r.headers["Location"].rsplit("/", 1)[1]
    made = fake_stripe.sessions[session_id]
    tenant = tenant_now(session, free_firm[1].id)
    assert made["price"] == "price_year" and made["mode"] == "subscription"
    assert made["customer"] == tenant.stripe_customer_id and made["tenant_id"] == str(tenant.id)
    assert made["success_url"].endswith("/app/billing/success")


def test_stripe_down_at_checkout_is_explained(stripe_app, session, free_firm, fake_stripe):
    client = stripe_app.test_client()
    login(client, "olli@rantakahvila.fi")
    fake_stripe.failures = 5  # more than the client's retries
    r = client.post_form("/app/billing/checkout", {"interval": "monthly"}, follow_redirects=True)
    fake_stripe.failures = 0
    assert r.request.path == "/app/billing" and "alert--error" in r.get_data(as_text=True)


def _subscribe(stripe_app, session, tenant_id, fake_stripe, status="active"):
    with unscoped(session):
        tenant = session.get(Tenant, tenant_id)
        tenant.stripe_customer_id = tenant.stripe_customer_id or f"cus_t{tenant_id}"
    session.commit()
    sub = fake_stripe.set_subscription(f"sub_t{tenant_id}_{time.monotonic_ns()}", f"cus_t{tenant_id}", status)
    payload = event(
        "checkout.session.completed",
        {
            "id": "cs_x",
            "object": "checkout.session",
            "customer": f"cus_t{tenant_id}",
            "subscription": sub["id"],
            "metadata": {"tenant_id": str(tenant_id)},
        },
    )
    assert post_event(stripe_app, payload).status_code == 200
    return sub


def test_valid_webhook_upgrades_and_is_audited(stripe_app, session, free_firm, fake_stripe):
    _subscribe(stripe_app, session, free_firm[1].id, fake_stripe)
    tenant = tenant_now(session, free_firm[1].id)
    assert (tenant.plan, tenant.billing_status) == ("pro", "active") and tenant.current_period_end
    with unscoped(session):
        kinds = [e.kind for e in session.scalars(select(TenantEvent).order_by(TenantEvent.id))]
    assert "subscription_active" in kinds


@pytest.mark.parametrize("case", ["bad signature", "stale", "unsigned", "not json"])
def test_unsigned_or_stale_webhooks_are_refused(stripe_app, session, free_firm, case):
    payload = event(
        "customer.subscription.deleted", {"id": "sub_x", "object": "subscription", "customer": "c"}
    )
    signature = {
        "bad signature": sign(payload, "whsec_wrong"),
        "stale": sign(payload, SECRET, timestamp=int(time.time()) - 3600),
        "unsigned": False,
        "not json": None,
    }[case]
    if case == "not json":
        payload = b"not json"
    assert post_event(stripe_app, payload, signature).status_code == 400


def test_replayed_event_changes_nothing(stripe_app, session, free_firm, fake_stripe):
    sub = _subscribe(stripe_app, session, free_firm[1].id, fake_stripe)
    payload = event(
        "customer.subscription.updated",
        {"id": sub["id"], "object": "subscription", "customer": sub["customer"]},
        event_id="evt_replay",
    )
    assert post_event(stripe_app, payload).get_json()["handled"] is True
    fake_stripe.subscriptions[sub["id"]]["status"] = "canceled"
    replay = post_event(stripe_app, payload)
    assert replay.status_code == 200 and replay.get_json()["duplicate"] is True
    assert tenant_now(session, free_firm[1].id).plan == "pro"


def test_out_of_order_events_follow_the_current_subscription(stripe_app, session, free_firm, fake_stripe):
    sub = _subscribe(stripe_app, session, free_firm[1].id, fake_stripe)
    fake_stripe.subscriptions[sub["id"]]["status"] = "canceled"
    deleted = event(
        "customer.subscription.deleted",
        {"id": sub["id"], "object": "subscription", "customer": sub["customer"], "status": "canceled"},
    )
    late_update = event(
        "customer.subscription.updated",
        {"id": sub["id"], "object": "subscription", "customer": sub["customer"], "status": "active"},
    )
    assert post_event(stripe_app, deleted).status_code == 200
    assert post_event(stripe_app, late_update).status_code == 200  # arrives after the deletion
    tenant = tenant_now(session, free_firm[1].id)
    assert (tenant.plan, tenant.billing_status) == ("free", "canceled")


def test_payment_failure_grace_then_lock_but_public_pages_keep_working(
    stripe_app, session, free_firm, fake_stripe
):
    user, tenant = free_firm
    sub = _subscribe(stripe_app, session, tenant.id, fake_stripe)
    notice = new_notice(session, user, tenant, "Asiakasrekisteri", languages=("fi", "en"))
    publish_version(session, (user, tenant, notice), today=datetime.now(UTC).date())
    fake_stripe.subscriptions[sub["id"]]["status"] = "past_due"
    failed = event(
        "invoice.payment_failed",
        {"id": "in_1", "object": "invoice", "customer": sub["customer"], "subscription": sub["id"]},
    )
    assert post_event(stripe_app, failed).status_code == 200
    assert tenant_now(session, tenant.id).billing_status == "past_due"
    owner = stripe_app.test_client()
    login(owner, "olli@rantakahvila.fi")
    page = owner.get("/app/").get_data(as_text=True)
    assert 'id="billing-banner"' in page
    # Within the grace period editing works; after it, it is locked.
    r = owner.post_form(
        f"/app/notices/{notice.id}/steps/retention",
        {"retention.fi": "Kaksi vuotta", "retention.en": "Two years"},
    )
    assert r.status_code == 302
    with unscoped(session):
        session.get(Tenant, tenant.id).past_due_since = datetime.now(UTC) - timedelta(days=15)
    session.commit()
    r = owner.post_form(f"/app/notices/{notice.id}/steps/retention", {"retention.fi": "Kolme vuotta"})
    assert r.status_code == 200 and "alert--error" in r.get_data(as_text=True)
    r = owner.post_form(f"/app/notices/{notice.id}/publish", {"prepared_on": "", "change_note": "x"})
    assert r.status_code == 200 and "alert--error" in r.get_data(as_text=True)
    visitor = stripe_app.test_client()
    assert visitor.get("/rantakahvila-oy/asiakasrekisteri").status_code == 200
    assert visitor.get("/rantakahvila-oy/asiakasrekisteri/history").status_code == 200
    assert visitor.get("/rantakahvila-oy/asiakasrekisteri/request").status_code == 200
    # Paying again unlocks.
    fake_stripe.subscriptions[sub["id"]]["status"] = "active"
    paid = event(
        "invoice.paid",
        {"id": "in_2", "object": "invoice", "customer": sub["customer"], "subscription": sub["id"]},
    )
    assert post_event(stripe_app, paid).status_code == 200
    assert tenant_now(session, tenant.id).billing_status == "active"


def test_cancellation_returns_to_free_and_deletes_nothing(stripe_app, session, free_firm, fake_stripe):
    user, tenant = free_firm
    sub = _subscribe(stripe_app, session, tenant.id, fake_stripe)
    for title in ("Asiakkaat", "Rekrytointi"):
        notice = new_notice(session, user, tenant, title, languages=("fi", "sv"))
        publish_version(session, (user, tenant, notice), today=datetime.now(UTC).date())
    fake_stripe.subscriptions[sub["id"]]["status"] = "canceled"
    gone = event(
        "customer.subscription.deleted",
        {"id": sub["id"], "object": "subscription", "customer": sub["customer"]},
    )
    assert post_event(stripe_app, gone).status_code == 200
    assert tenant_now(session, tenant.id).plan == "free"
    visitor = stripe_app.test_client()
    for slug in ("asiakkaat", "rekrytointi"):
        r = visitor.get(f"/rantakahvila-oy/{slug}?lang=sv")
        assert r.status_code == 200 and 'lang="sv"' in r.get_data(as_text=True)


def test_portal_and_success_page(stripe_app, session, free_firm, fake_stripe):
    _subscribe(stripe_app, session, free_firm[1].id, fake_stripe)
    owner = stripe_app.test_client()
    login(owner, "olli@rantakahvila.fi")
    r = owner.post_form("/app/billing/portal")
    assert r.status_code == 303 and "/portal/" in r.headers["Location"]
    assert 'id="billing-active"' in owner.get("/app/billing/success").get_data(as_text=True)
    assert json.loads(json.dumps({"ok": True}))


def test_only_the_billing_page_lets_its_forms_go_to_stripe(stripe_app, session, free_firm):
    owner = stripe_app.test_client()
    login(owner, "olli@rantakahvila.fi")
    billing_csp = owner.get("/app/billing").headers["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com https://billing.stripe.com" in billing_csp
    assert "stripe" not in owner.get("/app/").headers["Content-Security-Policy"]
