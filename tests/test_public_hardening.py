"""The public pages face the whole internet: hostile input, Host headers, cache keys, validators."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tenants.billing import service as billing
from tenants.models import Tenant
from tenants.notices import publishing, service
from tenants.scoping import scoped_to, unscoped
from webapp import page_cache as cache

from .conftest import login, publish_version

TODAY = date(2026, 11, 23)
T = "/rantakahvila-oy"
N = "/rantakahvila-oy/asiakasrekisteri"
HUGE = "9" * 20


def publish_two_versions(session, firm):
    """Publish the firm's notice twice (fi, en): the second adds a source."""
    publish_version(session, firm, today=TODAY)
    publish_version(
        session,
        firm,
        today=TODAY,
        note="Uusi lähde",
        edit=lambda d: d.sources.append({"fi": "Lomake", "en": "Form"}),
    )
    return firm


@pytest.fixture
def published(session, notice_firm):
    """Rantakahvila Oy's notice with two versions (fi, en), on Pro."""
    return publish_two_versions(session, notice_firm)


def _set_plan(session, firm, plan: str, at: datetime) -> None:
    with unscoped(session):
        tenant = session.get(Tenant, firm[1].id)
        billing.set_plan(session, tenant, plan, now=at, source="operator")
    session.commit()
    cache.forget_resolutions()


# ------------------------------------------------------------------ hostile input

NUMBERS = [
    (f"{N}/v/{HUGE}", 404),
    (f"{N}/v/{HUGE}.json", 404),
    (f"{N}/v/{HUGE}.pdf", 404),
    (f"{N}/diff/1/{HUGE}", 404),
    (f"{N}/diff/{HUGE}/1", 404),
    (f"{N}/v/2147483648", 404),  # one above an SQL INTEGER
    (f"{N}/v/2147483647", 404),
    (f"{N}/v/" + "9" * 5000, 404),  # more digits than Python's int() takes by default
    (f"{N}/v/\u0663", 404),  # an Arabic-Indic 3 is no version number
    (f"{N}/v/01", 404),
    (f"{N}/v/0", 404),
    (f"{N}/history?a={HUGE}&b=1", 200),
    (f"{N}/history?a=-1&b=1", 200),
    (f"{N}/history?a=%00&b=1", 200),
    (f"{N}/history?a=2&b=1&lang=%00", 302),
    ("/requests/status/x/files/" + HUGE + "/1", 404),
    ("/app/inbox/" + HUGE, 404),
]
QUERIES = [
    (f"{N}?lang=%00", 200),
    (f"{N}?lang=" + "x" * 5000, 200),
    (f"{N}?lang=fi&lang=en", 200),
    (f"{N}/v/1?lang=%ff", 200),
    (f"{N}/history?lang=%00", 200),
    (f"{N}/diff/1/2?lang=zz", 200),
    (f"{N}/feed.atom?lang=%00", 200),
    (f"{N}.json?lang=%00", 200),
    (f"{N}/v/1.json?lang[]=1", 200),
    (f"{T}?lang=%00", 200),
    (f"{T}/request?lang=%00", 200),
]
PATHS = [
    ("/" + "a" * 10000, 404),
    (f"{T}/" + "a" * 10000, 404),
    (f"{N}/" + "a" * 10000, 404),
    (f"{T}%00", 404),
    (f"{N}%00", 404),
    (f"{T}%00/asiakasrekisteri", 404),
    (f"{N}/v/1%00", 404),
    (f"{N}/history%00", 404),
    ("/%00", 404),
    ("/r%C3%A4ntakahvila-oy", 404),
    (f"{T}/%C3%A4siakasrekisteri", 404),
    ("/%F0%9F%92%A9/x", 404),
    ("/%ff%fe", 404),
    (f"{N}/%ff", 404),
]


@pytest.mark.parametrize(("path", "status"), NUMBERS + QUERIES + PATHS, ids=lambda v: str(v)[:60])
def test_hostile_addresses_get_a_plain_answer(app, published, path, status):
    r = app.test_client().get(path)
    assert r.status_code == status, (path[:80], r.status_code)


