"""Test helpers: databases for both backends, a real SMTP server, a CSRF-aware client."""

from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import create_engine, make_url, text

from webapp import migrate
from webapp.config import normalise_database_url

IN_CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
APP_ROLE = "seloste_app"
# The role whose members may open every tenant's rows (migration 0013), and the login the tests' own
# set-up uses for it, as the CLI and the jobs use DATABASE_OPERATOR_URL.
OPERATOR_ROLE = "seloste_operator"
OPERATOR_LOGIN = "seloste_ops"
# A test-only login in both roles: one connection whose web sessions SET ROLE seloste_app and whose
# operator sessions SET ROLE seloste_operator (tests/security/test_operator_role.py).
SWITCH_LOGIN = "seloste_test_switch"


def skip_or_fail(reason: str):
    """Skip loudly on a developer machine; fail under CI=true, where everything must run."""
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(f"SKIPPED LOUDLY: {reason}")


def prepare_sqlite(path) -> str:
    """A migrated SQLite file database; returns its URL."""
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    return url


def prepare_postgres(worker: str) -> str:
    """A fresh migrated PostgreSQL database owned by postgres; returns the URL of the app role."""
    admin_url = make_url(normalise_database_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)))
    # SELOSTE_TEST_RUN keeps the databases of test runs side by side on one server apart.
    name = f"seloste_test_{os.environ.get('SELOSTE_TEST_RUN', '')}{worker}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            _create_roles(conn)
        admin.dispose()
    except Exception as exc:  # unreachable server, auth refused, ...
        skip_or_fail(f"PostgreSQL at {admin_url.render_as_string(hide_password=True)} is unreachable: {exc}")
    owner_url = admin_url.set(database=name)
    migrate.upgrade(owner_url.render_as_string(hide_password=False), APP_ROLE)
    return owner_url.set(username=APP_ROLE, password=None).render_as_string(hide_password=False)


def _create_roles(conn) -> None:
    """The roles the migrations grant to and the tests log in as (roles belong to the server, not to
    a database: the first run on a new server makes them)."""
    for role, options in (
        (APP_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS"),
        (OPERATOR_ROLE, "NOLOGIN NOSUPERUSER NOBYPASSRLS"),
        (OPERATOR_LOGIN, f"LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE {OPERATOR_ROLE}"),
        (SWITCH_LOGIN, f"LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE {APP_ROLE}, {OPERATOR_ROLE}"),
    ):
        _create_role(conn, role, options)


def _create_role(conn, role: str, options: str) -> None:
    if conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
        return
    try:
        conn.execute(text(f"CREATE ROLE {role} {options}"))
    except Exception:  # another run on the same server made it first
        if not conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
            raise


def operator_url(app_url: str) -> str:
    """The URL of the operator's login for a database made by prepare_postgres (else the same URL)."""
    url = make_url(app_url)
    if url.get_backend_name() != "postgresql":
        return app_url
    return url.set(username=OPERATOR_LOGIN, password=None).render_as_string(hide_password=False)


def owner_url(app_url: str) -> str:
    """The URL of the tables' owner (the admin of TEST_DATABASE_URL) for a database made by prepare_postgres."""
    admin_url = make_url(normalise_database_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)))
    return admin_url.set(database=make_url(app_url).database).render_as_string(hide_password=False)


