"""What a visitor of a public notice meets: the notice first, a language it lacks said plainly, a
feed in the notice's languages, an icon and a description, and a PDF that is tagged and paginated."""

import io
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from tenants.notices import publishing, service
from tenants.scoping import scoped_to
from webapp import page_cache as cache

from .conftest import app_environ, publish_version

TODAY = date(2026, 11, 23)
BASE = "/rantakahvila-oy/asiakasrekisteri"


@pytest.fixture
def published(session, notice_firm):
    """Rantakahvila's customer register, version 1, in Finnish and English."""
    publish_version(session, notice_firm, today=TODAY)
    return notice_firm


def _only_in_finnish(session, firm):
    user, tenant, notice = firm
    with scoped_to(session, tenant.id, user.id):
        service.update_settings(
            session,
            tenant.id,
            notice.id,
            title=notice.title,
            languages=["fi"],
            primary_language="fi",
            now=datetime.now(UTC),
        )
        publishing.publish(
            session,
            tenant.id,
            notice.id,
            by_user_id=user.id,
            prepared_on=None,
            change_note="Vain suomeksi",
            today=TODAY,
            now=datetime.now(UTC),
        )
    session.commit()
    cache.forget_resolutions()


def test_the_notice_comes_first_and_its_version_details_at_the_end(app, published):
    html = app.test_client().get(f"{BASE}?lang=fi").get_data(as_text=True)
    about = html.index('<footer class="notice-footer" aria-labelledby="about-version">')
    assert html.index('<section id="complaint"') < about
    for marker in ('id="content-hash"', "/v/1.json", "/feed.atom"):
        assert html.index(marker, html.index("<body>")) > about, marker
    assert '<h2 id="about-version">Tietoa tästä versiosta</h2>' in html


