"""The public front page and the language switcher."""

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
from tenants.models import LANGUAGES

from ..i18n import LANG_COOKIE
from ..security import is_safe_next
from .forms import LanguageForm

bp = Blueprint("site", __name__)


@bp.get("/")
def index():
    """What Seloste is, with the way in."""
    if current_user.is_authenticated:
        return redirect(url_for("workspace.dashboard"))
    return render_template("site/index.html", plans=PLANS)


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
