"""A firm publishes its notice, publishes a second version, and a visitor reads, compares and embeds it."""

from __future__ import annotations

import html
import re
import time

import pytest
from playwright.sync_api import expect

from .conftest import TIMEOUT_MS, answer_and_confirm, assert_accessible, published_notice
from .test_wizard_flow import _log_in, _owner

RETENTION_FI = "Säilytämme asiakkaan tiedot kaksi vuotta viimeisestä ostosta."
RETENTION_EN = "We keep customer data for two years after the last purchase."
CHANGE_NOTE = "Säilytysaika lyhennetty kahteen vuoteen"
SNIPPET_HEIGHT = 800  # what the iframe snippet sets; embed.js replaces it


def _publish(page, note: str = "") -> None:
    """On the review step: keep the date (today), write the note, publish, land on the published page."""
    expect(page).to_have_url(re.compile(r"/steps/review$"))
    expect(page.locator("#report-status")).to_have_class(re.compile("status--ready"))
    expect(page.locator("#prepared_on")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    if note:
        page.locator("#change_note").fill(note)
    page.locator("#publish-button").click()
    expect(page).to_have_url(re.compile(r"/app/notices/\d+/published$"))


def test_publish_two_versions_read_compare_and_embed(page, visitor, live_server, host_site):
    # (1) An owner creates a Finnish and English notice from the customer-register template and publishes it.
    _log_in(page, _owner(live_server))
    page.goto("/app/notices/new")
    page.locator("input[name=starter][value=customer_register]").check()
    page.locator("#title").fill("Asiakasrekisteri")
    page.locator("input[name=languages][value=fi]").check()
    page.locator("input[name=languages][value=en]").check()
    expect(page.locator("#primary_language")).to_have_value("fi")
    page.locator("main form > button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/app/notices/\d+/steps/basics$"))
    notice_path = re.search(r"/app/notices/\d+", page.url).group(0)

    answer_and_confirm(page, notice_path)
    page.goto(f"{notice_path}/steps/review")
    _publish(page)
    expect(page.locator(".status--ready")).to_contain_text("1")
    public_url = page.locator("a#public-url").get_attribute("href")
    assert public_url.startswith(live_server.url + "/")
    snippet = page.locator("#snippet-iframe").input_value()
    assert f'src="{public_url}"' in snippet and "data-seloste" in snippet
    assert f'<script src="{live_server.url}/static/js/embed.js" async></script>' in snippet
    expect(page.locator("#snippet-link")).to_have_value(re.compile(re.escape(f'href="{public_url}"')))
    expect(page.locator("#snippet-badge")).to_have_value(re.compile(r"badge\.svg"))

    # (2) The retention period changes in both languages; version 2 is published with a note.
    page.goto(f"{notice_path}/steps/retention")
    page.locator("#retention-fi").fill(RETENTION_FI)
    page.locator("#retention-en").fill(RETENTION_EN)
    page.locator("button[name=action][value='goto:review']").click()
    expect(page.locator("label[for=change_note] .req")).to_be_visible()  # a note is required from now on
    _publish(page, CHANGE_NOTE)
    expect(page.locator(".status--ready")).to_contain_text("2")
    expect(page.locator("main")).to_contain_text(CHANGE_NOTE)

    # (3) A visitor (not logged in, Finnish browser) reads version 2 in Finnish, then in English.
    visitor.goto(public_url)
    expect(visitor.locator("html")).to_have_attribute("lang", "fi")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Tietosuojaseloste Asiakasrekisteri")
    expect(visitor.locator("#retention")).to_contain_text(RETENTION_FI)
    expect(visitor.locator("#complaint")).to_contain_text("Tietosuojavaltuutetun toimisto")
    expect(visitor.locator("link[rel=alternate][hreflang=en]")).to_have_attribute(
        "href", re.compile(r"[?&]lang=en$")
    )
    assert_accessible(visitor, "the public notice in Finnish")
    visitor.locator("nav.notice-languages a[hreflang=en]").click()
    expect(visitor).to_have_url(re.compile(r"[?&]lang=en$"))
    expect(visitor.locator("html")).to_have_attribute("lang", "en")
    expect(visitor.locator("#retention")).to_contain_text(RETENTION_EN)
    expect(visitor.locator("#complaint")).to_contain_text("Office of the Data Protection Ombudsman")
    expect(visitor.locator("nav.notice-languages a[aria-current=page]")).to_have_attribute("hreflang", "en")
    assert_accessible(visitor, "the public notice in English")

    # (4) The history has both versions and the note; the compare form leads to the diff.
    visitor.goto(public_url)
    visitor.locator("footer.notice-footer a[href*='/history']").click()
    expect(visitor).to_have_url(re.compile(r"/history\?lang=fi$"))
    rows = visitor.locator("table.versions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(CHANGE_NOTE)
    expect(rows.nth(0).locator("a[href*='/diff/1/2']")).to_be_visible()  # the "what changed" link
    expect(rows.locator("code.hash")).to_have_count(2)
    assert_accessible(visitor, "the version history")
    expect(visitor.locator("select#a")).to_have_value("1")
    expect(visitor.locator("select#b")).to_have_value("2")
    visitor.locator("form.compare button[type=submit]").click()
    expect(visitor).to_have_url(re.compile(r"/diff/1/2\?lang=fi$"))
    expect(visitor.locator("html")).to_have_attribute("lang", "fi")
    retention = visitor.locator("section[aria-labelledby=d-retention]")
    expect(retention.locator("ins")).to_contain_text([RETENTION_FI])
    expect(retention.locator("del").first).to_contain_text("Säilytämme asiakkaan tiedot asiakassuhteen ajan")
    expect(visitor.locator("main")).to_contain_text(CHANGE_NOTE)
    expect(visitor.locator("section.diff")).to_have_count(1)  # only the retention changed
    assert_accessible(visitor, "the diff")

    # (5) A website on another origin embeds the notice with the snippet exactly as copied.
    app_url = f"{live_server.url}/app/"
    (host_site.root / "index.html").write_text(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Host</title></head>\n'
        f"<body><h1>Our shop</h1>\n{snippet}\n</body></html>\n",
        encoding="utf-8",
    )
    visitor.goto(f"{host_site.url}/index.html")
    frame = visitor.frame_locator("iframe[data-seloste]")
    expect(frame.get_by_role("heading", level=1)).to_be_visible()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Tietosuojaseloste Asiakasrekisteri")
    expect(frame.locator("#retention")).to_contain_text(RETENTION_FI)
    # embed.js replaces the snippet's 800px with the height frame.js reports from inside.
    _assert_sized_to_content(visitor, "iframe[data-seloste]")
    assert visitor.locator("iframe[data-seloste]").evaluate("el => el.offsetHeight") > SNIPPET_HEIGHT

    # Nothing under /app may be framed: the headers forbid it, and the browser obeys.
    anonymous = visitor.request.get(app_url, max_redirects=0)  # a redirect to the login
    dashboard = page.request.get(app_url, max_redirects=0)  # logged in: the dashboard itself
    assert (anonymous.status, dashboard.status) == (302, 200)
    for response in (anonymous, dashboard):
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    public = visitor.request.get(public_url)
    assert "frame-ancestors *" in public.headers["content-security-policy"]
    assert "x-frame-options" not in public.headers

    (host_site.root / "app.html").write_text(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Host</title></head>\n'
        f'<body><iframe id="app" name="app" src="{html.escape(app_url)}" title="app"></iframe></body></html>\n',
        encoding="utf-8",
    )
    page.goto(f"{host_site.url}/app.html")  # the logged-in owner: framed, /app/ would be the dashboard
    _wait_for(lambda: _frame_url(page, "app") not in ("", "about:blank"), "the framed /app/ never loaded")
    assert _frame_url(page, "app").startswith("chrome-error://"), _frame_url(page, "app")
    expect(page.frame_locator("#app").locator("a[href='/app/notices/new']")).to_have_count(0)


def _assert_sized_to_content(page, selector: str) -> None:
    """The iframe's height is no longer the snippet's 800px but that of the page inside it."""
    iframe = page.locator(selector)
    expect(iframe).not_to_have_css("height", f"{SNIPPET_HEIGHT}px")
    inside = page.frame_locator(selector).locator("html")
    sizes = []

    def settled() -> bool:
        outer = iframe.evaluate("el => el.getBoundingClientRect().height")
        content = inside.evaluate("el => Math.ceil(el.getBoundingClientRect().height)")
        sizes.append((outer, content))
        return outer == content

    _wait_for(settled, f"{selector} is not as tall as its content: (frame, content) {sizes[-3:]}")


def _frame_url(page, name: str) -> str:
    frame = page.frame(name=name)
    return frame.url if frame is not None else ""


def _wait_for(condition, message: str, timeout_s: float = TIMEOUT_MS / 1000) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(message, pytrace=False)


def _published_notice(live_server) -> str:
    """A firm with a published one-version customer-register notice (services, no browser); its URL."""
    _email, tenant_slug, notice_slug = published_notice(live_server, company="Upotus Oy")
    return f"{live_server.url}/{tenant_slug}/{notice_slug}"


def test_embed_js_that_runs_late_still_sizes_long_and_short_frames(visitor, live_server, host_site):
    """embed.js is async: frames may load (and report their height) before it runs.

    It is held back here until both frames have loaded. The history of a one-version notice is
    shorter than the snippet's 800px, so its frame must shrink to it.
    """
    notice_url = _published_notice(live_server)
    frames = "\n".join(
        f'<iframe data-seloste id="{name}" src="{url}" title="{name}" '
        'style="width:100%;height:800px;border:0" loading="lazy"></iframe>'
        for name, url in (("notice", notice_url), ("history", f"{notice_url}/history"))
    )
    (host_site.root / "late.html").write_text(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Host</title></head>\n'
        f'<body>{frames}\n<script src="{live_server.url}/static/js/embed.js" async></script></body></html>\n',
        encoding="utf-8",
    )
    held = []
    visitor.route("**/static/js/embed.js", lambda route: held.append(route))
    visitor.goto(f"{host_site.url}/late.html", wait_until="domcontentloaded")  # load waits for embed.js
    for name in ("notice", "history"):
        expect(visitor.frame_locator(f"#{name}").get_by_role("heading", level=1)).to_be_visible()
        _wait_for(
            lambda name=name: visitor.frame(name=name).evaluate("document.readyState") == "complete",
            f"the {name} frame never finished loading",
        )
    _wait_for(lambda: bool(held), "the host page never asked for embed.js")
    time.sleep(0.2)  # let the frames' own load-time reports go unheard
    for name in ("notice", "history"):
        expect(visitor.locator(f"#{name}")).to_have_css("height", f"{SNIPPET_HEIGHT}px")
    held[0].continue_()

    for name in ("notice", "history"):
        _assert_sized_to_content(visitor, f"#{name}")
    assert visitor.locator("#notice").evaluate("el => el.offsetHeight") > SNIPPET_HEIGHT
    assert visitor.locator("#history").evaluate("el => el.offsetHeight") < SNIPPET_HEIGHT
