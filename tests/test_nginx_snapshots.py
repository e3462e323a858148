"""nginx with deploy/'s configuration answers every public URL of a few notices from their snapshots,
with the app unreachable, exactly as the app answers: the body byte for byte and the headers that
matter (type, caching, dates, Vary, security, file name, CORS, redirects, 410). Twice: from the
folder the worker writes, and from a web machine's mirror (`flask snapshots pull`) of the bucket the
worker writes instead (a moto server on loopback)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import pytest

from tenants import accounts
from tenants.notices import publishing, service
from tenants.scoping import scoped_to, unscoped
from webapp import page_cache as cache
from webapp.snapshot_mirror import pull
from webapp.snapshots import work

from .conftest import bound_app, publish_version
from .nginx_support import fetch, free_port, nginx_binary, running_nginx
from .support import answered_notice, skip_or_fail

TODAY = date(2026, 11, 23)
BUCKET = "seloste-nginx-snapshots"
COMPARED = (
    "Content-Type",
    "Cache-Control",
    "Last-Modified",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
    "Content-Disposition",
    "Access-Control-Allow-Origin",
    "Location",
)
ASKED = [
    ({}, {}),
    ({"lang": "fi"}, {}),
    ({"lang": "sv"}, {}),
    ({"lang": "en"}, {}),
    ({}, {"Accept-Language": "en-GB,en;q=0.9"}),
    ({}, {"Accept-Language": "sv-FI, sv;q=0.8, fi;q=0.5"}),
    ({}, {"Accept-Language": "de, en;q=0.5"}),
    ({"lang": "sv"}, {"Accept-Language": "en"}),
    ({"lang": "de"}, {"Accept-Language": "en"}),
]


@pytest.fixture
def snapshot_dir(tmp_path):
    return tmp_path / "snapshots"


@pytest.fixture(scope="module")
def s3_endpoint():
    """A moto S3 server on loopback for this module."""
    from moto.server import ThreadedMotoServer

    port = free_port(18500)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def app(database_url, engine, smtp_server, snapshot_dir, request, monkeypatch):
    """The app whose worker writes the snapshot folder (`local`) or a bucket (`s3`)."""
    if nginx_binary() is None:
        skip_or_fail("nginx is not installed (apt-get install nginx-light)")
    extra = {"SNAPSHOT_DIR": str(snapshot_dir)}
    if request.param == "s3":
        import boto3

        endpoint = request.getfixturevalue("s3_endpoint")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="eu-north-1")
        try:
            s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
        for obj in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=obj["Key"])
        extra.update(SNAPSHOT_S3_BUCKET=BUCKET, SNAPSHOT_S3_ENDPOINT_URL=endpoint)
    with bound_app(database_url, engine, smtp_server, **extra) as application:
        yield application


def _serve_folder(app, snapshot_dir) -> None:
    """With a bucket, this machine's mirror of it is the folder nginx serves."""
    if app.config["SNAPSHOT_BACKEND"] == "s3":
        report = pull(app.extensions["seloste_snapshots"].client, BUCKET, snapshot_dir)
        assert report.fetched and not report.removed


def _vary(value: str | None) -> set[str]:
    return {v.strip() for v in (value or "").split(",") if v.strip() and v.strip() != "Accept-Encoding"}


def _compare(app, port, path, query, headers) -> list[str]:
    answer = app.test_client().get(path, query_string=query, headers=headers)
    url = path + ("?" + urlencode(query) if query else "")
    status, got, body = fetch(port, url, headers)
    problems = []
    where = f"{url} {headers}"
    if status != answer.status_code:
        return [f"{where}: status {status}, app {answer.status_code}"]
    if answer.status_code != 301 and body != answer.get_data():
        problems.append(f"{where}: body differs ({len(body)} vs {len(answer.get_data())} bytes)")
    for name in COMPARED:
        if name == "Last-Modified" and status == 410:
            continue  # nginx dates no error page (the body is still the app's, dated inside)
        if name == "Content-Type" and status == 301:
            continue  # a redirect's body is nginx's own short page
        if got.get(name) != answer.headers.get(name):
            problems.append(f"{where}: {name} {got.get(name)!r}, app {answer.headers.get(name)!r}")
    varies = ", ".join(got.get_all("Vary") or [])  # gzip_vary adds its own Vary line
    if _vary(varies) != _vary(answer.headers.get("Vary")):
        problems.append(f"{where}: Vary {varies!r}, app {answer.headers.get('Vary')!r}")
    if status == 200:
        assert got.get("ETag") and answer.headers.get("ETag")
        # both validators work: nginx's own ETag and the app's Last-Modified
        assert fetch(port, url, {**headers, "If-None-Match": got["ETag"]})[0] == 304
        since = {**headers, "If-Modified-Since": got["Last-Modified"]}
        assert fetch(port, url, since)[0] == 304
        assert app.test_client().get(path, query_string=query, headers=since).status_code == 304
    return problems


