"""URL converters shared by every blueprint: slugs, and whole numbers that fit the database."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request, url_for
from werkzeug.routing import BaseConverter, IntegerConverter

# The largest value of an SQL INTEGER (ids, version numbers): anything above is no row, so no route.
MAX_NUMBER = 2**31 - 1


class SlugConverter(BaseConverter):
    """Lower-case letters, digits and inner hyphens: never a dot, so `.json` routes stay apart."""

    regex = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"


class NumberConverter(IntegerConverter):
    """`<int:…>` for the whole app: 0 … 2**31-1 written in ASCII digits without leading zeros.

    Werkzeug's own accepts any length (a 20-digit number overflows SQLite's and PostgreSQL's
    integers: a 500) and any Unicode digit; out-of-range or odd spellings now simply match no
    route, which is a 404.
    """

    regex = r"(?:0|[1-9][0-9]{0,9})"

    def __init__(self, map, **options):  # noqa: A002 (werkzeug's name)
        options.setdefault("min", 0)
        options.setdefault("max", MAX_NUMBER)
        super().__init__(map, **options)


def number_or_none(value: str | None) -> int | None:
    """A query-string number in the same range as NumberConverter, or None."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 <= number <= MAX_NUMBER else None


def absolute_url(endpoint: str, **values) -> str:
    """A fully qualified address: from BASE_URL when it is configured (the same for every visitor,
    safe to cache and to hand out), else from this request's Host when that is one of the trusted
    hosts (TRUSTED_HOSTS), else from LINK_BASE_URL: a forged Host never makes an address."""
    base = current_app.config["BASE_URL"]
    if base:
        return base + url_for(endpoint, **values)
    if host_is_trusted(request.host):
        return url_for(endpoint, _external=True, **values)
    return link(endpoint, **values)


def host_is_trusted(host: str) -> bool:
    """The Host header names one of TRUSTED_HOSTS (any port)."""
    name = (host or "").strip().lower()
    if name.startswith("["):  # [::1]:5000
        name = name[1 : name.find("]")] if "]" in name else ""
    elif name.count(":") == 1:
        name = name.split(":")[0]
    return bool(name) and name in current_app.config["LINK_TRUSTED_HOSTS"]


def link(endpoint: str, **values) -> str:
    """An address for mail and other messages read outside the app: from LINK_BASE_URL (BASE_URL,
    or where the embedded default runs), never from a request, so it works in jobs and workers."""
    app = current_app._get_current_object()
    adapter = app.extensions.get("seloste_links")
    if adapter is None:
        base = urlsplit(app.config["LINK_BASE_URL"])
        adapter = app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
        app.extensions["seloste_links"] = adapter
    return adapter.build(endpoint, values, force_external=True)


def init_app(app: Flask) -> None:
    """Register the converters; must run before any blueprint adds its routes."""
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["int"] = NumberConverter