def drop_postgres(url: str) -> None:
    """Drop a database made by prepare_postgres (given the URL it returned)."""
    name = make_url(url).database
    admin = create_engine(
        make_url(normalise_database_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Received:
    """One message as the SMTP server got it."""

    envelope_to: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        """The plain-text part."""
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        """The HTML part."""
        return self.message.get_body(("html",)).get_content()

    def link(self, path_fragment: str) -> str:
        """The first URL in the text part containing path_fragment."""
        for url in re.findall(r"https?://\S+", self.text):
            if path_fragment in url:
                return url
        raise AssertionError(f"no link with {path_fragment!r} in: {self.text}")


class Mailbox:
    """aiosmtpd handler collecting messages; thread-safe."""

    def __init__(self):
        self.messages: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        """Store the message (aiosmtpd handler hook)."""
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(Received(list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"

    def clear(self):
        """Forget every message."""
        with self._lock:
            self.messages.clear()

    def to(self, address: str) -> list[Received]:
        """Messages for one recipient, oldest first."""
        with self._lock:
            return [m for m in self.messages if address in m.envelope_to]

    def last(self, address: str) -> Received:
        """The newest message for a recipient (fails when there is none)."""
        found = self.to(address)
        assert found, f"no mail to {address}; got mail to {[m.envelope_to for m in self.messages]}"
        return found[-1]


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'id="csrf_token"[^>]*value="([^"]+)"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)


def html_errors(pages: dict[str, str | bytes], folder) -> list[str]:
    """The Nu Html Checker's errors in these pages (name -> HTML), one JVM start for all, each
    message as `name:line:column: message`; skipped (or failed under CI) without Java or vnu.jar."""
    import json
    import shutil
    import subprocess
    from pathlib import Path

    vnu = Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    java = shutil.which("java")
    if java is None:
        skip_or_fail("`java` is missing: install a Java runtime (Debian: openjdk-17-jre-headless)")
    if not vnu.is_file():
        skip_or_fail("node_modules/vnu-jar is missing: run `npm ci` at the repository root")
    files = []
    for name, html in pages.items():
        path = Path(folder) / f"{name}.html"
        path.write_bytes(html.encode("utf-8") if isinstance(html, str) else html)
        files.append(str(path))
    result = subprocess.run(
        [java, "-jar", str(vnu), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = result.stderr.strip() or result.stdout.strip()
    try:
        messages = json.loads(output)["messages"]
    except (ValueError, KeyError):
        return [f"vnu.jar gave no JSON (exit {result.returncode}): {output[:500]}"]
    return [
        f"{m.get('url', '?').rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: "
        f"{m.get('message')} [{(m.get('extract') or '').strip()[:80]}]"
        for m in messages
        if m.get("type") in ("error", "non-document-error") or m.get("subType") == "fatal"
    ]


def answer_starter(session, tenant_id: int, user_id: int, notice, *, now=None, **answers):
    """Do what a firm does before publishing a starter: answer its questions (no transfers, no
    automated decisions, no cookies, no DPO, a controller's email, no special categories unless the starter lists some,
    the proposed requirement, data from the person themselves, or from them and elsewhere with no publicly
    accessible source where the starter lists sources; `answers` override), confirm the controller's
    details as correct and every proposed text as its own."""
    from datetime import UTC, datetime

    from tenants.notices import service

    now = now or datetime.now(UTC)
    draft = service.draft_of(notice)
    draft.controller.email = draft.controller.email or answers.get(
        "controller_email", "tietosuoja@example.fi"
    )
    draft.dpo.appointed = answers.get("dpo", False)
    draft.special_categories_used = answers.get("special", bool(draft.special_categories))
    draft.transfers.outside_eea = answers.get("transfers", False)
    draft.cookies.used = answers.get("cookies", bool(draft.cookies.text))
    draft.automated_decisions.used = answers.get("automated", False)
    draft.requirement.kind = answers.get("requirement", "contract_prerequisite")
    draft.collected_from = answers.get("collected_from", "both" if draft.sources else "data_subject")
    draft.sources_public = answers.get("sources_public", False if draft.art14() else None)
    service.save_draft(session, tenant_id, notice.id, draft, step=None, now=now)
    for section in service.proposals_open(notice):
        service.confirm_section(session, tenant_id, notice.id, section, by_user_id=user_id, now=now)
    service.confirm_controller(session, tenant_id, notice.id, by_user_id=user_id, now=now)
    return notice


def answered_notice(
    session,
    tenant_id: int,
    user_id: int,
    *,
    title: str = "Asiakasrekisteri",
    languages=("fi",),
    primary_language: str = "fi",
    starter_key: str = "customer_register",
    now=None,
    **answers,
):
    """A new notice from a starter (the customer register unless told), its questions answered and
    its texts and controller confirmed as a firm leaves it before publishing (`answer_starter`).
    Call it in the tenant's scope."""
    from datetime import UTC, datetime

    from tenants.notices import service

    now = now or datetime.now(UTC)
    notice = service.create_notice(
        session,
        tenant_id,
        by_user_id=user_id,
        title=title,
        languages=list(languages),
        primary_language=primary_language,
        starter_key=starter_key,
        now=now,
    )
    return answer_starter(session, tenant_id, user_id, notice, now=now, **answers)


def published_notice(session, tenant_id: int, user_id: int, *, today=None, now=None, **options):
    """`answered_notice` with its first version published (dated `today`, the Finnish day unless
    told); returns (notice, version). Call it in the tenant's scope."""
    from datetime import UTC, datetime

    from tenants.notices import publishing
    from webapp.i18n import helsinki_today

    now = now or datetime.now(UTC)
    notice = answered_notice(session, tenant_id, user_id, now=now, **options)
    version = publishing.publish(
        session,
        tenant_id,
        notice.id,
        by_user_id=user_id,
        prepared_on=None,
        change_note="",
        today=today or helsinki_today(),
        now=now,
    )
    return notice, version


@contextmanager
def migrated_database(suffix: str):
    """A PostgreSQL database of a test's own, for whole processes run against it (gunicorn, PgBouncer):
    created afresh (a crashed run's copy dropped first), migrated with the app's role, and dropped
    afterwards. Yields (the admin's URL, the database's name, the app role's URL to it)."""
    admin_url = make_url(normalise_database_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)))
    name = f"seloste_test_{os.environ.get('SELOSTE_TEST_RUN', '')}{suffix}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # A test file run alone on a new server comes here before any prepare_postgres.
            _create_roles(conn)
        migrate.upgrade(admin_url.set(database=name).render_as_string(hide_password=False), APP_ROLE)
        as_app = admin_url.set(database=name, username=APP_ROLE, password=None)
        yield admin_url, name, as_app.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def invoke_until_sigterm(app, args: list[str], after: float = 1.0):
    """Run a worker command in this process and send it SIGTERM after `after` seconds, as systemd
    stops it; the signal's handler is put back afterwards. Returns click's result."""
    import signal

    before = signal.getsignal(signal.SIGTERM)
    stop = threading.Timer(after, os.kill, (os.getpid(), signal.SIGTERM))
    try:
        stop.start()
        return app.test_cli_runner().invoke(args=args)
    finally:
        stop.cancel()
        signal.signal(signal.SIGTERM, before)
