"""Request logs as JSON lines and Prometheus metrics.

One log line per request: its id (nginx's X-Request-Id, else a new one), method, route (the URL
rule, e.g. `/<slug:tenant_slug>/<slug:notice_slug>`: never the path, which holds slugs and signed
tokens, never the query string), status and duration. Nothing about the visitor (no address, no
user agent, no user).

Metrics: requests and their latencies per route (prometheus_client; several gunicorn processes
share them through PROMETHEUS_MULTIPROC_DIR), the outbox backlog and the snapshot lag, read from the
database when scraped.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from tenants import snapshots as jobs
from tenants.models import OutboxMessage
from tenants.scoping import across_tenants

request_log = logging.getLogger("seloste.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")

REQUESTS = Counter(
    "seloste_requests", "Requests answered, by route, method and status", ["route", "method", "status"]
)
LATENCY = Histogram(
    "seloste_request_duration_seconds",
    "Time to answer, by route",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "(unmatched)"


def init_app(app: Flask) -> None:
    """Time every request, log it as one JSON line, count it."""
    if app.config.get("LOG_FORMAT") == "json":
        _json_logging()

    @app.before_request
    def _start():
        g.started = time.perf_counter()
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def _done(response):
        started = g.get("started")
        if started is None:
            return response
        duration = time.perf_counter() - started
        route = _route()
        REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        LATENCY.labels(route).observe(duration)
        response.headers.setdefault("X-Request-Id", g.request_id)
        request_log.info(
            "%s %s %s %.1f ms",
            request.method,
            route,
            response.status_code,
            duration * 1000,
            extra={
                "request_id": g.request_id,
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 2),
            },
        )
        return response


def _json_logging() -> None:
    """Every log record of the process as one JSON line on stderr."""
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", timestamp=False))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


class _Backlog:
    """Read at each scrape: mail waiting in the outbox, and how far the snapshots are behind."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        database = self.app.extensions["seloste_db"]
        now = datetime.now(UTC)
        with across_tenants(database.new_session()) as session, session.begin():
            waiting = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_(("pending", "sending")))
            )
            lag = jobs.lag_seconds(session, now)
        backlog = GaugeMetricFamily("seloste_outbox_backlog", "Mails waiting to be sent")
        backlog.add_metric([], waiting or 0)
        yield backlog
        snapshot = GaugeMetricFamily(
            "seloste_snapshot_lag_seconds", "Age of the oldest snapshot job still waiting"
        )
        snapshot.add_metric([], lag)
        yield snapshot


def metrics_allowed() -> bool:
    """From this machine only and not through the proxy (nginx sets X-Forwarded-For), or with
    METRICS_TOKEN as a bearer token."""
    token = current_app.config.get("METRICS_TOKEN")
    if token and request.headers.get("Authorization") == f"Bearer {token}":
        return True
    local = request.environ.get("REMOTE_ADDR") in ("127.0.0.1", "::1")
    return local and "X-Forwarded-For" not in request.headers


def metrics_response() -> Response:
    """The metrics of every process (multiprocess mode) or of this one, and the backlog gauges."""
    import os

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(_Backlog(current_app._get_current_object()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
