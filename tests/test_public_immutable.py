"""What the public addresses promise caches: a version's address never changes its answer, and the
addresses that may change never claim to be unchanged when they are not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenants import accounts
from tenants.notices import service
from tenants.scoping import scoped_to, unscoped
from webapp import page_cache as cache
from webapp.public import views as public_views

from .conftest import publish_version
from .test_public_hardening import TODAY, N, T, _set_plan, publish_two_versions

# Every answer served `immutable` for a year.
IMMUTABLE = [
    f"{N}/v/1?lang=fi",
    f"{N}/v/2?lang=en",
    f"{N}/v/2",
    f"{N}/v/1.json",
    f"{N}/v/2.json",
    f"{N}/diff/1/2?lang=fi",
    f"{N}/diff/1/2?lang=en",
]
PDFS = [f"{N}/v/1.pdf?lang=fi", f"{N}/v/2.pdf?lang=en"]
# Every answer that may change (max-age=60).
CHANGING = [T, f"{N}?lang=fi", f"{N}?lang=en", f"{N}/history?lang=fi", f"{N}/feed.atom", f"{N}.json"]


@pytest.fixture
def published(session, notice_firm):
    """Rantakahvila Oy's notice with two versions (fi, en), on Free."""
    publish_two_versions(session, notice_firm)
    _set_plan(session, notice_firm, "free", datetime.now(UTC))
    return notice_firm


def _rename_organisation(session, firm, name: str, at: datetime) -> None:
    user, tenant, _notice = firm
    with scoped_to(session, tenant.id, user.id):
        accounts.update_tenant(
            session,
            tenant.id,
            by_user_id=user.id,
            name=name,
            street_address="",
            postal_code="",
            city="",
            default_language="fi",
            now=at,
        )
    session.commit()
    cache.forget_resolutions()


def _languages(session, firm, languages: list[str], primary: str) -> None:
    user, tenant, notice = firm
    with scoped_to(session, tenant.id, user.id):
        service.update_settings(
            session,
            tenant.id,
            notice.id,
            title="Asiakasrekisteri",
            languages=languages,
            primary_language=primary,
            now=datetime.now(UTC),
        )
    session.commit()


def _http_moment(value: str) -> datetime:
    from werkzeug.http import parse_date

    return parse_date(value)


# ------------------------------------------------------------------ immutable answers


def test_version_addresses_answer_the_same_bytes_whatever_the_plan_or_the_name(app, session, published):
    visitor = app.test_client()
    before = {path: visitor.get(path) for path in IMMUTABLE + PDFS}
    latest_free = visitor.get(f"{N}?lang=fi").get_data(as_text=True)
    assert all(r.status_code == 200 for r in before.values())
    assert all("immutable" in r.headers["Cache-Control"] for r in before.values())
    version_page = before[f"{N}/v/2?lang=en"].get_data(as_text=True)
    # No plan on a version's page: never the badge, always its PDF (which answers on every plan).
    assert 'class="made-with"' not in version_page and f"{N}/v/2.pdf?lang=en" in version_page
    assert 'class="made-with"' in latest_free and ".pdf" not in latest_free

    later = datetime.now(UTC) + timedelta(seconds=5)
    _set_plan(session, published, "pro", later)
    _rename_organisation(session, published, "Rantakahvila Ab", later)
    latest_pro = visitor.get(f"{N}?lang=fi").get_data(as_text=True)
    assert 'class="made-with"' not in latest_pro and f"{N}/v/2.pdf?lang=fi" in latest_pro
    cache.pages.clear()  # as a fresh process would render them
    for path in IMMUTABLE:
        after = visitor.get(path)
        assert after.data == before[path].data, path
        assert after.headers["ETag"] == before[path].headers["ETag"], path
        assert after.headers["Last-Modified"] == before[path].headers["Last-Modified"], path
    for path in PDFS:  # printed from the version's page, so the same document
        after = visitor.get(path)
        assert after.status_code == 200 and after.headers["ETag"] == before[path].headers["ETag"], path
    # The name is the one the version was published with.
    assert visitor.get(f"{N}/v/2.json").get_json()["controller"]["name"] == "Rantakahvila Oy"
    assert "Rantakahvila Ab" not in visitor.get(f"{N}/diff/1/2").get_data(as_text=True)
    assert "Rantakahvila Ab" in visitor.get(T).get_data(as_text=True)


