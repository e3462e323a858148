"""The benchmark's set-up (bench/public_notice): the data it creates, and how it reports a failure."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import select

from tenants.billing import service as billing_service
from tenants.models import Tenant
from tenants.notices.models import Notice, NoticeVersion
from tenants.scoping import unscoped
from webapp.db import Database

BENCH = Path(__file__).resolve().parents[1] / "bench" / "public_notice"


@pytest.fixture(scope="module")
def bench():
    """bench/public_notice as a module (it is a script without a .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("bench_public_notice", str(BENCH))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def test_the_benchmark_publishes_a_finnish_and_english_notice(bench, tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    assert bench.make_data(url) == ("bench-oy", "asiakasrekisteri")
    database = Database(url)
    session = database.new_session()
    try:
        with unscoped(session):
            tenant = session.scalar(select(Tenant))
            notice = session.scalar(select(Notice))
            version = session.scalar(select(NoticeVersion))
            assert tenant.plan == "pro"
            assert notice.published_number == 1 and notice.status == "published"
            assert version.languages == ["fi", "en"]
    finally:
        session.close()
        database.engine.dispose()


def test_a_set_up_failure_names_the_step_and_the_reason(bench, tmp_path, monkeypatch):
    # Left on Free, the tenant may not have a notice in two languages.
    monkeypatch.setattr(billing_service, "set_plan", lambda *a, **k: None)
    with pytest.raises(bench.SetupError) as failure:
        bench.make_data(f"sqlite:///{tmp_path / 'bench.db'}")
    message = str(failure.value)
    assert "creating the notice in Finnish and English" in message and "plan_limit_languages" in message
