"""Import the notice a firm already has: paste or upload, get a draft in the wizard with a report.

The report asks what the import could not decide: a controller that differs from the
organisation (which is right?) and a file holding two notices (split them into two drafts?).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from tenants.errors import ValidationFailed
from tenants.notices import imports
from tenants.notices.importing import NoticeTooLong, UnreadableFile, import_notice, read_source

from ..db import db
from ..errors import note_plan_limit
from ..forms import ActionForm
from ..messages import message
from ..tenancy import tenant_required
from ..unit_of_work import mark_rollback_only
from .forms import ImportForm
from .views import bp, section_name


def _import(form: ImportForm):
    """The new draft, or the reason why there is none (a sentence for the page)."""
    upload = form.file.data
    try:
        source, kind = read_source(form.text.data or "", upload.filename if upload else None, upload)
        result = import_notice(source, content_type=kind)
        return imports.create_imported_notice(
            db(),
            g.tenant.id,
            by_user_id=current_user.id,
            result=result,
            title=form.title.data or "",
            now=datetime.now(UTC),
            source=source,
            content_type=kind,
        ), None
    except UnreadableFile as exc:
        return None, message(exc.code)
    except NoticeTooLong as exc:
        return None, _(
            "The part “%(section)s” is too long for one section of a notice. Shorten or split it, then import again.",
            section=section_name(exc.where),
        )
    except ValidationFailed as exc:
        note_plan_limit(exc)
        return None, message(exc.code)


@bp.app_template_global()
def import_unchanged(notice) -> bool:
    """Whether an imported draft is still as the import made it (the report's offers depend on it)."""
    return imports.unchanged_since_import(notice)


@bp.route("/import", methods=["GET", "POST"])
@tenant_required
def import_page():
    """Paste or upload; the result opens in the wizard with an import report."""
    form = ImportForm()
    error = None
    if request.method == "POST":
        if form.validate_on_submit():
            notice, error = _import(form)
        elif getattr(form, "control_character_errors", None):
            notice, error = None, next(iter(form.control_character_errors.values()))
        else:
            abort(400)
        if notice is not None:
            return redirect(url_for("notices.step", notice_id=notice.id, step="basics", imported=1))
        mark_rollback_only()
    values = {"title": form.title.data or "", "text": form.text.data or ""}
    return render_template("notices/import.html", values=values, error=error, form=form), (
        400 if error else 200
    )


@bp.post("/<int:notice_id>/import/split")
@tenant_required
def split_import(notice_id):
    """A file that held several notices: each becomes a draft of its own."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        notices = imports.split_imported_notice(
            db(), g.tenant.id, notice_id, by_user_id=current_user.id, now=datetime.now(UTC)
        )
    except ValidationFailed as exc:
        mark_rollback_only()
        note_plan_limit(exc)
        flash(message(exc.code), "error")
        return redirect(url_for("notices.step", notice_id=notice_id, step="basics"))
    others = ", ".join(f"“{n.title}”" for n in notices[1:])
    flash(
        ngettext(
            "The file is now %(num)s drafts: this one, and %(others)s in your notices.",
            "The file is now %(num)s drafts: this one, and %(others)s in your notices.",
            len(notices),
            others=others,
        ),
        "success",
    )
    return redirect(url_for("notices.step", notice_id=notice_id, step="basics"))


@bp.post("/<int:notice_id>/import/controller")
@tenant_required
def settle_imported_controller(notice_id):
    """Which controller is right when the imported notice names another than the organisation."""
    if not ActionForm().validate_on_submit():
        abort(400)
    choice = request.form.get("choice", "")
    try:
        imports.settle_controller(db(), g.tenant.id, notice_id, choice=choice, now=datetime.now(UTC))
    except ValidationFailed as exc:
        mark_rollback_only()
        note_plan_limit(exc)
        flash(message(exc.code), "error")
    return redirect(url_for("notices.step", notice_id=notice_id, step="basics") + "#import-report")
