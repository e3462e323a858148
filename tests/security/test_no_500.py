"""No input gives a 500: nameless multipart parts on every POST route, NUL and other control
characters in the fields of every form (refused next to the field, on both databases), webhook
bodies of an unexpected JSON shape, and signed links whose payload is of an unexpected type."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tenants.models import Tenant, User
from tenants.notices.models import Notice
from tenants.scoping import unscoped
from webapp import tokens

from ..conftest import login
from ..stripe_fake import sign
from ..test_requests_web import started

CONTROL = "invisible control characters"


def _multipart(fields: dict, nameless=True) -> tuple[bytes, str]:
    boundary = "seloste-probe"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    if nameless:
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nno name\r\n")
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; filename="a.txt"\r\n'
            "Content-Type: text/plain\r\n\r\nno name either\r\n"
        )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def _post_routes(app, ids: dict) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        url = rule.rule
        for arg in rule.arguments:
            value = ids.get(arg, "1")
            url = url.replace(f"<int:{arg}>", str(value)).replace(f"<slug:{arg}>", str(value))
            url = url.replace(f"<{arg}>", str(value))
        urls.append(url)
    return sorted(urls)


def test_a_nameless_multipart_part_never_gives_a_500(app, notice_firm, session):
    user, tenant, notice = notice_firm
    ids = {"tenant_slug": tenant.slug, "notice_slug": notice.slug, "notice_id": notice.id, "step": "basics"}
    anonymous = app.test_client()
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    routes = _post_routes(app, ids)
    assert len(routes) >= 30
    for client in (anonymous, owner):
        token = client.csrf_token()
        for url in routes:
            # With the form's token, and without it (the CSRF check then looks through every key).
            for fields in ({"csrf_token": token}, {"email": "x@example.fi"}):
                body, content_type = _multipart(fields)
                r = client.post(url, data=body, content_type=content_type)
                assert r.status_code < 500, (url, fields, r.status_code)
    # The form itself still works after the probe: logging in with a nameless part added.
    fresh = app.test_client()
    body, content_type = _multipart(
        {
            "csrf_token": fresh.csrf_token(),
            "email": "olli@rantakahvila.fi",
            "password": "correct horse battery",
        }
    )
    r = fresh.post("/login", data=body, content_type=content_type)
    assert r.status_code == 302 and r.headers["Location"] == "/app/"


NUL = "Rantakahvila\x00Oy"
BELL = "Nimi\x07"


@pytest.mark.parametrize("bad", [NUL, BELL, "a\x1bb"])
def test_control_characters_at_sign_up_are_refused_next_to_the_field(client, session, bad):
    for field in ("company_name", "name"):
        data = {
            "company_name": "Kahvila Oy",
            "business_id": "2617416-4",
            "name": "Maija Meikäläinen",
            "email": "maija@kahvila.fi",
            "password": "pitkä ja hyvä salalause",
            field: bad,
        }
        r = client.post_form("/signup?lang=en", data)
        page = r.get_data(as_text=True)
        assert r.status_code == 200 and CONTROL in page and f'id="{field}-error"' in page
    with unscoped(session):
        assert session.scalar(select(User).where(User.email == "maija@kahvila.fi")) is None


def test_control_characters_in_the_app_forms_are_refused_and_nothing_is_saved(client, session, notice_firm):
    user, tenant, notice = notice_firm
    login(client, "olli@rantakahvila.fi")
    cases = [
        ("/app/account/?lang=en", {"profile-name": NUL, "profile-language": "fi"}),
        ("/app/organisation?lang=en", {"name": NUL, "slug": tenant.slug, "default_language": "fi"}),
        ("/app/organisation?lang=en", {"name": "Uusi Oy", "city": "Hel\x00sinki", "default_language": "fi"}),
        (
            "/app/notices/new?lang=en",
            {"title": NUL, "starter": "customer_register", "languages": ["fi"], "primary_language": "fi"},
        ),
        (f"/app/notices/{notice.id}/publish?lang=en", {"prepared_on": "", "change_note": "Muutos\x00"}),
        ("/app/members?lang=en", {"email": "uusi@rantakahvila.fi\x00", "role": "handler"}),
        ("/app/notices/import?lang=en", {"title": NUL, "text": "Rekisteriseloste\n\nRekisterinpitäjä: X Oy"}),
    ]
    for url, data in cases:
        r = client.post_form(url, data)
        assert r.status_code in (200, 400), (url, r.status_code)
        assert CONTROL in r.get_data(as_text=True), url
    # The step editor reads its own fields: a NUL in the title is refused there too.
    r = client.post_form(
        f"/app/notices/{notice.id}/steps/basics?lang=en",
        {
            "action": "save",
            "notice.title": "Asiakas\x00rekisteri",
            "notice.slug": notice.slug,
            "notice.languages": ["fi", "en"],
            "notice.primary_language": "fi",
        },
    )
    assert r.status_code == 200 and CONTROL in r.get_data(as_text=True)
    with unscoped(session):
        session.expire_all()
        assert session.get(Tenant, tenant.id).name == "Rantakahvila Oy"
        assert session.get(User, user.id).name == "Olli"
        assert "\x00" not in session.get(Notice, notice.id).title
        assert not [title for title in session.scalars(select(Notice.title)) if "\x00" in title]


def test_control_characters_in_the_public_form_are_refused(app, session, notice_firm):
    from datetime import date

    from ..conftest import publish_version

    publish_version(session, notice_firm, today=date.today())
    _user, tenant, notice = notice_firm
    for field in ("name", "details", "phone", "email"):
        data = {
            "type": "access",
            "name": "Maija",
            "email": "maija@example.fi",
            "details": "Kopio tiedoista.",
            "phone": "",
            "answer_language": "en",
            "started": started(app),
            field: "arvo\x00",
        }
        r = app.test_client().post(f"/{tenant.slug}/{notice.slug}/request?lang=en", data=data)
        assert r.status_code == 200, (field, r.status_code)


def _event_body(obj) -> bytes:
    return json.dumps(obj).encode()


@pytest.mark.parametrize(
    "body",
    [
        [],
        [{"id": "evt_1", "type": "checkout.session.completed"}],
        "text",
        17,
        None,
        {"id": "evt_1", "type": "invoice.paid"},
        {"id": "evt_1", "type": "invoice.paid", "data": []},
        {"id": "evt_1", "type": "invoice.paid", "data": {"object": "x"}},
        {"id": 5, "type": ["invoice.paid"], "data": {"object": {}}},
    ],
)
def test_webhook_bodies_of_another_shape_are_refused_with_400(app, body):
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_fake",
        STRIPE_WEBHOOK_SECRET="whsec_probe",
        STRIPE_PRICE_PRO_MONTHLY="price_month",
        STRIPE_PRICE_PRO_YEARLY="price_year",
        STRIPE_API_BASE="http://127.0.0.1:9",
    )
    payload = _event_body(body)
    r = app.test_client().post(
        "/billing/webhook",
        data=payload,
        headers={"Stripe-Signature": sign(payload, "whsec_probe"), "Content-Type": "application/json"},
    )
    assert r.status_code == 400


ODD_PAYLOADS = [
    [1, 2],
    "text",
    7,
    None,
    {"u": True, "e": "x", "v": 0, "i": True, "t": True, "r": True},
    {"u": 2**70, "e": None, "v": [], "i": 2**70, "t": 2**70, "r": 2**70},
    {"u": -1, "i": -5, "t": -1, "r": 0},
    {"u": 1.5, "i": 1.5, "t": 1.5, "r": 1.5},
    {"u": "1", "i": "1", "t": "1", "r": "1", "e": {"a": 1}},
    {"u": {"x": 1}, "i": [1], "t": {"x": 1}, "r": [1]},
]


@pytest.mark.parametrize("payload", ODD_PAYLOADS, ids=range(len(ODD_PAYLOADS)))
def test_signed_links_with_odd_payloads_are_not_found(app, notice_firm, payload):
    client = app.test_client()
    with app.test_request_context():
        links = {
            "/verify/": tokens.make(tokens.VERIFY, payload),
            "/reset/": tokens.make(tokens.RESET, payload),
            "/invite/": tokens.make(tokens.INVITE, payload),
            "/requests/status/": tokens.make(tokens.REQUEST_STATUS, payload),
            "/requests/verify/": tokens.make(tokens.REQUEST_VERIFY, payload),
        }
    for prefix, token in links.items():
        r = client.get(prefix + token)
        assert r.status_code in (400, 404), (prefix, payload, r.status_code)
    r = client.post("/requests/verify", data={"token": links["/requests/verify/"]})
    assert r.status_code in (400, 404)
