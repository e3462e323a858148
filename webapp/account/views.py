"""The user's own account: name, language, password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from tenants import accounts
from tenants.errors import ValidationFailed

from ..auth_session import log_in
from ..db import db
from ..errors import apply_to_form
from ..forms import ActionForm
from .forms import ChangePasswordForm, ProfileForm

bp = Blueprint("account", __name__, url_prefix="/app/account")


@bp.route("/", methods=["GET", "POST"])
@login_required
def settings():
    """Change name and language, or the password."""
    profile = ProfileForm(obj=current_user.model, prefix="profile")
    password = ChangePasswordForm(prefix="password")
    if request.method == "POST" and "profile-name" in request.form and profile.validate_on_submit():
        try:
            accounts.update_profile(
                db(), current_user.model, name=profile.name.data, language=profile.language.data
            )
        except ValidationFailed as exc:
            apply_to_form(profile, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("account.settings"))
    if (
        request.method == "POST"
        and "password-current_password" in request.form
        and password.validate_on_submit()
    ):
        try:
            accounts.change_password(
                db(), current_user.model, password.current_password.data, password.new_password.data
            )
        except ValidationFailed as exc:
            apply_to_form(password, exc)
        else:
            log_in(current_user.model)  # this session continues; the others end
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("account.settings"))
    return render_template(
        "account/settings.html", profile=profile, password=password, end_sessions=ActionForm()
    )


@bp.post("/sessions/end")
@login_required
def end_sessions():
    """Log out everywhere: every session and remember-me cookie of this user ends, this one too."""
    if ActionForm().validate_on_submit():
        accounts.end_sessions(db(), current_user.id)
        logout_user()
        session.clear()
        flash(_("You have been logged out on every device. Log in again to continue."), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("account.settings"))


@bp.get("/no-organisation")
@login_required
def no_tenant():
    """Shown to a user who no longer belongs to any organisation."""
    return render_template("account/no_tenant.html")
