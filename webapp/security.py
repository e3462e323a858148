"""CSRF protection, security headers, and safe redirects."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, g, request, session
from flask import Request as FlaskRequest
from flask_wtf.csrf import CSRFProtect
from werkzeug.datastructures import ImmutableMultiDict

csrf = CSRFProtect()

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'{form_extra}; base-uri 'none'; "
    "frame-ancestors {ancestors}"
)


class Request(FlaskRequest):
    """Flask's request, without the multipart parts that have no name.

    Werkzeug keeps such a part under the key None, which flask-wtf's CSRF check (and any code that
    reads the keys as text) cannot handle; no form of ours has a nameless field."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        for attribute in ("form", "files"):
            data = self.__dict__.get(attribute)
            if data is not None and any(not isinstance(key, str) for key in data.keys()):
                named = [(key, value) for key, value in data.items(multi=True) if isinstance(key, str)]
                self.__dict__[attribute] = ImmutableMultiDict(named)


def init_app(app: Flask) -> None:
    """CSRF on every POST, and headers on every response."""
    app.request_class = Request
    csrf.init_app(app)
    production = app.config["SELOSTE_ENV"] == "production"

    @app.after_request
    def _public_pages_ignore_session(response):
        # Registered before flask-login, so it runs after flask-login's remember-cookie check, which
        # looks into the session on every response. Public notice pages never use the session; keeping
        # it "unread" keeps `Vary: Cookie` off them, so shared caches and CDNs can store them.
        if request.blueprint == "public" and not session.modified:
            session.accessed = False
        return response

    @app.after_request
    def _headers(response):
        # Nothing under /app is ever framable, even a 404 that a public route produced.
        framable = g.get("framable", False) and not request.path.startswith("/app")
        extra = g.get("form_action_extra", "")
        response.headers["Content-Security-Policy"] = CSP.format(
            ancestors="*" if framable else "'none'", form_extra=f" {extra}" if extra else ""
        )
        if not framable:
            response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if production:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.blueprint in ("workspace", "account", "auth", "notices", "inbox") or (
            request.blueprint == "requests" and request.endpoint != "requests.sent"
        ):
            response.headers["Cache-Control"] = "no-store"
        return response


def framable(view):
    """Mark a public view as embeddable in other sites' iframes."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.framable = True
        return view(*args, **kwargs)

    return wrapper


def is_safe_next(target: str | None) -> bool:
    """True only for a local path such as /app/members (no scheme, host or //)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
