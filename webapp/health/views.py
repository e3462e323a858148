"""Liveness and readiness probes."""

from flask import Blueprint, jsonify
from sqlalchemy import text

from ..db import database

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
