"""Running it: rate limits shared by every process in production, one JSON log line per request
without personal data or tokens, and metrics for this machine only."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest

from webapp.config import ConfigError, load

from .conftest import publish_version

PRODUCTION = {
    "SELOSTE_ENV": "production",
    "SECRET_KEY": "k" * 40,
    "DATABASE_URL": "sqlite://",
    "BASE_URL": "https://seloste.example",
    "SMTP_HOST": "127.0.0.1",
    "MAIL_FROM": "Seloste <no-reply@seloste.example>",
}


def test_production_refuses_per_process_rate_limits_when_several_processes_serve(tmp_path):
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load(str(tmp_path), PRODUCTION)
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load(str(tmp_path), {**PRODUCTION, "WEB_CONCURRENCY": "2"})
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load(str(tmp_path), {**PRODUCTION, "RATELIMIT_STORAGE_URI": "memory://", "WEB_CONCURRENCY": "4"})
    shared = load(
        str(tmp_path), {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/13", "WEB_CONCURRENCY": "4"}
    )
    assert shared["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/13"
    assert shared["SESSION_COOKIE_SECURE"]  # sessions stay in signed cookies
    assert load(str(tmp_path), {**PRODUCTION, "WEB_CONCURRENCY": "1"})["RATELIMIT_STORAGE_URI"] == "memory://"
    assert (
        load(str(tmp_path), {**PRODUCTION, "LOG_FORMAT": "", "WEB_CONCURRENCY": "1"})["LOG_FORMAT"] == "json"
    )


def test_each_request_is_one_json_line_without_query_strings_or_personal_data(
    app, session, notice_firm, caplog
):
    from pythonjsonlogger.json import JsonFormatter

    publish_version(session, notice_firm, today=date(2026, 11, 23))
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="seloste.request"):
        client.get(
            "/rantakahvila-oy/asiakasrekisteri?lang=en&token=abc.secret",
            headers={"X-Request-Id": "edge-1234abcd"},
        )
        client.get("/requests/status/eyJzZWNyZXQiOjF9.signed-token-value")
    formatter = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    lines = [formatter.format(r) for r in caplog.records if r.name == "seloste.request"]
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["request_id"] == "edge-1234abcd"
    assert first["route"] == "/<slug:tenant_slug>/<slug:notice_slug>"
    assert first["status"] == 200 and first["method"] == "GET" and first["duration_ms"] >= 0
    assert len(second["request_id"]) == 32  # made here when nginx gave none
    text = "\n".join(lines)
    for secret in ("token=", "abc.secret", "signed-token-value", "rantakahvila", "127.0.0.1"):
        assert secret not in text


def test_metrics_answer_this_machine_only(app, session, notice_firm):
    publish_version(session, notice_firm, today=date(2026, 11, 23))
    client = app.test_client()
    route = 'route="/<slug:tenant_slug>/<slug:notice_slug>"'
    sample = f'seloste_requests_total{{method="GET",{route},status="200"}} '

    def count(text):
        return next((float(line.split()[-1]) for line in text.splitlines() if line.startswith(sample)), 0.0)

    before = count(client.get("/metrics").get_data(as_text=True))
    for _ in range(3):
        client.get("/rantakahvila-oy/asiakasrekisteri")
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    text = metrics.get_data(as_text=True)
    assert count(text) == before + 3
    assert f"seloste_request_duration_seconds_count{{{route}}}" in text
    assert "seloste_outbox_backlog " in text
    lag = next(line for line in text.splitlines() if line.startswith("seloste_snapshot_lag_seconds "))
    assert float(lag.split()[1]) >= 0.0  # the publication's snapshot job waits: no worker in this test
    # through the proxy (nginx always sets X-Forwarded-For), or from elsewhere: nothing
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    app.config["METRICS_TOKEN"] = "scrape-token-0123456789"
    authorised = {"Authorization": "Bearer scrape-token-0123456789", "X-Forwarded-For": "203.0.113.9"}
    assert client.get("/metrics", headers=authorised).status_code == 200


def test_only_the_migration_unit_holds_the_owners_credentials():
    from pathlib import Path

    deploy = Path(__file__).resolve().parent.parent / "deploy"
    units = {p.name: p.read_text() for p in deploy.glob("seloste-*.service")}
    holding = {name for name, text in units.items() if "owner.env" in text or "DATABASE_OWNER_URL=" in text}
    assert holding == {"seloste-migrate.service"}
    migrating = {name for name, text in units.items() if "db upgrade" in text}
    assert migrating == {"seloste-migrate.service"}
    for name in ("seloste-web.service", "seloste-worker.service"):
        assert "Requires=seloste-migrate.service" in units[name]
    assert "snapshots work --worker --outbox" in units["seloste-worker.service"]
