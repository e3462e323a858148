"""A small local HTTP fake of the Stripe endpoints Seloste calls, for the official library to talk to.

It keeps customers, checkout sessions and subscriptions in memory, shaped as the pinned library's API
version has them (`stripe.api_version`): a subscription's price and billing period are on its items
(`items.data[].price.id`, `items.data[].current_period_end`), and an invoice names its subscription
under `parent.subscription_details.subscription`. Its checkout page (what a browser reaches after
Checkout's redirect) completes the purchase: it marks the subscription active, delivers a signed
`checkout.session.completed` webhook to the app (at once, or after `webhook_delay` seconds from a
thread, as Stripe's webhooks often arrive after the customer is back), and redirects back.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.request

import stripe
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header value for the payload (Stripe's v1 scheme)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def event(event_type: str, obj: dict, event_id: str | None = None) -> bytes:
    """A webhook payload."""
    return json.dumps(
        {
            "id": event_id or f"evt_{next(_ids)}",
            "object": "event",
            "type": event_type,
            "api_version": stripe.api_version,
            "created": int(time.time()),
            "data": {"object": obj},
        }
    ).encode()


def invoice(invoice_id: str, customer: str, subscription: str) -> dict:
    """An invoice of a subscription, as webhooks carry it (the subscription is under `parent`)."""
    return {
        "id": invoice_id,
        "object": "invoice",
        "customer": customer,
        "parent": {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {"subscription": subscription, "metadata": {}},
        },
    }


_ids = itertools.count(1000)

MAX_WEBHOOK_DELAY = 10.0  # seconds; a delayed delivery never outlives a test by much


class FakeStripe:
    """The fake server: start(), then use .url as the Stripe API base."""

    def __init__(self, webhook_secret: str):
        self.webhook_secret = webhook_secret
        self.webhook_url = ""  # set by the test that wants deliveries
        self.customers: dict[str, dict] = {}
        self.sessions: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.prices: dict[str, dict] = {}  # set by the tests that compare prices (`set_price`)
        self.calls: list[tuple[str, str, dict]] = []
        self.failures = 0  # answer this many API calls with 500 (the library retries)
        self.webhook_delay = 0.0  # deliver Checkout's webhook this many seconds after the redirect
        self.deliveries: list[int] = []  # statuses of the webhooks delivered from the checkout page
        self._delivering: list[threading.Thread] = []

    # -- state the tests set --
    def set_subscription(
        self,
        sub_id: str,
        customer: str,
        status: str,
        price: str = "price_month",
        period_end: int | None = None,
    ) -> dict:
        """A subscription of one price; its billing period is on the item, as in the current API."""
        start = int(time.time())
        sub = {
            "id": sub_id,
            "object": "subscription",
            "customer": customer,
            "status": status,
            "metadata": {},
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": f"si_{next(_ids)}",
                        "object": "subscription_item",
                        "price": {"id": price, "object": "price"},
                        "quantity": 1,
                        "current_period_start": start,
                        "current_period_end": period_end or start + 30 * 86400,
                    }
                ],
                "has_more": False,
                "url": f"/v1/subscription_items?subscription={sub_id}",
            },
        }
        self.subscriptions[sub_id] = sub
        return sub

    def set_price(
        self, price_id: str, unit_amount: int, interval: str, *, currency="eur", tax_behavior="exclusive"
    ) -> dict:
        """A recurring price, shaped as the API returns it."""
        self.prices[price_id] = {
            "id": price_id,
            "object": "price",
            "active": True,
            "currency": currency,
            "unit_amount": unit_amount,
            "tax_behavior": tax_behavior,
            "type": "recurring",
            "recurring": {"interval": interval, "interval_count": 1, "usage_type": "licensed"},
        }
        return self.prices[price_id]

    def renew(self, sub_id: str, days: int = 30) -> int:
        """Move the subscription's billing period on (what a paid renewal does); the new end."""
        item = self.subscriptions[sub_id]["items"]["data"][0]
        item["current_period_start"] = item["current_period_end"]
        item["current_period_end"] += days * 86400
        return item["current_period_end"]

    # -- HTTP --
    def __call__(self, environ, start_response):
        request = Request(environ)
        form = request.form.to_dict()
        self.calls.append((request.method, request.path, form))
        if self.failures and request.path.startswith("/v1/"):
            self.failures -= 1
            return self._json({"error": {"type": "api_error", "message": "down"}}, 500)(
                environ, start_response
            )
        return self._route(request, form)(environ, start_response)

    def _json(self, body: dict, status: int = 200) -> Response:
        return Response(json.dumps(body), status=status, mimetype="application/json")

    def _route(self, request: Request, form: dict) -> Response:
        path = request.path
        if path == "/v1/customers" and request.method == "POST":
            cid = f"cus_{next(_ids)}"
            self.customers[cid] = {
                "id": cid,
                "object": "customer",
                "email": form.get("email"),
                "metadata": {"tenant_id": form.get("metadata[tenant_id]")},
            }
            return self._json(self.customers[cid])
        if path == "/v1/checkout/sessions" and request.method == "POST":
            sid = f"cs_{next(_ids)}"
            self.sessions[sid] = {
                "id": sid,
                "object": "checkout.session",
                "url": f"{self.url}/checkout/{sid}",
                "customer": form.get("customer"),
                "mode": form.get("mode"),
                "price": form.get("line_items[0][price]"),
                "tenant_id": form.get("metadata[tenant_id]"),
                "success_url": form.get("success_url"),
                "cancel_url": form.get("cancel_url"),
            }
            return self._json(self.sessions[sid])
        if path == "/v1/billing_portal/sessions" and request.method == "POST":
            return self._json(
                {
                    "id": f"bps_{next(_ids)}",
                    "object": "billing_portal.session",
                    "url": f"{self.url}/portal/{form.get('customer')}",
                }
            )
        if path.startswith("/v1/subscriptions/") and request.method == "GET":
            sub = self.subscriptions.get(path.rsplit("/", 1)[1])
            if sub is None:
                return self._json(
                    {"error": {"type": "invalid_request_error", "message": "No such subscription"}}, 404
                )
            return self._json(sub)
        if path.startswith("/v1/prices/") and request.method == "GET":
            price = self.prices.get(path.rsplit("/", 1)[1])
            if price is None:
                return self._json(
                    {"error": {"type": "invalid_request_error", "message": "No such price"}}, 404
                )
            return self._json(price)
        if path.startswith("/checkout/"):
            return self._complete_checkout(path.rsplit("/", 1)[1])
        if path.startswith("/portal/"):
            return Response(
                "<!doctype html><title>Portal</title><h1>Customer portal</h1>", mimetype="text/html"
            )
        return self._json({"error": {"type": "invalid_request_error", "message": f"unknown {path}"}}, 404)

    def _complete_checkout(self, sid: str) -> Response:
        session = self.sessions[sid]
        sub = self.set_subscription(
            f"sub_{next(_ids)}", session["customer"], "active", price=session["price"] or "price_month"
        )
        payload = event(
            "checkout.session.completed",
            {
                "id": sid,
                "object": "checkout.session",
                "customer": session["customer"],
                "subscription": sub["id"],
                "client_reference_id": session["tenant_id"],
                "metadata": {"tenant_id": session["tenant_id"]},
            },
        )
        if self.webhook_delay > 0:
            delay = min(self.webhook_delay, MAX_WEBHOOK_DELAY)
            thread = threading.Thread(
                target=self._deliver_later, args=(payload, delay), name="fake-stripe-webhook", daemon=True
            )
            self._delivering.append(thread)
            thread.start()
        else:
            self.deliveries.append(self.deliver(payload))
        return Response(status=303, headers={"Location": session["success_url"]})

    def _deliver_later(self, payload: bytes, delay: float) -> None:
        time.sleep(delay)
        try:
            self.deliveries.append(self.deliver(payload))
        except OSError as exc:  # urllib's HTTPError too: the test sees the failure in `deliveries`
            self.deliveries.append(getattr(exc, "code", 0) or 0)

    def deliver(self, payload: bytes) -> int:
        """POST a signed webhook to the app; returns the status."""
        req = urllib.request.Request(
            self.webhook_url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": sign(payload, self.webhook_secret),
            },
        )
        with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310 (loopback test server)
            return response.status

    def start(self) -> FakeStripe:
        self._server = make_server("127.0.0.1", 0, self, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-stripe", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        for thread in self._delivering:
            thread.join(MAX_WEBHOOK_DELAY + 15)
        self._server.shutdown()
        self._server.server_close()
