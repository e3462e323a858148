"""End-to-end harness: the app on a real HTTP port, headless Chromium, and axe-core checks.

Every test in tests/e2e gets the `browser` marker (deselect with -m "not browser").
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from webapp import create_app

from .. import support
from ..conftest import app_environ
from ..support import prepare_sqlite, skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 5_000
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    """Mark every test under tests/e2e with `browser`."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so `page` can tell a failed test at teardown."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@dataclass
class LiveServer:
    """The running app: `url` without a trailing slash, and the Flask `app`."""

    url: str
    app: Flask


class _Deferred:
    """A WSGI app that forwards to `target`, set once the port (and so BASE_URL) is known."""

    target = None

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, smtp_server):
    """The app on a migrated SQLite file, served over HTTP on 127.0.0.1 in a daemon thread."""
    database_url = prepare_sqlite(tmp_path_factory.mktemp("e2e") / "seloste.db")
    deferred = _Deferred()
    server = make_server("127.0.0.1", 0, deferred, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app = create_app(environ=app_environ(database_url, smtp_server.port, BASE_URL=url))
    deferred.target = app
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    yield LiveServer(url=url, app=app)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    app.extensions["seloste_db"].engine.dispose()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The pinned axe-core (package.json) as one script."""
    if not AXE.is_file():
        skip_or_fail(f"{AXE.relative_to(ROOT)} is missing: run `npm ci` at the repository root")
    return _axe_script()


@pytest.fixture(scope="session")
def browser(axe_source):
    """Headless Chromium from the system package (never `playwright install`)."""
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing: install the distribution's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(request, browser, live_server):
    """A fresh browser context (Finnish, so Accept-Language: fi-FI) and page on the live server.

    A screenshot of a failed test is saved under test-artifacts/.
    """
    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(locale="fi-FI", base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        try:
            tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as exc:  # a crashed page must not hide the test's own failure
            print(f"no screenshot for {request.node.nodeid}: {exc}")
    context.close()


@functools.cache
def _axe_script() -> str:
    return AXE.read_text(encoding="utf-8")


_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
    count: v.nodes.length,
  }));
}"""


def assert_accessible(page, label: str) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the page as it is now; fail listing each violation.

    The app's CSP (script-src 'self') blocks <script> tags we would add, so axe is
    evaluated through the DevTools protocol with page.evaluate(), which CSP does not cover.
    """
    page.wait_for_load_state("load")
    if page.evaluate("typeof window.axe") != "object":
        page.evaluate(_axe_script())
        assert page.evaluate("typeof window.axe") == "object", "axe-core could not be injected"
    violations = page.evaluate(_RUN_AXE, AXE_TAGS)
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {label} ({page.url}):"]
        for v in violations:
            lines.append(f"  - {v['id']} [{v['impact']}] {v['help']} ({v['count']} element(s))")
            lines.extend(f"      at {target}" for target in v["targets"])
            lines.append(f"      {v['helpUrl']}")
        pytest.fail("\n".join(lines), pytrace=False)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture
def host_site(tmp_path):
    """Another origin (same host, another port) serving files written to `host_site.root`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, name="e2e-host-site", daemon=True)
    thread.start()
    server.root = tmp_path
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def visitor(browser):
    """A second, logged-out browser context (Finnish, as a visitor from Finland)."""
    context = browser.new_context(locale="fi-FI")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


PASSWORD = "kolme pientä porsasta"


def published_notice(live_server, *, company: str | None = None, plan: str = "pro") -> tuple[str, str, str]:
    """An owner and a published one-version fi customer-register notice, made with the services.

    Returns (owner's email, tenant slug, notice slug); the owner's password is PASSWORD."""
    import uuid
    from datetime import UTC, datetime

    from tenants import accounts
    from tenants.scoping import scoped_to, unscoped
    from webapp import page_cache as cache

    suffix = uuid.uuid4().hex[:6]
    email = f"olli.{suffix}@example.fi"
    session = live_server.app.extensions["seloste_db"].new_session()
    now = datetime.now(UTC)
    with session, session.begin():
        with unscoped(session):
            user = accounts.create_user(
                session,
                email=email,
                name="Olli Omistaja",
                password=PASSWORD,
                language="fi",
                now=now,
                verified=True,
            )
            tenant = accounts.create_tenant(
                session, name=company or f"Kahvila {suffix} Oy", business_id="2617416-4", now=now
            )
            tenant.plan = plan
            accounts.add_member(session, tenant.id, user.id, "owner", now)
        with scoped_to(session, tenant.id, user.id):
            notice, _version = support.published_notice(session, tenant.id, user.id, now=now)
        result = (email, tenant.slug, notice.slug)
    cache.forget_resolutions()
    return result


# The questions a starter leaves open, per step: (field, answer), a choice or a yes/no.
STARTER_ANSWERS = {
    "contact": [("dpo.appointed", "no")],
    "data": [("special_categories_used", "no")],
    # every starter lists sources beside the person: data from both, none publicly accessible
    "sources": [("collected_from", "both"), ("sources_public", "no")],
    "recipients": [("transfers.outside_eea", "no")],
    "cookies": [("cookies.used", "no")],
    "automated": [("automated_decisions.used", "no")],
}
PROPOSAL_STEPS = ("purposes", "data", "sources", "recipients", "retention", "security", "cookies", "rights")


def answer_and_confirm(
    page, notice_path: str, *, controller_email: str = "tietosuoja@rantakahvila.fi"
) -> None:
    """What a firm does with a starter in the browser: give the controller's email and confirm the
    controller's details as correct, answer each open question, say whether the data must be given,
    and confirm each proposed text with its button."""
    from playwright.sync_api import expect

    page.goto(f"{notice_path}/steps/basics")
    page.locator("#controller-email").fill(controller_email)
    page.locator("button[name=action][value='confirm:controller']").click()
    expect(page.locator("#controller-confirmed")).to_be_visible()
    page.goto(f"{notice_path}/steps/purposes")
    page.locator("select[name='requirement.kind']").select_option("contract_prerequisite")
    page.locator("button[name=action][value=save]").click()
    for step, answers in STARTER_ANSWERS.items():
        page.goto(f"{notice_path}/steps/{step}")
        for name, value in answers:
            select = page.locator(f"select[name='{name}']")
            if select.count():
                select.select_option(value)
            else:
                page.locator(f"input[name='{name}'][value={value}]").check()
        page.locator("button[name=action][value=save]").click()
        expect(page.locator(".flashes")).to_be_visible()
    for step in PROPOSAL_STEPS:
        page.goto(f"{notice_path}/steps/{step}")
        while page.locator("button[name=action][value^='confirm:']").count():
            page.locator("button[name=action][value^='confirm:']").first.click()
            expect(page.locator(".flashes")).to_be_visible()
