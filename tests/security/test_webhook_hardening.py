"""Billing webhooks: a Checkout links a tenant only to its own customer's subscription, and an event
signed more than five minutes ahead of now is refused like one signed too long ago."""

from __future__ import annotations

import time

from ..stripe_fake import event, sign
from ..test_billing import SECRET, post_event, tenant_now


def _checkout(sub_id, customer, tenant_id):
    return event(
        "checkout.session.completed",
        {
            "id": "cs_probe",
            "object": "checkout.session",
            "customer": customer,
            "subscription": sub_id,
            "metadata": {"tenant_id": str(tenant_id)},
            "client_reference_id": str(tenant_id),
        },
    )


def test_a_checkout_cannot_link_a_tenant_to_someone_elses_customer(
    stripe_app, session, free_firm, fake_stripe, make_owner
):
    _user, tenant = free_firm
    other_user, other = make_owner("eeva@muu.fi", "Muu Oy", plan="free")
    from tenants.scoping import unscoped

    with unscoped(session):
        tenant_now(session, other.id).stripe_customer_id = "cus_other"
    session.commit()
    paid_by_other = fake_stripe.set_subscription("sub_other_pays", "cus_other", "active")
    # The event names our tenant in its metadata but carries the other firm's customer.
    r = post_event(stripe_app, _checkout(paid_by_other["id"], "cus_other", tenant.id))
    assert r.status_code == 200
    mine = tenant_now(session, tenant.id)
    assert (mine.plan, mine.stripe_customer_id) == ("free", None)
    # A stranger's customer the tenant never had is refused the same way.
    stranger = fake_stripe.set_subscription("sub_stranger", "cus_stranger", "active")
    post_event(stripe_app, _checkout(stranger["id"], "cus_stranger", tenant.id))
    mine = tenant_now(session, tenant.id)
    assert (mine.plan, mine.stripe_customer_id) == ("free", None)


def test_a_subscription_of_another_customer_does_not_make_a_tenant_pro(
    stripe_app, session, free_firm, fake_stripe
):
    _user, tenant = free_firm
    from tenants.scoping import unscoped

    with unscoped(session):
        tenant_now(session, tenant.id).stripe_customer_id = "cus_mine"
    session.commit()
    someone_elses = fake_stripe.set_subscription("sub_not_mine", "cus_someone", "active")
    post_event(stripe_app, _checkout(someone_elses["id"], "cus_mine", tenant.id))
    assert tenant_now(session, tenant.id).plan == "free"
    own = fake_stripe.set_subscription("sub_mine", "cus_mine", "active")
    assert post_event(stripe_app, _checkout(own["id"], "cus_mine", tenant.id)).status_code == 200
    assert tenant_now(session, tenant.id).plan == "pro"


def test_an_event_signed_in_the_future_is_refused(stripe_app, session, free_firm, fake_stripe):
    payload = event("invoice.paid", {"id": "in_1", "customer": "cus_x"})
    for ahead in (3600, 400):
        r = post_event(stripe_app, payload, sign(payload, SECRET, int(time.time()) + ahead))
        assert r.status_code == 400, ahead
    assert post_event(stripe_app, payload, sign(payload, SECRET, int(time.time()) + 30)).status_code == 200
