"""The wizard: create a notice, walk its steps (each saves), review, preview."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import ValidationError

from tenants import accounts
from tenants.billing.plans import plan_of
from tenants.errors import ValidationFailed
from tenants.notices import legal_texts as T
from tenants.notices import service
from tenants.notices.imports import proposed_prepared_on
from tenants.notices.proposals import CONTROLLER, FIELD_OF_SECTION, SECTIONS, STEP_OF_SECTION
from tenants.notices.render import render
from tenants.notices.richtext import to_plain
from tenants.notices.schema import LANGS, load_draft

from .. import findings
from ..db import db
from ..errors import note_plan_limit
from ..i18n import LANGUAGE_NAMES, current_language, helsinki_today
from ..messages import CHECK_THIS, field_errors, message
from ..tenancy import tenant_required
from ..unit_of_work import mark_rollback_only
from . import fields as fieldlib
from . import report as reportlib
from . import steps as steplib
from .forms import NewNoticeForm, StepForm

bp = Blueprint("notices", __name__, url_prefix="/app/notices")

_EXTRA_LABELS = {"languages": {"fi": "Kieli", "sv": "Språk", "en": "Language"}}


# Fields that are shown as part of another section of the notice.
_PARENT_SECTION = {
    "legitimate_interest": "purposes",
    "consent_withdrawal": "purposes",
    "how_to": "rights",
    "special_justification": "special_categories",
    "criminal_justification": "criminal_data",
}


@bp.app_template_global()
def section_name(key: str) -> str:
    """A schema section's name in the interface language (for the import report)."""
    base, _sep, right = key.partition(".")
    base = _PARENT_SECTION.get(base, base)
    if base == "rights" and right in T.RIGHT_TITLES:
        return T.text(T.RIGHT_TITLES, right, current_language())
    if base in T.HEADINGS:
        return T.text(T.HEADINGS, base, current_language())
    return key


@bp.app_template_global()
def section_title(key: str) -> str:
    """A notice section's name in the interface language (for proposals to confirm)."""
    return findings.section_title(key)


@bp.app_template_global()
def notice_label(key: str, language: str) -> str:
    """A label or heading of the public notice, in the notice's language."""
    for table in (T.LABELS, T.HEADINGS, _EXTRA_LABELS):
        if key in table:
            return T.text(table, key, language)
    return key


def _now() -> datetime:
    return datetime.now(UTC)


@bp.route("/new", methods=["GET", "POST"])
@tenant_required
def new():
    """Choose a starting template, a name and the languages."""
    form = NewNoticeForm()
    errors: dict = {}
    if request.method == "GET":
        values = {
            "title": "",
            "starter": request.args.get("starter"),  # nothing chosen for the user, blank included
            "languages": [g.tenant.default_language],
            "primary_language": g.tenant.default_language,
        }
    elif not form.validate_on_submit() and not getattr(form, "control_character_errors", None):
        abort(400)
    elif form.control_character_errors:
        values = form.values()
        errors = dict(form.control_character_errors)
    elif "starter" not in request.form:
        values = form.values() | {"starter": None}
        errors = {"starter": message("starter_unknown")}
        if not values["languages"]:
            errors["languages"] = message("languages_required")
        elif values["primary_language"] not in values["languages"]:
            errors["primary_language"] = message("primary_language_not_chosen")
    else:
        values = form.values()
        try:
            notice = service.create_notice(
                db(),
                g.tenant.id,
                by_user_id=current_user.id,
                title=values["title"],
                languages=values["languages"],
                primary_language=values["primary_language"],
                starter_key=values["starter"] or None,
                now=_now(),
            )
        except ValidationFailed as exc:
            mark_rollback_only()
            note_plan_limit(exc)
            errors = field_errors(exc)
        else:
            return redirect(url_for("notices.step", notice_id=notice.id, step=steplib.KEYS[0]))
    return render_template(
        "notices/new.html",
        starters=service.starters(),
        values=values,
        errors=errors,
        form=form,
        language_limit=plan_of(g.tenant).languages,
    )


@bp.get("/<int:notice_id>")
@tenant_required
def resume(notice_id):
    """Continue on the step the user was last on."""
    notice = service.get_notice(db(), g.tenant.id, notice_id)
    step = notice.last_step if notice.last_step in steplib.BY_KEY else steplib.KEYS[0]
    return redirect(url_for("notices.step", notice_id=notice.id, step=step))


def _member_options():
    return [
        (str(m.user_id), f"{m.user.name} ({m.user.email})") for m in accounts.list_members(db(), g.tenant.id)
    ]


