"""A firm's daily use in the browser, on a desktop and on a phone: the dashboard's counts, the list's
days left, pages that never scroll sideways at 390 and 320 px, the copy buttons, a language the notice
lacks, the PDF behind the notice's link, and prices from PLANS. Every page visited is checked by
axe-core (WCAG 2.1 AA, and the 24 px target size of WCAG 2.2) and by the Nu Html Checker."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from pypdf import PdfReader

from tenants import accounts
from tenants.billing.plans import PLANS, with_vat
from tenants.requests import service as request_service
from tenants.requests.deadlines import days_left
from tenants.scoping import scoped_to, unscoped
from webapp.i18n import format_euros, helsinki_today

from ..support import html_errors
from .conftest import PASSWORD, assert_accessible, published_notice
from .test_wizard_flow import _log_in

WIDTHS = (390, 320)
_TARGET_SIZE = """async () => {
  const results = await axe.run(document, { runOnly: { type: 'rule', values: ['target-size'] } });
  return results.violations.flatMap(v => v.nodes.map(n => n.target.join(' ')));
}"""


class Visits:
    """The pages a test visits: each checked with axe-core and for reflow, its HTML kept for Nu."""

    def __init__(self, page):
        self.page = page
        self.html: dict[str, str] = {}

    def open(self, path: str, name: str):
        response = self.page.goto(path)
        assert response is not None and response.ok, (path, response and response.status)
        self.html[name] = response.text()
        return response

    def check(self, name: str) -> None:
        """axe-core at the desktop width, then no sideways scrolling and 24 px targets on phones."""
        page = self.page
        assert_accessible(page, name)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            document_width = page.evaluate("document.documentElement.scrollWidth")
            assert document_width <= width, (
                f"{name} scrolls sideways at {width} px ({document_width} px wide)"
            )
            small = page.evaluate(_TARGET_SIZE)
            assert not small, f"{name} at {width} px: targets under 24 px: {small}"
        page.set_viewport_size({"width": 1280, "height": 800})

    def assert_valid(self, folder) -> None:
        problems = html_errors(self.html, folder)
        assert not problems, f"{len(problems)} HTML error(s) from the Nu Html Checker:\n" + "\n".join(
            problems
        )


def _requests_due(live_server, tenant_slug: str, owner_email: str) -> dict[str, object]:
    """Open requests due at various distances from today, and one waiting for confirmation."""
    from tenants.models import Tenant
    from tenants.notices.models import Notice
    from webapp import page_cache as cache

    session = live_server.app.extensions["seloste_db"].new_session()
    today = helsinki_today()
    dues = {
        "overdue": today - timedelta(days=9),
        "soon": today + timedelta(days=3),
        "later": today + timedelta(days=25),
    }
    made = {}
    with session, session.begin():
        with unscoped(session):
            tenant = session.query(Tenant).filter_by(slug=tenant_slug).one()
            owner = accounts.find_user_by_email(session, owner_email)
            colleague = accounts.create_user(
                session,
                email=f"maija.{uuid.uuid4().hex[:6]}@example.fi",
                name="Maija Rantanen",
                password=PASSWORD,
                language="fi",
                now=datetime.now(UTC),
                verified=True,
            )
            accounts.add_member(session, tenant.id, colleague.id, "handler", datetime.now(UTC))
        with scoped_to(session, tenant.id, owner.id):
            notice = session.query(Notice).filter_by(tenant_id=tenant.id).one()
            for n, (key, due) in enumerate(dues.items()):
                req = request_service.enter_request(
                    session,
                    tenant.id,
                    notice.id,
                    request_service.NewRequest("access", f"Asiakas {n}", f"asiakas{n}@example.fi", "Tietoni"),
                    channel="email",
                    received_on=today - timedelta(days=40),
                    identity_note="Osoite asiakasrekisterissä",
                    by=owner,
                    now=datetime.now(UTC),
                )
                req.due_on = due
                made[key] = req.id
            request_service.submit_request(
                session,
                tenant.id,
                notice.id,
                request_service.NewRequest(
                    "erasure", "Vahvistamaton", "vahvistamaton@example.fi", "Poistakaa"
                ),
                now=datetime.now(UTC),
            )
        made["dues"] = dues
        made["notice_id"] = notice.id
    cache.forget_resolutions()
    return made


def test_a_firms_day_on_desktop_and_phone(page, live_server, tmp_path):
    owner_email, tenant_slug, notice_slug = published_notice(live_server)
    made = _requests_due(live_server, tenant_slug, owner_email)
    today = helsinki_today()
    visits = Visits(page)
    _log_in(page, owner_email)

    # The dashboard counts what needs attention; each count opens its list.
    visits.open("/app/", "dashboard")
    counts = {
        key: page.locator(f"#attention-{key} .tile-count").inner_text()
        for key in ("open", "soon", "overdue", "unverified")
    }
    soon = sum(1 for key in ("soon", "later") if 0 <= days_left(made["dues"][key], today) <= 7)
    assert counts == {"open": "3", "soon": str(soon), "overdue": "1", "unverified": "1"}
    visits.check("the dashboard")
    page.locator("#attention-overdue").click()
    expect(page).to_have_url(re.compile(r"/app/inbox/\?due=overdue$"))
    expect(page.locator("table.inbox tbody tr")).to_have_count(1)

    # The list says how many days are left, in words.
    visits.open("/app/inbox/?status=active", "inbox")
    overdue_by = -days_left(made["dues"]["overdue"], today)
    expect(page.locator(".badge--overdue")).to_have_text(f"myöhässä {overdue_by} päivää")
    later = days_left(made["dues"]["later"], today)
    expect(page.locator(".badge:not(.badge--unconfirmed)").last).to_have_text(f"{later} päivää jäljellä")
    # The request waiting for its email confirmation is there, with its due date already running.
    expect(page.locator(".badge--unconfirmed")).to_have_text("sähköpostia ei vielä vahvistettu")
    reference = page.locator("a.ref").first
    assert reference.evaluate("a => getComputedStyle(a).whiteSpace") == "nowrap"
    visits.check("the inbox")

    # The request page: next steps, each a group of its own.
    visits.open(f"/app/inbox/{made['overdue']}", "request")
    expect(page.locator("details.step")).to_have_count(4)
    page.locator("#step-close summary").click()
    expect(page.locator("input[name=result]:checked")).to_have_count(0)
    page.locator("#step-extend summary").click()
    expect(page.locator("input[name=months][value='1']")).to_be_checked()
    visits.check("the request page")

    for path, name in (("/app/members", "members"), ("/app/inbox/new", "entry")):
        visits.open(path, name)
        visits.check(name)

    # Prices come from PLANS, with and without VAT.
    visits.open("/app/billing", "billing")
    pro = PLANS["pro"]
    monthly = page.locator("#price-monthly td[data-plan=pro]")
    expect(monthly).to_contain_text(format_euros(pro.monthly_cents, "fi"))
    expect(monthly).to_contain_text(format_euros(with_vat(pro.monthly_cents), "fi"))
    visits.check("billing")
    visits.open("/pricing", "pricing")
    expect(page.locator("#price-yearly td[data-plan=pro]")).to_contain_text(
        format_euros(pro.yearly_cents, "fi")
    )
    expect(page.locator("#create-account")).to_have_count(0)  # logged in: no sign-up button
    visits.check("the pricing page")

    # The snippets: whole, and copied by their buttons.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    visits.open(f"/app/notices/{made['notice_id']}/published", "published")
    snippet = page.locator("#snippet-iframe")
    assert snippet.evaluate("t => t.scrollHeight <= t.clientHeight + 1"), "the snippet box hides part of it"
    page.locator("button[data-copy=snippet-iframe]").click()
    expect(page.locator("button[data-copy=snippet-iframe] + .copy-status")).to_have_text("Kopioitu.")
    assert page.evaluate("navigator.clipboard.readText()") == snippet.input_value()
    visits.check("the published notice's page")

    # Public pages: the history, and a language the notice lacks.
    base = f"/{tenant_slug}/{notice_slug}"
    visits.open(f"{base}/history", "history")
    visits.check("the history")
    visits.open(f"{base}?lang=en", "notice-en")
    note = page.locator("#language-unavailable")
    expect(note).to_have_attribute("lang", "en")
    expect(note).to_contain_text("This notice is not available in English.")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    visits.check("the notice asked for in English")

    # The request form: its honeypot is reached by no keyboard and announced to no screen reader.
    visits.open(f"{base}/request", "request-form")
    expect(page.locator("#website")).to_be_hidden()
    form = page.locator("form.request-form").aria_snapshot()
    assert "Jätä tämä kenttä tyhjäksi" not in form and "Nimesi" in form
    focused = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate(
                "document.activeElement && (document.activeElement.id || document.activeElement.tagName)"
            )
        )
    assert "website" not in focused and "name" in focused and "email" in focused
    visits.check("the request form")

    # The PDF the notice links: paginated with a running header, tagged for screen readers.
    page.goto(f"{base}?lang=fi")
    pdf_link = page.locator("#about-version ~ p a", has_text="PDF")
    pdf = page.request.get(live_server.url + pdf_link.get_attribute("href"), timeout=60_000)  # rendered now
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.body()))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fi" and "/StructTreeRoot" in catalog and bool(catalog["/MarkInfo"]["/Marked"])
    texts = [p.extract_text() for p in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert (
            "Asiakasrekisteri · Versio 1 · Laatimispäivä" in text and f"Sivu {number} / {len(texts)}" in text
        )

    visits.assert_valid(tmp_path)
