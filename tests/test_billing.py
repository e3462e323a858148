"""Plans and limits, Stripe Checkout and portal against a local fake, signed webhooks, past-due locks."""

import dataclasses
import json
import logging
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select

from tenants import accounts
from tenants.billing import service as billing
from tenants.billing.plans import PLANS, PlanLimit, with_vat
from tenants.models import Membership, StripeEvent, Tenant, TenantEvent
from tenants.notices import service
from tenants.notices.models import Notice
from tenants.scoping import scoped_to, unscoped
from webapp import page_cache as cache

from .conftest import login, publish_version
from .stripe_fake import FakeStripe, event, invoice, sign
from .support import answered_notice
from .test_requests_web import confirm, path, requests_in, send
from .test_wizard import _current_values

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


def audit_kinds(session, tenant_id) -> list[str]:
    with unscoped(session):
        session.expire_all()
        return [
            e.kind
            for e in session.scalars(
                select(TenantEvent).where(TenantEvent.tenant_id == tenant_id).order_by(TenantEvent.id)
            )
        ]


def upgrade_link(html: str) -> tuple[str, str] | None:
    """The (href, text) of the link a plan limit's message offers, if the page has one."""
    found = re.search(r'<a id="upgrade-link" href="([^"]*)">([^<]*)</a>', html)
    return found.groups() if found else None


def lock(session, tenant_id, days_overdue=15):
    """A Pro tenant whose payment has been overdue longer than the grace period."""
    with unscoped(session):
        tenant = session.get(Tenant, tenant_id)
        tenant.plan, tenant.billing_status = "pro", "past_due"
        tenant.past_due_since = datetime.now(UTC) - timedelta(days=days_overdue)
    session.commit()


def new_notice(session, user, tenant, title, languages=("fi",)):
    # The ids without loading the rows (a rollback may have expired them; a user's row loads in scope).
    user_id, tenant_id = inspect(user).identity[0], inspect(tenant).identity[0]
    session.expire_all()  # the webhook changed the plan through another session
    with scoped_to(session, tenant_id, user_id):
        notice = answered_notice(session, tenant_id, user_id, title=title, languages=languages)
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
    # Billing is off here: the way to upgrade is the public plans (an operator sets the plan).
    assert r.status_code == 200 and upgrade_link(r.get_data(as_text=True)) == (
        "/pricing",
        "Katso palvelutasot",
    )
    r = client.post_form("/app/members", {"email": "kollega@rantakahvila.fi", "role": "handler"})
    html = r.get_data(as_text=True)
    assert 'id="email-error"' in html and 'aria-invalid="true"' in html
    assert upgrade_link(html)[0] == "/pricing"
    assert client.get("/app/members").status_code == 200
    assert upgrade_link(client.get("/app/members").get_data(as_text=True)) is None  # only with the message
    with unscoped(session):
        count = session.scalar(select(func.count()).select_from(Membership))
    assert count == 1


def test_every_plan_limit_message_links_to_the_billing_page(stripe_app, session, free_firm):
    user, tenant = free_firm
    first = new_notice(session, user, tenant, "Asiakasrekisteri")
    second = new_notice(session, user, tenant, "Rekrytointi")
    publish_version(session, (user, tenant, first), today=datetime.now(UTC).date())
    owner = stripe_app.test_client()
    login(owner, "olli@rantakahvila.fi")
    # Publishing a second notice.
    r = owner.post_form(f"/app/notices/{second.id}/publish", {"prepared_on": "", "change_note": ""})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "alert--error" in html
    assert upgrade_link(html) == ("/app/billing", "Katso palvelutasot")
    # A second language in the wizard's basics step.
    values = _current_values(owner, first.id, "basics")
    r = owner.post_form(f"/app/notices/{first.id}/steps/basics", {**values, "notice.languages": ["fi", "sv"]})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="notice-languages-error"' in html
    assert upgrade_link(html)[0] == "/app/billing"
    # Inviting a second member.
    r = owner.post_form("/app/members", {"email": "kollega@rantakahvila.fi", "role": "handler"})
    assert upgrade_link(r.get_data(as_text=True))[0] == "/app/billing"
    # Nothing of it happened.
    session.expire_all()
    with unscoped(session):
        assert session.get(Notice, second.id).published_number is None
        assert session.get(Notice, first.id).languages == ["fi"]