@bp.route("/<int:notice_id>/steps/<step>", methods=["GET", "POST"])
@tenant_required
def step(notice_id, step):
    """One step of the wizard. Every button saves first."""
    spec = steplib.BY_KEY.get(step)
    if spec is None:
        abort(404)
    notice = service.get_notice(db(), g.tenant.id, notice_id)
    g.contact_member_options = _member_options()
    data = dict(notice.draft)
    settings = {
        "title": notice.title,
        "slug": notice.slug,
        "languages": list(notice.languages),
        "primary_language": notice.primary_language,
    }
    errors: dict = {}
    extra_rows: dict[str, int] = {}
    if request.args.get("add"):
        extra_rows[request.args["add"]] = 1

    if request.method == "GET":
        service.remember_step(db(), g.tenant.id, notice.id, step)
    else:
        form = StepForm()
        if not form.validate_on_submit():
            abort(400)
        action = parse_action(form.action.data or "", spec)
        remove = (action.target, action.index) if action.kind == "remove" else None
        previous_member = (data.get("contact") or {}).get("member_user_id")
        if step == "basics":
            settings = {
                "title": request.form.get("notice.title", ""),
                "slug": request.form.get("notice.slug", notice.slug),
                "languages": request.form.getlist("notice.languages"),
                "primary_language": request.form.get("notice.primary_language", ""),
            }
        languages = [lang for lang in LANGS if lang in settings["languages"]] or list(notice.languages)
        data, errors = fieldlib.parse(spec.fields, request.form, data, languages, remove=remove)
        if step == "contact":
            _fill_contact_from_member(data, previous_member)
        if not spec.fields:  # the review step: nothing to save, only somewhere to go
            service.remember_step(db(), g.tenant.id, notice.id, _destination(step, action))
        elif not errors:
            errors = _save(notice, step, data, settings, resume_at=_destination(step, action))
        if errors:
            mark_rollback_only()
        else:
            _tell_saved(notice, step, action)
            return redirect(_after(notice, step, action))
    return render_step(notice, spec, data, settings, errors, extra_rows)


def _tell_saved(notice, step, action: Action) -> None:
    """Every save says so; a confirmation says what was confirmed, a copy what was copied."""
    if action.kind == "confirm" and action.target == CONTROLLER:
        if service.confirm_controller(db(), g.tenant.id, notice.id, by_user_id=current_user.id, now=_now()):
            flash(_("The controller's details are confirmed as correct."), "success")
            return
    if action.kind == "copy":
        service.copy_controller_from_organisation(db(), g.tenant.id, notice.id, now=_now())
        flash(
            _("The organisation's current details are now in this notice. Check them, then confirm them."),
            "success",
        )
        return
    if action.kind == "confirm":
        if service.confirm_section(
            db(), g.tenant.id, notice.id, action.target, by_user_id=current_user.id, now=_now()
        ):
            flash(
                _("Confirmed as your text: %(section)s.", section=findings.section_title(action.target)),
                "success",
            )
            return
    if steplib.BY_KEY[step].fields:
        flash(_("Saved."), "success")


def render_step(notice, spec, data, settings, errors, extra_rows=None):
    """Render a step page with the given (possibly unsaved) values and errors."""
    extra_rows = extra_rows or {}
    draft_languages = [lang for lang in LANGS if lang in settings["languages"]] or list(notice.languages)
    report = service.completeness(notice) if not errors else None
    ui = current_language()
    ctx = SimpleNamespace(
        errors=errors,
        languages=draft_languages,
        extra_rows=extra_rows,
        fieldlib=fieldlib,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        right_title=lambda key: T.text(T.RIGHT_TITLES, key, ui) if key in T.RIGHT_TITLES else key,
        right_text=lambda key: to_plain(T.text(T.RIGHT_TEXTS, key, ui)) if key in T.RIGHT_TEXTS else "",
    )
    proposals = service.proposals_open(notice) if not errors else []
    # A field never hides while it holds a proposal to confirm or an answer that contradicts its question.
    ctx.keep_shown = {path for key, paths, _step in SECTIONS if key in proposals for path in paths}
    if data.get("special_categories_used") is False and data.get("special_categories"):
        ctx.keep_shown |= {"special_categories", "special_justification"}
    return render_template(
        "notices/step.html",
        controller=_controller_state(notice) if spec.key == "basics" else None,
        language_limit=plan_of(g.tenant).languages,
        proposals={FIELD_OF_SECTION[k]: k for k in proposals if STEP_OF_SECTION[k] == spec.key},
        step_states=reportlib.step_states(report) if report else {},
        notice=notice,
        spec=spec,
        steps=steplib.STEPS,
        data=data,
        settings=settings,
        ctx=ctx,
        report=report,
        report_lines=reportlib.lines(report) if report else None,
        summary=findings.summary(report) if report else "",
        publish=g.get("publish_values")
        or {
            "prepared_on": _iso(proposed_prepared_on(notice, helsinki_today())),
            "change_note": "",
            "first": notice.published_number is None,
        },
        publish_errors=g.get("publish_errors", {}),
    )


