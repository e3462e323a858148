"""The public URL contract (see README): latest, versions, history, diff, JSON, PDF, feed.

Every input here comes from the whole internet. Numbers in paths are bounded by the app's `int`
converter (webapp/routing.py); caches are keyed only on values that resolve to something real
(a notice, a version, one of its languages), never on raw headers or query strings; and nothing
cached contains an address built from the request's Host header.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from markupsafe import Markup
from werkzeug.datastructures import ResponseCacheControl
from werkzeug.http import http_date, parse_date, parse_etags, quote_etag

from tenants.billing.plans import plan_of
from tenants.models import LANGUAGES, Tenant
from tenants.notices import publishing
from tenants.notices.diff import diff_versions
from tenants.notices.models import NoticeVersion
from tenants.notices.render import RenderedNotice, render
from tenants.notices.schema import load_draft

from .. import page_cache as cache
from ..db import db
from ..i18n import LANGUAGE_NAMES
from ..routing import absolute_url, number_or_none
from ..security import framable
from ..snapshots import PRINT_ENVIRON, stored_pdf
from ..tenancy import public_tenant

bp = Blueprint("public", __name__)
log = logging.getLogger(__name__)

LATEST_MAX_AGE = 60
VERSION_MAX_AGE = 365 * 86400


@dataclass(frozen=True)
class Resolved:
    """What a public URL points at (plain values, safe to cache)."""

    tenant_id: int
    tenant_slug: str
    tenant_name: str
    notice_id: int
    notice_slug: str
    number: int
    status: str
    withdrawn_at: datetime | None
    languages: tuple[str, ...]
    primary_language: str
    # Chrome of the version in force only (version URLs are immutable and show neither).
    badge: bool = True
    pdf: bool = False
    # The newest entry of the tenant's audit log (plan changes: badge, PDF link; the organisation's
    # name): the pages that show them never have a Last-Modified older than it.
    account_changed_at: datetime | None = None


def resolve(tenant_slug: str, notice_slug: str) -> Resolved:
    """The published notice at this address (its tenant resolved by webapp.tenancy); AddressMoved
    for an old address, NotFound otherwise."""
    tenant_id = public_tenant().id  # first: the request works in this tenant from here on
    key = (tenant_slug, notice_slug)
    hit = cache.resolved(key)
    if hit is not None:
        return hit
    tenant = db().get(Tenant, tenant_id)
    notice = publishing.notice_at(db(), tenant, notice_slug)
    latest = publishing.get_version(db(), tenant.id, notice.id, notice.published_number)
    plan = plan_of(tenant)
    found = Resolved(
        tenant.id,
        tenant.slug,
        tenant.name,
        notice.id,
        notice.slug,
        notice.published_number,
        notice.status,
        notice.withdrawn_at,
        tuple(latest.languages),
        latest.primary_language,
        badge=plan.badge,
        pdf=plan.pdf,
        account_changed_at=publishing.last_account_change(db(), tenant.id),
    )
    cache.remember(key, found)
    return found


def _language(languages, primary) -> str:
    wanted = request.args.get("lang")
    if wanted in languages:
        return wanted
    return request.accept_languages.best_match(languages) or primary


def _unavailable(languages) -> str | None:
    """The language `?lang=` asked for when the page does not have it (the page says so)."""
    wanted = request.args.get("lang")
    return wanted if wanted in LANGUAGES and wanted not in languages else None


def _varies(languages) -> bool:
    """The answer depends on Accept-Language unless ?lang= names one of the page's languages."""
    return request.args.get("lang") not in languages


def _version(r: Resolved, number: int) -> NoticeVersion:
    return publishing.get_version(db(), r.tenant_id, r.notice_id, number)


def _etag(body: bytes) -> str:
    """A strong validator of exactly these bytes: whatever changes the body changes it."""
    return hashlib.sha256(body).hexdigest()[:32]


def _newest(*moments: datetime | None) -> datetime | None:
    return max((m for m in moments if m is not None), default=None)


@functools.cache
def _cache_control(max_age: int, immutable: bool) -> str:
    """The Cache-Control value, built once per (max_age, immutable) by werkzeug itself."""
    header = ResponseCacheControl()
    header.public = True
    header.max_age = max_age
    if immutable:
        header.immutable = True
    return header.to_header()


