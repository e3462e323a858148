"""Public snapshots: every public answer of a tenant's notices, written where nginx or a CDN serves it.

A snapshot is what the app itself answers: the worker asks the app (its test client, in process)
for every public URL in every language variant and stores the body with the headers that matter.
Nothing here renders a page, so a snapshot cannot drift from the app's own rendering.

Layout (one folder per public path, one file per variant; nginx's `try_files` picks the variant,
see deploy/nginx-site.conf.in):

    <path>/@<lang>             ?lang=<lang> (no Vary), or Accept-Language chose <lang> (Vary)
    <path>/@d-<lang>           neither chose: the page's main language <lang>
    <path>/@u-<w>-<lang>       ?lang=<w> the page lacks, Accept-Language chose <lang> (the note in <w>)
    <path>/@u-<w>-d-<lang>     the same without Accept-Language
    <tenant>/<notice>/@gone/…  the 410 page of a withdrawn notice, with the same variants
    @redirects.map             nginx map of every old address (301)
    <tenant>/<notice>/@manifest.json   what was written, with each version's hash
    @generation                (bucket only) rewritten after every build that changed something, so
                               the web machines' mirrors (webapp/snapshot_mirror.py) list the bucket
                               only when it changed

Each file's modification time is the answer's Last-Modified. Local writes go to a temporary file
renamed over the old one (atomic); a file whose bytes and time are unchanged is not rewritten
(idempotent). S3 objects carry the headers as object metadata.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select

from tenants import snapshots as jobs
from tenants.models import LANGUAGES, Tenant, TenantSlugAlias
from tenants.notices.models import Notice, NoticeSlugAlias, NoticeVersion

log = logging.getLogger(__name__)

# The environ key that lets the worker's own request print a PDF that is not in the store yet.
PRINT_ENVIRON = "seloste.snapshot"
REDIRECTS = "@redirects.map"
GENERATION = "@generation"
LATEST = "public, max-age=60"
IMMUTABLE = "public, max-age=31536000, immutable"


class SnapshotMismatch(RuntimeError):
    """The app answered something the nginx layout cannot reproduce (the job fails loudly)."""


@dataclass(frozen=True)
class Stored:
    """One file of the store and the headers it is served with."""

    body: bytes
    content_type: str
    cache_control: str
    last_modified: datetime | None
    etag: str = ""
    extra: dict = field(default_factory=dict)


class LocalStore:
    """A folder nginx serves (`root`)."""

    def __init__(self, root: str):
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError("key outside the snapshot folder")
        return path

    def put(self, key: str, item: Stored) -> bool:
        """Write atomically (temporary file, then rename); False when the file was already so."""
        path = self._path(key)
        mtime = item.last_modified.timestamp() if item.last_modified else None
        if (
            path.is_file()
            and path.read_bytes() == item.body
            and (mtime is None or path.stat().st_mtime == mtime)
        ):
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(item.body)
            os.chmod(tmp, 0o644)
            if mtime is not None:
                os.utime(tmp, (mtime, mtime))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except (OSError, ValueError):
            return None

    def keys(self, prefix: str) -> set[str]:
        """Every file under a folder (relative keys)."""
        base = self._path(prefix) if prefix else self.root
        if not base.is_dir():
            return set()
        return {
            str(p.relative_to(self.root))
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".tmp-")
        }

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        for parent in path.parents:  # leave no empty folder behind (nginx would see a directory)
            if parent == self.root or any(parent.iterdir()):
                break
            parent.rmdir()


class S3Store:
    """A bucket (behind a CDN): one object per file, its headers as the object's metadata."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None):
        import boto3

        self.bucket = bucket
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None)

    def put(self, key: str, item: Stored) -> bool:
        metadata = {"etag": item.etag}
        if item.last_modified is not None:
            metadata["last-modified"] = item.last_modified.strftime("%a, %d %b %Y %H:%M:%S GMT")
        metadata.update({k.lower(): v for k, v in item.extra.items()})
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
            if head.get("Metadata") == metadata and self.get(key) == item.body:
                return False
        except self.client.exceptions.ClientError:
            pass
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=item.body,
            ContentType=item.content_type,
            CacheControl=item.cache_control,
            Metadata=metadata,
        )
        return True

    def get(self, key: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self.client.exceptions.ClientError:
            return None

    def keys(self, prefix: str) -> set[str]:
        found = set()
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix + "/"
        ):
            found.update(obj["Key"] for obj in page.get("Contents", []))
        return found

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)


def init_app(app: Flask) -> None:
    """Build the configured store once."""
    cfg = app.config
    if cfg["SNAPSHOT_BACKEND"] == "s3":
        store = S3Store(
            cfg["SNAPSHOT_S3_BUCKET"], endpoint_url=cfg["SNAPSHOT_S3_ENDPOINT_URL"], region=cfg["S3_REGION"]
        )
    else:
        store = LocalStore(cfg["SNAPSHOT_DIR"])
    app.extensions["seloste_snapshots"] = store


def store():
    """The current app's snapshot store."""
    return current_app.extensions["seloste_snapshots"]