def test_a_language_the_notice_lacks_is_said_in_that_language(app, session, published):
    _only_in_finnish(session, published)
    visitor = app.test_client()
    r = visitor.get(f"{BASE}?lang=en", headers={"Accept-Language": "en"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and '<html lang="fi">' in html  # the text it has, in Finnish
    note = re.search(
        r'<p class="notice-unavailable" id="language-unavailable" lang="en"[^>]*>(.*?)</p>', html
    )
    assert note, html[:2000]
    assert re.sub(r"<[^>]+>", "", note.group(1)) == (
        "This notice is not available in English. It is shown in the language it was written in: Suomi."
    )
    assert '<link rel="canonical" href="http://localhost/rantakahvila-oy/asiakasrekisteri?lang=fi">' in html
    sv = visitor.get(f"{BASE}?lang=sv").get_data(as_text=True)
    assert "Den här beskrivningen finns inte på svenska." in sv
    assert 'id="language-unavailable"' not in visitor.get(f"{BASE}?lang=fi").get_data(as_text=True)
    assert 'id="language-unavailable"' not in visitor.get(BASE, headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )  # the browser's wish is no request: the notice simply shows its language
    assert 'id="language-unavailable"' in visitor.get(f"{BASE}/v/2?lang=en").get_data(as_text=True)
    pdf = visitor.get(f"{BASE}/v/2.pdf?lang=en")  # a PDF is printed without the note
    assert pdf.status_code == 200 and "not available" not in _pdf_text(pdf.data)


def test_the_feed_is_in_the_language_asked_for(app, published):
    visitor = app.test_client()
    fi = visitor.get(f"{BASE}/feed.atom").get_data(as_text=True)
    assert 'xml:lang="fi"' in fi and "<title>Asiakasrekisteri – Rantakahvila Oy</title>" in fi
    assert "<title>Versio 1, laadittu 23.11.2026</title>" in fi
    en = visitor.get(f"{BASE}/feed.atom?lang=en").get_data(as_text=True)
    assert 'xml:lang="en"' in en and "<title>Customer register – Rantakahvila Oy</title>" in en
    assert "<title>Version 1, prepared on 23 November 2026</title>" in en
    assert f'<link rel="alternate" type="text/html" href="http://localhost{BASE}/v/1?lang=en"/>' in en
    page = visitor.get(f"{BASE}?lang=en").get_data(as_text=True)
    assert f'href="{BASE}/feed.atom?lang=en"' in page
    assert f'href="{BASE}/feed.atom"' in visitor.get(f"{BASE}?lang=fi").get_data(as_text=True)


def test_icon_description_and_absolute_alternates(app, published):
    visitor = app.test_client()
    icon = visitor.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    html = visitor.get(f"{BASE}?lang=fi").get_data(as_text=True)
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
    description = re.search(r'<meta name="description" content="([^"]+)">', html).group(1)
    assert description.startswith("Rantakahvila Oy: Asiakasrekisteri. Tietosuojaseloste kertoo")
    alternates = re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html)
    assert alternates == [
        ("fi", f"http://localhost{BASE}?lang=fi"),
        ("en", f"http://localhost{BASE}?lang=en"),
        ("x-default", f"http://localhost{BASE}"),
    ]
    for path in ("/", "/pricing", "/login", f"{BASE}/request"):
        assert 'rel="icon"' in visitor.get(path).get_data(as_text=True), path


def test_the_honeypot_is_out_of_everyones_reach(app, published):
    html = app.test_client().get(f"{BASE}/request").get_data(as_text=True)
    wrapper = re.search(r'<div class="hp" aria-hidden="true">(.*?)</div>', html).group(1)
    assert 'tabindex="-1"' in wrapper and 'autocomplete="off"' in wrapper
    css = app.test_client().get("/static/css/notice.css").get_data(as_text=True)
    assert ".hp { display: none !important; }" in css  # not rendered: no screen reader or Tab reaches it


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _structure(node, found: dict) -> dict:
    """How many elements of each structure type the tagged PDF's tree holds."""
    node = node.get_object()
    if "/S" in node:
        found[node["/S"]] = found.get(node["/S"], 0) + 1
    kids = node.get("/K")
    kids = kids.get_object() if kids is not None else []
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object()
        if hasattr(kid, "keys"):
            _structure(kid, found)
    return found


@pytest.mark.sqlite_only  # the PDF does not depend on the database
def test_the_pdf_is_tagged_paginated_and_its_links_work(app, published):
    r = app.test_client().get(f"{BASE}/v/1.pdf?lang=fi")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pdf = PdfReader(io.BytesIO(r.data))
    catalog = pdf.trailer["/Root"]
    # Tagged for screen readers (PDF/UA-1): language, title shown, a structure tree of the notice.
    assert catalog["/Lang"] == "fi" and bool(catalog["/MarkInfo"]["/Marked"])
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert pdf.metadata.title == "Asiakasrekisteri – Rantakahvila Oy"
    tags = _structure(catalog["/StructTreeRoot"], {})
    assert tags["/H1"] == 1 and tags["/H2"] >= 15 and tags["/L"] >= 5 and tags["/LI"] >= 20
    assert tags.get("/Link", 0) >= 3
    # A running header and page numbers on every page; the first page is full, not half empty.
    pages = [page.extract_text() for page in pdf.pages]
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "Rantakahvila Oy · Asiakasrekisteri · Versio 1 · Laatimispäivä 23.11.2026" in text, number
        assert f"Sivu {number} / {len(pages)}" in text, number
    first_page = pages[0]
    assert "Henkilötietojen käsittelyn tarkoitus ja oikeusperuste" in first_page
    assert "Tämä on versio" not in first_page  # the screen's pointer to the version in force is not printed
    # Links are clickable and absolute (BASE_URL).
    uris = [
        annotation.get_object()["/A"]["/URI"]
        for page in pdf.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]
    assert f"http://localhost{BASE}/history?lang=fi" in uris
    assert f"http://localhost{BASE}/v/1.json" in uris


def test_an_app_built_later_in_the_process_serves_nothing_cached_from_another_database(
    database_url, smtp_server
):
    """Two apps in one process (a worker re-created, a second database) share the process's caches:
    an address or a version id of the first database names other rows in the second."""
    from webapp import create_app

    cache.remember(("tenant", "rantakahvila-oy"), "a tenant of another database")
    cache.pages.put(("version", 1, "fi"), b"a page of another database")
    app = create_app(environ=app_environ(database_url, smtp_server.port))
    assert cache.resolved(("tenant", "rantakahvila-oy")) is None
    assert cache.pages.get(("version", 1, "fi")) is None
    app.extensions["seloste_db"].engine.dispose()