# Last-Modified values repeat (a version's publication time): format each once.
_http_date = functools.lru_cache(maxsize=4096)(http_date)


def _precondition(environ, etag: str, modified: datetime | None) -> int | None:
    """RFC 9110 §13.2.2 for a GET or HEAD: 412 when If-Match (or, without it, If-Unmodified-Since)
    fails, 304 when the copy is current.

    If-None-Match wins over If-Modified-Since; an If-Modified-Since in the future is ignored."""
    if_match = environ.get("HTTP_IF_MATCH")
    if if_match is not None:
        tags = parse_etags(if_match)
        if not (tags.star_tag or tags.contains(etag)):
            return 412
    elif modified is not None:
        unmodified_since = parse_date(environ.get("HTTP_IF_UNMODIFIED_SINCE"))
        if unmodified_since is not None and modified.replace(microsecond=0) > unmodified_since:
            return 412
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = parse_etags(if_none_match)
        return 304 if tags.star_tag or tags.contains_weak(etag) else None
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    if since is None or modified is None or since > datetime.now(UTC):
        return None
    return 304 if modified.replace(microsecond=0) <= since else None


def _respond(
    entry,
    *,
    max_age: int,
    immutable: bool = False,
    vary_language: bool = False,
    modified: datetime | None = None,
    status: int = 200,
) -> Response:
    """A body with its validators; 304/412 for conditional GET and HEAD requests.

    Hot path of every public page, so it writes the headers directly instead of through
    werkzeug's attribute setters, and formats each Last-Modified date once. `modified`, when given, replaces the entry's Last-Modified
    (a later account change). Conditional headers are ignored for answers other than 200.
    """
    body, etag, entry_modified, mimetype = entry
    modified = modified or entry_modified
    environ = request.environ
    if status == 200 and environ["REQUEST_METHOD"] in ("GET", "HEAD"):
        status = _precondition(environ, etag, modified) or 200
        if status == 412:
            body = b""  # the request's precondition failed: the representation is not sent
    response = Response(body, status=status, mimetype=mimetype)
    headers = response.headers
    headers["ETag"] = quote_etag(etag)
    if modified is not None:
        headers["Last-Modified"] = _http_date(modified)
    headers["Cache-Control"] = _cache_control(max_age, immutable)
    if vary_language:
        headers["Vary"] = "Accept-Language"
    # No Date header: the WSGI server sends it (gunicorn always does; a second one would be a duplicate).
    return response


def _withdrawn(r: Resolved):
    """410 with the date of the withdrawal, at every address of the notice."""
    with force_locale(_language(r.languages, r.primary_language)):
        html = render_template("public/withdrawn.html", r=r).encode("utf-8")
    return _respond(
        (html, _etag(html), _newest(r.withdrawn_at, r.account_changed_at), "text/html"),
        max_age=LATEST_MAX_AGE,
        vary_language=_varies(r.languages),
        status=410,
    )


def _controller_name(content: dict) -> str:
    """The controller's name as the version published it (what a version's address shows, whatever
    the organisation is called today)."""
    controller = content.get("controller") if isinstance(content, dict) else None
    name = controller.get("name") if isinstance(controller, dict) else None
    return name if isinstance(name, str) else ""


def _notice_text(version: NoticeVersion, language: str) -> tuple[RenderedNotice, Markup]:
    """The notice itself in one language (its title, controller, date and sections as HTML),
    rendered once per (version, language) and shared by every page that shows it: the version in
    force, its version URL (and the PDF printed from it), whatever the plan."""
    key = ("text", version.id, language)
    hit = cache.pages.get(key)
    if hit is None:
        rendered = render(load_draft(version.content), language, prepared_on=version.prepared_on)
        with force_locale(language):
            # The output of an autoescaping template (rich texts sanitised by render): safe HTML.
            html = Markup(render_template("public/_notice_sections.html", rendered=rendered))  # noqa: S704
        hit = (dataclasses.replace(rendered, sections=[]), html)
        cache.pages.put(key, hit)
    return hit


def _unavailable_note(wanted: str | None, shown: str) -> Markup | None:
    """In the language asked for: the notice is not written in it, and in which language it is shown."""
    if wanted is None:
        return None
    with force_locale(wanted):
        # An autoescaping template: safe HTML.
        return Markup(render_template("public/_unavailable.html", wanted=wanted, shown=shown))  # noqa: S704


