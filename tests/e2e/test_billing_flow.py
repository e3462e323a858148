"""A Free firm reaches its limit, upgrades through Stripe Checkout, publishes more; a failed payment then
locks editing while its public notice stays up."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tenants.models import Tenant
from tenants.scoping import unscoped

from ..stripe_fake import FakeStripe, event, invoice
from .conftest import answer_and_confirm, published_notice
from .test_wizard_flow import _log_in

SECRET = "whsec_e2e"


@pytest.fixture
def stripe_live(live_server):
    """The live app switched to Stripe against a local fake, for one test."""
    fake = FakeStripe(SECRET).start()
    fake.webhook_url = f"{live_server.url}/billing/webhook"
    settings = dict(
        STRIPE_SECRET_KEY="sk_test_fake",
        STRIPE_WEBHOOK_SECRET=SECRET,
        STRIPE_PRICE_PRO_MONTHLY="price_month",
        STRIPE_PRICE_PRO_YEARLY="price_year",
        STRIPE_API_BASE=fake.url,
    )
    before = {k: live_server.app.config[k] for k in settings}
    live_server.app.config.update(settings)
    live_server.app.extensions.pop("seloste_stripe", None)
    yield fake
    live_server.app.config.update(before)
    live_server.app.extensions.pop("seloste_stripe", None)
    fake.stop()


def _publish_from_review(page):
    page.locator("button[name=action][value='goto:review']").click()
    page.locator("#publish-button").click()


def test_limit_upgrade_publish_then_payment_failure_locks_editing(page, visitor, live_server, stripe_live):
    email, tenant_slug, first_slug = published_notice(live_server, plan="free")
    _log_in(page, email)

    # A second notice: the Free plan allows one published notice.
    page.goto("/app/notices/new")
    page.locator("input[name=starter][value=recruitment]").check()
    page.locator("main form > button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/app/notices/\d+/steps/basics$"))
    answer_and_confirm(page, re.search(r"/app/notices/\d+", page.url).group(0))
    _publish_from_review(page)
    expect(page.locator(".publish .alert--error")).to_be_visible()

    # Upgrade: Checkout (the fake completes it and delivers the signed webhook a little later, as Stripe
    # often does), back to the success page, which waits and refreshes itself until the webhook landed.
    stripe_live.webhook_delay = 2.0
    page.goto("/app/billing")
    page.locator("#upgrade-monthly").click()
    expect(page).to_have_url(re.compile(r"/app/billing/success"))
    expect(page.locator("#billing-waiting")).to_be_visible()
    expect(page.locator("#billing-active")).to_be_visible(timeout=15_000)
    assert stripe_live.deliveries == [200]

    # Now the second notice publishes.
    page.goto("/app/")
    page.locator("table.notice-list a", has_text="Rekrytointirekisteri").click()
    _publish_from_review(page)
    expect(page).to_have_url(re.compile(r"/published$"))
    second_url = page.locator("#public-url").inner_text()

    # The payment fails, and the grace period runs out.
    (sub_id,) = list(stripe_live.subscriptions)
    stripe_live.subscriptions[sub_id]["status"] = "past_due"
    customer = stripe_live.subscriptions[sub_id]["customer"]
    payload = event("invoice.payment_failed", invoice("in_e2e", customer, sub_id))
    assert stripe_live.deliver(payload) == 200
    session = live_server.app.extensions["seloste_db"].new_session()
    with session, session.begin(), unscoped(session):
        tenant = session.scalar(select(Tenant).where(Tenant.slug == tenant_slug))
        assert tenant.billing_status == "past_due"
        tenant.past_due_since = datetime.now(UTC) - timedelta(days=15)

    page.goto("/app/")
    expect(page.locator("#billing-banner")).to_be_visible()
    page.locator("table.notice-list a").first.click()
    page.locator("button[name=action][value='goto:retention']").click()
    page.locator("button[name=action][value=save]").click()
    expect(page.locator(".wizard .alert--error")).to_be_visible()

    # The public notices and the request form still answer.
    for url in (
        f"{live_server.url}/{tenant_slug}/{first_slug}",
        second_url,
        f"{live_server.url}/{tenant_slug}/{first_slug}/request",
    ):
        response = visitor.goto(url)
        assert response.status == 200, url
