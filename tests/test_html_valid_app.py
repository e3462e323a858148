"""The app's own pages are valid HTML too (the Nu Html Checker), with forms of every kind on them:
no id repeats where a page has several forms, none on a page with error messages either."""

import io
import re
from datetime import date

import pytest

from tenants import accounts
from tenants.scoping import unscoped

from .conftest import PASSWORD, login, now, publish_version
from .support import html_errors
from .test_requests_web import open_request, path


@pytest.mark.sqlite_only  # the templates do not depend on the database: one JVM start is enough
def test_app_pages_are_valid_html(app, client, mailbox, session, notice_firm, tmp_path):
    user, tenant, notice = notice_firm
    publish_version(session, notice_firm, today=date.today())
    with unscoped(session):
        colleague = accounts.create_user(
            session, email="maija@rantakahvila.fi", name="Maija", password=PASSWORD, language="fi", now=now()
        )
        accounts.add_member(session, tenant.id, colleague.id, "handler", now())
        other = accounts.create_tenant(session, name="Toinen Oy", business_id="2617416-4", now=now())
        accounts.add_member(session, other.id, user.id, "owner", now())  # two organisations: the switcher
    session.commit()
    req = open_request(app, client, mailbox, session)
    status_link = path(mailbox.last("maija@example.fi").link("/requests/status/"))
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    owner.post(
        f"/app/inbox/{req.id}/reply",
        data={
            "csrf_token": owner.csrf_token(),
            "message": "Liitteenä tietosi.",
            "attachments": [(io.BytesIO(b"tiedot"), "tiedot.txt")],
        },
        content_type="multipart/form-data",
    )
    pages = {
        "dashboard": owner.get("/app/"),
        "inbox": owner.get("/app/inbox/?status=active"),
        "request": owner.get(f"/app/inbox/{req.id}"),
        "request-errors": owner.post_form(f"/app/inbox/{req.id}/close", {"outcome": ""}),
        "enter": owner.get("/app/inbox/new"),
        "members": owner.get("/app/members"),
        "organisation": owner.get("/app/organisation"),
        "account": owner.get("/app/account/"),
        "billing": owner.get("/app/billing"),
        "published": owner.get(f"/app/notices/{notice.id}/published"),
        "new-notice": owner.get("/app/notices/new"),
        "pricing-member": owner.get("/pricing"),
        "front": app.test_client().get("/"),
        "pricing": app.test_client().get("/pricing"),
        "login": app.test_client().get("/login"),
        "signup": app.test_client().get("/signup"),
        "terms": app.test_client().get("/terms?lang=sv"),
        "dpa": app.test_client().get("/dpa?lang=en"),
        "request-form": app.test_client().get("/rantakahvila-oy/asiakasrekisteri/request"),
        "status": app.test_client().get(status_link),
    }
    for name, response in pages.items():
        expected = 400 if name.endswith("errors") else 200
        assert response.status_code == expected and response.mimetype == "text/html", (name, response)
    html = {name: response.get_data(as_text=True) for name, response in pages.items()}
    for name, page in html.items():
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), (name, sorted({i for i in ids if ids.count(i) > 1}))
    assert html["request"].count('name="csrf_token"') >= 5  # several forms, no repeated id among them
    problems = html_errors(html, tmp_path)
    assert not problems, f"{len(problems)} HTML error(s) from the Nu Html Checker:\n" + "\n".join(problems)
