"""Liveness and readiness probes."""

from flask import Blueprint, jsonify
from sqlalchemy import text

from ..db import database
from ..observability import metrics_allowed, metrics_response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """The database answers."""
    try:
        with database().engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means not ready
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/metrics")
def metrics():
    """Prometheus metrics: per-route requests and latencies, outbox backlog, snapshot lag. From this
    machine only (or with METRICS_TOKEN): anyone else gets a 404."""
    if not metrics_allowed():
        return jsonify(status="not found"), 404
    return metrics_response()
