"""Tenant isolation through PgBouncer in transaction mode: the tenant setting for row-level security
is written per transaction, so a server connection handed from one client to the next carries no
tenant with it; and the app works through it (no server-side prepared statements)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest

from tenants import accounts
from tenants.scoping import scoped_to, unscoped
from webapp import create_app

from .conftest import app_environ
from .nginx_support import free_port
from .support import APP_ROLE, migrated_database, published_notice, skip_or_fail


def _pgbouncer() -> str | None:
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )


def _publish_firm(database, name, business_id, slug_title):
    now = datetime.now(UTC)
    with database.operator_session() as session:
        with unscoped(session):
            user = accounts.create_user(
                session,
                email=f"owner@{business_id[:7]}.fi",
                name="Omistaja",
                password="correct horse battery",
                language="fi",
                now=now,
            )
            tenant = accounts.create_tenant(session, name=name, business_id=business_id, now=now)
            accounts.add_member(session, tenant.id, user.id, "owner", now)
        session.commit()
        with scoped_to(session, tenant.id, user.id):
            notice, _version = published_notice(
                session, tenant.id, user.id, title=slug_title, today=date(2026, 11, 23), now=now
            )
        session.commit()
        return tenant.id, tenant.slug, notice.slug


@pytest.fixture(scope="module")
def bouncer(smtp_server):
    binary = _pgbouncer()
    if binary is None:
        skip_or_fail("pgbouncer is not installed (apt-get install pgbouncer)")
    with migrated_database("bouncer") as (admin_url, name, direct):
        app = create_app(environ=app_environ(direct, smtp_server.port))
        database = app.extensions["seloste_db"]
        firms = [
            _publish_firm(database, "Rantakahvila Oy", "2617416-4", "Asiakasrekisteri"),
            _publish_firm(database, "Kirjasto Oy", "0112038-9", "Jäsenrekisteri"),
        ]
        database.engine.dispose()

        folder = Path(tempfile.mkdtemp(prefix="seloste-pgbouncer-"))
        port = free_port()
        host, pg_port = admin_url.host or "127.0.0.1", admin_url.port or 5432
        (folder / "users.txt").write_text(f'"{APP_ROLE}" ""\n')
        (folder / "pgbouncer.ini").write_text(
            f"""[databases]
seloste = host={host} port={pg_port} dbname={name}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 50
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""
        )
        argv = [binary, str(folder / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            argv = [binary, "-u", "nobody", str(folder / "pgbouncer.ini")]
            shutil.chown(folder, "nobody")
            for path in folder.iterdir():
                shutil.chown(path, "nobody")
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"postgresql+psycopg://{APP_ROLE}@127.0.0.1:{port}/seloste"
        for _ in range(100):
            try:
                with psycopg.connect(
                    f"host=127.0.0.1 port={port} dbname=seloste user={APP_ROLE}", connect_timeout=1
                ):
                    break
            except psycopg.OperationalError:
                time.sleep(0.1)
        try:
            yield url, port, firms
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.postgresql_only
def test_a_server_connection_passed_between_clients_carries_no_tenant(backend, bouncer):
    _url, port, ((first, _, _), (second, _, _)) = bouncer
    dsn = f"host=127.0.0.1 port={port} dbname=seloste user={APP_ROLE}"
    with psycopg.connect(dsn) as a, psycopg.connect(dsn) as b:
        # one server connection in the pool: both clients use it, one transaction after the other
        with a.transaction():
            a.execute("SELECT set_config('app.tenant_id', %s, true)", (str(first),))
            pid_a = a.execute("SELECT pg_backend_pid()").fetchone()[0]
            assert a.execute("SELECT DISTINCT tenant_id FROM notice").fetchall() == [(first,)]
        with b.transaction():
            assert b.execute("SELECT pg_backend_pid()").fetchone()[0] == pid_a  # the same server connection
            assert b.execute("SELECT current_setting('app.tenant_id', true)").fetchone()[0] in ("", None)
            assert b.execute("SELECT count(*) FROM notice").fetchone()[0] == 0
            assert b.execute("SELECT count(*) FROM notice_version").fetchone()[0] == 0
        with b.transaction():
            b.execute("SELECT set_config('app.tenant_id', %s, true)", (str(second),))
            assert b.execute("SELECT DISTINCT tenant_id FROM notice").fetchall() == [(second,)]
        with a.transaction():
            assert a.execute("SELECT count(*) FROM tenant_event").fetchone()[0] == 0


@pytest.mark.postgresql_only
def test_the_app_through_pgbouncer_shows_each_tenant_its_own(backend, bouncer, smtp_server):
    url, _port, firms = bouncer
    app = create_app(environ=app_environ(url, smtp_server.port))
    client = app.test_client()
    names = {"rantakahvila-oy": "Rantakahvila Oy", "kirjasto-oy": "Kirjasto Oy"}
    for _ in range(12):  # past psycopg's threshold for preparing statements, alternating tenants
        for _tenant_id, tenant_slug, notice_slug in firms:
            page = client.get(f"/{tenant_slug}/{notice_slug}", headers={"Accept-Language": "fi"})
            assert page.status_code == 200
            html = page.get_data(as_text=True)
            assert names[tenant_slug] in html
            assert all(other not in html for slug, other in names.items() if slug != tenant_slug)
            listing = client.get(f"/{tenant_slug}").get_data(as_text=True)
            assert notice_slug in listing
            assert all(n not in listing for _, t, n in firms if t != tenant_slug)
    app.extensions["seloste_db"].engine.dispose()