def _page(
    r: Resolved, version: NoticeVersion, language: str, *, latest: bool, unavailable: str | None = None
) -> tuple:
    """The page around the notice's text. Only the version in force (`latest`) shows what depends
    on the plan (the "Made with Seloste" line on Free, the PDF link on Pro): a version URL is
    immutable, so its page always links its PDF (which answers on every plan) and has no badge.
    `unavailable` is a language `?lang=` asked for that the version lacks: the page says so in it."""
    if latest:
        endpoint, values = "public.latest", {}
    else:
        endpoint, values = "public.version", {"number": version.number}
    values.update(tenant_slug=r.tenant_slug, notice_slug=r.notice_slug)

    def language_url(code: str | None, absolute: bool = False) -> str:
        # hreflang wants a fully qualified address; only BASE_URL may give one to a cached page.
        base = current_app.config["BASE_URL"] if absolute else ""
        return base + url_for(endpoint, lang=code, **values)

    rendered, sections_html = _notice_text(version, language)
    with force_locale(language):
        html = render_template(
            "public/notice.html",
            rendered=rendered,
            sections_html=sections_html,
            version=version,
            r=r,
            languages=version.languages,
            preview=False,
            latest=latest,
            badge=latest and r.badge,
            pdf_link=r.pdf or not latest,
            language_url=language_url,
            LANGUAGE_NAMES=LANGUAGE_NAMES,
            unavailable_note=_unavailable_note(unavailable, language),
        )
    body = html.encode("utf-8")
    return body, _etag(body), version.published_at, "text/html"


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>")
@framable
def latest(tenant_slug, notice_slug):
    """The newest version, in the visitor's language."""
    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    language = _language(r.languages, r.primary_language)
    unavailable = _unavailable(r.languages)
    key = (
        "latest",
        r.notice_id,
        r.number,
        language,
        unavailable,
        r.tenant_slug,
        r.notice_slug,
        r.badge,
        r.pdf,
    )
    entry = cache.pages.get(key)
    if entry is None:
        entry = _page(r, _version(r, r.number), language, latest=True, unavailable=unavailable)
        cache.pages.put(key, entry)
    return _respond(
        entry,
        max_age=LATEST_MAX_AGE,
        vary_language=_varies(r.languages),
        modified=_newest(entry[2], r.account_changed_at),
    )


def _version_languages(r: Resolved, number: int) -> tuple[tuple[str, ...], str, NoticeVersion | None]:
    """A version's languages and primary language (cached: versions never change); the version
    itself when it had to be loaded. NotFound for a number that is not a version."""
    key = ("languages", r.notice_id, number)
    known = cache.pages.get(key)
    if known is not None:
        return known[0], known[1], None
    v = _version(r, number)
    cache.pages.put(key, (tuple(v.languages), v.primary_language))
    return tuple(v.languages), v.primary_language, v


def _version_page(r: Resolved, number: int, *, for_print: bool = False) -> tuple[tuple, tuple[str, ...], str]:
    """The rendered page of version n in the visitor's language (cached under that resolved
    language, never under the raw header or query string), the version's languages, and the
    language chosen. Its bytes depend on nothing but the version and its address. The page a PDF
    is printed from never carries the note that `?lang=` asked for a language the version lacks."""
    languages, primary, v = _version_languages(r, number)
    language = _language(languages, primary)
    unavailable = None if for_print else _unavailable(languages)
    key = ("version", r.notice_id, number, language, unavailable, r.tenant_slug, r.notice_slug)
    entry = cache.pages.get(key)
    if entry is None:
        entry = _page(r, v or _version(r, number), language, latest=False, unavailable=unavailable)
        cache.pages.put(key, entry)
    return entry, languages, language


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>/v/<int:number>")
@framable
def version(tenant_slug, notice_slug, number):
    """Version n, forever."""
    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    entry, languages, _language_chosen = _version_page(r, number)
    return _respond(entry, max_age=VERSION_MAX_AGE, immutable=True, vary_language=_varies(languages))


