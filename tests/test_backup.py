"""deploy/backup and deploy/restore: a published notice survives a restore into a fresh database, its
hash still matching its content, the app role working there with row-level security."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, select, text

from tenants import accounts
from tenants.notices import publishing
from tenants.notices.models import NoticeVersion
from tenants.scoping import scoped_to, unscoped
from webapp import create_app, migrate
from webapp.config import normalise_database_url

from .conftest import app_environ
from .support import APP_ROLE, DEFAULT_PG, published_notice

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def _fresh(admin, name: str) -> str:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return name


@pytest.mark.postgresql_only
def test_a_restored_database_still_proves_what_a_version_said(backend, database_url, smtp_server, tmp_path):
    admin_url = make_url(normalise_database_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)))
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    run = os.environ.get("SELOSTE_TEST_RUN", "")
    source, target = f"seloste_test_{run}backup_from", f"seloste_test_{run}backup_to"
    _fresh(admin, source)
    _fresh(admin, target)
    owner = admin_url.set(database=source).render_as_string(hide_password=False)
    migrate.upgrade(owner, APP_ROLE)
    as_app = admin_url.set(database=source, username=APP_ROLE, password=None).render_as_string(
        hide_password=False
    )

    files = tmp_path / "files"
    (files / "requests").mkdir(parents=True)
    (files / "requests" / "liite.txt").write_text("liite")
    app = create_app(environ=app_environ(as_app, smtp_server.port, STORAGE_DIR=str(files)))
    database = app.extensions["seloste_db"]
    now = datetime.now(UTC)
    with database.operator_session() as session:
        with unscoped(session):
            user = accounts.create_user(
                session,
                email="olli@rantakahvila.fi",
                name="Olli",
                password="correct horse battery",
                language="fi",
                now=now,
            )
            tenant = accounts.create_tenant(session, name="Rantakahvila Oy", business_id="2617416-4", now=now)
            accounts.add_member(session, tenant.id, user.id, "owner", now)
        session.commit()
        with scoped_to(session, tenant.id, user.id):
            notice, version = published_notice(session, tenant.id, user.id, today=date(2026, 11, 23), now=now)
            published_hash = version.content_hash
        session.commit()
    database.engine.dispose()

    backup = tmp_path / "backup"
    env = {**os.environ, "DATABASE_OWNER_URL": owner, "STORAGE_DIR": str(files), "SNAPSHOT_DIR": ""}
    subprocess.run(
        [str(DEPLOY / "backup"), str(backup)], check=True, env=env, capture_output=True, timeout=120
    )
    assert {"seloste.dump", "storage_dir.tar.gz", "SHA256SUMS"} <= {p.name for p in backup.iterdir()}

    restored_files = tmp_path / "restored-files"
    env = {
        **os.environ,
        "DATABASE_OWNER_URL": admin_url.set(database=target).render_as_string(hide_password=False),
        "DATABASE_APP_ROLE": APP_ROLE,
        "STORAGE_DIR": str(restored_files),
        "SNAPSHOT_DIR": "",
    }
    subprocess.run(
        [str(DEPLOY / "restore"), str(backup)], check=True, env=env, capture_output=True, timeout=120
    )
    assert (restored_files / "requests" / "liite.txt").read_text() == "liite"

    # The app role reads it back in the tenant's scope; the hash is recomputed from the content.
    restored = create_engine(admin_url.set(database=target, username=APP_ROLE, password=None))
    with restored.connect() as conn:
        conn.execute(text("SELECT set_config('app.tenant_id', :t, false)"), {"t": str(tenant.id)})
        row = conn.execute(
            select(NoticeVersion.languages, NoticeVersion.content, NoticeVersion.content_hash)
        ).one()
        assert row.content_hash == published_hash
        assert publishing.content_hash(row.languages, row.content) == published_hash
        with pytest.raises(Exception, match="(?i)immutable|cannot|refuse"):  # the trigger came back
            conn.execute(text("UPDATE notice_version SET change_note = 'x'"))
        conn.rollback()
        conn.execute(text("SELECT set_config('app.tenant_id', '', false)"))
        assert conn.execute(select(NoticeVersion.id)).all() == []  # row-level security came back too
    restored.dispose()
    with admin.connect() as conn:
        for name in (source, target):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
