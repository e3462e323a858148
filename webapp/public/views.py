"""The public URL contract (see README): latest, versions, history, diff, JSON, PDF, feed."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.datastructures import ResponseCacheControl
from werkzeug.http import http_date, quote_etag
from werkzeug.routing import BaseConverter

from tenants.billing.plans import plan_of
from tenants.errors import NotFound
from tenants.models import Tenant, TenantSlugAlias
from tenants.notices import publishing
from tenants.notices.diff import diff_versions
from tenants.notices.models import Notice, NoticeSlugAlias, NoticeVersion
from tenants.notices.render import render
from tenants.notices.schema import load_draft
from tenants.scoping import set_scope

from ..db import db
from ..i18n import LANGUAGE_NAMES
from ..security import framable
from . import cache

bp = Blueprint("public", __name__)
log = logging.getLogger(__name__)

LATEST_MAX_AGE = 60
VERSION_MAX_AGE = 365 * 86400


class SlugConverter(BaseConverter):
    """Lower-case letters, digits and inner hyphens: never a dot, so `.json` routes stay apart."""

    regex = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"


@bp.record_once
def _register_converter(state):
    state.app.url_map.converters["slug"] = SlugConverter


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
    badge: bool = True
    pdf: bool = False


class Moved(Exception):
    """The address changed: answer with a permanent redirect."""

    def __init__(self, tenant_slug: str, notice_slug: str | None = None):
        self.tenant_slug, self.notice_slug = tenant_slug, notice_slug


@bp.errorhandler(Moved)
def _moved(exc: Moved):
    parts = request.path.split("/")
    parts[1] = exc.tenant_slug
    if exc.notice_slug is not None and len(parts) > 2:
        tail = parts[2]
        suffix = tail[tail.index(".") :] if "." in tail else ""
        parts[2] = exc.notice_slug + suffix
    target = "/".join(parts)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, code=301)


def _tenant(slug: str) -> Tenant:
    tenant = db().scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is not None:
        return tenant
    alias = db().scalar(select(TenantSlugAlias).where(TenantSlugAlias.slug == slug))
    if alias is not None:
        raise Moved(db().get(Tenant, alias.tenant_id).slug)
    raise NotFound()


def resolve(tenant_slug: str, notice_slug: str) -> Resolved:
    """The published notice at this address; redirects for old addresses; NotFound otherwise."""
    key = (tenant_slug, notice_slug)
    hit = cache.resolved(key)
    if hit is not None:
        return hit
    tenant = _tenant(tenant_slug)
    set_scope(db(), tenant_id=tenant.id)
    notice = db().scalar(select(Notice).where(Notice.tenant_id == tenant.id, Notice.slug == notice_slug))
    if notice is None:
        alias = db().scalar(
            select(NoticeSlugAlias).where(
                NoticeSlugAlias.tenant_id == tenant.id, NoticeSlugAlias.slug == notice_slug
            )
        )
        if alias is not None:
            moved = db().scalar(
                select(Notice.slug).where(Notice.id == alias.notice_id, Notice.tenant_id == tenant.id)
            )
            raise Moved(tenant.slug, moved)
        raise NotFound()
    if notice.published_number is None:
        raise NotFound()
    latest = publishing.get_version(db(), tenant.id, notice.id, notice.published_number)
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
        badge=plan_of(tenant).badge,
        pdf=plan_of(tenant).pdf,
    )
    cache.remember(key, found)
    return found


def _language(languages, primary) -> str:
    wanted = request.args.get("lang")
    if wanted in languages:
        return wanted
    return request.accept_languages.best_match(languages) or primary


def _version(r: Resolved, number: int) -> NoticeVersion:
    set_scope(db(), tenant_id=r.tenant_id)
    return publishing.get_version(db(), r.tenant_id, r.notice_id, number)


@functools.cache
def _cache_control(max_age: int, immutable: bool) -> str:
    """The Cache-Control value, built once per (max_age, immutable) by werkzeug itself."""
    header = ResponseCacheControl()
    header.public = True
    header.max_age = max_age
    if immutable:
        header.immutable = True
    return header.to_header()


# Request headers that can turn a GET into a 304 or 412 (Range is ignored: no accept_ranges).
_CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH")


def _respond(entry, *, max_age: int, immutable: bool = False, vary_language: bool = False) -> Response:
    """A cached body with its validators; 304/412 for conditional requests.

    Hot path of every public page, so it writes the headers directly: the same values, in the
    same order, as set_etag / last_modified / cache_control / vary would, without werkzeug
    re-serialising Cache-Control on each attribute. A plain GET or HEAD (no validators sent)
    only needs the Date header from make_conditional; anything else goes through it.
    """
    body, etag, modified, mimetype = entry
    response = Response(body, mimetype=mimetype)
    headers = response.headers
    headers["ETag"] = quote_etag(etag)
    if modified is not None:
        headers["Last-Modified"] = http_date(modified)
    headers["Cache-Control"] = _cache_control(max_age, immutable)
    if vary_language:
        headers["Vary"] = "Accept-Language"
    environ = request.environ
    if environ["REQUEST_METHOD"] in ("GET", "HEAD") and not any(
        name in environ for name in _CONDITIONAL_HEADERS
    ):
        headers["Date"] = http_date()
        return response
    return response.make_conditional(request)


def _withdrawn(r: Resolved):
    with force_locale(_language(r.languages, r.primary_language)):
        html = render_template("public/withdrawn.html", r=r)
    return Response(html, status=410, mimetype="text/html")


def _page(r: Resolved, version: NoticeVersion, language: str, *, latest: bool) -> tuple:
    with force_locale(language):
        html = render_template(
            "public/notice.html",
            rendered=render(load_draft(version.content), language, prepared_on=version.prepared_on),
            version=version,
            r=r,
            languages=version.languages,
            preview=False,
            latest=latest,
            language_url=lambda code: (
                url_for("public.latest", tenant_slug=r.tenant_slug, notice_slug=r.notice_slug, lang=code)
                if latest
                else url_for(
                    "public.version",
                    tenant_slug=r.tenant_slug,
                    notice_slug=r.notice_slug,
                    number=version.number,
                    lang=code,
                )
            ),
            LANGUAGE_NAMES=LANGUAGE_NAMES,
        )
    body = html.encode("utf-8")
    return body, f"{version.content_hash[:32]}-{version.number}-{language}", version.published_at, "text/html"


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>")
@framable
def latest(tenant_slug, notice_slug):
    """The newest version, in the visitor's language."""
    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    language = _language(r.languages, r.primary_language)
    key = ("latest", r.notice_id, r.number, language, r.tenant_slug, r.notice_slug, r.badge, r.pdf)
    entry = cache.pages.get(key)
    if entry is None:
        entry = _page(r, _version(r, r.number), language, latest=True)
        cache.pages.put(key, entry)
    return _respond(entry, max_age=LATEST_MAX_AGE, vary_language="lang" not in request.args)


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>/v/<int:number>")
@framable
def version(tenant_slug, notice_slug, number):
    """Version n, forever."""
    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    key = (
        "version",
        r.notice_id,
        number,
        request.args.get("lang"),
        request.accept_languages.to_header(),
        r.tenant_slug,
        r.notice_slug,
    )
    entry = cache.pages.get(key)
    if entry is None:
        v = _version(r, number)
        entry = _page(r, v, _language(v.languages, v.primary_language), latest=False)
        cache.pages.put(key, entry)
    return _respond(entry, max_age=VERSION_MAX_AGE, immutable=True, vary_language="lang" not in request.args)


