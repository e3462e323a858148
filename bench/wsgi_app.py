"""The WSGI entry point the benchmark serves with gunicorn (bench/public_notice starts it).

It builds the product app from the environment the benchmark passes (a temporary
SQLite database, mail to files, rate limits off) and adds ONE route that exists
only here, never in the product: `/_bench/constant`, a constant text/html body of
BENCH_BODY_SIZE bytes (the size of the notice page). It runs through the same
app, middleware and after-request hooks as the notice page, so the difference
between the two is what the notice view itself costs.

    gunicorn --chdir bench wsgi_app:application
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask import Flask, Response  # noqa: E402

from webapp import create_app  # noqa: E402

CONSTANT_PATH = "/_bench/constant"


def constant_body(size: int) -> bytes:
    """`size` bytes of harmless HTML (padding with spaces); exactly `size` long."""
    head = b"<!doctype html><title>bench</title><p>constant</p>"
    if size <= len(head):
        return b"x" * size
    return head.ljust(size, b" ")


def add_constant_route(app: Flask, size: int) -> None:
    """Register /_bench/constant on this app object (benchmark only)."""
    body = constant_body(size)

    def bench_constant():
        return Response(body, mimetype="text/html")

    app.add_url_rule(CONSTANT_PATH, endpoint="bench_constant", view_func=bench_constant, methods=["GET"])


def build(environ: dict[str, str] | None = None) -> Flask:
    """The product app, plus the constant route when BENCH_BODY_SIZE is set."""
    env = dict(os.environ if environ is None else environ)
    app = create_app(environ=env)
    size = env.get("BENCH_BODY_SIZE")
    if size:
        add_constant_route(app, int(size))
    return app


if os.environ.get("BENCH_BODY_SIZE"):
    application = build()
