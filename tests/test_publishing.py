"""Publishing and the public URL contract."""

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from tenants.errors import ValidationFailed
from tenants.notices import publishing, service
from tenants.notices.models import NoticeVersion
from tenants.notices.publishing import ImmutableVersion, canonical_json
from tenants.scoping import scoped_to, unscoped
from webapp import page_cache as cache

from .conftest import login, publish_version

TODAY = date(2026, 11, 23)


@pytest.fixture
def firm(notice_firm):
    """The firm with its ready notice, not yet published."""
    return notice_firm


def publish(session, firm, *, today=TODAY, **changes):
    """Publish as of TODAY unless told otherwise."""
    return publish_version(session, firm, today=today, **changes)


def test_publish_creates_numbered_versions_with_hash(session, firm):
    v1 = publish(session, firm)
    assert (v1.number, v1.prepared_on) == (1, TODAY)
    assert v1.content["prepared_on"] == "2026-11-23"
    expected = hashlib.sha256(canonical_json({"languages": ["fi", "en"], "content": v1.content})).hexdigest()
    assert v1.content_hash == expected
    v2 = publish(
        session,
        firm,
        note="Lisätty uutiskirjepalvelu",
        today=TODAY + timedelta(days=3),
        edit=lambda d: d.recipients.append({"fi": "Uutiskirjepalvelu", "en": "Newsletter service"}),
    )
    assert (
        v2.number == 2 and v2.prepared_on == TODAY + timedelta(days=3) and v2.content_hash != v1.content_hash
    )
    assert firm[2].published_number == 2 and firm[2].status == "published"


def test_publish_rules(session, firm):
    user, tenant, notice = firm
    publish(session, firm, prepared_on=TODAY)
    with pytest.raises(ValidationFailed, match="prepared_on_before_previous"):
        publish(session, firm, prepared_on=TODAY - timedelta(days=1), note="x")
    session.rollback()
    with pytest.raises(ValidationFailed, match="change_note_required"):
        publish(session, firm)
    session.rollback()
    with pytest.raises(ValidationFailed, match="prepared_on_in_future"):
        publish(session, firm, prepared_on=TODAY + timedelta(days=1), note="x")
    session.rollback()
    with pytest.raises(ValidationFailed, match="not_ready"):
        publish(session, firm, note="x", edit=lambda d: setattr(d, "retention", {}))
    session.rollback()
    with unscoped(session):
        assert session.scalar(select(NoticeVersion.number).order_by(NoticeVersion.number.desc())) == 1


def test_versions_cannot_be_changed_or_deleted_by_the_application(session, firm):
    version = publish(session, firm)
    with unscoped(session):
        version.change_note = "rewritten history"
        with pytest.raises(ImmutableVersion):
            session.flush()
        session.rollback()
        session.delete(session.get(NoticeVersion, version.id))
        with pytest.raises(ImmutableVersion):
            session.flush()
        session.rollback()


@pytest.mark.parametrize(
    "statement", ["UPDATE notice_version SET change_note = 'x'", "DELETE FROM notice_version"]
)
def test_the_database_refuses_update_and_delete(session, firm, statement):
    publish(session, firm)
    with unscoped(session):
        with pytest.raises(Exception, match="immutable"):
            with session.begin_nested():
                session.execute(text(statement))


def test_public_page_in_languages_with_alternates(app, session, firm):
    publish(session, firm)
    visitor = app.test_client()
    r = visitor.get("/rantakahvila-oy/asiakasrekisteri")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and '<html lang="fi">' in html
    # Fully qualified, from BASE_URL (search engines ignore relative hreflang alternates).
    assert 'hreflang="en" href="http://localhost/rantakahvila-oy/asiakasrekisteri?lang=en"' in html
    assert "Rantakahvila Oy" in html and "Tietosuojavaltuutetun toimisto" in html
    assert firm[2].published_number == 1
    en = visitor.get("/rantakahvila-oy/asiakasrekisteri", headers={"Accept-Language": "en-GB,en"})
    assert '<html lang="en">' in en.get_data(as_text=True)
    assert "Office of the Data Protection Ombudsman" in en.get_data(as_text=True)
    sv = visitor.get("/rantakahvila-oy/asiakasrekisteri?lang=sv")  # not a language of this notice
    assert '<html lang="fi">' in sv.get_data(as_text=True)
    assert "frame-ancestors *" in r.headers["Content-Security-Policy"] and "X-Frame-Options" not in r.headers