def version_json(r: Resolved, v: NoticeVersion) -> dict:
    """The documented JSON of a version (README: "Notice JSON")."""
    base = {"tenant_slug": r.tenant_slug, "notice_slug": r.notice_slug}
    return {
        "format": "seloste-notice/1",
        "controller": {"name": r.tenant_name},
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
            "html": url_for("public.version", number=v.number, _external=True, **base),
            "latest": url_for("public.latest", _external=True, **base),
            "history": url_for("public.history", _external=True, **base),
        },
    }


def _json_response(r: Resolved, v: NoticeVersion, *, latest: bool):
    key = ("json", r.notice_id, v.number, latest, r.tenant_slug, r.notice_slug)
    entry = cache.pages.get(key)
    if entry is None:
        body = json.dumps(version_json(r, v), ensure_ascii=False, indent=1).encode("utf-8")
        entry = (body, f"{v.content_hash[:32]}-{v.number}-json", v.published_at, "application/json")
        cache.pages.put(key, entry)
    response = _respond(entry, max_age=LATEST_MAX_AGE if latest else VERSION_MAX_AGE, immutable=not latest)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>.json")
def latest_json(tenant_slug, notice_slug):
    """The newest version as JSON."""
    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    return _json_response(r, _version(r, r.number), latest=True)


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>/v/<int:number>.json")
def version_json_view(tenant_slug, notice_slug, number):
    """Version n as JSON."""
    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    return _json_response(r, _version(r, number), latest=False)


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>/v/<int:number>.pdf")
def version_pdf(tenant_slug, notice_slug, number):
    """Version n as a PDF, in the chosen language."""
    from .pdf import pdf_of

    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    if not r.pdf:
        abort(404)  # PDFs are a Pro feature
    v = _version(r, number)
    language = _language(v.languages, v.primary_language)
    key = ("pdf", r.notice_id, number, language, r.tenant_slug, r.notice_slug)
    entry = cache.pages.get(key)
    if entry is None:
        html, *_ = _page(r, v, language, latest=False)
        entry = (
            pdf_of(html.decode("utf-8")),
            f"{v.content_hash[:32]}-{v.number}-{language}-pdf",
            v.published_at,
            "application/pdf",
        )
        cache.pages.put(key, entry)
    response = _respond(entry, max_age=VERSION_MAX_AGE, immutable=True)
    filename = f"{r.tenant_slug}-{r.notice_slug}-v{number}-{language}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>/history")