def test_the_version_in_force_and_its_version_address_share_one_rendering(
    app, session, published, monkeypatch
):
    calls = []
    real = public_views.render
    monkeypatch.setattr(public_views, "render", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    visitor = app.test_client()
    for path in (f"{N}?lang=en", f"{N}/v/2?lang=en", f"{N}/v/2.pdf?lang=en"):
        assert visitor.get(path).status_code == 200, path
    _set_plan(session, published, "pro", datetime.now(UTC) + timedelta(seconds=5))
    pro = visitor.get(f"{N}?lang=en")
    assert pro.status_code == 200 and 'class="made-with"' not in pro.get_data(as_text=True)
    assert calls == ["en"]  # one rendering of version 2 in English, for every page and plan
    visitor.get(f"{N}?lang=fi")
    assert calls == ["en", "fi"]


# ------------------------------------------------------------------ answers that change


def test_renaming_the_organisation_leaves_no_stale_304(app, session, published):
    visitor = app.test_client()
    first = {path: visitor.get(path) for path in CHANGING}
    assert all(r.status_code == 200 and r.headers.get("Last-Modified") for r in first.values())

    renamed_at = datetime.now(UTC) + timedelta(seconds=5)
    _rename_organisation(session, published, "Rantakahvila Ab", renamed_at)
    for path, earlier in first.items():
        since = visitor.get(path, headers={"If-Modified-Since": earlier.headers["Last-Modified"]})
        fresh = visitor.get(path)
        if fresh.data != earlier.data:
            assert since.status_code == 200 and since.data == fresh.data, path
        # Never older than the change, whether or not this answer shows the name.
        assert _http_moment(fresh.headers["Last-Modified"]) >= renamed_at.replace(microsecond=0), path
    assert "Rantakahvila Ab" in visitor.get(T).get_data(as_text=True)
    assert "Rantakahvila Ab" in visitor.get(f"{N}/history").get_data(as_text=True)
    assert "Rantakahvila Ab" in visitor.get(f"{N}/feed.atom").get_data(as_text=True)


def test_saving_unchanged_settings_does_not_touch_the_pages(app, session, published):
    visitor = app.test_client()
    first = visitor.get(T)
    _rename_organisation(session, published, "Rantakahvila Oy", datetime.now(UTC) + timedelta(seconds=5))
    assert visitor.get(T, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304


def test_renaming_a_notice_address_leaves_no_stale_304_on_the_tenant_page(app, session, published):
    user, tenant, notice = published
    visitor = app.test_client()
    first = visitor.get(T)
    with scoped_to(session, tenant.id, user.id):
        service.rename_notice(
            session, tenant.id, notice.id, "asiakkaat", now=datetime.now(UTC) + timedelta(seconds=5)
        )
    session.commit()
    cache.forget_resolutions()
    since = visitor.get(T, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 200 and "/rantakahvila-oy/asiakkaat" in since.get_data(as_text=True)


def test_a_tenant_that_never_published_has_a_dated_page(app, session, make_owner):
    make_owner("aino@uusiyritys.fi", "Uusi Yritys Oy")
    visitor = app.test_client()
    page = visitor.get("/uusi-yritys-oy")
    assert page.status_code == 200 and page.headers["Last-Modified"] and page.headers["ETag"]
    again = visitor.get("/uusi-yritys-oy", headers={"If-Modified-Since": page.headers["Last-Modified"]})
    assert again.status_code == 304


# ------------------------------------------------------------------ comparing across languages


def test_versions_without_a_shared_language_are_not_compared(app, session, notice_firm):
    _languages(session, notice_firm, ["fi"], "fi")
    publish_version(session, notice_firm, today=TODAY)
    _languages(session, notice_firm, ["en"], "en")
    publish_version(session, notice_firm, today=TODAY, note="In English only")
    visitor = app.test_client()
    for path in (f"{N}/diff/1/2", f"{N}/diff/2/1?lang=fi", f"{N}/diff/1/2?lang=sv", f"{N}/diff/1/2?lang=%00"):
        r = visitor.get(path, headers={"Accept-Language": "en"})
        html = r.get_data(as_text=True)
        assert r.status_code == 200, path
        assert 'id="no-shared-language"' in html, path
        assert f'href="{N}/v/1?lang=fi"' in html and f'href="{N}/v/2?lang=en"' in html, path
        assert "<ins>" not in html and "<del>" not in html, path
    assert '<html lang="fi">' in visitor.get(f"{N}/diff/1/2?lang=fi").get_data(as_text=True)


def test_versions_are_compared_in_a_language_both_have(app, session, notice_firm):
    _languages(session, notice_firm, ["fi", "en"], "fi")
    publish_version(session, notice_firm, today=TODAY)
    _languages(session, notice_firm, ["en"], "en")
    publish_version(
        session,
        notice_firm,
        today=TODAY,
        note="Finnish dropped",
        edit=lambda d: d.sources.append({"fi": "Lomake", "en": "Web form"}),
    )
    r = app.test_client().get(f"{N}/diff/1/2?lang=fi")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and '<html lang="en">' in html
    assert "Web form</ins>" in html and 'id="no-shared-language"' not in html
    assert "Accept-Language" in r.headers.get("Vary", "")  # ?lang=fi is not one of its languages


def test_renaming_the_organisation_in_the_app_is_logged_and_dates_the_public_pages(
    client, session, published, monkeypatch
):
    from sqlalchemy import select

    from tenants.models import TenantEvent
    from webapp.workspace import views as workspace

    from .conftest import login

    visitor = client.application.test_client()
    published_page = visitor.get(T)
    clock = datetime.now(UTC) + timedelta(seconds=5)
    monkeypatch.setattr(workspace, "_now", lambda: clock)
    login(client, "olli@rantakahvila.fi")
    form = {
        "name": "Rantakahvila Ab",
        "slug": "rantakahvila-oy",
        "street_address": "Rantatie 1",
        "postal_code": "00100",
        "city": "Helsinki",
        "default_language": "fi",
        "request_retention_months": "24",
    }
    assert client.post_form("/app/organisation", form).status_code == 302
    with unscoped(session):
        events = session.scalars(select(TenantEvent).where(TenantEvent.kind == "organisation_changed")).all()
    assert [sorted(e.data["fields"]) for e in events] == [["city", "name", "postal_code", "street_address"]]
    since = visitor.get(T, headers={"If-Modified-Since": published_page.headers["Last-Modified"]})
    assert since.status_code == 200 and "Rantakahvila Ab" in since.get_data(as_text=True)
