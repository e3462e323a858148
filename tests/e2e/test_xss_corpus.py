"""The XSS corpus (tests/security/xss_corpus.py, 125 payloads of our own) through every text field
that reaches a page, a mail or a PDF, rendered in Chromium with a hook that records any execution.
The pages are loaded with the Content-Security-Policy bypassed, so an unescaped payload would run
and be recorded; an element or handler of a payload found in the page counts as well. Zero allowed.

Short fields (organisation name and address, a member's name, the notice title, a requester's name
and phone) take a few payloads per round; long ones (request details, messages both ways, internal
notes, change notes) many at once. The page loads are counted and bounded (see SECURITY.md)."""

from __future__ import annotations

import io
import re
import time
import uuid
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from tenants import accounts
from tenants.models import Tenant, User
from tenants.notices import publishing, service
from tenants.notices.models import Notice
from tenants.requests.models import DataRequest
from tenants.scoping import scoped_to, unscoped
from webapp import page_cache as cache
from webapp.requests.forms import _form_clock

from ..conftest import PASSWORD
from ..security.xss_corpus import FOUND, HOOK, joined, packed, payloads
from ..support import published_notice

PAYLOADS = payloads()
FIGURES = {"page_loads": 0, "mails": 0, "pdfs": 0, "payloads": len(PAYLOADS)}


def _now():
    return datetime.now(UTC)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def firm(live_server):
    """A Pro firm with a published notice and one confirmed request, in the live server's database."""
    app = live_server.app
    tag = uuid.uuid4().hex[:8]
    s = app.extensions["seloste_db"].new_session()
    with unscoped(s):
        user = accounts.create_user(
            s,
            email=f"xss-{tag}@firma.fi",
            name="Olli",
            password=PASSWORD,
            language="fi",
            now=_now(),
            verified=True,
        )
        tenant = accounts.create_tenant(s, name=f"XSS {tag} Oy", business_id="2617416-4", now=_now())
        tenant.plan = "pro"
        accounts.add_member(s, tenant.id, user.id, "owner", _now())
    s.commit()
    with scoped_to(s, tenant.id, user.id):
        notice, _version = published_notice(
            s, tenant.id, user.id, languages=["fi", "en"], today=date.today(), now=_now()
        )
    s.commit()
    ids = {"user": user.id, "tenant": tenant.id, "notice": notice.id, "email": user.email}
    ids["tenant_slug"], ids["notice_slug"] = tenant.slug, notice.slug
    yield app, s, ids
    s.close()