def version_json(r: Resolved, v: NoticeVersion) -> dict:
    """The documented JSON of a version (README: "Notice JSON"). The controller's name is the one
    the version published, so the answer never changes."""
    base = {"tenant_slug": r.tenant_slug, "notice_slug": r.notice_slug}
    return {
        "format": "seloste-notice/1",
        "controller": {"name": _controller_name(v.content)},
        "notice": {"slug": r.notice_slug, "title": v.title},
        "version": {
            "number": v.number,
            "prepared_on": v.prepared_on.isoformat(),
            "published_at": v.published_at.isoformat(),
            "change_note": v.change_note,
            "languages": v.languages,
            "primary_language": v.primary_language,
            "content_hash": {"algorithm": "sha256", "value": v.content_hash},
        },
        "content": v.content,
        "links": {
            "html": absolute_url("public.version", number=v.number, **base),
            "latest": absolute_url("public.latest", **base),
            "history": absolute_url("public.history", **base),
        },
    }


def _json_response(r: Resolved, number: int, *, latest: bool):
    # The links are absolute: from BASE_URL they are the same for everyone and may be cached;
    # without it they come from this request's Host, so this answer is built for this request only.
    cacheable = bool(current_app.config["BASE_URL"])
    key = ("json", r.notice_id, number, r.tenant_slug, r.notice_slug)
    entry = cache.pages.get(key) if cacheable else None
    if entry is None:
        v = _version(r, number)
        body = json.dumps(version_json(r, v), ensure_ascii=False, indent=1).encode("utf-8")
        entry = (body, _etag(body), v.published_at, "application/json")
        if cacheable:
            cache.pages.put(key, entry)
    if latest:
        response = _respond(entry, max_age=LATEST_MAX_AGE, modified=_newest(entry[2], r.account_changed_at))
    else:
        response = _respond(entry, max_age=VERSION_MAX_AGE, immutable=True)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>.json")
def latest_json(tenant_slug, notice_slug):
    """The newest version as JSON."""
    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    return _json_response(r, r.number, latest=True)


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>/v/<int:number>.json")
def version_json_view(tenant_slug, notice_slug, number):
    """Version n as JSON."""
    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    return _json_response(r, number, latest=False)


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>/v/<int:number>.pdf")
def version_pdf(tenant_slug, notice_slug, number):
    """Version n as a PDF, in the chosen language, printed from the version's page. On every plan:
    a PDF address that once answered keeps answering after a downgrade."""
    from .pdf import pdf_of

    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    page, languages, language = _version_page(r, number, for_print=True)
    key = ("pdf", page[1])  # the page it is printed from decides everything in it
    entry = cache.pages.get(key)
    if entry is None and (printed := stored_pdf(r.tenant_slug, r.notice_slug, number, language)) is not None:
        entry = (printed, page[1] + "-pdf", page[2], "application/pdf")  # printed by the worker
        cache.pages.put(key, entry)
    if entry is None and not (current_app.config["PDF_ON_REQUEST"] or request.environ.get(PRINT_ENVIRON)):
        return _not_printed_yet()
    if entry is None:
        base_url = (current_app.config["BASE_URL"] or "http://seloste.local") + "/"
        entry = (pdf_of(page[0].decode("utf-8"), base_url), page[1] + "-pdf", page[2], "application/pdf")
        cache.pages.put(key, entry)
    response = _respond(entry, max_age=VERSION_MAX_AGE, immutable=True, vary_language=_varies(languages))
    filename = f"{r.tenant_slug}-{r.notice_slug}-v{number}-{language}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _not_printed_yet() -> Response:
    """The worker prints each PDF when the version is published; until it has, ask to come back."""
    response = Response(status=503, mimetype="text/plain")
    response.headers["Retry-After"] = "30"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>/history")
@framable
def history(tenant_slug, notice_slug):
    """Every version with its dates, period in force, note and hash."""
    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    a, b = number_or_none(request.args.get("a")), number_or_none(request.args.get("b"))
    if a and b and a != b:
        return redirect(
            url_for(
                "public.diff",
                tenant_slug=r.tenant_slug,
                notice_slug=r.notice_slug,
                a=a,
                b=b,
                lang=request.args.get("lang") if request.args.get("lang") in LANGUAGES else None,
            )
        )
    versions = publishing.list_versions(db(), r.tenant_id, r.notice_id)
    language = _language(r.languages, r.primary_language)
    periods = []
    for i, v in enumerate(versions):
        until = versions[i - 1].published_at if i > 0 else None
        periods.append((v, v.published_at, until))
    with force_locale(language):
        html = render_template(
            "public/history.html",
            r=r,
            periods=periods,
            language=language,
            title=versions[0].title if versions else "",
        ).encode("utf-8")
    return _respond(
        (html, _etag(html), _newest(versions[0].published_at, r.account_changed_at), "text/html"),
        max_age=LATEST_MAX_AGE,
        vary_language=_varies(r.languages),
    )