PAGES = [N, f"{N}/v/1", f"{N}.json", f"{N}/history", f"{N}/diff/1/2", f"{N}/feed.atom", T]
HEADERS = [
    ({"Accept-Language": "*;q=abc"}, 200),
    ({"Accept-Language": "en;q=2"}, 200),
    ({"Accept-Language": "x" * 8000}, 200),
    ({"Accept-Language": ",,,;;;=="}, 200),
    ({"Accept-Language": "fi\x00"}, 200),
    ({"If-None-Match": 'junk,,""'}, 200),
    ({"If-Modified-Since": "garbage"}, 200),
    ({"If-Modified-Since": "Mon, 01 Jan 9999 00:00:00 GMT"}, 200),  # in the future: ignored
    ({"If-Match": "*"}, 200),
    ({"If-Match": '"not-this-one"'}, 412),
    ({"Range": "bytes=junk"}, 200),
    ({"Host": "evil.example"}, 200),
    ({"Host": "x" * 64}, 400),  # werkzeug refuses it before routing: no links can be built
]


@pytest.mark.parametrize(("headers", "status"), HEADERS, ids=lambda v: str(v)[:50])
def test_hostile_headers_get_a_plain_answer(app, published, headers, status):
    visitor = app.test_client()
    for page in PAGES:
        r = visitor.get(page, headers=headers)
        assert r.status_code == status, (page, r.status_code)


def test_a_pdf_with_a_junk_language_is_the_primary_language(app, published):
    r = app.test_client().get(f"{N}/v/1.pdf?lang=%00", headers={"Accept-Language": "*;q=x"})
    assert (
        r.status_code == 200
        and r.data.startswith(b"%PDF")
        and "-v1-fi.pdf" in r.headers["Content-Disposition"]
    )


# ------------------------------------------------------------------ Host header poisoning


def _json_links(visitor, path, **headers):
    return visitor.get(path, headers=headers).get_json()["links"]


