"""Which tenant a request works in, decided once per request, here and nowhere else.

- Public routes name the tenant in their first path segment (`<tenant_slug>`): one URL value
  preprocessor takes it; `public_tenant()` resolves it when the view first asks, that is after the
  view's rate limits have counted the request (an old address answers with a permanent redirect).
- `/app` routes work in the logged-in member's current organisation (`tenant_required`).
- Pages reached by a signed link (a requester's status page, an invitation) work in the tenant
  the link names (`enter_linked_tenant`).

Each sets the database scope for the rest of the request (`db.use_scope`); views never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import Flask, abort, g, redirect, request, session, url_for
from flask_login import current_user

from tenants import accounts
from tenants.errors import AddressMoved
from tenants.notices import publishing

from . import page_cache
from .auth_session import login_manager
from .db import db, use_scope, use_tenant, use_user

TENANT_KEY = "tenant_id"


@dataclass(frozen=True)
class PublicTenant:
    """The tenant a public address names (plain values, safe to cache between requests; renaming the
    organisation forgets them at once in its process, in the others within RESOLVE_TTL)."""

    id: int
    slug: str
    name: str


def _public_tenant(slug: str) -> PublicTenant:
    """The tenant at this address, cached like the pages' resolutions (RESOLVE_TTL)."""
    key = ("tenant", slug)
    hit = page_cache.resolved(key)
    if hit is None:
        tenant = publishing.tenant_at(db(), slug)  # NotFound, or AddressMoved for an old address
        hit = PublicTenant(tenant.id, tenant.slug, tenant.name)
        page_cache.remember(key, hit)
    return hit


def _from_url(endpoint: str | None, values: dict | None) -> None:
    if values and "tenant_slug" in values:
        g.tenant_slug = values["tenant_slug"]


def public_tenant() -> PublicTenant:
    """The tenant the address names, working in it from now on (NotFound, or AddressMoved)."""
    if "public_tenant" not in g:
        found = _public_tenant(g.tenant_slug)
        use_scope(found.id)
        g.public_tenant = found
    return g.public_tenant


def _moved(exc: AddressMoved):
    """The same address with the renamed parts replaced, query string kept: a permanent redirect."""
    parts = request.path.split("/")
    parts[1] = exc.tenant_slug
    if exc.notice_slug is not None and len(parts) > 2:
        tail = parts[2]
        suffix = tail[tail.index(".") :] if "." in tail else ""
        parts[2] = exc.notice_slug + suffix
    target = "/".join(parts)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, code=301)


def tenant_required(view):
    """Log-in required; the member's current organisation: g.tenant, g.membership, g.memberships."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        # The organisation the session last worked in is the scope the user is loaded in, before
        # the membership is confirmed: until then only rows chosen by the user's own id are read
        # (their account, their memberships), which that scope shows whatever the organisation.
        # When the membership holds, as it nearly always does, the scope is written once per page.
        wanted = session.get(TENANT_KEY)
        use_tenant(wanted if isinstance(wanted, int) else None)
        if not current_user.is_authenticated:
            use_scope(None)
            return login_manager.unauthorized()
        user_id = current_user.id
        memberships = current_user.memberships
        if memberships is None:  # a user logged in during this request, not in scope yet
            use_user(user_id)
            memberships = accounts.memberships_of(db(), user_id)
        if not memberships:
            use_scope(None, user_id)
            return redirect(url_for("account.no_tenant"))
        membership = next((m for m in memberships if m.tenant_id == wanted), memberships[0])
        if membership.tenant_id != wanted:  # written only when it changes: no new cookie on every page
            session[TENANT_KEY] = membership.tenant_id
        use_scope(membership.tenant_id, user_id)
        g.memberships, g.membership, g.tenant = memberships, membership, membership.tenant
        return view(*args, **kwargs)

    return wrapper


def owner_required(view):
    """Only owners of the current organisation (others get 403)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.membership.role != "owner":
            abort(403)
        return view(*args, **kwargs)

    return tenant_required(wrapper)


def select_tenant(tenant_id: int) -> None:
    """Remember the organisation the user works in from the next request on."""
    session[TENANT_KEY] = tenant_id


def enter_linked_tenant(tenant_id: int, user_id: int | None = None) -> None:
    """Work in the tenant a signed link names (its signature was checked by the caller)."""
    use_scope(tenant_id, user_id)


def init_app(app: Flask) -> None:
    """Resolve `<tenant_slug>` for every route that has one; renamed addresses redirect."""
    app.url_value_preprocessor(_from_url)
    app.register_error_handler(AddressMoved, _moved)