def _diff_page(r: Resolved, old: int, new: int) -> tuple[tuple, tuple[str, ...]]:
    """The comparison of two versions (cached: both are immutable), and the languages the visitor
    could choose from. Compared in a language both versions were published in; when they share
    none, the page says so and links each version in its own main language."""
    old_languages, old_primary, _ = _version_languages(r, old)
    new_languages, new_primary, _ = _version_languages(r, new)
    shared = tuple(lang for lang in new_languages if lang in old_languages)
    if shared:
        choices = shared
        language = _language(shared, new_primary if new_primary in shared else shared[0])
    else:
        choices = tuple(dict.fromkeys(new_languages + old_languages))
        language = _language(choices, new_primary)
    key = ("diff", r.notice_id, old, new, language, r.tenant_slug, r.notice_slug)
    entry = cache.pages.get(key)
    if entry is None:
        v_old, v_new = _version(r, old), _version(r, new)
        sections = diff_versions(v_old.content, v_new.content, language) if shared else None
        with force_locale(language):
            html = render_template(
                "public/diff.html",
                r=r,
                old=v_old,
                new=v_new,
                controller_name=_controller_name(v_new.content),
                sections=sections,
                language=language,
                LANGUAGE_NAMES=LANGUAGE_NAMES,
            ).encode("utf-8")
        entry = (html, _etag(html), v_new.published_at, "text/html")
        cache.pages.put(key, entry)
    return entry, choices


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>/diff/<int:a>/<int:b>")
@framable
def diff(tenant_slug, notice_slug, a, b):
    """What changed between two versions, section by section."""
    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    if a == b:
        abort(404)
    entry, languages = _diff_page(r, *sorted((a, b)))
    return _respond(entry, max_age=VERSION_MAX_AGE, immutable=True, vary_language=_varies(languages))


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>/feed.atom")
def feed(tenant_slug, notice_slug):
    """An Atom feed of the notice's versions (410 like every other address once withdrawn)."""
    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    versions = publishing.list_versions(db(), r.tenant_id, r.notice_id)
    base = {"tenant_slug": r.tenant_slug, "notice_slug": r.notice_slug}
    # One feed per language of the version in force (`?lang=`), else in its main language; every
    # title in it is in that language, and its links lead to the pages in that language.
    wanted = request.args.get("lang")
    language = wanted if wanted in r.languages else r.primary_language
    lang = None if language == r.primary_language else language  # the main language's feed keeps its address
    with force_locale(language):
        xml = render_template(
            "public/feed.atom.xml",
            r=r,
            versions=versions,
            language=language,
            title=(versions[0].content.get("register_name") or {}).get(language) or versions[0].title,
            latest_url=absolute_url("public.latest", lang=lang, **base),
            feed_url=absolute_url("public.feed", lang=lang, **base),
            version_url=lambda n: absolute_url("public.version", number=n, lang=lang, **base),
        ).encode("utf-8")
    # Built per request (never cached in the process): without BASE_URL its addresses follow the Host.
    return _respond(
        (xml, _etag(xml), _newest(versions[0].published_at, r.account_changed_at), "application/atom+xml"),
        max_age=LATEST_MAX_AGE,
    )


@bp.get("/<slug:tenant_slug>")
@framable
def tenant_index(tenant_slug):
    """The tenant's published notices."""
    tenant = db().get(Tenant, public_tenant().id)
    notices = publishing.published_notices(db(), tenant.id)
    html = render_template("public/tenant.html", tenant=tenant, notices=notices).encode("utf-8")
    # Never older than what the page shows: the list (publications, withdrawals, addresses), the
    # organisation's name (its audit log), or, before anything was published, the tenant itself.
    modified = _newest(
        publishing.last_public_change(db(), tenant.id),
        publishing.last_account_change(db(), tenant.id),
        tenant.created_at,
    )
    return _respond(
        (html, _etag(html), modified, "text/html"),
        max_age=LATEST_MAX_AGE,
        vary_language=_varies(LANGUAGES),
    )
