"""A person sends a request through a form embedded on another site; the firm handles it to the end."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tenants.requests.deadlines import due_date, practical_due_date
from webapp.i18n import format_day, helsinki_today

from .conftest import assert_accessible, published_notice
from .test_wizard_flow import _log_in


def test_request_from_an_embedded_form_to_closing(
    page, visitor, live_server, host_site, smtp_server, tmp_path
):  # noqa: F811
    owner_email, tenant_slug, notice_slug = published_notice(live_server)
    form_url = f"{live_server.url}/{tenant_slug}/{notice_slug}/request"
    (host_site.root / "yhteystiedot.html").write_text(
        '<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>Kahvila</title></head><body>'
        f'<h1>Ota yhteyttä</h1><iframe data-seloste src="{form_url}" title="Tietopyyntö" '
        'style="width:100%;height:900px;border:0"></iframe>'
        f'<script src="{live_server.url}/static/js/embed.js" async></script></body></html>',
        encoding="utf-8",
    )
    requester_email = f"maija.{uuid.uuid4().hex[:6]}@example.fi"

    # The requester fills in the form inside the other site's page.
    visitor.goto(f"{host_site.url}/yhteystiedot.html")
    frame = visitor.frame_locator("iframe[data-seloste]")
    expect(frame.locator("h1")).to_be_visible()
    frame.locator("input[name=type][value=access]").check()
    frame.locator("#name").fill("Maija Meikäläinen")
    frame.locator("#email").fill(requester_email)
    frame.locator("#details").fill("Haluan kopion kaikista tiedoistani.")
    visitor.wait_for_timeout(3200)  # people take longer than the form's minimum fill time
    frame.locator("form button[type=submit]").click()
    expect(frame.locator("form.request-form")).to_have_count(0)  # the "check your email" page
    assert "/requests/sent" in visitor.frames[1].url

    # The form alone, checked for accessibility.
    visitor.goto(form_url)
    assert_accessible(visitor, "the request form")

    # Verification from the mail, then the status page.
    # Opening the link only shows a button (mail scanners open links too); pressing it verifies.
    verify = smtp_server.last(requester_email).link("/requests/verify/")
    visitor.goto(verify)
    expect(visitor.locator("#verify-form")).to_be_visible()
    assert_accessible(visitor, "the verification page")
    visitor.locator("#verify-form button[type=submit]").click()
    expect(visitor).to_have_url(re.compile(r"/requests/status/"))
    status_url = visitor.url.split("?")[0]
    today = helsinki_today()
    expected_due = format_day(practical_due_date(due_date(today)), "fi")
    expect(visitor.locator("#request-due")).to_have_text(expected_due)
    assert_accessible(visitor, "the status page")
    reference = re.search(
        r"SEL-[0-9A-Z]{4}-[0-9A-Z]{4}", smtp_server.last(requester_email).message["Subject"]
    ).group(0)

    # The contact person finds it in the inbox with the right due date.
    _log_in(page, owner_email)
    page.goto("/app/inbox/?status=active")
    row = page.locator("table.inbox tr", has_text=reference)
    expect(row).to_contain_text(expected_due)
    assert_accessible(page, "the inbox")
    row.locator("a").click()
    expect(page.locator("h1")).to_contain_text(reference)
    assert_accessible(page, "the request page")

    page.locator("#step-assign summary").click()  # each next step is a group of its own
    page.locator("#assignee").select_option(label="Olli Omistaja")
    page.locator("form[action$='/assign'] button").click()
    attachment = tmp_path / "tiedot.txt"
    attachment.write_text("Asiakastiedot: Maija Meikäläinen", encoding="utf-8")
    page.locator("#message").fill("Liitteenä ovat tietosi.")
    page.locator("#attachments").set_input_files(str(attachment))
    page.locator("form[action$='/reply'] button").click()
    expect(page.locator("#timeline")).to_contain_text("tiedot.txt")

    # The requester reads the answer, downloads the file and replies.
    visitor.goto(status_url)
    expect(visitor.locator(".messages")).to_contain_text("Liitteenä ovat tietosi.")
    with visitor.expect_download() as download:
        visitor.locator(".messages a", has_text="tiedot.txt").click()
    assert download.value.suggested_filename == "tiedot.txt"
    visitor.locator("#message").fill("Kiitos! Saisinko myös laskut?")
    visitor.locator("form button[type=submit]").click()
    expect(visitor.locator(".messages")).to_contain_text("Saisinko myös laskut?")

    # The contact person closes it; the timeline shows every step.
    page.reload()
    page.locator("#step-close summary").click()
    page.locator("input[name=result][value=completed]").check()
    page.locator("#outcome").fill("Kopio tiedoista ja laskuista lähetetty.")
    page.locator("form[action$='/close'] button").click()
    for kind in ("submitted", "verified", "assigned", "message_out", "message_in", "completed"):
        expect(page.locator(f"#timeline .event--{kind}")).to_have_count(1)
    expect(page.locator("#status")).not_to_have_text("")
    visitor.goto(status_url)
    expect(visitor.locator("#message")).to_have_count(0)  # closed: no more replies