def test_conditional_requests_and_cache_headers(app, session, firm):
    publish(session, firm)
    visitor = app.test_client()
    r = visitor.get("/rantakahvila-oy/asiakasrekisteri?lang=fi")
    assert r.headers["ETag"] and r.headers["Last-Modified"]
    assert "max-age=60" in r.headers["Cache-Control"] and "public" in r.headers["Cache-Control"]
    again = visitor.get(
        "/rantakahvila-oy/asiakasrekisteri?lang=fi", headers={"If-None-Match": r.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    since = visitor.get(
        "/rantakahvila-oy/asiakasrekisteri?lang=fi", headers={"If-Modified-Since": r.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    v = visitor.get("/rantakahvila-oy/asiakasrekisteri/v/1")
    assert "max-age=31536000" in v.headers["Cache-Control"] and "immutable" in v.headers["Cache-Control"]


def test_version_urls_stay_and_latest_moves(app, session, firm):
    v1 = publish(session, firm)
    publish(
        session,
        firm,
        note="Uusi vastaanottaja",
        edit=lambda d: d.recipients.append({"fi": "Kuljetusliike", "en": "Courier"}),
    )
    visitor = app.test_client()
    assert "Kuljetusliike" in visitor.get("/rantakahvila-oy/asiakasrekisteri").get_data(as_text=True)
    old = visitor.get("/rantakahvila-oy/asiakasrekisteri/v/1").get_data(as_text=True)
    assert "Kuljetusliike" not in old and v1.content_hash in old
    assert visitor.get("/rantakahvila-oy/asiakasrekisteri/v/3").status_code == 404


def test_json_matches_the_documented_shape_and_hash(app, session, firm):
    v1 = publish(session, firm)
    data = app.test_client().get("/rantakahvila-oy/asiakasrekisteri.json").get_json()
    assert data["format"] == "seloste-notice/1"
    assert data["version"]["number"] == 1 and data["version"]["prepared_on"] == "2026-11-23"
    assert data["version"]["content_hash"] == {"algorithm": "sha256", "value": v1.content_hash}
    recomputed = hashlib.sha256(
        canonical_json({"languages": data["version"]["languages"], "content": data["content"]})
    ).hexdigest()
    assert recomputed == v1.content_hash
    assert data["links"]["history"].endswith("/rantakahvila-oy/asiakasrekisteri/history")
    assert (
        app.test_client().get("/rantakahvila-oy/asiakasrekisteri/v/1.json").get_json()["content"]
        == data["content"]
    )


def test_history_lists_versions_with_periods(app, session, firm):
    publish(session, firm, prepared_on=TODAY - timedelta(days=10))
    publish(
        session,
        firm,
        note="Säilytysaika tarkennettu",
        edit=lambda d: d.retention.update({"fi": "<p>Kolme vuotta</p>", "en": "<p>Three years</p>"}),
    )
    html = app.test_client().get("/rantakahvila-oy/asiakasrekisteri/history").get_data(as_text=True)
    assert "13.11.2026" in html and "23.11.2026" in html
    assert "Säilytysaika tarkennettu" in html
    assert html.count("SHA-256") == 2
    assert "/rantakahvila-oy/asiakasrekisteri/diff/1/2" in html


def test_diff_shows_what_changed_section_by_section(app, session, firm):
    publish(session, firm)
    publish(
        session,
        firm,
        note="Muutoksia",
        edit=lambda d: (
            d.retention.update(
                {"fi": "<p>Tiedot säilytetään kolme vuotta.</p>", "en": "<p>Three years.</p>"}
            ),
            setattr(d, "other_information", {"fi": "<p>Lisätietoa.</p>", "en": "<p>More.</p>"}),
        ),
    )
    html = app.test_client().get("/rantakahvila-oy/asiakasrekisteri/diff/1/2").get_data(as_text=True)
    assert "<ins>Tiedot säilytetään kolme vuotta.</ins>" in html
    assert "<del>" in html.split('id="d-retention"')[1].split("</section>")[0]
    assert 'id="d-other_information"' in html  # a new section
    assert 'id="d-controller"' not in html  # unchanged sections are only named
    assert app.test_client().get("/rantakahvila-oy/asiakasrekisteri/diff/1/1").status_code == 404


def test_feed_lists_versions(app, session, firm):
    publish(session, firm)
    publish(
        session, firm, note="Toinen versio", edit=lambda d: d.sources.append({"fi": "Lomake", "en": "Form"})
    )
    r = app.test_client().get("/rantakahvila-oy/asiakasrekisteri/feed.atom")
    assert r.mimetype == "application/atom+xml"
    xml = r.get_data(as_text=True)
    assert xml.count("<entry>") == 2 and "Toinen versio" in xml
    from xml.etree import ElementTree

    ElementTree.fromstring(xml)  # well-formed


def test_pdf_contains_the_notice_text(app, session, firm):
    publish(session, firm)
    r = app.test_client().get("/rantakahvila-oy/asiakasrekisteri/v/1.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    import io

    from pypdf import PdfReader

    text_ = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    assert "Rantakahvila Oy" in text_ and "Tietosuojavaltuutetun" in text_


def test_tenant_index_lists_only_published(app, session, firm):
    user, tenant, notice = firm
    with scoped_to(session, tenant.id, user.id):
        service.create_notice(
            session,
            tenant.id,
            by_user_id=user.id,
            title="Luonnos",
            languages=["fi"],
            primary_language="fi",
            starter_key=None,
            now=datetime.now(UTC),
        )
    session.commit()
    publish(session, firm)
    html = app.test_client().get("/rantakahvila-oy").get_data(as_text=True)
    assert "Asiakasrekisteri" in html and "Luonnos" not in html
    assert app.test_client().get("/rantakahvila-oy/luonnos").status_code == 404


def test_unknown_and_unpublished_are_404_in_the_visitors_language(app, firm):
    r = app.test_client().get("/rantakahvila-oy/asiakasrekisteri", headers={"Accept-Language": "sv"})
    assert r.status_code == 404 and "Sidan hittades inte" in r.get_data(as_text=True)
    assert app.test_client().get("/no-such-firm/x").status_code == 404


def test_another_tenants_notice_is_not_reachable_under_a_foreign_address(app, session, firm, make_owner):
    publish(session, firm)
    make_owner("toinen@firma.fi", "Toinen Oy")
    assert app.test_client().get("/toinen-oy/asiakasrekisteri").status_code == 404


def test_renamed_addresses_redirect_forever(app, client, session, firm):
    user, tenant, notice = firm
    publish(session, firm)
    with scoped_to(session, tenant.id, user.id):
        service.rename_notice(session, tenant.id, notice.id, "asiakkaat")
        publishing.rename_tenant(session, tenant.id, "rantakahvila")
    session.commit()
    cache.forget_resolutions()
    visitor = app.test_client()
    r = visitor.get("/rantakahvila-oy/asiakasrekisteri/v/1.json?x=1")
    assert r.status_code == 301 and r.headers["Location"] == "/rantakahvila/asiakasrekisteri/v/1.json?x=1"
    r = visitor.get("/rantakahvila/asiakasrekisteri/history")
    assert r.status_code == 301 and r.headers["Location"] == "/rantakahvila/asiakkaat/history"
    assert visitor.get("/rantakahvila/asiakkaat", follow_redirects=True).status_code == 200
    assert visitor.get("/rantakahvila-oy", follow_redirects=True).request.path == "/rantakahvila"
    # The old address is never given to another firm.
    from tenants import accounts

    with unscoped(session):
        other = accounts.create_tenant(
            session, name="Rantakahvila Oy", business_id="2617416-4", now=datetime.now(UTC)
        )
    assert other.slug != "rantakahvila-oy"


def test_withdrawn_notice_says_so_at_every_address(app, session, firm):
    user, tenant, notice = firm
    publish(session, firm)
    with scoped_to(session, tenant.id, user.id):
        publishing.withdraw(session, tenant.id, notice.id, now=datetime(2026, 12, 1, 10, tzinfo=UTC))
    session.commit()
    cache.forget_resolutions()
    for path in (
        "/rantakahvila-oy/asiakasrekisteri",
        "/rantakahvila-oy/asiakasrekisteri/v/1",
        "/rantakahvila-oy/asiakasrekisteri/history",
    ):
        r = app.test_client().get(path)
        assert r.status_code == 410 and "1.12.2026" in r.get_data(as_text=True)


def test_first_path_segments_of_the_app_are_reserved_slugs(app):
    from tenants.validation import is_reserved_slug

    firsts = {rule.rule.split("/")[1] for rule in app.url_map.iter_rules()} - {"", "<slug:tenant_slug>"}
    assert all(is_reserved_slug(first) for first in firsts), sorted(
        f for f in firsts if not is_reserved_slug(f)
    )


def test_publish_through_the_app(client, session, firm):
    login(client, "olli@rantakahvila.fi")
    nid = firm[2].id
    r = client.post_form(f"/app/notices/{nid}/publish", {"prepared_on": "2026-11-20", "change_note": ""})
    assert r.status_code == 302 and r.headers["Location"] == f"/app/notices/{nid}/published"
    page = client.get(f"/app/notices/{nid}/published").get_data(as_text=True)
    assert "http://localhost/rantakahvila-oy/asiakasrekisteri" in page
    assert "data-seloste" in page and "embed.js" in page
    r = client.post_form(f"/app/notices/{nid}/publish", {"prepared_on": "2026-11-19", "change_note": "x"})
    assert r.status_code == 200 and 'id="prepared_on-error"' in r.get_data(as_text=True)
    assert 'value="2026-11-19"' in r.get_data(as_text=True)


def test_owner_renames_the_tenant_address_in_the_app(client, session, firm):
    publish(session, firm)
    login(client, "olli@rantakahvila.fi")
    form = {
        "name": "Rantakahvila Oy",
        "slug": "ranta",
        "street_address": "",
        "postal_code": "",
        "city": "",
        "default_language": "fi",
        "request_retention_months": "24",
    }
    r = client.post_form("/app/organisation", form)
    assert r.status_code == 302
    assert client.get("/rantakahvila-oy/asiakasrekisteri").headers["Location"] == "/ranta/asiakasrekisteri"
    r = client.post_form("/app/organisation", {**form, "slug": "app"})
    assert r.status_code == 200 and 'aria-invalid="true"' in r.get_data(as_text=True)


def test_a_failure_while_publishing_leaves_no_half_made_version(client, session, firm, monkeypatch):
    login(client, "olli@rantakahvila.fi")
    nid = firm[2].id

    def explode():
        raise RuntimeError("cache went away")

    monkeypatch.setattr(cache, "forget_resolutions", explode)
    r = client.post_form(f"/app/notices/{nid}/publish", {"prepared_on": "", "change_note": ""})
    assert r.status_code == 500
    with unscoped(session):
        session.expire_all()
        assert session.scalars(select(NoticeVersion)).all() == []
        assert service.get_notice(session, firm[1].id, nid).published_number is None


def test_public_pages_do_not_vary_by_cookie(app, session, firm):
    publish(session, firm)
    visitor = app.test_client()
    visitor.set_cookie("lang", "sv")
    for url in (
        "/rantakahvila-oy/asiakasrekisteri",
        "/rantakahvila-oy/asiakasrekisteri/v/1",
        "/rantakahvila-oy/asiakasrekisteri/history",
        "/rantakahvila-oy/asiakasrekisteri.json",
    ):
        r = visitor.get(url)
        assert r.status_code == 200 and "Cookie" not in r.headers.get("Vary", ""), (
            url,
            r.headers.get("Vary"),
        )
        assert "Set-Cookie" not in r.headers
