"""The logged-in area: dashboard, members and invitations, organisation settings, switching."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tenants import accounts
from tenants.errors import ValidationFailed
from tenants.notices import publishing
from tenants.notices import service as notice_service
from tenants.requests import listing

from .. import page_cache as public_cache
from ..db import db
from ..errors import apply_to_form
from ..findings import summary as report_summary
from ..forms import ActionForm
from ..i18n import helsinki_today
from ..messages import message
from ..tenancy import owner_required, select_tenant, tenant_required
from .forms import InviteForm, TenantForm

bp = Blueprint("workspace", __name__, url_prefix="/app")


def _now() -> datetime:
    return datetime.now(UTC)


@bp.get("/")
@tenant_required
def dashboard():
    """The tenant at a glance: the requests that need attention, its notices and members."""
    members = accounts.list_members(db(), g.tenant.id)
    notices = []
    for notice in notice_service.list_notices(db(), g.tenant.id):
        report = notice_service.completeness(notice)
        notices.append((notice, report, report_summary(report)))
    attention = listing.attention_counts(db(), g.tenant.id, helsinki_today(), current_user.id)
    return render_template(
        "workspace/dashboard.html",
        members=members,
        notices=notices,
        attention=[(key, *_capped(key, attention[key]), f.as_args()) for key, f in listing.ATTENTION.items()],
        action=ActionForm(),
    )


def _capped(key: str, count: int) -> tuple[int, bool]:
    """A count as the dashboard shows it, and whether it means "more than" (a count by due date
    stops above the cap; the counts by status are exact)."""
    if key not in listing.ATTENTION_BY_STATUS and count > listing.ATTENTION_CAP:
        return listing.ATTENTION_CAP, True
    return count, False


@bp.route("/members", methods=["GET", "POST"])
@tenant_required
def members():
    """List members and open invitations; owners invite more people."""
    form = InviteForm()
    if form.validate_on_submit():
        if g.membership.role != "owner":
            abort(403)
        try:
            invite = accounts.invite_member(
                db(),
                g.tenant.id,
                by_user_id=current_user.id,
                email=form.email.data,
                role=form.role.data,
                now=_now(),
            )
        except ValidationFailed as exc:
            apply_to_form(form, exc)
        else:
            flash(_("Invitation sent to %(email)s.", email=invite.email), "success")
            return redirect(url_for("workspace.members"))
    return render_template(
        "workspace/members.html",
        form=form,
        members=accounts.list_members(db(), g.tenant.id),
        invitations=accounts.list_open_invitations(db(), g.tenant.id),
        action=ActionForm(),
    )


@bp.post("/members/<int:member_id>/remove")
@owner_required
def remove_member(member_id):
    """Remove a member from the tenant."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        removed = accounts.remove_member(db(), g.tenant.id, member_id, by_user_id=current_user.id)
    except ValidationFailed as exc:
        flash(message(exc.code), "error")
    else:
        flash(_("%(name)s no longer has access.", name=removed.user.name), "success")
    return redirect(url_for("workspace.members"))


@bp.post("/invitations/<int:invitation_id>/revoke")
@owner_required
def revoke_invitation(invitation_id):
    """Withdraw an invitation that has not been accepted."""
    if not ActionForm().validate_on_submit():
        abort(400)
    accounts.revoke_invitation(db(), g.tenant.id, invitation_id, by_user_id=current_user.id, now=_now())
    flash(_("The invitation was withdrawn."), "success")
    return redirect(url_for("workspace.members"))


@bp.post("/tenants/<int:tenant_id>/switch")
@tenant_required
def switch_tenant(tenant_id):
    """Work in another organisation the user belongs to."""
    if not ActionForm().validate_on_submit():
        abort(400)
    accounts.membership_in(db(), tenant_id, current_user.id)  # NotFound for strangers
    select_tenant(tenant_id)
    return redirect(url_for("workspace.dashboard"))


@bp.route("/organisation", methods=["GET", "POST"])
@owner_required
def organisation():
    """The firm's name, address, public contact details and default language."""
    form = TenantForm(obj=g.tenant)
    if form.validate_on_submit():
        try:
            accounts.update_tenant(
                db(),
                g.tenant.id,
                by_user_id=current_user.id,
                name=form.name.data,
                street_address=form.street_address.data or "",
                postal_code=form.postal_code.data or "",
                city=form.city.data or "",
                public_email=form.public_email.data or "",
                public_phone=form.public_phone.data or "",
                default_language=form.default_language.data,
                request_retention_months=form.request_retention_months.data,
                now=_now(),
            )
            publishing.rename_tenant(db(), g.tenant.id, form.slug.data)
        except ValidationFailed as exc:
            apply_to_form(form, exc)
        else:
            public_cache.forget_resolutions()
            flash(_("Saved."), "success")
            return redirect(url_for("workspace.organisation"))
    return render_template("workspace/organisation.html", form=form)