def _request(app, ids, mailbox, *, name="Maija", details="Kopio tiedoista.", phone="") -> tuple[int, str]:
    """A request sent and confirmed through the public form; (its id, its status page path)."""
    visitor = app.test_client()
    with app.app_context():
        started = _form_clock().dumps(time.time() - 10)
    email = f"pyytaja-{uuid.uuid4().hex[:6]}@example.fi"
    r = visitor.post(
        f"/{ids['tenant_slug']}/{ids['notice_slug']}/request",
        data={
            "type": "access",
            "name": name,
            "email": email,
            "details": details,
            "phone": phone,
            "answer_language": "fi",
            "started": started,
            "hetu_ack": "y",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    link = mailbox.last(email).link("/requests/verify/")
    page = visitor.get(_path(link))
    token = re.search(r'name="token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert visitor.post("/requests/verify", data={"token": token}).status_code == 302
    status = _path(mailbox.last(email).link("/requests/status/"))
    s = app.extensions["seloste_db"].new_session()
    with unscoped(s):
        request_id = s.query(DataRequest.id).filter(DataRequest.email == email).scalar()
    s.close()
    return request_id, status


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


class Findings:
    """Everything any payload did, by where it happened."""

    def __init__(self):
        self.items: list[str] = []

    def check(self, where: str, result: dict):
        self.items += [f"{where}: {f}" for f in result["found"]]
        self.items += [f"{where}: ran payload {n}" for n in result["hits"]]


def _load(page, url, findings):
    page.goto(url, wait_until="load")
    page.wait_for_timeout(10)
    FIGURES["page_loads"] += 1
    findings.check(url, page.evaluate(FOUND))


def test_no_payload_runs_or_gets_into_any_page_mail_or_pdf(browser, live_server, smtp_server, firm):
    app, s, ids = firm
    mailbox = smtp_server
    mailbox.clear()
    owner = app.test_client()
    r = owner.post(
        "/login",
        data={
            "csrf_token": _csrf(owner.get("/login").get_data(as_text=True)),
            "email": ids["email"],
            "password": PASSWORD,
        },
    )
    assert r.status_code == 302
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="fi-FI")
    context.add_init_script(HOOK)
    cookie = owner.get_cookie("session")
    context.add_cookies([{"name": "session", "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.on("dialog", lambda d: d.dismiss())
    findings = Findings()
    # The hook itself: a payload put into a page unescaped is seen, both as markup and as a run.
    page.set_content(PAYLOADS[1][1] + PAYLOADS[0][1], wait_until="load")
    page.wait_for_timeout(50)
    probe = page.evaluate(FOUND)
    assert probe["hits"] and probe["found"], probe
    public = f"/{ids['tenant_slug']}/{ids['notice_slug']}"
    request_id, _status = _request(app, ids, mailbox)

    # Short fields, a few payloads a round: what the app, the public pages and the inbox show.
    for group in packed(PAYLOADS, 300):
        text = joined(group)
        with unscoped(s):
            tenant, user = s.get(Tenant, ids["tenant"]), s.get(User, ids["user"])
            tenant.name, tenant.street_address, tenant.city = text, text, text[:100]
            user.name = text
            s.get(Notice, ids["notice"]).title = text
            req = s.get(DataRequest, request_id)
            req.name, req.phone = text, text[:40]
            s.commit()
        cache.pages.clear()
        cache.forget_resolutions()
        for url in (public + "?lang=fi", f"/app/inbox/{request_id}", "/app/members"):
            _load(page, url, findings)

    # Long fields, many payloads at once: request details, messages both ways, notes; their mails.
    for group in packed(PAYLOADS, 4500):
        text = joined(group)
        request_id, status = _request(app, ids, mailbox, details=text)
        detail = owner.get(f"/app/inbox/{request_id}").get_data(as_text=True)
        token = _csrf(detail)
        assert (
            owner.post(f"/app/inbox/{request_id}/note", data={"csrf_token": token, "note": text}).status_code
            == 302
        )
        r = owner.post(f"/app/inbox/{request_id}/reply", data={"csrf_token": token, "message": text})
        assert r.status_code == 302
        requester = app.test_client()
        status_page = requester.get(status).get_data(as_text=True)
        r = requester.post(status, data={"csrf_token": _csrf(status_page), "message": text, "hetu_ack": "y"})
        assert r.status_code in (200, 302)
        for url in (f"/app/inbox/{request_id}", status, "/app/inbox/"):
            _load(page, url, findings)

    # The notice's own texts, change notes and the PDF: a version per group of payloads.
    today = date.today()
    for group in packed(PAYLOADS, 1900):
        text = joined(group)
        with scoped_to(s, ids["tenant"], ids["user"]):
            draft = service.draft_of(s.get(Notice, ids["notice"]))
            draft.sources.append({"fi": text, "en": text})
            service.save_draft(s, ids["tenant"], ids["notice"], draft, step=None, now=_now())
            version = publishing.publish(
                s,
                ids["tenant"],
                ids["notice"],
                by_user_id=ids["user"],
                prepared_on=today,
                change_note=text,
                today=today,
                now=_now(),
            )
            stored = version.content["sources"][-1]["fi"]  # the text as the version keeps it
            s.commit()
        cache.pages.clear()
        cache.forget_resolutions()
        for url in (f"{public}?lang=fi", f"{public}/history?lang=fi"):
            _load(page, url, findings)
        pdf = app.test_client().get(f"{public}/v/{version.number}.pdf?lang=fi")
        assert pdf.status_code == 200
        FIGURES["pdfs"] += 1
        shown = "".join(
            "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.data)).pages).split()
        )
        # Plain texts keep no markup; what was kept is printed as text, character for character.
        missing = [word for word in stored.split() if word not in shown]
        assert not missing, missing
        assert "xss" in stored  # the payloads' text reached the notice, only its markup did not

    # Every mail that carried the payloads, its HTML part rendered as a mail program would.
    for mail in list(mailbox.messages):
        if "__xss" not in mail.text:
            continue
        page.set_content(mail.html, wait_until="load")
        page.wait_for_timeout(30)
        FIGURES["mails"] += 1
        findings.check(f"mail {mail.message['Subject']}", page.evaluate(FOUND))

    context.close()
    print(f"XSS corpus figures: {FIGURES}")
    assert FIGURES["page_loads"] >= 60 and FIGURES["mails"] >= 2 and FIGURES["pdfs"] >= 4
    assert findings.items == []