@framable
def history(tenant_slug, notice_slug):
    """Every version with its dates, period in force, note and hash."""
    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if a and b:
        return redirect(
            url_for(
                "public.diff",
                tenant_slug=r.tenant_slug,
                notice_slug=r.notice_slug,
                a=a,
                b=b,
                lang=request.args.get("lang"),
            )
        )
    set_scope(db(), tenant_id=r.tenant_id)
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
        )
    return _respond(
        (
            html.encode(),
            hashlib.sha256(html.encode()).hexdigest()[:32],
            versions[0].published_at,
            "text/html",
        ),
        max_age=LATEST_MAX_AGE,
    )


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>/diff/<int:a>/<int:b>")
@framable
def diff(tenant_slug, notice_slug, a, b):
    """What changed between two versions, section by section."""
    r = resolve(tenant_slug, notice_slug)
    if r.status == "withdrawn":
        return _withdrawn(r)
    if a == b:
        abort(404)
    old, new = sorted((a, b))
    v_old, v_new = _version(r, old), _version(r, new)
    languages = [lang for lang in v_new.languages if lang in v_old.languages] or v_new.languages
    language = _language(
        languages, v_new.primary_language if v_new.primary_language in languages else languages[0]
    )
    sections = diff_versions(v_old.content, v_new.content, language)
    with force_locale(language):
        html = render_template(
            "public/diff.html",
            r=r,
            old=v_old,
            new=v_new,
            sections=sections,
            language=language,
            languages=languages,
        )
    return _respond(
        (
            html.encode(),
            f"diff-{v_old.content_hash[:16]}-{v_new.content_hash[:16]}-{language}",
            v_new.published_at,
            "text/html",
        ),
        max_age=VERSION_MAX_AGE,
        immutable=True,
    )


@bp.get("/<slug:tenant_slug>/<slug:notice_slug>/feed.atom")
def feed(tenant_slug, notice_slug):
    """An Atom feed of the notice's versions."""
    r = resolve(tenant_slug, notice_slug)
    set_scope(db(), tenant_id=r.tenant_id)
    versions = publishing.list_versions(db(), r.tenant_id, r.notice_id)
    with force_locale(r.primary_language):
        xml = render_template("public/feed.atom.xml", r=r, versions=versions, language=r.primary_language)
    return _respond(
        (xml.encode(), f"feed-{r.number}-{r.status}", versions[0].published_at, "application/atom+xml"),
        max_age=LATEST_MAX_AGE,
    )


@bp.get("/<slug:tenant_slug>")
@framable
def tenant_index(tenant_slug):
    """The tenant's published notices."""
    tenant = _tenant(tenant_slug)
    set_scope(db(), tenant_id=tenant.id)
    notices = publishing.published_notices(db(), tenant.id)
    return render_template("public/tenant.html", tenant=tenant, notices=notices)