def _public_urls(tenant_slug, notice_slug, versions):
    base = f"/{tenant_slug}/{notice_slug}"
    urls = [f"/{tenant_slug}", base, f"{base}/history", f"{base}.json", f"{base}/feed.atom"]
    for n in range(1, versions + 1):
        urls += [f"{base}/v/{n}", f"{base}/v/{n}.json", f"{base}/v/{n}.pdf"]
        if n > 1:
            urls.append(f"{base}/diff/{n - 1}/{n}")
    return urls


def test_nginx_answers_every_public_url_as_the_app_does_while_the_app_is_down(
    app, session, notice_firm, make_owner, snapshot_dir, tmp_path
):
    user, tenant, notice = notice_firm
    publish_version(session, notice_firm, today=TODAY)
    publish_version(session, notice_firm, today=TODAY, note="Säilytysaika tarkennettu")

    # A Free firm, Finnish only, later renamed (organisation and notice), and a withdrawn notice.
    other, free = make_owner("aino@kirjasto.fi", "Kirjastokahvila Oy", plan="free")
    with scoped_to(session, free.id, other.id):
        second = answered_notice(session, free.id, other.id, title="Jäsenrekisteri")
    session.commit()
    publish_version(session, (other, free, second), today=TODAY)
    with scoped_to(session, free.id, other.id):
        service.rename_notice(session, free.id, second.id, "jasenet", now=datetime.now(UTC))
        accounts.update_tenant(
            session,
            free.id,
            by_user_id=other.id,
            name="Kirjastokahvila Ab Oy",
            street_address="",
            postal_code="",
            city="",
            default_language="fi",
            now=datetime.now(UTC),
        )
    session.commit()
    with unscoped(session):
        publishing.rename_tenant(session, free.id, "kirjasto")
    session.commit()

    third_owner, third = make_owner("eero@paja.fi", "Paja Oy", business_id="0112038-9")
    with scoped_to(session, third.id, third_owner.id):
        gone = answered_notice(
            session,
            third.id,
            third_owner.id,
            title="Rekrytointi",
            languages=["fi", "sv"],
            primary_language="sv",
        )
    session.commit()
    publish_version(session, (third_owner, third, gone), today=TODAY)
    with scoped_to(session, third.id, third_owner.id):
        publishing.withdraw(session, third.id, gone.id, now=datetime.now(UTC))
    session.commit()
    cache.forget_resolutions()

    assert len(work(app)) == 3
    _serve_folder(app, snapshot_dir)

    urls = _public_urls("rantakahvila-oy", "asiakasrekisteri", 2) + _public_urls("kirjasto", "jasenet", 1)
    withdrawn = [u for u in _public_urls("paja-oy", "rekrytointi", 1) if u != "/paja-oy"]
    moved = ["/kirjastokahvila-oy", "/kirjastokahvila-oy/jasenet/v/1.pdf", "/kirjasto/jasenrekisteri.json"]
    dead = free_port()  # nothing listens there: every answer below comes from the snapshots
    with running_nginx(tmp_path / "nginx", snapshot_dir, [dead]) as (port, _reload):
        problems = []
        for url in urls + withdrawn:
            for query, headers in ASKED:
                problems += _compare(app, port, url, query, headers)
        for url in moved:
            problems += _compare(app, port, url, {"lang": "en"}, {})
        assert problems == [], "\n".join(problems[:60])
        # the request form is the app's alone: while it is down, a page in the visitor's language
        status, headers, body = fetch(port, "/kirjasto/jasenet/request", {"Accept-Language": "sv"})
        assert status == 503 and headers["Retry-After"] == "60"
        assert "inte tillgänglig" in body.decode()
        assert parsedate_to_datetime(headers["Date"]) <= datetime.now(UTC)