def test_a_hostile_host_changes_nothing_when_base_url_is_set(app, published):
    visitor = app.test_client()
    for path in (f"{N}.json", f"{N}/v/1.json"):
        poisoned = _json_links(visitor, path, Host="evil.example")
        assert all(link.startswith("http://localhost/") for link in poisoned.values()), poisoned
    page = visitor.get(f"{N}?lang=fi", headers={"Host": "evil.example"}).get_data(as_text=True)
    feed = visitor.get(f"{N}/feed.atom", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in page and "evil.example" not in feed
    assert "<id>http://localhost/rantakahvila-oy/asiakasrekisteri/v/2</id>" in feed
    assert all(link.startswith("http://localhost/") for link in _json_links(visitor, f"{N}.json").values())


def test_without_base_url_a_hostile_host_reaches_only_its_own_answer(app, published):
    app.config["BASE_URL"] = ""  # the embedded default: addresses come from a trusted request Host
    attacker, visitor = app.test_client(), app.test_client()
    for path in (f"{N}.json", f"{N}/v/2.json"):
        # A Host outside TRUSTED_HOSTS gets LINK_BASE_URL's origin, never its own.
        origin = app.config["LINK_BASE_URL"]
        assert _json_links(attacker, path, Host="evil.example")["latest"] == f"{origin}{N}"
        assert _json_links(visitor, path)["latest"] == f"http://localhost{N}"
    attacker.get(f"{N}/feed.atom", headers={"Host": "evil.example"})
    assert "evil.example" not in visitor.get(f"{N}/feed.atom").get_data(as_text=True)
    attacker.get(f"{N}?lang=fi", headers={"Host": "evil.example"})
    page = visitor.get(f"{N}?lang=fi").get_data(as_text=True)
    # The cached page holds no host at all: its alternates are relative without BASE_URL.
    assert 'hreflang="en" href="/rantakahvila-oy/asiakasrekisteri?lang=en"' in page
    assert "evil.example" not in page


def test_the_snippets_in_the_app_use_base_url(client, app, published):
    app.config["BASE_URL"] = "https://seloste.example"  # the request itself comes to localhost
    login(client, "olli@rantakahvila.fi")
    html = client.get(f"/app/notices/{published[2].id}/published").get_data(as_text=True)
    assert 'href="https://seloste.example/rantakahvila-oy/asiakasrekisteri" id="public-url"' in html
    for snippet in (
        "snippet-link",
        "snippet-iframe",
        "snippet-request",
        "snippet-request-all",
        "snippet-badge",
    ):
        text = html.split(f'id="{snippet}"', 1)[1].split("</textarea>", 1)[0]
        assert "https://seloste.example/" in text and "localhost" not in text, snippet


# ------------------------------------------------------------------ cache keys and Vary


def _cached(kind: str) -> list:
    return [key for key in cache.pages._data if key[0] == kind]


def test_version_pages_are_cached_per_language_not_per_header(app, published):
    visitor = app.test_client()
    for i in range(40):
        visitor.get(f"{N}/v/1?lang=junk{i}", headers={"Accept-Language": f"x-{i},en;q=0.{i % 9 + 1}"})
        visitor.get(f"{N}/v/1", headers={"Accept-Language": f"zz-{i}"})
    visitor.get(f"{N}/v/1?lang=fi")
    assert sorted(key[3] for key in _cached("version")) == ["en", "fi"]


def test_a_junk_lang_parameter_still_varies_by_accept_language(app, published):
    visitor = app.test_client()
    for path in (N, f"{N}/v/1", f"{N}/history", f"{N}/diff/1/2", T):
        junk = visitor.get(f"{path}?lang=zz", headers={"Accept-Language": "en"})
        assert "Accept-Language" in junk.headers.get("Vary", ""), path
        chosen = visitor.get(f"{path}?lang=fi", headers={"Accept-Language": "en"})
        assert "Accept-Language" not in chosen.headers.get("Vary", ""), path
    assert '<html lang="en">' in visitor.get(f"{N}/v/1?lang=zz", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


# ------------------------------------------------------------------ the tenant's list of notices


def test_the_tenant_page_answers_conditional_requests(app, session, published):
    user, tenant, notice = published
    visitor = app.test_client()
    first = visitor.get(T)
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    assert "max-age=60" in first.headers["Cache-Control"]
    assert visitor.get(T, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert visitor.get(T, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304

    later = datetime.now(UTC) + timedelta(seconds=5)
    with scoped_to(session, tenant.id, user.id):
        publishing.withdraw(session, tenant.id, notice.id, now=later)
    session.commit()
    cache.forget_resolutions()
    after = visitor.get(T, headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and "asiakasrekisteri" not in after.get_data(as_text=True)
    since = visitor.get(T, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 200 and since.headers["Last-Modified"] != first.headers["Last-Modified"]


def test_the_tenant_page_shows_the_published_title_not_the_drafts(app, session, published):
    user, tenant, notice = published
    with scoped_to(session, tenant.id, user.id):
        service.update_settings(
            session,
            tenant.id,
            notice.id,
            title="Keskeneräinen uusi nimi",
            languages=["fi", "en"],
            primary_language="fi",
            now=datetime.now(UTC),
        )
    session.commit()
    html = app.test_client().get(T).get_data(as_text=True)
    assert "Asiakasrekisteri" in html and "Keskeneräinen" not in html


def test_the_feed_of_a_withdrawn_notice_says_so(app, session, published):
    user, tenant, notice = published
    with scoped_to(session, tenant.id, user.id):
        publishing.withdraw(session, tenant.id, notice.id, now=datetime(2026, 12, 1, 10, tzinfo=UTC))
    session.commit()
    cache.forget_resolutions()
    for path in (f"{N}/feed.atom", f"{N}.json", f"{N}/v/1.pdf", f"{N}/diff/1/2"):
        r = app.test_client().get(path)
        assert r.status_code == 410 and "1.12.2026" in r.get_data(as_text=True), path
        assert r.headers["ETag"] and r.headers["Last-Modified"] and "max-age=60" in r.headers["Cache-Control"]


# ------------------------------------------------------------------ plans: PDFs and validators


def test_a_pdf_address_keeps_answering_after_a_downgrade(app, client, session, published):
    visitor = app.test_client()
    on_pro = visitor.get(f"{N}?lang=fi").get_data(as_text=True)
    assert f"{N}/v/2.pdf?lang=fi" in on_pro
    login(client, "olli@rantakahvila.fi")
    assert 'class="version-pdf"' in client.get(f"/app/notices/{published[2].id}/published").get_data(
        as_text=True
    )

    _set_plan(session, published, "free", datetime.now(UTC))
    for path in (f"{N}/v/1.pdf", f"{N}/v/2.pdf?lang=en"):
        r = visitor.get(path)
        assert r.status_code == 200 and r.data.startswith(b"%PDF"), path
    assert ".pdf" not in visitor.get(f"{N}?lang=fi").get_data(as_text=True)  # the link is Pro's
    assert 'class="version-pdf"' not in client.get(f"/app/notices/{published[2].id}/published").get_data(
        as_text=True
    )


@pytest.mark.parametrize("path", [f"{N}?lang=en", N])  # version URLs show no plan (test_public_immutable)
def test_a_plan_change_leaves_no_stale_304(app, session, published, path):
    _set_plan(session, published, "free", datetime.now(UTC))
    visitor = app.test_client()
    free = visitor.get(path)
    assert 'class="made-with"' in free.get_data(as_text=True)

    _set_plan(session, published, "pro", datetime.now(UTC) + timedelta(seconds=5))
    by_etag = visitor.get(path, headers={"If-None-Match": free.headers["ETag"]})
    assert by_etag.status_code == 200 and 'class="made-with"' not in by_etag.get_data(as_text=True)
    by_date = visitor.get(path, headers={"If-Modified-Since": free.headers["Last-Modified"]})
    assert by_date.status_code == 200
    assert visitor.get(path, headers={"If-None-Match": by_etag.headers["ETag"]}).status_code == 304


# ------------------------------------------------------------------ preconditions


@pytest.mark.parametrize("path", [N, f"{N}/v/1", f"{N}.json", f"{N}/history", T])
def test_a_failed_if_match_sends_no_body(app, published, path):
    visitor = app.test_client()
    current = visitor.get(path)
    failed = visitor.get(path, headers={"If-Match": '"not-this-one"'})
    assert failed.status_code == 412 and failed.data == b""
    assert visitor.get(path, headers={"If-Match": current.headers["ETag"]}).status_code == 200
    assert visitor.get(path, headers={"If-Match": "*"}).status_code == 200


def test_if_unmodified_since_is_honoured(app, published):
    visitor = app.test_client()
    current = visitor.get(f"{N}/v/2")
    modified = current.headers["Last-Modified"]
    assert visitor.get(f"{N}/v/2", headers={"If-Unmodified-Since": modified}).status_code == 200
    stale = visitor.get(f"{N}/v/2", headers={"If-Unmodified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
    assert stale.status_code == 412 and stale.data == b""
    junk = visitor.get(f"{N}/v/2", headers={"If-Unmodified-Since": "yesterday"})
    assert junk.status_code == 200


# ------------------------------------------------------------------ snippets in the app


def test_the_published_page_has_a_snippet_for_the_organisations_request_form(client, published):
    login(client, "olli@rantakahvila.fi")
    html = client.get(f"/app/notices/{published[2].id}/published").get_data(as_text=True)
    snippet = html.split('id="snippet-request-all"', 1)[1].split("</textarea>", 1)[0]
    assert "http://localhost/rantakahvila-oy/request" in snippet and "data-seloste" in snippet
    assert "embed.js" in snippet
    assert html.index('id="snippet-request"') < html.index('id="snippet-request-all"')


def test_the_date_header_is_left_to_the_server(app, published):
    # gunicorn always writes Date itself and does not drop the application's: one from here would
    # make two Date headers in every public answer.
    for path in (N, f"{N}/v/1", f"{N}.json", T):
        assert "Date" not in app.test_client().get(path).headers, path
