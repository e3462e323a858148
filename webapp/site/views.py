"""The public front page, the service's terms and data processing agreement, and the language switcher."""

from datetime import date

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from tenants.billing.plans import PLANS
from tenants.models import LANGUAGES, Tenant
from tenants.platform import OWN_NOTICE_SLUG, PLATFORM_SLUG, platform_tenant

from ..db import db
from ..i18n import LANG_COOKIE, current_language
from ..security import is_safe_next
from .forms import LanguageForm

bp = Blueprint("site", __name__)


@bp.get("/")
def index():
    """What Seloste is, with the way in."""
    if current_user.is_authenticated:
        return redirect(url_for("workspace.dashboard"))
    return render_template("site/index.html", plans=PLANS)


# When the terms and the data processing agreement were last changed (their text is in
# templates/site/legal/<name>_<language>.html).
LEGAL_UPDATED = date(2026, 12, 5)
_BUSINESS_ID = {"fi": "Y-tunnus", "sv": "FO-nummer", "en": "Business ID"}
_NO_OPERATOR = {
    "fi": "palvelun ylläpitäjä",
    "sv": "den som driver tjänsten",
    "en": "the operator of the service",
}


def _provider(tenant: Tenant | None) -> dict[str, str]:
    """The provider of the service as the legal texts name it, per language: Seloste's own
    organisation (`flask site publish-own-notice`), else a description."""
    if tenant is None:
        return dict(_NO_OPERATOR)
    address = ", ".join(
        part for part in (tenant.street_address, f"{tenant.postal_code} {tenant.city}".strip()) if part
    )
    return {
        lang: f"{tenant.name} ({label} {tenant.business_id}{', ' + address if address else ''})"
        for lang, label in _BUSINESS_ID.items()
    }


@bp.app_template_global()
def own_notice_url() -> str:
    """The stable address of Seloste's own privacy notice, in the page's language."""
    return url_for(
        "public.latest", tenant_slug=PLATFORM_SLUG, notice_slug=OWN_NOTICE_SLUG, lang=current_language()
    )


def _legal(name: str):
    return render_template(
        f"site/legal/{name}_{current_language()}.html",
        provider=_provider(platform_tenant(db())),
        updated=LEGAL_UPDATED,
        privacy_url=own_notice_url(),
    )


@bp.get("/terms")
def terms():
    """The terms of service."""
    return _legal("terms")


@bp.get("/dpa")
def dpa():
    """The data processing agreement (GDPR Art. 28): we process the requests our customers receive."""
    return _legal("dpa")


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask for at the root even when a page names its SVG icon."""
    return send_from_directory(f"{current_app.static_folder}/img", "favicon.ico", max_age=7 * 86400)


@bp.post("/language")
def set_language():
    """Remember the chosen language (cookie, and the user's preference when logged in)."""
    form = LanguageForm()
    target = form.next.data if is_safe_next(form.next.data) else url_for("site.index")
    language = form.language.data
    if not form.validate_on_submit() or language not in LANGUAGES:
        return redirect(target)
    if current_user.is_authenticated:
        current_user.model.language = language
    response = make_response(redirect(target))
    response.set_cookie(
        LANG_COOKIE,
        language,
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    return response