def stored_pdf(tenant_slug: str, notice_slug: str, number: int, language: str) -> bytes | None:
    """The PDF the worker printed for this version and language, or None."""
    base = f"{tenant_slug}/{notice_slug}/v/{number}.pdf"
    s = store()
    return s.get(f"{base}/@{language}") or s.get(f"{base}/@d-{language}")


# --- building -------------------------------------------------------------------------------------


def _expected_cache_control(path: str) -> str:
    parts = path.strip("/").split("/")
    return IMMUTABLE if len(parts) >= 4 and parts[2] in ("v", "diff") else LATEST


@dataclass
class Build:
    """One tenant's build: what it asked, wrote and kept."""

    app: Flask
    store: object
    client: object = None
    written: int = 0
    unchanged: int = 0
    keys: set = field(default_factory=set)
    requests: int = 0

    def get(self, path: str, lang: str | None = None, accept: str | None = None):
        headers = {"Accept-Language": accept} if accept else {}
        self.requests += 1
        return self.client.get(
            path,
            query_string={"lang": lang} if lang else None,
            headers=headers,
            environ_base={PRINT_ENVIRON: "print"},
        )

    def keep(self, key: str, response, path: str) -> None:
        item = _stored(response, path)
        if self.store.put(key, item):
            self.written += 1
        else:
            self.unchanged += 1
        self.keys.add(key)


def _stored(response, path: str) -> Stored:
    cache_control = response.headers.get("Cache-Control", "")
    if cache_control != _expected_cache_control(path):
        raise SnapshotMismatch(f"{path}: Cache-Control {cache_control!r} is not what nginx serves")
    modified = response.headers.get("Last-Modified")
    extra = {
        name: response.headers[name]
        for name in ("Content-Disposition", "Access-Control-Allow-Origin")
        if name in response.headers
    }
    return Stored(
        response.get_data(),
        response.headers.get("Content-Type", ""),
        cache_control,
        parsedate_to_datetime(modified) if modified else None,
        etag=response.headers.get("ETag", ""),
        extra=extra,
    )


def _chosen(body: bytes, by_language: dict) -> str | None:
    return next((lang for lang, response in by_language.items() if response.get_data() == body), None)


def _negotiated(build: Build, path: str, folder: str, status: int = 200) -> None:
    """Every language variant of a page the visitor's language chooses."""
    own, missing = {}, []
    for lang in LANGUAGES:
        response = build.get(path, lang)
        if response.status_code != status:
            raise SnapshotMismatch(f"{path}?lang={lang}: {response.status_code}")
        if "Accept-Language" in response.headers.get("Vary", ""):
            missing.append(lang)  # not one of the page's languages
        else:
            own[lang] = response
            build.keep(f"{folder}/@{lang}", response, path)
    default = build.get(path)
    main = _chosen(default.get_data(), own)
    if main is None:
        raise SnapshotMismatch(f"{path}: the default answer is none of its languages")
    build.keep(f"{folder}/@d-{main}", default, path)
    for wanted in missing:
        for lang, plain in own.items():
            response = build.get(path, wanted, accept=lang)
            if response.get_data() != plain.get_data():  # the page says that `wanted` is missing
                build.keep(f"{folder}/@u-{wanted}-{lang}", response, path)
        response = build.get(path, wanted)
        if response.get_data() != default.get_data():
            build.keep(f"{folder}/@u-{wanted}-d-{main}", response, path)


def _plain(build: Build, path: str) -> None:
    """A JSON or feed answer: ?lang= picks a language of the notice, else its main language."""
    default = build.get(path)
    if default.status_code != 200:
        raise SnapshotMismatch(f"{path}: {default.status_code}")
    build.keep(f"{path.strip('/')}/@d", default, path)
    for lang in LANGUAGES:
        response = build.get(path, lang)
        if response.get_data() != default.get_data():
            build.keep(f"{path.strip('/')}/@{lang}", response, path)


def _notice(build: Build, tenant_slug: str, notice: Notice, numbers: list[int]) -> None:
    base = f"/{tenant_slug}/{notice.slug}"
    if notice.status == "withdrawn":
        _negotiated(build, base, f"{base.strip('/')}/@gone", status=410)
        return
    for path in (base, f"{base}/history"):
        _negotiated(build, path, path.strip("/"))
    for number in numbers:
        for path in (f"{base}/v/{number}", f"{base}/v/{number}.pdf"):
            _negotiated(build, path, path.strip("/"))
        if number > 1:
            path = f"{base}/diff/{number - 1}/{number}"
            _negotiated(build, path, path.strip("/"))
        _plain(build, f"{base}/v/{number}.json")
    _plain(build, f"{base}.json")
    _plain(build, f"{base}/feed.atom")


