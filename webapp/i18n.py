"""Languages: the locale chain, and dates shown the Finnish way."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from flask import Flask, g, request
from flask_babel import Babel, Domain, get_locale, refresh
from flask_babel import _get_current_context as _babel_context  # its per-request namespace (4.0)
from flask_login import current_user

from tenants.billing.plans import VAT_PERCENT, with_vat
from tenants.models import LANGUAGES

from .config import ROOT

LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
LANG_COOKIE = "lang"


def select_locale() -> str:
    """Explicit ?lang=, then the user's preference, the cookie, the tenant's default, the browser."""
    explicit = request.args.get("lang")
    if explicit in LANGUAGES:
        return explicit
    if request.blueprint == "public":
        # Public notice pages are the same for everyone: never read the session or cookies here,
        # so that shared caches can keep them (no `Vary: Cookie`).
        return request.accept_languages.best_match(LANGUAGES) or "fi"
    if current_user and current_user.is_authenticated:
        return current_user.language
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    # A logged-in user always has a preference, so the tenant's default speaks to visitors
    # on a tenant's page who have not chosen: e.g. someone opening an invitation.
    tenant = g.get("locale_tenant")
    if tenant is not None and tenant.default_language in LANGUAGES:
        return tenant.default_language
    return request.accept_languages.best_match(LANGUAGES) or "fi"


def use_tenant_language(tenant) -> None:
    """This response belongs to `tenant`: its default language comes before the browser's."""
    g.locale_tenant = tenant
    refresh()  # a locale chosen earlier in this request is chosen again


def current_language() -> str:
    """The two-letter code of the language this response is in."""
    return str(get_locale() or "fi")[:2]


def helsinki_today() -> date:
    """Today's date in Finland (a laatimispäivä is a Finnish calendar date)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Helsinki")).date()


def format_day(value: date | datetime | str | None, language: str | None = None) -> str:
    """21.3.2019 in Finnish and Swedish, 21 March 2019 in English (an ISO string is read first)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        from zoneinfo import ZoneInfo

        value = value.astimezone(ZoneInfo("Europe/Helsinki")).date()
    language = language or current_language()
    if language == "en":
        return format_date(value, "d MMMM yyyy", locale="en")
    return f"{value.day}.{value.month}.{value.year}"


# Numbers and money as people in each language write them: 12,00 € in Finnish and Swedish (in
# Finland), €12.00 in English.
_NUMBER_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_IE"}


def format_euros(cents: int, language: str | None = None) -> str:
    """An amount of euro cents as money: 12,00 € (fi, sv) or €12.00 (en)."""
    locale = _NUMBER_LOCALES.get(language or current_language(), "fi_FI")
    return format_currency(Decimal(cents) / 100, "EUR", locale=locale)


def vat_percent(language: str | None = None) -> str:
    """The VAT rate as a number in the language: 25,5 or 25.5."""
    return format_decimal(VAT_PERCENT, locale=_NUMBER_LOCALES.get(language or current_language(), "fi_FI"))


def localised(labels: dict) -> dict:
    """A dict of lazily translated labels, translated now (once for a page, not once per use)."""
    return {key: str(label) for key, label in labels.items()}


class _Catalogs(Domain):
    """flask-babel's message domain, with each language's catalog found by the locale itself: flask-babel
    builds a key from the locale's name for every string it translates, and a page of the inbox
    translates a hundred.

    The catalog found is also kept for the rest of the request, on flask-babel's per-request namespace
    beside the locale it was found for: finding it costs two more look-ups of that namespace and a
    locale compared field by field. A locale changed since (force_locale, refresh) is another object,
    so the catalog is found again."""

    def __init__(self, domain: str):
        super().__init__(domain=domain)
        self._by_locale: dict = {}

    def get_translations(self):
        ctx = _babel_context()
        if ctx is not None:
            kept = getattr(ctx, "seloste_catalog", None)
            if kept is not None and kept[0] is getattr(ctx, "babel_locale", None):
                return kept[1]
        locale = get_locale()
        found = self._by_locale.get(locale) if locale is not None else None
        if found is None:
            found = super().get_translations()
            if locale is not None:
                self._by_locale[locale] = found
        if ctx is not None and locale is not None:
            ctx.seloste_catalog = (locale, found)
        return found


def init_app(app: Flask) -> None:
    """flask-babel with catalogs under webapp/translations."""
    babel = Babel(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "webapp" / "translations"),
    )
    catalogs = babel.domain_instance = _Catalogs(app.extensions["babel"].default_domain)
    # The templates' gettext straight from the domain: flask-babel's own looks the domain up first,
    # on every string, in a per-request namespace that holds the one domain this app has.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogs.get_translations().ugettext(s),
        ngettext=lambda s, p, n: catalogs.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: catalogs.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogs.get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["euros"] = format_euros
    app.jinja_env.filters["with_vat"] = with_vat
    app.jinja_env.filters["localised"] = localised
    app.jinja_env.globals.update(
        current_language=current_language,
        vat_percent=vat_percent,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        LANGUAGES=LANGUAGES,
    )