def test_the_editing_locked_message_links_to_the_payment_details(stripe_app, session, free_firm):
    user, tenant = free_firm
    notice = new_notice(session, user, tenant, "Asiakasrekisteri")
    lock(session, tenant.id)
    owner = stripe_app.test_client()
    login(owner, "olli@rantakahvila.fi")
    r = owner.post_form(f"/app/notices/{notice.id}/steps/retention?lang=en", {"retention.fi": "Kaksi vuotta"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Editing is paused because the payment is overdue" in html
    assert upgrade_link(html) == ("/app/billing", "Update the payment details")
    r = owner.post_form(
        "/app/notices/new?lang=en",
        {"title": "Uusi", "starter": "", "languages": ["fi"], "primary_language": "fi"},
    )
    assert upgrade_link(r.get_data(as_text=True)) == ("/app/billing", "Update the payment details")


def test_the_plan_table_follows_the_plans(client, monkeypatch):
    monkeypatch.setitem(PLANS, "free", dataclasses.replace(PLANS["free"], members=7, pdf=True))
    html = client.get("/pricing?lang=en").get_data(as_text=True)
    members_row = re.search(r"<th scope=\"row\">Members</th>(.*?)</tr>", html).group(1)
    free, pro = '<td data-plan="free" data-label="Free">', '<td data-plan="pro" data-label="Pro">'
    assert members_row == f"{free}7</td>{pro}unlimited</td>"
    pdf_row = re.search(r"<th scope=\"row\">PDF link on the notice page</th>(.*?)</tr>", html).group(1)
    assert pdf_row == f"{free}included</td>{pro}included</td>"
    languages = re.search(r"<th scope=\"row\">Languages per notice</th>(.*?)</tr>", html).group(1)
    assert languages == f"{free}1</td>{pro}3 (fi, sv, en)</td>"


# -- loopholes ------------------------------------------------------------------------------------------


def test_renaming_a_notice_respects_the_editing_lock(session, free_firm):
    user, tenant = free_firm
    notice = new_notice(session, user, tenant, "Asiakasrekisteri")
    lock(session, tenant.id)
    with scoped_to(session, tenant.id, user.id), pytest.raises(PlanLimit, match="locked"):
        service.rename_notice(session, tenant.id, notice.id, "asiakkaat", now=datetime.now(UTC))
    session.rollback()
    with unscoped(session):
        assert session.get(Notice, notice.id).slug == "asiakasrekisteri"


def test_an_invitation_is_accepted_only_while_the_plan_has_room(app, session, make_owner, mailbox):
    owner, tenant = make_owner("olli@rantakahvila.fi", "Rantakahvila Oy")  # Pro
    client = app.test_client()
    login(client, "olli@rantakahvila.fi")
    client.post_form("/app/members", {"email": "kaisa@rantakahvila.fi", "role": "handler"})
    link = path(mailbox.last("kaisa@rantakahvila.fi").link("/invite/"))
    with unscoped(session):
        billing.set_plan(
            session, session.get(Tenant, tenant.id), "free", now=datetime.now(UTC), source="test"
        )
    session.commit()
    colleague = app.test_client()
    form = {"name": "Kaisa Korhonen", "password": "kaisan salasana"}
    r = colleague.post_form(link + "?lang=en", form)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "has room for no more members" in html
    assert 'value="Kaisa Korhonen"' in html  # what was typed is kept
    with unscoped(session):
        session.expire_all()
        assert session.scalar(select(func.count()).select_from(Membership)) == 1
        assert accounts.find_user_by_email(session, "kaisa@rantakahvila.fi") is None
    # Back on Pro, the same link works.
    with unscoped(session):
        billing.set_plan(session, session.get(Tenant, tenant.id), "pro", now=datetime.now(UTC), source="test")
    session.commit()
    r = colleague.post_form(link, form)
    assert r.status_code == 302 and r.headers["Location"] == "/app/"
    with unscoped(session):
        assert session.scalar(select(func.count()).select_from(Membership)) == 2


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


def test_stripe_return_addresses_come_from_base_url_not_the_host_header(
    stripe_app, session, free_firm, fake_stripe
):
    stripe_app.config["BASE_URL"] = "https://seloste.example"  # the test client's host is localhost
    client = stripe_app.test_client()
    login(client, "olli@rantakahvila.fi")
    r = client.post_form("/app/billing/checkout", {"interval": "monthly"})
    made = fake_stripe.sessions[r.headers["Location"].rsplit("/", 1)[1]]
    assert made["success_url"] == "https://seloste.example/app/billing/success"
    assert made["cancel_url"] == "https://seloste.example/app/billing"


def test_stripe_down_at_checkout_is_explained(stripe_app, session, free_firm, fake_stripe):
    client = stripe_app.test_client()
    login(client, "olli@rantakahvila.fi")
    fake_stripe.failures = 5  # more than the client's retries
    r = client.post_form("/app/billing/checkout", {"interval": "monthly"}, follow_redirects=True)
    fake_stripe.failures = 0
    assert r.request.path == "/app/billing" and "alert--error" in r.get_data(as_text=True)


def _subscribe(stripe_app, session, tenant_id, fake_stripe, status="active", price="price_month"):
    with unscoped(session):
        tenant = session.get(Tenant, tenant_id)
        tenant.stripe_customer_id = tenant.stripe_customer_id or f"cus_t{tenant_id}"
        customer = tenant.stripe_customer_id
    session.commit()
    sub = fake_stripe.set_subscription(f"sub_t{tenant_id}_{time.monotonic_ns()}", customer, status, price)
    payload = event(
        "checkout.session.completed",
        {
            "id": "cs_x",
            "object": "checkout.session",
            "customer": customer,
            "subscription": sub["id"],
            "metadata": {"tenant_id": str(tenant_id)},
        },
    )
    assert post_event(stripe_app, payload).status_code == 200
    return sub


def test_checkout_is_refused_while_a_subscription_runs(stripe_app, session, free_firm, fake_stripe):
    sub = _subscribe(stripe_app, session, free_firm[1].id, fake_stripe)
    owner = stripe_app.test_client()
    login(owner, "olli@rantakahvila.fi")
    for status in ("active", "past_due"):
        fake_stripe.subscriptions[sub["id"]]["status"] = status
        assert post_event(stripe_app, invoice_event("invoice.paid", sub)).status_code == 200
        assert tenant_now(session, free_firm[1].id).billing_status == status
        sessions_before = len(fake_stripe.sessions)
        r = owner.post_form("/app/billing/checkout?lang=en", {"interval": "yearly"})
        assert r.status_code == 302 and r.headers["Location"] == "/app/billing"
        assert len(fake_stripe.sessions) == sessions_before  # no second Checkout
        page = owner.get("/app/billing?lang=en").get_data(as_text=True)
        assert "already has a subscription" in page and "/app/billing/portal" in page


def test_valid_webhook_upgrades_and_is_audited(stripe_app, session, free_firm, fake_stripe):
    sub = _subscribe(stripe_app, session, free_firm[1].id, fake_stripe)
    tenant = tenant_now(session, free_firm[1].id)
    assert (tenant.plan, tenant.billing_status) == ("pro", "active")
    # The period end is read where the current API version has it: on the subscription's item.
    period_end = sub["items"]["data"][0]["current_period_end"]
    assert "current_period_end" not in sub
    assert tenant.current_period_end == datetime.fromtimestamp(period_end, UTC)
    assert audit_kinds(session, tenant.id) == ["subscription_active"]
    # The billing page words the history in the user's language and leaves other entries out.
    client = stripe_app.test_client()
    login(client, "olli@rantakahvila.fi")
    user = free_firm[0]
    with scoped_to(session, tenant.id, user.id):
        accounts.update_tenant(
            session,
            tenant.id,
            by_user_id=user.id,
            name="Rantakahvila Oy Ab",
            street_address="",
            postal_code="",
            city="",
            default_language="fi",
        )
    session.commit()
    assert "organisation_changed" in audit_kinds(session, tenant.id)
    page = client.get("/app/billing").get_data(as_text=True)
    history = page.split("<h2>Laskutushistoria</h2>")[1].split("</ul>")[0]
    assert "Tilaus voimassa" in history and "subscription_active" not in history
    assert "organisation" not in history and history.count("<li>") == 1


def test_fake_speaks_the_pinned_api_version():
    import stripe

    payload = event("invoice.paid", invoice("in_1", "cus_1", "sub_1"))
    assert b'"api_version": "' + stripe.api_version.encode() + b'"' in payload
    sub = FakeStripe(SECRET).set_subscription("sub_1", "cus_1", "active", "price_year")
    assert sub["items"]["data"][0]["price"]["id"] == "price_year"


def invoice_event(kind, sub, shape="current"):
    body = invoice(f"in_{time.monotonic_ns()}", sub["customer"], sub["id"])
    if shape == "legacy":  # before API version 2025-03-31: the subscription at the top level
        body = {**{k: v for k, v in body.items() if k != "parent"}, "subscription": sub["id"]}
    return event(kind, body)


@pytest.mark.parametrize("shape", ["current", "legacy"])
def test_invoice_events_change_the_tenant(stripe_app, session, free_firm, fake_stripe, shape):
    tenant_id = free_firm[1].id
    sub = _subscribe(stripe_app, session, tenant_id, fake_stripe)
    fake_stripe.subscriptions[sub["id"]]["status"] = "past_due"
    r = post_event(stripe_app, invoice_event("invoice.payment_failed", sub, shape))
    assert r.status_code == 200 and r.get_json()["handled"] is True
    tenant = tenant_now(session, tenant_id)
    assert (tenant.plan, tenant.billing_status) == ("pro", "past_due") and tenant.past_due_since
    fake_stripe.subscriptions[sub["id"]]["status"] = "active"
    assert post_event(stripe_app, invoice_event("invoice.paid", sub, shape)).get_json()["handled"] is True
    tenant = tenant_now(session, tenant_id)
    assert (tenant.billing_status, tenant.past_due_since) == ("active", None)
    assert audit_kinds(session, tenant_id)[-2:] == ["subscription_past_due", "subscription_active"]


def test_a_subscription_of_the_old_api_shape_still_gives_its_period(
    stripe_app, session, free_firm, fake_stripe
):
    sub = _subscribe(stripe_app, session, free_firm[1].id, fake_stripe)
    item = sub["items"]["data"][0]
    legacy_end = item.pop("current_period_end") + 86400
    sub["current_period_end"] = legacy_end
    assert post_event(stripe_app, invoice_event("invoice.paid", sub, "legacy")).status_code == 200
    assert tenant_now(session, free_firm[1].id).current_period_end == datetime.fromtimestamp(legacy_end, UTC)


def test_only_a_pro_price_makes_a_tenant_pro(stripe_app, session, free_firm, fake_stripe, caplog):
    tenant_id = free_firm[1].id
    with caplog.at_level(logging.WARNING, logger="tenants.billing.service"):
        sub = _subscribe(stripe_app, session, tenant_id, fake_stripe, price="price_something_else")
    tenant = tenant_now(session, tenant_id)
    assert (tenant.plan, tenant.billing_status, tenant.stripe_subscription_id) == ("free", "none", None)
    assert "subscription_active" not in audit_kinds(session, tenant_id)
    (warning,) = [r for r in caplog.records if r.name == "tenants.billing.service"]
    assert sub["id"] in warning.getMessage() and "price_something_else" in warning.getMessage()
    assert "olli" not in caplog.text and "Rantakahvila" not in caplog.text  # no personal data
    # Its deletion does not touch the plan either (here: an operator's Pro).
    with unscoped(session):
        billing.set_plan(session, session.get(Tenant, tenant_id), "pro", now=datetime.now(UTC), source="test")
    session.commit()
    fake_stripe.subscriptions[sub["id"]]["status"] = "canceled"
    gone = event(
        "customer.subscription.deleted",
        {"id": sub["id"], "object": "subscription", "customer": sub["customer"]},
    )
    assert post_event(stripe_app, gone).status_code == 200
    assert tenant_now(session, tenant_id).plan == "pro"
    # The yearly price is a Pro price as well.
    _subscribe(stripe_app, session, tenant_id, fake_stripe, price="price_year")
    assert tenant_now(session, tenant_id).stripe_subscription_id is not None


def test_a_subscriber_on_an_earlier_pro_price_still_falls_past_due_and_ends(
    stripe_app, session, free_firm, fake_stripe
):
    tenant_id = free_firm[1].id
    sub = _subscribe(stripe_app, session, tenant_id, fake_stripe, price="price_month")
    assert tenant_now(session, tenant_id).plan == "pro"
    stripe_app.config["STRIPE_PRICE_PRO_MONTHLY"] = "price_month_2027"  # a new price for new subscribers
    fake_stripe.subscriptions[sub["id"]]["status"] = "past_due"
    failed = invoice_event("invoice.payment_failed", sub)
    assert post_event(stripe_app, failed).get_json()["changed"] is True
    assert tenant_now(session, tenant_id).billing_status == "past_due"
    fake_stripe.subscriptions[sub["id"]]["status"] = "canceled"
    gone = event(
        "customer.subscription.deleted",
        {"id": sub["id"], "object": "subscription", "customer": sub["customer"]},
    )
    assert post_event(stripe_app, gone).status_code == 200
    tenant = tenant_now(session, tenant_id)
    assert (tenant.plan, tenant.billing_status) == ("free", "canceled")


def test_renewals_are_in_the_audit_log(stripe_app, session, free_firm, fake_stripe):
    tenant_id = free_firm[1].id
    sub = _subscribe(stripe_app, session, tenant_id, fake_stripe)
    new_end = fake_stripe.renew(sub["id"])
    assert post_event(stripe_app, invoice_event("invoice.paid", sub)).status_code == 200
    tenant = tenant_now(session, tenant_id)
    assert tenant.current_period_end == datetime.fromtimestamp(new_end, UTC)
    assert audit_kinds(session, tenant_id)[-2:] == ["subscription_active", "subscription_renewed"]
    with unscoped(session):
        renewal = session.scalars(select(TenantEvent).order_by(TenantEvent.id.desc())).first()
    assert renewal.data["period_end"] == datetime.fromtimestamp(new_end, UTC).isoformat()
    assert (
        renewal.data["previous_period_end"] == datetime.fromtimestamp(new_end - 30 * 86400, UTC).isoformat()
    )
    # The same state once more records nothing.
    assert post_event(stripe_app, invoice_event("invoice.paid", sub)).status_code == 200
    assert audit_kinds(session, tenant_id)[-1] == "subscription_renewed"
    assert len(audit_kinds(session, tenant_id)) == 2


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


def test_stripe_down_when_reading_the_subscription_stores_nothing_and_the_retry_works(
    stripe_app, session, free_firm, fake_stripe
):
    tenant_id = free_firm[1].id
    sub = _subscribe(stripe_app, session, tenant_id, fake_stripe)
    fake_stripe.subscriptions[sub["id"]]["status"] = "past_due"
    payload = invoice_event("invoice.payment_failed", sub)
    fake_stripe.failures = 3  # the first try and the library's two retries
    try:
        r = post_event(stripe_app, payload)
    finally:
        left, fake_stripe.failures = fake_stripe.failures, 0
    assert left == 0 and r.status_code == 503
    event_id = json.loads(payload)["id"]
    with unscoped(session):
        session.expire_all()
        assert session.get(StripeEvent, event_id) is None
    assert tenant_now(session, tenant_id).billing_status == "active"
    # Stripe delivers the same event again.
    r = post_event(stripe_app, payload)
    assert r.status_code == 200 and r.get_json()["handled"] is True
    assert tenant_now(session, tenant_id).billing_status == "past_due"
    with unscoped(session):
        assert session.get(StripeEvent, event_id) is not None


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


def test_an_old_subscription_ending_after_a_new_one_began_leaves_the_tenant_pro(
    stripe_app, session, free_firm, fake_stripe
):
    tenant_id = free_firm[1].id
    old = _subscribe(stripe_app, session, tenant_id, fake_stripe)
    new = _subscribe(stripe_app, session, tenant_id, fake_stripe, price="price_year")
    assert tenant_now(session, tenant_id).stripe_subscription_id == new["id"]
    fake_stripe.subscriptions[old["id"]]["status"] = "canceled"
    gone = event(
        "customer.subscription.deleted",
        {"id": old["id"], "object": "subscription", "customer": old["customer"]},
    )
    r = post_event(stripe_app, gone)
    assert r.status_code == 200 and r.get_json()["handled"] is True
    tenant = tenant_now(session, tenant_id)
    assert (tenant.plan, tenant.billing_status, tenant.stripe_subscription_id) == ("pro", "active", new["id"])
    assert "subscription_canceled" not in audit_kinds(session, tenant_id)


def test_payment_failure_grace_then_lock_but_public_pages_keep_working(
    stripe_app, session, free_firm, fake_stripe
):
    user, tenant = free_firm
    sub = _subscribe(stripe_app, session, tenant.id, fake_stripe)
    notice = new_notice(session, user, tenant, "Asiakasrekisteri", languages=("fi", "en"))
    publish_version(session, (user, tenant, notice), today=datetime.now(UTC).date())
    notice_id = notice.id
    fake_stripe.subscriptions[sub["id"]]["status"] = "past_due"
    assert post_event(stripe_app, invoice_event("invoice.payment_failed", sub)).status_code == 200
    assert tenant_now(session, tenant.id).billing_status == "past_due"
    assert audit_kinds(session, tenant.id)[-1] == "subscription_past_due"
    owner = stripe_app.test_client()
    login(owner, "olli@rantakahvila.fi")
    page = owner.get("/app/").get_data(as_text=True)
    assert 'id="billing-banner"' in page
    # Within the grace period editing works; after it, it is locked.
    r = owner.post_form(
        f"/app/notices/{notice_id}/steps/retention",
        {"retention.fi": "Kaksi vuotta", "retention.en": "Two years"},
    )
    assert r.status_code == 302
    with unscoped(session):
        session.get(Tenant, tenant.id).past_due_since = datetime.now(UTC) - timedelta(days=15)
    session.commit()
    r = owner.post_form(f"/app/notices/{notice_id}/steps/retention", {"retention.fi": "Kolme vuotta"})
    assert r.status_code == 200 and "alert--error" in r.get_data(as_text=True)
    r = owner.post_form(f"/app/notices/{notice_id}/publish", {"prepared_on": "", "change_note": "x"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "alert--error" in html
    assert upgrade_link(html)[0] == "/app/billing"
    values = _current_values(owner, notice_id, "basics")
    r = owner.post_form(f"/app/notices/{notice_id}/steps/basics", {**values, "notice.slug": "asiakkaat"})
    assert r.status_code == 200 and upgrade_link(r.get_data(as_text=True))[0] == "/app/billing"
    visitor = stripe_app.test_client()
    assert visitor.get("/rantakahvila-oy/asiakasrekisteri").status_code == 200
    assert visitor.get("/rantakahvila-oy/asiakasrekisteri/history").status_code == 200
    assert visitor.get("/rantakahvila-oy/asiakasrekisteri/request").status_code == 200
    # Paying again unlocks.
    fake_stripe.subscriptions[sub["id"]]["status"] = "active"
    assert post_event(stripe_app, invoice_event("invoice.paid", sub)).status_code == 200
    assert tenant_now(session, tenant.id).billing_status == "active"
    r = owner.post_form(f"/app/notices/{notice_id}/steps/retention", {"retention.fi": "Kolme vuotta"})
    assert r.status_code == 302


def test_requests_reach_the_inbox_while_editing_is_locked(app, client, session, free_firm, mailbox):
    user, tenant = free_firm
    notice = new_notice(session, user, tenant, "Asiakasrekisteri")
    publish_version(session, (user, tenant, notice), today=datetime.now(UTC).date())
    lock(session, tenant.id)
    r = send(app, client)
    assert r.status_code == 302 and "/requests/sent" in r.headers["Location"]
    assert confirm(client, mailbox.last("maija@example.fi").link("/requests/verify/")).status_code == 302
    (req,) = requests_in(session)
    assert req.status == "open" and req.tenant_id == tenant.id
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    inbox = owner.get("/app/inbox/")
    html = inbox.get_data(as_text=True)
    assert inbox.status_code == 200 and req.reference in html and 'id="billing-banner"' in html
    assert req.reference in mailbox.last("olli@rantakahvila.fi").message["Subject"]


def test_free_shows_the_made_with_line_and_pro_does_not(app, session, free_firm):
    user, tenant = free_firm
    notice = new_notice(session, user, tenant, "Asiakasrekisteri")
    publish_version(session, (user, tenant, notice), today=datetime.now(UTC).date())
    visitor = app.test_client()
    html = visitor.get("/rantakahvila-oy/asiakasrekisteri").get_data(as_text=True)
    assert '<p class="made-with">' in html
    with unscoped(session):
        billing.set_plan(session, session.get(Tenant, tenant.id), "pro", now=datetime.now(UTC), source="test")
    session.commit()
    cache.forget_resolutions()
    r = visitor.get("/rantakahvila-oy/asiakasrekisteri")
    assert r.status_code == 200 and "made-with" not in r.get_data(as_text=True)


def test_cancellation_returns_to_free_and_deletes_nothing(
    app, stripe_app, client, session, free_firm, fake_stripe, mailbox
):
    user, tenant = free_firm
    sub = _subscribe(stripe_app, session, tenant.id, fake_stripe)
    for title in ("Asiakasrekisteri", "Rekrytointi"):
        notice = new_notice(session, user, tenant, title, languages=("fi", "sv"))
        publish_version(session, (user, tenant, notice), today=datetime.now(UTC).date())
    new_notice(session, user, tenant, "Luonnos", languages=("fi", "sv", "en"))
    with unscoped(session):
        colleague = accounts.create_user(
            session,
            email="kaisa@rantakahvila.fi",
            name="Kaisa",
            password="kaisan salasana",
            language="fi",
            now=datetime.now(UTC),
            verified=True,
        )
        accounts.add_member(session, tenant.id, colleague.id, "handler", datetime.now(UTC))
    session.commit()
    send(app, client, type="erasure")
    before = _everything(session, tenant.id)
    assert before["notices"] == 3 and before["members"] == 2 and before["requests"] == 1
    fake_stripe.subscriptions[sub["id"]]["status"] = "canceled"
    gone = event(
        "customer.subscription.deleted",
        {"id": sub["id"], "object": "subscription", "customer": sub["customer"]},
    )
    assert post_event(stripe_app, gone).status_code == 200
    assert tenant_now(session, tenant.id).plan == "free"
    assert audit_kinds(session, tenant.id)[-1] == "subscription_canceled"
    assert _everything(session, tenant.id) == before
    visitor = stripe_app.test_client()
    for slug in ("asiakasrekisteri", "rekrytointi"):
        r = visitor.get(f"/rantakahvila-oy/{slug}?lang=sv")
        assert r.status_code == 200 and 'lang="sv"' in r.get_data(as_text=True)


def _everything(session, tenant_id) -> dict:
    from tenants.notices.models import NoticeVersion
    from tenants.requests.models import DataRequest

    with unscoped(session):
        session.expire_all()

        def count(model):
            return session.scalar(select(func.count()).select_from(model).where(model.tenant_id == tenant_id))

        drafts = sorted(
            (n.slug, tuple(n.languages), repr(n.draft))
            for n in session.scalars(select(Notice).where(Notice.tenant_id == tenant_id))
        )
        return {
            "notices": count(Notice),
            "drafts": drafts,
            "versions": count(NoticeVersion),
            "members": count(Membership),
            "requests": count(DataRequest),
        }


def test_portal_and_success_page(stripe_app, session, free_firm, fake_stripe):
    owner = stripe_app.test_client()
    login(owner, "olli@rantakahvila.fi")
    # Back from Checkout before the webhook: the page waits and refreshes itself.
    waiting = owner.get("/app/billing/success").get_data(as_text=True)
    assert 'id="billing-waiting"' in waiting and '<meta http-equiv="refresh"' in waiting
    _subscribe(stripe_app, session, free_firm[1].id, fake_stripe)
    r = owner.post_form("/app/billing/portal")
    assert r.status_code == 303 and "/portal/" in r.headers["Location"]
    done = owner.get("/app/billing/success").get_data(as_text=True)
    assert 'id="billing-active"' in done and "refresh" not in done


def test_only_the_billing_page_lets_its_forms_go_to_stripe(stripe_app, session, free_firm):
    owner = stripe_app.test_client()
    login(owner, "olli@rantakahvila.fi")
    billing_csp = owner.get("/app/billing").headers["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com https://billing.stripe.com" in billing_csp
    assert "stripe" not in owner.get("/app/").headers["Content-Security-Policy"]


# -- prices: one table (PLANS) for the pages and for Stripe -----------------------------------------------


def _price_cells(html: str, row: str) -> dict[str, str]:
    """The text of each plan's cell in a row of the plan table, tags and spacing removed."""
    cells = re.search(rf'<tr class="price-row" id="{row}">(.*?)</tr>', html, re.S).group(1)
    found = re.findall(r'<td data-plan="(\w+)"[^>]*>(.*?)</td>', cells, re.S)
    return {plan: _words(text) for plan, text in found}


def _words(html: str) -> str:
    """The text of some HTML, tags gone and runs of spaces and line breaks one space (no-break spaces kept)."""
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_prices_are_shown_from_plans_with_and_without_vat(client, monkeypatch):
    monkeypatch.setitem(
        PLANS, "pro", dataclasses.replace(PLANS["pro"], monthly_cents=1990, yearly_cents=19900)
    )
    fi = client.get("/pricing?lang=fi").get_data(as_text=True)
    assert _price_cells(fi, "price-monthly")["pro"] == "19,90\xa0€ + alv 24,97\xa0€ sis. alv 25,5 %"
    assert _price_cells(fi, "price-yearly")["pro"] == "199,00\xa0€ + alv 249,75\xa0€ sis. alv 25,5 %"
    assert _price_cells(fi, "price-monthly")["free"] == "0,00\xa0€"
    en = client.get("/?lang=en").get_data(as_text=True)
    prices = _words(en.split('id="prices"', 1)[1].split("</section>", 1)[0])
    assert "€19.90 a month + VAT €24.97 with VAT 25.5 %" in prices
    assert "€199.00 a year + VAT €249.75 with VAT 25.5 %" in prices


def test_the_pricing_page_offers_sign_up_only_to_visitors(client, session, free_firm):
    assert 'id="create-account"' in client.get("/pricing").get_data(as_text=True)
    login(client, "olli@rantakahvila.fi")
    html = client.get("/pricing").get_data(as_text=True)
    assert 'id="create-account"' not in html and 'href="/signup"' not in html
    assert 'href="/app/billing" id="to-billing"' in html


def test_with_billing_off_the_pages_say_whom_to_ask(app, client, session, free_firm):
    assert "ask the operator of this installation" in client.get("/pricing?lang=en").get_data(as_text=True)
    app.config["OPERATOR_EMAIL"] = "myynti@seloste.example"
    login(client, "olli@rantakahvila.fi")
    html = client.get("/app/billing").get_data(as_text=True)
    assert 'id="billing-off"' in html
    assert '<a href="mailto:myynti@seloste.example" id="operator-email">myynti@seloste.example</a>' in html


def _stripe_prices(fake_stripe, monthly=1200, yearly=12000, **kwargs):
    fake_stripe.set_price("price_month", monthly, "month", **kwargs)
    fake_stripe.set_price("price_year", yearly, "year", **kwargs)


def test_check_prices_compares_stripe_with_plans(stripe_app, fake_stripe):
    runner = stripe_app.test_cli_runner()
    _stripe_prices(fake_stripe, PLANS["pro"].monthly_cents, PLANS["pro"].yearly_cents)
    agreed = runner.invoke(args=["billing", "check-prices"])
    assert agreed.exit_code == 0 and "agree" in agreed.output
    _stripe_prices(fake_stripe, PLANS["pro"].monthly_cents + 100, PLANS["pro"].yearly_cents)
    differs = runner.invoke(args=["billing", "check-prices"])
    assert differs.exit_code == 1
    assert (
        f"STRIPE_PRICE_PRO_MONTHLY (price_month): unit_amount {PLANS['pro'].monthly_cents + 100}"
        in differs.output
    )
    assert "STRIPE_PRICE_PRO_YEARLY" not in differs.output
    # A price that includes VAT must carry it.
    pro = PLANS["pro"]
    _stripe_prices(
        fake_stripe, with_vat(pro.monthly_cents), with_vat(pro.yearly_cents), tax_behavior="inclusive"
    )
    assert runner.invoke(args=["billing", "check-prices"]).exit_code == 0
    _stripe_prices(fake_stripe, currency="sek")
    assert "currency 'sek'" in runner.invoke(args=["billing", "check-prices"]).output


def test_production_refuses_to_start_when_stripe_charges_another_price(fake_stripe, tmp_path):
    from webapp import create_app
    from webapp.config import ConfigError

    environ = {
        "SELOSTE_ENV": "production",
        "SECRET_KEY": "k" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "BASE_URL": "https://seloste.example",
        "SMTP_HOST": "127.0.0.1",
        "MAIL_FROM": "Seloste <no-reply@seloste.example>",
        "WEB_CONCURRENCY": "1",  # one process: its rate limits may stay in memory
        "STRIPE_SECRET_KEY": "sk_test_fake",
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "STRIPE_PRICE_PRO_MONTHLY": "price_month",
        "STRIPE_PRICE_PRO_YEARLY": "price_year",
        "STRIPE_API_BASE": fake_stripe.url,
    }
    _stripe_prices(fake_stripe, PLANS["pro"].monthly_cents, PLANS["pro"].yearly_cents)
    assert create_app(environ=environ) is not None
    _stripe_prices(fake_stripe, PLANS["pro"].monthly_cents, PLANS["pro"].yearly_cents - 1)
    with pytest.raises(ConfigError, match="STRIPE_PRICE_PRO_YEARLY"):
        create_app(environ=environ)