def _manifest(build: Build, tenant_slug: str, notice: Notice, versions: list[NoticeVersion]) -> None:
    """What the snapshot of a notice holds: its versions and their hashes."""
    body = json.dumps(
        {
            "tenant": tenant_slug,
            "notice": notice.slug,
            "status": notice.status,
            "versions": [{"number": v.number, "content_hash": v.content_hash} for v in versions],
        },
        sort_keys=True,
        indent=1,
    ).encode("utf-8")
    key = f"{tenant_slug}/{notice.slug}/@manifest.json"
    if build.store.put(key, Stored(body, "application/json", "no-store", None)):
        build.written += 1
    build.keys.add(key)


def redirect_rules(session) -> bytes:
    """The nginx map of every old address to the new one (notices first, then organisations):
    the same permanent redirects the app gives, hop for hop."""
    lines = []
    notice_aliases = session.execute(
        select(NoticeSlugAlias.slug, Notice.slug, Tenant.slug)
        .join(Notice, Notice.id == NoticeSlugAlias.notice_id)
        .join(Tenant, Tenant.id == Notice.tenant_id)
        .order_by(Tenant.slug, NoticeSlugAlias.slug)
    ).all()
    for old, new, tenant in notice_aliases:
        lines.append(f"~^/{tenant}/{old}([./].*)?$ /{tenant}/{new}$1;")
    tenant_aliases = session.execute(
        select(TenantSlugAlias.slug, Tenant.slug)
        .join(Tenant, Tenant.id == TenantSlugAlias.tenant_id)
        .order_by(TenantSlugAlias.slug)
    ).all()
    for old, new in tenant_aliases:
        lines.append(f"~^/{old}(/.*)?$ /{new}$1;")
    return ("\n".join(lines) + "\n").encode("ascii")


def _write_redirects(app: Flask, target, session) -> bool:
    changed = target.put(REDIRECTS, Stored(redirect_rules(session), "text/plain", "no-store", None))
    command = app.config["SNAPSHOT_RELOAD_COMMAND"]
    if changed and command:
        subprocess.run(shlex.split(command), check=True, timeout=60)  # noqa: S603 (the operator's own setting)
    return changed


@dataclass
class Report:
    """What one tenant's build did."""

    tenant_slug: str
    written: int
    unchanged: int
    removed: int
    requests: int


def build_tenant(app: Flask, tenant_id: int) -> Report:
    """Write every public answer of one tenant to the store, remove what no longer answers there,
    and rewrite the redirect rules."""
    target = app.extensions["seloste_snapshots"]
    database = app.extensions["seloste_db"]
    with database.operator_session() as session, session.begin():
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            return Report("", 0, 0, 0, 0)
        tenant_slug = tenant.slug
        old_slugs = list(
            session.scalars(select(TenantSlugAlias.slug).where(TenantSlugAlias.tenant_id == tenant_id))
        )
        notices = list(
            session.scalars(
                select(Notice).where(Notice.tenant_id == tenant_id, Notice.published_number.is_not(None))
            )
        )
        versions = {
            n.id: list(
                session.scalars(
                    select(NoticeVersion)
                    .where(NoticeVersion.notice_id == n.id)
                    .order_by(NoticeVersion.number)
                )
            )
            for n in notices
        }
        session.expunge_all()
    build = Build(app, target, client=app.test_client())
    _negotiated(build, f"/{tenant_slug}", tenant_slug)
    for notice in notices:
        _notice(build, tenant_slug, notice, [v.number for v in versions[notice.id]])
        _manifest(build, tenant_slug, notice, versions[notice.id])
    removed = 0
    for prefix in [tenant_slug, *old_slugs]:
        for key in target.keys(prefix) - build.keys:
            target.delete(key)
            removed += 1
    with database.operator_session() as session, session.begin():
        redirected = _write_redirects(app, target, session)
    if isinstance(target, S3Store) and (build.written or removed or redirected):
        # last, after every object it announces; a unique body, so its ETag changes every time
        mark = json.dumps({"tenant": tenant_slug, "at": time.time(), "nonce": os.urandom(8).hex()})
        target.put(GENERATION, Stored(mark.encode(), "application/json", "no-store", None))
    return Report(tenant_slug, build.written, build.unchanged, removed, build.requests)


def work(app: Flask, *, limit: int = 100, now=lambda: datetime.now(UTC), stop=lambda: False) -> list[Report]:
    """Do the snapshot jobs that are due (each claimed first, like the outbox), one after another
    until `stop()` turns true (the worker is being stopped): checked between jobs, never during one."""
    database = app.extensions["seloste_db"]
    reports = []
    for _ in range(limit):
        if stop():
            break
        claim = jobs.claim_next(database.new_session, now())
        if claim is None:
            break
        started = time.monotonic()
        try:
            report = build_tenant(app, claim.tenant_id)
        except Exception as exc:  # recorded and retried with backoff
            log.exception("snapshot job %s failed", claim.job_id)
            jobs.record_failure(database.new_session, claim, exc, now())
            continue
        jobs.record_done(database.new_session, claim, now())
        log.info(
            "snapshot of tenant %s: %s written, %s unchanged, %s removed, %s requests in %.2f s",
            claim.tenant_id,
            report.written,
            report.unchanged,
            report.removed,
            report.requests,
            time.monotonic() - started,
        )
        reports.append(report)
    return reports
