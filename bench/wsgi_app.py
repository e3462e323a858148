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


SQL_HEADER = "X-Bench-SQL-Statements"


def count_statements(app: Flask) -> None:
    """Answer every request with the number of SQL statements it sent (header SQL_HEADER)."""
    from flask import g, has_request_context
    from sqlalchemy import event

    engine = app.extensions["seloste_db"].engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        if has_request_context():
            g.bench_sql = g.get("bench_sql", 0) + 1

    @app.after_request
    def _header(response):
        response.headers[SQL_HEADER] = str(g.get("bench_sql", 0))
        return response


def build(environ: dict[str, str] | None = None) -> Flask:
    """The product app, plus the constant route when BENCH_BODY_SIZE is set, and the count of SQL
    statements per answer when BENCH_COUNT_SQL is set."""
    env = dict(os.environ if environ is None else environ)
    app = create_app(environ=env)
    size = env.get("BENCH_BODY_SIZE")
    if size:
        add_constant_route(app, int(size))
    if env.get("BENCH_COUNT_SQL"):
        count_statements(app)
    return app


if os.environ.get("BENCH_BODY_SIZE"):
    application = build()
