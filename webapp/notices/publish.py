"""Publishing from the app: publish a ready draft, see the live notice, copy snippets, withdraw."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tenants.billing.plans import plan_of
from tenants.errors import ValidationFailed
from tenants.notices import publishing, service
from tenants.notices.check import Item

from .. import page_cache as cache
from ..db import db
from ..errors import note_plan_limit
from ..forms import ActionForm
from ..i18n import helsinki_today
from ..messages import field_errors, message
from ..routing import absolute_url
from ..tenancy import tenant_required
from ..unit_of_work import mark_rollback_only
from . import steps
from .forms import PublishForm
from .report import line
from .views import bp, render_step


@bp.post("/<int:notice_id>/publish")
@tenant_required
def publish(notice_id):
    """Publish the draft as a new version."""
    form = PublishForm()
    if not form.validate_on_submit():
        if not getattr(form, "control_character_errors", None):
            abort(400)
        notice = service.get_notice(db(), g.tenant.id, notice_id)
        return _review_again(notice, form, dict(form.control_character_errors))
    notice = service.get_notice(db(), g.tenant.id, notice_id)
    try:
        version = publishing.publish(
            db(),
            g.tenant.id,
            notice.id,
            by_user_id=current_user.id,
            prepared_on=form.prepared_date(),
            change_note=form.change_note.data or "",
            today=helsinki_today(),
            now=datetime.now(UTC),
        )
    except ValidationFailed as exc:
        note_plan_limit(exc)
        return _review_again(notice, form, field_errors(exc))
    cache.forget_resolutions()
    flash(_("Version %(n)s is published.", n=version.number), "success")
    return redirect(url_for("notices.published", notice_id=notice.id))


def _review_again(notice, form: PublishForm, errors: dict):
    """The review step with what was typed and why it was not published."""
    mark_rollback_only()
    g.publish_errors = errors
    g.publish_values = {
        "prepared_on": (form.prepared_on.data or "").strip(),
        "change_note": form.change_note.data or "",
        "first": notice.published_number is None,
    }
    settings = {
        "title": notice.title,
        "slug": notice.slug,
        "languages": list(notice.languages),
        "primary_language": notice.primary_language,
    }
    return render_step(notice, steps.BY_KEY["review"], dict(notice.draft), settings, {})


@bp.get("/<int:notice_id>/published")
@tenant_required
def published(notice_id):
    """The live notice: its address, snippets to copy, versions, withdrawal."""
    notice = service.get_notice(db(), g.tenant.id, notice_id)
    if notice.published_number is None:
        return redirect(url_for("notices.resume", notice_id=notice.id))
    versions = publishing.list_versions(db(), g.tenant.id, notice.id)
    open_findings = {
        v.number: [
            line(Item(f["code"], "attention", "blocking", f["code"], params=f.get("params") or {})).message
            for f in v.open_findings
        ]
        for v in versions
        if v.open_findings
    }
    # Snippets end up on other sites for years: their addresses come from BASE_URL when it is set.
    addresses = {"tenant_slug": g.tenant.slug, "notice_slug": notice.slug}
    return render_template(
        "notices/published.html",
        notice=notice,
        versions=versions,
        open_findings=open_findings,
        public_url=absolute_url("public.latest", **addresses),
        request_url=absolute_url("requests.notice_form", **addresses),
        tenant_request_url=absolute_url("requests.tenant_form", tenant_slug=g.tenant.slug),
        embed_js=absolute_url("static", filename="js/embed.js"),
        badge_url=absolute_url("static", filename="img/badge.svg"),
        show_pdf=plan_of(g.tenant).pdf,
        form=ActionForm(),
        draft_differs=versions
        and _without_date(publishing.public_content(service.draft_of(notice)))
        != _without_date(versions[0].content),
    )


def _without_date(content: dict) -> dict:
    return {**content, "prepared_on": None}


@bp.post("/<int:notice_id>/withdraw")
@tenant_required
def withdraw(notice_id):
    """Take the notice offline (its version addresses then say it was withdrawn)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        publishing.withdraw(db(), g.tenant.id, notice_id, now=datetime.now(UTC))
    except ValidationFailed as exc:
        flash(message(exc.code), "error")
        return redirect(url_for("notices.resume", notice_id=notice_id))
    cache.forget_resolutions()
    flash(_("The notice was withdrawn. Its address now says so."), "info")
    return redirect(url_for("notices.published", notice_id=notice_id))
