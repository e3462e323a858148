"""Sign-up, email verification, login, logout, password reset and invitations."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from tenants import accounts, notify
from tenants.errors import NotFound, ValidationFailed
from tenants.models import Tenant, User

from .. import limits, tokens
from ..auth_session import log_in
from ..db import db
from ..errors import apply_to_form
from ..forms import ActionForm
from ..i18n import current_language, use_tenant_language
from ..limits import limiter
from ..security import is_safe_next
from ..tenancy import enter_linked_tenant, select_tenant
from .forms import AcceptInvitationForm, LoginForm, NewPasswordForm, ResetRequestForm, SignupForm

bp = Blueprint("auth", __name__)


def _now() -> datetime:
    return datetime.now(UTC)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(limits.SIGNUP, methods=["POST"])
def signup():
    """Create a firm and its owner; the owner confirms the address before logging in."""
    if current_user.is_authenticated:
        return redirect(url_for("workspace.dashboard"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            accounts.sign_up(
                db(),
                company_name=form.company_name.data,
                business_id=form.business_id.data,
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                language=current_language(),
                now=_now(),
            )
        except ValidationFailed as exc:
            apply_to_form(form, exc)
        else:
            return redirect(url_for("auth.signup_done"))
    return render_template("auth/signup.html", form=form)


@bp.get("/signup/done")
def signup_done():
    """Tell the visitor to look for the mail (the same page whether or not the address was known)."""
    return render_template("auth/signup_done.html")


@bp.get("/verify/<token>")
@limiter.limit(limits.TOKEN_LINKS)
def verify(token):
    """Confirm the address from the link in the mail."""
    payload = tokens.read(tokens.VERIFY, token, tokens.verify_max_age())
    user_id = tokens.row_id(payload, "u")
    user = accounts.user_by_id(db(), user_id) if user_id is not None else None
    if user is None or user.email != payload.get("e"):
        return render_template("auth/link_invalid.html", kind="verify"), 400
    if user.email_verified_at is not None:
        flash(_("Your email address is already confirmed. You can log in."), "info")
        return redirect(url_for("auth.login"))
    accounts.mark_email_verified(db(), user.id, _now())
    flash(_("Thank you, your email address is confirmed. You can now log in."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limits.LOGIN, methods=["POST"])
def login():
    """Log in with email and password; only local `next` paths are followed."""
    if current_user.is_authenticated:
        return redirect(url_for("workspace.dashboard"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = accounts.authenticate(db(), form.email.data, form.password.data, _now())
        if user is None:
            form.form_errors.append(_("The email address or password is not correct."))
        elif user.email_verified_at is None:
            notify.confirm_address(db(), user, now=_now())
            form.form_errors.append(
                _("Confirm your email address first. We sent you a new confirmation link.")
            )
        else:
            log_in(user, remember=form.remember.data)
            target = form.next.data if is_safe_next(form.next.data) else url_for("workspace.dashboard")
            return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """End the session, and every other session and remember-me cookie of the user."""
    form = ActionForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            accounts.end_sessions(db(), current_user.id)
        logout_user()
        from flask import session

        session.clear()
        flash(_("You have logged out."), "info")
        target = request.form.get("next", "")
        if is_safe_next(target):
            return redirect(target)
    return redirect(url_for("site.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(limits.RESET, methods=["POST"])
def reset_request():
    """Send a reset link if the address has an account; answer the same either way."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(db(), form.email.data, language=current_language(), now=_now())
        return render_template("auth/reset_sent.html")
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(limits.TOKEN_LINKS)
def reset(token):
    """Choose a new password from a reset link (works once)."""
    payload = tokens.read(tokens.RESET, token, tokens.reset_max_age())
    user_id = tokens.row_id(payload, "u")
    user = accounts.user_by_id(db(), user_id) if user_id is not None else None
    if user is None or user.auth_version != payload.get("v"):
        return render_template("auth/link_invalid.html", kind="reset"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(db(), user.id, form.password.data)
        except ValidationFailed as exc:
            apply_to_form(form, exc)
        else:
            # Following the link proved the address too.
            accounts.mark_email_verified(db(), user.id, _now())
            logout_user()
            flash(_("Your password has been changed. Log in with the new password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


def _invitation_from(token: str):
    payload = tokens.read(tokens.INVITE, token, tokens.invite_max_age())
    tenant_id, invitation_id = tokens.row_id(payload, "t"), tokens.row_id(payload, "i")
    if tenant_id is None or invitation_id is None:
        raise NotFound()
    return tenant_id, invitation_id


def _joining_user(form, invite, token: str):
    """Who joins: the logged-in invitee, or a new account made now; a redirect to log in for an
    address that has an account; None with the form's errors when the new account is refused."""
    if current_user.is_authenticated:
        return current_user.model
    if accounts.has_account(db(), invite.email):
        return redirect(url_for("auth.login", next=url_for("auth.invitation", token=token)))
    try:
        return accounts.create_user(
            db(),
            email=invite.email,
            name=form.name.data,
            password=form.password.data,
            language=current_language(),
            now=_now(),
            verified=True,
        )
    except ValidationFailed as exc:
        apply_to_form(form, exc)
        return None


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(limits.TOKEN_LINKS)
def invitation(token):
    """Accept an invitation: join with the logged-in account, log in first, or create one."""
    try:
        tenant_id, invitation_id = _invitation_from(token)
        enter_linked_tenant(tenant_id)
        invite = accounts.get_open_invitation(db(), tenant_id, invitation_id)
    except NotFound:
        return render_template("auth/link_invalid.html", kind="invite"), 400
    tenant = db().get(Tenant, tenant_id)
    use_tenant_language(tenant)
    if current_user.is_authenticated and current_user.email != invite.email:
        # Only the invited address may join: a forwarded link must not let another account in.
        return render_template(
            "auth/invitation.html", invite=invite, tenant=tenant, token=token, other_account=True
        ), 403
    has_account = accounts.has_account(db(), invite.email)
    form = ActionForm() if has_account or current_user.is_authenticated else AcceptInvitationForm()
    # What the page shows, read now: a refused acceptance rolls back and expires the rows.
    shown = {"invite": SimpleNamespace(email=invite.email), "tenant": SimpleNamespace(name=tenant.name)}
    if form.validate_on_submit():
        user = _joining_user(form, invite, token)
        if not isinstance(user, User):  # a redirect to log in, or None: the new account was refused
            return user or render_template(
                "auth/invitation.html", form=form, has_account=has_account, **shown
            )
        try:
            enter_linked_tenant(tenant_id, user.id)
            accounts.accept_invitation(db(), tenant_id, invitation_id, user.id, _now())
        except ValidationFailed as exc:  # the organisation's plan has no room for another member
            apply_to_form(form, exc)
            return render_template("auth/invitation.html", form=form, has_account=has_account, **shown)
        if not current_user.is_authenticated:
            log_in(user)
        select_tenant(tenant_id)
        flash(_("Welcome to %(name)s.", name=shown["tenant"].name), "success")
        return redirect(url_for("workspace.dashboard"))
    return render_template("auth/invitation.html", form=form, has_account=has_account, **shown)
