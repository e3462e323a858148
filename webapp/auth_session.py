"""flask-login wiring: who is logged in (their organisation is decided in webapp.tenancy)."""

from __future__ import annotations

from flask import Flask, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user, login_user

from tenants import accounts
from tenants.models import Membership, User

from .db import db, use_scope, use_user

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see that page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


class LoginUser(UserMixin):
    """The logged-in user as flask-login sees it; attributes come from the User row. `memberships`:
    the organisations the user belongs to, by name, when they were read with the user (else None)."""

    def __init__(self, user: User, memberships: list[Membership] | None = None):
        self.model = user
        self.memberships = memberships

    def __getattr__(self, name):
        return getattr(self.model, name)

    def get_id(self) -> str:
        # The auth version makes a password change or reset end every other session.
        return f"{self.model.id}:{self.model.auth_version}"


@login_manager.user_loader
def _load_user(user_key: str):
    try:
        user_id, version = (int(p) for p in user_key.split(":"))
    except ValueError:
        return None
    before = g.get("db_scope", (None, None))
    use_user(user_id)  # on PostgreSQL a user's row is visible to that user (and their firms) only
    user, memberships = accounts.user_and_memberships(db(), user_id)
    if user is None or user.auth_version != version or user.email_verified_at is None:
        use_scope(*before)
        return None
    return LoginUser(user, memberships)


def log_in(user: User, remember: bool = False) -> None:
    """Start a session for the user, on a fresh session id."""
    session.clear()
    login_user(LoginUser(user), remember=remember)


def init_app(app: Flask) -> None:
    """Attach flask-login."""
    # flask-login's own context processor loads the user for every template, touching the session
    # (and so `Vary: Cookie`) even on public pages; this proxy loads it only where a template uses it.
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})

    @login_manager.unauthorized_handler
    def _unauthorized():
        from flask import flash

        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
