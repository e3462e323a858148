"""Tenant isolation, proven for every route: a member of tenant A asking for tenant B's things gets 404.

The test walks the app's URL map. Every URL argument must be listed below, either
with a factory that makes the thing in another tenant, or as public with a
reason. A new route with a new argument fails this test until it is listed, so
new routes are covered automatically.
"""

from __future__ import annotations

from sqlalchemy import select

from tenants import accounts
from tenants.models import Membership
from tenants.notices import service as notice_service
from tenants.scoping import unscoped

from .conftest import PASSWORD, login, now


def _member(session, tenant, email):
    user = accounts.create_user(
        session, email=email, name="Member", password=PASSWORD, language="fi", now=now(), verified=True
    )
    return accounts.add_member(session, tenant.id, user.id, "handler", now()).id


def _invitation(session, tenant, email):
    owner = session.scalar(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.role == "owner")
    )
    return accounts.invite_member(
        session, tenant.id, by_user_id=owner.user_id, email=email, role="handler", now=now()
    ).id


def _notice(session, tenant, unique):
    owner = session.scalar(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.role == "owner")
    )
    return notice_service.create_notice(
        session,
        tenant.id,
        by_user_id=owner.user_id,
        title=f"Rekisteri {unique}",
        languages=["fi"],
        primary_language="fi",
        starter_key=None,
        now=now(),
    ).id


def _request(session, tenant, unique):
    from tenants.requests import service as request_service

    owner = session.scalar(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.role == "owner")
    )
    return request_service.enter_request(
        session,
        tenant.id,
        None,
        request_service.NewRequest("access", "Pyytäjä", f"pyytaja-{unique}@example.fi", "Tiedot"),
        channel="email",
        received_on=now().date(),
        identity_note="Sähköposti asiakasrekisterin osoitteesta",
        by=owner.user,
        now=now(),
    ).id


def _request_with_file(session, tenant, unique):
    from tenants.requests import service as request_service

    request_id = _request(session, tenant, unique)
    owner = session.scalar(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.role == "owner")
    )
    event = request_service.reply(
        session,
        tenant.id,
        request_id,
        "Liite",
        by=owner.user,
        now=now(),
        attachments=[{"key": SAMPLE_FILE, "filename": "walk.txt", "size": 1}],
    )
    return {"request_id": request_id, "event_id": event.id}


SAMPLE_FILE = "walk/sample.txt"

# Arguments that only make sense together: one factory makes all of them in one tenant.
TENANT_OWNED_GROUPS = {frozenset({"request_id", "event_id"}): _request_with_file}

# argument -> factory(session, tenant, unique) returning a value of that tenant's thing
TENANT_OWNED_ARGS = {
    "member_id": lambda s, t, u: _member(s, t, f"member-{u}@example.fi"),
    "invitation_id": lambda s, t, u: _invitation(s, t, f"invitee-{u}@example.fi"),
    "tenant_id": lambda s, t, u: t.id,
    "notice_id": _notice,
    "request_id": _request,
    "event_id": None,  # only together with request_id: see TENANT_OWNED_GROUPS
}

PUBLIC_ARGS = {
    "token": "signed single-purpose links; forgery and reuse are tested with their flows",
    "filename": "static assets, the same for everyone",
    "step": "names of wizard steps, the same for every tenant",
    "action": "names of inbox actions, the same for every tenant",
    "index": "position of a file within a message",
    "tenant_slug": "public pages of published notices, for everyone; test_publishing proves a notice is "
    "not reachable under another tenant's address",
    "notice_slug": "as tenant_slug",
    "number": "version numbers of public notices",
    "a": "version numbers of public notices",
    "b": "version numbers of public notices",
}
# A value for each public argument, used when a route also takes a tenant-owned one.
SAMPLE_VALUES = {"step": "basics", "action": "note", "index": 0}

# Routes where a signed token, not the login, decides the tenant; tested with their flows.
TOKEN_ROUTES = {
    "requests.status_attachment": "the requester's signed status link decides the request; "
    "test_request_files proves another request's file answers 404",
}


def _routes(app):
    for rule in app.url_map.iter_rules():
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        yield rule, methods


def test_every_route_argument_is_classified(app):
    unknown = {
        f"{rule.rule} <{arg}>"
        for rule, _ in _routes(app)
        for arg in rule.arguments
        if arg not in TENANT_OWNED_ARGS and arg not in PUBLIC_ARGS
    }
    assert not unknown, (
        "Routes with URL arguments this test does not know; add a factory to TENANT_OWNED_ARGS "
        f"(or a reason to PUBLIC_ARGS): {sorted(unknown)}"
    )


def test_cross_tenant_access_answers_404_on_every_route(app, client, session, make_owner, mailbox):
    _, tenant_a = make_owner("a-owner@a.fi", "A Oy")
    _, tenant_b = make_owner("b-owner@b.fi", "B Ab")
    app.extensions["seloste_storage"].put(SAMPLE_FILE, b"x", "text/plain")
    login(client, "a-owner@a.fi")

    covered, failures = [], []
    for n, (rule, methods) in enumerate(_routes(app)):
        owned = [a for a in rule.arguments if a in TENANT_OWNED_ARGS]
        if not owned or rule.endpoint in TOKEN_ROUTES:
            continue
        group = next((g for g in TENANT_OWNED_GROUPS if g <= set(owned)), None)
        for method in methods:
            with unscoped(session):
                foreign, own = {}, {}
                if group is not None:
                    foreign.update(TENANT_OWNED_GROUPS[group](session, tenant_b, f"b{n}{method}"))
                    own.update(TENANT_OWNED_GROUPS[group](session, tenant_a, f"a{n}{method}"))
                for a in owned:
                    if a not in foreign:
                        foreign[a] = TENANT_OWNED_ARGS[a](session, tenant_b, f"b{n}{method}")
                        own[a] = TENANT_OWNED_ARGS[a](session, tenant_a, f"a{n}{method}")
            session.commit()
            samples = {a: SAMPLE_VALUES[a] for a in rule.arguments if a in SAMPLE_VALUES}
            foreign, own = {**foreign, **samples}, {**own, **samples}
            url = rule.build(foreign, append_unknown=False)[1]
            response = client.open(url, method=method, data={"csrf_token": client.csrf_token()})
            if response.status_code != 404:
                failures.append(f"{method} {url} answered {response.status_code}, not 404")
            # Control: the same route with A's own thing is not a 404, so the 404 above means isolation.
            own_url = rule.build(own, append_unknown=False)[1]
            control = client.open(own_url, method=method, data={"csrf_token": client.csrf_token()})
            if control.status_code == 404:
                failures.append(f"{method} {own_url} answered 404 for the member's own tenant too")
            covered.append(f"{method} {rule.rule}")
    assert not failures, failures
    assert len(covered) >= 3, covered
    print(f"isolation walk covered {len(covered)} route/method pairs: {covered}")