def _controller_state(notice) -> SimpleNamespace:
    """For the basics step: the confirmation of the controller's details, what the organisation's
    settings say differently, and which public contact details the settings lack."""
    record = service.controller_confirmation(notice)
    earlier = (notice.confirmed_sections or {}).get(CONTROLLER)
    return SimpleNamespace(
        confirmed_at=datetime.fromisoformat(record["at"]) if record else None,
        changed_since=record is None and bool(earlier),
        differs=service.controller_differs(notice, g.tenant),
        missing=[k for k in ("public_email", "public_phone") if not getattr(g.tenant, k)],
        settings_url=url_for("workspace.organisation"),
    )


def _iso(day) -> str:
    return day.isoformat() if day else ""


def _fill_contact_from_member(data: dict, previous_member_id: int | None) -> None:
    """A newly chosen member brings their name and email; the same member keeps what was typed."""
    contact = data.get("contact", {})
    member_id = contact.get("member_user_id")
    if member_id is None:
        return
    member = next((m for m in accounts.list_members(db(), g.tenant.id) if m.user_id == member_id), None)
    if member is None:
        contact["member_user_id"] = None
        return
    if member_id != previous_member_id:
        contact["name"], contact["email"] = member.user.name, member.user.email
        return
    contact["name"] = contact.get("name") or member.user.name
    contact["email"] = contact.get("email") or member.user.email


def _save(notice, step, data, settings, *, resume_at: str) -> dict:
    errors = {}
    if step == "basics":
        try:
            service.update_settings(
                db(),
                g.tenant.id,
                notice.id,
                title=settings["title"],
                slug=settings["slug"],
                languages=settings["languages"],
                primary_language=settings["primary_language"],
                now=_now(),
            )
        except ValidationFailed as exc:
            note_plan_limit(exc)
            return field_errors(exc, prefix="notice.")
    try:
        draft = load_draft(data)
    except ValidationError as exc:
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"])
            errors[name] = str(CHECK_THIS)
        return errors
    try:
        service.save_draft(db(), g.tenant.id, notice.id, draft, step=resume_at, now=_now())
    except ValidationFailed as exc:
        note_plan_limit(exc)
        return {"form": message(exc.code)}
    return errors


@dataclass(frozen=True)
class Action:
    """The button that sent a step's form: save, next, back, goto:<step>, add:<list>, remove:<list>:<row>,
    confirm:<section>."""

    kind: str
    target: str | None = None
    index: int | None = None


SAVE = Action("save")


def parse_action(raw: str, spec) -> Action:
    """The pressed button; anything not understood (a tampered or truncated value) is a plain save."""
    kind, _sep, rest = raw.partition(":")
    lists = {f.path for f in spec.fields if f.kind in ("list", "group") and not f.fixed}
    if kind in ("save", "next", "back") and not _sep:
        return Action(kind)
    if kind == "goto" and rest in steplib.BY_KEY:
        return Action(kind, rest)
    if kind == "add" and rest in lists:
        return Action(kind, rest)
    if kind == "confirm" and STEP_OF_SECTION.get(rest) == spec.key:
        return Action(kind, rest)
    if kind in ("confirm", "copy") and rest == CONTROLLER and spec.key == "basics":
        return Action(kind, rest)
    if kind == "remove":
        path, _sep, index = rest.partition(":")
        if path in lists and re.fullmatch(r"[0-9]{1,3}", index):
            return Action(kind, path, int(index))
    return SAVE


def _destination(step: str, action: Action) -> str:
    """The step the user sees after this action (and resumes at later)."""
    index = steplib.KEYS.index(step)
    if action.kind == "next" and index + 1 < len(steplib.KEYS):
        return steplib.KEYS[index + 1]
    if action.kind == "back" and index > 0:
        return steplib.KEYS[index - 1]
    if action.kind == "goto":
        return action.target
    return step


def _after(notice, step, action: Action) -> str:
    if action.target == CONTROLLER and action.kind in ("confirm", "copy"):
        return url_for(
            "notices.step", notice_id=notice.id, step=step, _anchor=steplib.CONTROLLER_CONFIRMATION_ANCHOR
        )
    if action.kind == "confirm":
        return url_for("notices.step", notice_id=notice.id, step=step) + f"#proposal-{action.target}"
    if action.kind == "add":
        return (
            url_for("notices.step", notice_id=notice.id, step=step, add=action.target)
            + f"#{action.target.replace('.', '-')}"
        )
    return url_for("notices.step", notice_id=notice.id, step=_destination(step, action))


@bp.get("/<int:notice_id>/preview")
@tenant_required
def preview(notice_id):
    """The notice exactly as the public page will show it, in one of its languages."""
    notice = service.get_notice(db(), g.tenant.id, notice_id)
    language = request.args.get("in") or notice.primary_language
    if language not in notice.languages:
        abort(404)
    rendered = render(
        service.draft_of(notice),
        language,
        prepared_on=proposed_prepared_on(notice, helsinki_today()),
    )
    return render_template(
        "public/notice.html",
        notice=notice,
        rendered=rendered,
        languages=notice.languages,
        preview=True,
        language_url=lambda code: url_for("notices.preview", notice_id=notice.id, **{"in": code}),
    )
