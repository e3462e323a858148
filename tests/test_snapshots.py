"""Public snapshots: queued with every public change, written by the worker from the app's own
answers, atomic and idempotent, with redirects and 410s; in a folder or an S3 bucket."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from tenants import accounts
from tenants.billing import service as billing
from tenants.models import SnapshotJob
from tenants.notices import publishing, service
from tenants.scoping import scoped_to, unscoped
from webapp import page_cache as cache
from webapp.snapshots import work

from .conftest import bound_app, publish_version
from .support import answered_notice, invoke_until_sigterm

TODAY = date(2026, 11, 23)
T, N = "rantakahvila-oy", "asiakasrekisteri"


@pytest.fixture
def snapshot_dir(tmp_path):
    return tmp_path / "snapshots"


@pytest.fixture
def app(database_url, engine, smtp_server, snapshot_dir):
    with bound_app(database_url, engine, smtp_server, SNAPSHOT_DIR=str(snapshot_dir)) as application:
        yield application


def _jobs(session, tenant_id, status="pending"):
    with unscoped(session):
        return list(
            session.scalars(
                select(SnapshotJob).where(SnapshotJob.tenant_id == tenant_id, SnapshotJob.status == status)
            )
        )


def _files(root):
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_publishing_queues_a_job_and_the_worker_writes_every_public_answer(
    app, session, notice_firm, snapshot_dir
):
    user, tenant, notice = notice_firm
    before = len(_jobs(session, tenant.id))  # creating the organisation on Pro queued one already
    publish_version(session, notice_firm, today=TODAY)
    publish_version(session, notice_firm, today=TODAY, note="Toinen")
    assert len(_jobs(session, tenant.id)) == before + 2  # one per publishing transaction

    reports = work(app)
    assert len(reports) == 1  # the later jobs were covered by the first build
    assert _jobs(session, tenant.id) == [] and len(_jobs(session, tenant.id, "done")) == before + 2

    files = _files(snapshot_dir)
    # fi+en notice: each language, the main one by default, and the note for Swedish in both
    for path in (f"{T}/{N}", f"{T}/{N}/v/1", f"{T}/{N}/v/2"):
        assert {
            f"{path}/@fi",
            f"{path}/@en",
            f"{path}/@d-fi",
            f"{path}/@u-sv-fi",
            f"{path}/@u-sv-en",
        } <= files
    for path in (f"{T}/{N}/history", f"{T}/{N}/diff/1/2", f"{T}/{N}/v/1.pdf", f"{T}/{N}/v/2.pdf"):
        assert {f"{path}/@fi", f"{path}/@en", f"{path}/@d-fi"} <= files
        assert f"{path}/@u-sv-fi" not in files  # the same as the page in Finnish: nginx negotiates it
    assert {
        f"{T}/{N}.json/@d",
        f"{T}/{N}/v/1.json/@d",
        f"{T}/{N}/feed.atom/@d",
        f"{T}/{N}/feed.atom/@en",
    } <= files
    assert {f"{T}/@fi", f"{T}/@sv", f"{T}/@en", f"{T}/@d-fi"} <= files

    # byte for byte what the app answers, dated as the app dates it
    client = app.test_client()
    for path, query, key in (
        (f"/{T}/{N}", "lang=en", f"{T}/{N}/@en"),
        (f"/{T}/{N}/v/1", "lang=sv", f"{T}/{N}/v/1/@u-sv-d-fi"),
        (f"/{T}/{N}.json", "", f"{T}/{N}.json/@d"),
        (f"/{T}/{N}/v/2.pdf", "lang=en", f"{T}/{N}/v/2.pdf/@en"),
    ):
        answer = client.get(path, query_string=query)
        stored = snapshot_dir / key
        assert stored.read_bytes() == answer.get_data()
        assert stored.stat().st_mtime == parsedate_to_datetime(answer.headers["Last-Modified"]).timestamp()
    assert (snapshot_dir / f"{T}/{N}/v/2.pdf/@fi").read_bytes().startswith(b"%PDF")

    manifest = json.loads((snapshot_dir / f"{T}/{N}/@manifest.json").read_text())
    with scoped_to(session, tenant.id):
        hashes = [v.content_hash for v in reversed(publishing.list_versions(session, tenant.id, notice.id))]
    assert [v["content_hash"] for v in manifest["versions"]] == hashes

    # idempotent: a rebuild with nothing changed rewrites nothing, not even a PDF
    before = {f: os.stat(snapshot_dir / f).st_mtime_ns for f in files}
    inodes = {f: os.stat(snapshot_dir / f).st_ino for f in files}
    with unscoped(session):
        from tenants import snapshots as jobs

        jobs.queue(session, tenant.id, "rebuild", now=datetime.now(UTC))
    session.commit()
    (report,) = work(app)
    assert report.written == 0 and report.removed == 0 and report.unchanged > 20
    assert {f: os.stat(snapshot_dir / f).st_mtime_ns for f in files} == before
    assert {f: os.stat(snapshot_dir / f).st_ino for f in files} == inodes


def test_renames_withdrawal_and_plan_changes_are_rewritten(app, session, notice_firm, snapshot_dir):
    user, tenant, notice = notice_firm
    publish_version(session, notice_firm, today=TODAY)
    work(app)
    assert b"Made with Seloste" not in (snapshot_dir / f"{T}/{N}/@fi").read_bytes()  # Pro

    with scoped_to(session, tenant.id, user.id):
        billing.set_plan(session, tenant, "free", now=datetime.now(UTC), source="operator")
    session.commit()
    cache.forget_resolutions()
    assert _jobs(session, tenant.id)
    work(app)
    assert "Seloste" in (snapshot_dir / f"{T}/{N}/@fi").read_text()
    latest_free = (snapshot_dir / f"{T}/{N}/@fi").read_bytes()
    assert latest_free == app.test_client().get(f"/{T}/{N}?lang=fi").get_data()

    with scoped_to(session, tenant.id, user.id):
        accounts.update_tenant(
            session,
            tenant.id,
            by_user_id=user.id,
            name="Rantakahvila Ab Oy",
            street_address="",
            postal_code="",
            city="",
            default_language="fi",
            now=datetime.now(UTC),
        )
    session.commit()
    cache.forget_resolutions()
    assert _jobs(session, tenant.id)  # the organisation's new name is on its public pages
    work(app)
    assert "Rantakahvila Ab Oy" in (snapshot_dir / f"{T}/@fi").read_text()
    assert "Rantakahvila Ab Oy" in (snapshot_dir / f"{T}/{N}/history/@fi").read_text()

    with scoped_to(session, tenant.id, user.id):
        service.rename_notice(session, tenant.id, notice.id, "asiakkaat", now=datetime.now(UTC))
    session.commit()
    with unscoped(session):
        publishing.rename_tenant(session, tenant.id, "rantakahvila")
    session.commit()
    cache.forget_resolutions()
    work(app)
    files = _files(snapshot_dir)
    assert "rantakahvila/asiakkaat/@fi" in files
    assert not any(f.startswith(f"{T}/") for f in files)  # the old addresses are redirects now
    rules = (snapshot_dir / "@redirects.map").read_text().splitlines()
    assert rules == [
        "~^/rantakahvila/asiakasrekisteri([./].*)?$ /rantakahvila/asiakkaat$1;",
        f"~^/{T}(/.*)?$ /rantakahvila$1;",
    ]

    with scoped_to(session, tenant.id, user.id):
        publishing.withdraw(session, tenant.id, notice.id, now=datetime.now(UTC))
    session.commit()
    cache.forget_resolutions()
    work(app)
    files = _files(snapshot_dir)
    assert {"rantakahvila/asiakkaat/@gone/@fi", "rantakahvila/asiakkaat/@gone/@d-fi"} <= files
    assert not any(f.startswith("rantakahvila/asiakkaat/v/") for f in files)
    gone = app.test_client().get("/rantakahvila/asiakkaat/v/1?lang=en")
    assert gone.status_code == 410
    assert (snapshot_dir / "rantakahvila/asiakkaat/@gone/@en").read_bytes() == gone.get_data()


def test_a_renewal_rewrites_no_snapshot_and_keeps_the_pages_last_modified(
    app, session, notice_firm, snapshot_dir
):
    user, tenant, notice = notice_firm
    publish_version(session, notice_firm, today=TODAY)
    work(app)
    client = app.test_client()
    before = client.get(f"/{T}/{N}.json").headers["Last-Modified"]
    later = datetime.now(UTC) + timedelta(days=30)
    with scoped_to(session, tenant.id, user.id):
        billing.record(session, tenant, "subscription_renewed", {"plan": "pro"}, now=later)
        billing.record(session, tenant, "stripe_customer_linked", {"customer": "cus_1"}, now=later)
    session.commit()
    cache.forget_resolutions()
    assert _jobs(session, tenant.id) == []  # nothing public changed: no rebuild queued
    assert client.get(f"/{T}/{N}.json").headers["Last-Modified"] == before
    with scoped_to(session, tenant.id, user.id):
        billing.record(session, tenant, "plan_set", {"to": "pro"}, now=later)
    session.commit()
    assert len(_jobs(session, tenant.id)) == 1  # an entry pages show still is one


def test_a_pdf_the_worker_has_not_printed_yet_is_a_503_in_production_mode(
    app, session, notice_firm, snapshot_dir
):
    publish_version(session, notice_firm, today=TODAY)
    app.config["PDF_ON_REQUEST"] = False
    client = app.test_client()
    waiting = client.get(f"/{T}/{N}/v/1.pdf")
    assert waiting.status_code == 503 and waiting.headers["Retry-After"] == "30"
    work(app)
    printed = client.get(f"/{T}/{N}/v/1.pdf")
    assert printed.status_code == 200
    assert printed.get_data() == (snapshot_dir / f"{T}/{N}/v/1.pdf/@fi").read_bytes()


def test_a_worker_being_stopped_starts_no_further_job_and_leaves_on_sigterm(
    app, session, notice_firm, snapshot_dir
):
    """SIGTERM lets the job in hand finish; no further one is started, and the worker exits 0."""
    user, tenant, notice = notice_firm
    publish_version(session, notice_firm, today=TODAY)
    waiting = len(_jobs(session, tenant.id))
    assert waiting and work(app, stop=lambda: True) == []
    assert len(_jobs(session, tenant.id)) == waiting  # still due: nothing claimed

    result = invoke_until_sigterm(app, ["snapshots", "work", "--worker", "--interval", "0.1"])
    assert result.exit_code == 0, result.output
    assert f"{T}: " in result.output and _jobs(session, tenant.id) == []
    assert f"{T}/{N}/@fi" in _files(snapshot_dir)


def test_a_failed_build_is_retried_later(app, session, notice_firm, snapshot_dir, monkeypatch):
    user, tenant, notice = notice_firm
    publish_version(session, notice_firm, today=TODAY)
    snapshot_dir.mkdir(parents=True)
    (snapshot_dir / T).write_text("not a folder")  # the store cannot be written
    assert work(app) == []
    session.expire_all()
    waiting = _jobs(session, tenant.id)
    assert waiting
    for job in waiting:
        assert job.attempts == 1 and job.last_error and job.next_attempt_at > datetime.now(UTC)
    assert not (snapshot_dir / f"{T}/{N}").exists()


@pytest.fixture(scope="module")
def s3_endpoint():
    """A moto S3 server on loopback for this module."""
    from moto.server import ThreadedMotoServer

    from .nginx_support import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_the_snapshots_go_to_an_s3_bucket_with_their_headers(
    database_url, engine, smtp_server, s3_endpoint, monkeypatch, make_owner_s3
):
    application, session, firm = make_owner_s3
    publish_version(session, firm, today=TODAY)
    (report,) = work(application)
    assert report.written > 20
    bucket = application.extensions["seloste_snapshots"]
    client = application.test_client()
    for path, query, key in (
        (f"/{T}/{N}", {"lang": "en"}, f"{T}/{N}/@en"),
        (f"/{T}/{N}/v/1.json", {}, f"{T}/{N}/v/1.json/@d"),
        (f"/{T}/{N}/v/1.pdf", {}, f"{T}/{N}/v/1.pdf/@d-fi"),
    ):
        answer = client.get(path, query_string=query)
        stored = bucket.client.get_object(Bucket="seloste-snapshots", Key=key)
        assert stored["Body"].read() == answer.get_data()
        assert stored["ContentType"] == answer.headers["Content-Type"]
        assert stored["CacheControl"] == answer.headers["Cache-Control"]
        assert stored["Metadata"]["last-modified"] == answer.headers["Last-Modified"]
        assert stored["Metadata"]["etag"] == answer.headers["ETag"]
    pdf = bucket.client.head_object(Bucket="seloste-snapshots", Key=f"{T}/{N}/v/1.pdf/@en")
    assert pdf["Metadata"]["content-disposition"] == f'inline; filename="{T}-{N}-v1-en.pdf"'
    # idempotent: nothing is put again
    user, tenant, notice = firm
    with unscoped(session):
        from tenants import snapshots as jobs

        jobs.queue(session, tenant.id, "rebuild", now=datetime.now(UTC))
    session.commit()
    generation = bucket.client.head_object(Bucket="seloste-snapshots", Key="@generation")["ETag"]
    (again,) = work(application)
    assert again.written == 0 and again.removed == 0
    # the web machines' mirrors are told nothing changed (webapp/snapshot_mirror.py)
    assert bucket.client.head_object(Bucket="seloste-snapshots", Key="@generation")["ETag"] == generation
    publish_version(session, firm, today=TODAY, note="Toinen")
    work(application)
    assert bucket.client.head_object(Bucket="seloste-snapshots", Key="@generation")["ETag"] != generation


@pytest.fixture
def make_owner_s3(database_url, engine, smtp_server, s3_endpoint, monkeypatch):
    """An app whose snapshots go to a bucket, and Rantakahvila's notice ready to publish."""
    import boto3

    from tenants import accounts

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-north-1")
    try:
        s3.create_bucket(
            Bucket="seloste-snapshots", CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
        )
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    for obj in s3.list_objects_v2(Bucket="seloste-snapshots").get("Contents", []):
        s3.delete_object(Bucket="seloste-snapshots", Key=obj["Key"])
    extra = {"SNAPSHOT_S3_BUCKET": "seloste-snapshots", "SNAPSHOT_S3_ENDPOINT_URL": s3_endpoint}
    with bound_app(database_url, engine, smtp_server, **extra) as application:
        session = application.extensions["seloste_db"].new_session()
        now = datetime.now(UTC)
        with unscoped(session):
            user = accounts.create_user(
                session,
                email="olli@rantakahvila.fi",
                name="Olli",
                password="correct horse battery",
                language="fi",
                now=now,
                verified=True,
            )
            tenant = accounts.create_tenant(session, name="Rantakahvila Oy", business_id="2617416-4", now=now)
            tenant.plan = "pro"
            accounts.add_member(session, tenant.id, user.id, "owner", now)
        session.commit()
        with scoped_to(session, tenant.id, user.id):
            notice = answered_notice(session, tenant.id, user.id, languages=["fi", "en"], now=now)
        session.commit()
        yield application, session, (user, tenant, notice)
        session.close()
