"""`flask snapshots pull`: each web machine mirrors the snapshot bucket into its own folder for nginx.
Against a moto S3 server on loopback: the files and their times, incremental pulls, deletions, and a
download cut off halfway that never replaces the file nginx serves."""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from webapp.snapshot_mirror import GENERATION, SETTLE_SECONDS, STATE, TEMP_PREFIX, pull
from webapp.snapshots import IMMUTABLE, LATEST, S3Store, Stored

from .nginx_support import free_port

BUCKET = "seloste-mirror"
PAGE = "rantakahvila-oy/asiakasrekisteri/@fi"
PDF = "rantakahvila-oy/asiakasrekisteri/v/1.pdf/@d-fi"
GONE = "rantakahvila-oy/vanha/@gone/@d-fi"
MAP = "@redirects.map"
T1 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
T2 = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port(18500)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, monkeypatch):
    """An empty bucket, written as the worker writes it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    store = S3Store(BUCKET, endpoint_url=s3_endpoint, region="eu-north-1")
    try:
        store.client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
        )
    except store.client.exceptions.BucketAlreadyOwnedByYou:
        pass
    for obj in store.client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        store.client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    return store


def _page(text: str, when=T1) -> Stored:
    return Stored(f"<!doctype html><p>{text}</p>".encode(), "text/html; charset=utf-8", LATEST, when)


def _fill(store: S3Store) -> dict[str, bytes]:
    pdf = b"%PDF-1.7\n" + os.urandom(300_000)  # several chunks
    store.put(PAGE, _page("Tietosuojaseloste"))
    store.put(PDF, Stored(pdf, "application/pdf", IMMUTABLE, T1))
    store.put(GONE, _page("Poistettu"))
    store.put(MAP, Stored(b"", "text/plain", "no-store", None))
    return {PAGE: _page("Tietosuojaseloste").body, PDF: pdf, GONE: _page("Poistettu").body}


def _files(root: Path) -> set[str]:
    return {"/".join(p.relative_to(root).parts) for p in root.rglob("*") if p.is_file()}


def test_the_mirror_holds_every_object_with_the_answers_time(bucket, tmp_path):
    bodies = _fill(bucket)
    root = tmp_path / "snapshots"
    report = pull(bucket.client, BUCKET, root)
    assert sorted(report.fetched) == sorted([*bodies, MAP]) and report.fetched[-1] == MAP
    for key, body in bodies.items():
        assert (root / key).read_bytes() == body
        assert (root / key).stat().st_mtime == T1.timestamp()  # nginx's Last-Modified is the app's
        assert (root / key).stat().st_mode & 0o777 == 0o644
    assert _files(root) - {STATE, ".mirror-lock"} == {*bodies, MAP}


def _settle():
    time.sleep(SETTLE_SECONDS + 1.1)


def test_a_second_pull_fetches_only_what_changed(bucket, tmp_path):
    bodies = _fill(bucket)
    _settle()
    root = tmp_path / "snapshots"
    pull(bucket.client, BUCKET, root)
    inodes = {key: (root / key).stat().st_ino for key in bodies}

    again = pull(bucket.client, BUCKET, root)
    assert again.fetched == [] and again.unchanged == 4
    assert {key: (root / key).stat().st_ino for key in bodies} == inodes  # nothing rewritten

    bucket.put(PAGE, _page("Uusi versio", T2))  # new bytes
    bucket.put(GONE, _page("Poistettu", T2))  # the same bytes, a new Last-Modified
    (root / PDF).write_bytes(bodies[PDF][:1000])  # a file cut short on this machine
    _settle()
    third = pull(bucket.client, BUCKET, root)
    assert sorted(third.fetched) == sorted([PAGE, GONE, PDF])
    assert (root / PAGE).read_bytes() == _page("Uusi versio").body
    assert (root / PAGE).stat().st_mtime == T2.timestamp()
    assert (root / GONE).stat().st_mtime == T2.timestamp()
    assert (root / PDF).read_bytes() == bodies[PDF]

    (root / PAGE).unlink()  # lost on this machine: fetched again
    assert pull(bucket.client, BUCKET, root).fetched == [PAGE]


def test_nothing_is_listed_while_the_bucket_announces_no_change(bucket, tmp_path):
    bodies = _fill(bucket)
    bucket.put(GENERATION, Stored(b'{"build": 1}', "application/json", "no-store", None))
    _settle()
    lists = []
    bucket.client.meta.events.register("before-call.s3.ListObjectsV2", lambda **kw: lists.append(1))
    root = tmp_path / "snapshots"
    assert pull(bucket.client, BUCKET, root).listed and len(lists) == 1
    assert not (root / GENERATION).exists()  # the bucket's own mark, not a page
    again = pull(bucket.client, BUCKET, root)
    assert not again.listed and again.fetched == [] and len(lists) == 1

    bucket.put(PAGE, _page("Uusi versio", T2))
    bucket.put(GENERATION, Stored(b'{"build": 2}', "application/json", "no-store", None))
    assert pull(bucket.client, BUCKET, root).fetched == [PAGE] and len(lists) == 2
    _settle()
    pull(bucket.client, BUCKET, root)  # the page uploaded just before the listing, fetched once more
    assert not pull(bucket.client, BUCKET, root).listed

    # a build that died before announcing itself: seen at the next full listing
    bucket.put(PDF, Stored(b"%PDF-1.7 uusi", "application/pdf", IMMUTABLE, T2))
    assert not pull(bucket.client, BUCKET, root).listed
    assert (root / PDF).read_bytes() == bodies[PDF]
    assert pull(bucket.client, BUCKET, root, full_every=0).fetched == [PDF]
    assert (root / PDF).read_bytes() == b"%PDF-1.7 uusi"


def test_a_rewrite_in_the_second_of_the_last_pull_is_not_missed(bucket, tmp_path):
    """The same bytes with a new Last-Modified, uploaded within the second the mirror last listed:
    S3's upload time (whole seconds) and ETag (the bytes) are the same, yet the new time arrives."""
    _fill(bucket)
    root = tmp_path / "snapshots"
    pull(bucket.client, BUCKET, root)
    bucket.put(GONE, _page("Poistettu", T2))
    assert GONE in pull(bucket.client, BUCKET, root).fetched
    assert (root / GONE).stat().st_mtime == T2.timestamp()
    _settle()
    assert GONE in pull(bucket.client, BUCKET, root).fetched  # listed settled once more
    assert pull(bucket.client, BUCKET, root).fetched == []


def test_what_the_bucket_no_longer_has_is_removed_and_nginx_reloaded_for_new_redirects(bucket, tmp_path):
    _fill(bucket)
    root = tmp_path / "snapshots"
    reloaded = tmp_path / "reloaded"
    command = f"{sys.executable} -c \"open('{reloaded}', 'a').write('x')\""
    pull(bucket.client, BUCKET, root, reload_command=command)
    assert reloaded.read_text() == "x"

    bucket.delete(GONE)  # the notice was published again: no more 410
    bucket.delete(MAP)
    report = pull(bucket.client, BUCKET, root, reload_command=command)
    assert report.removed == [GONE] and not report.reloaded
    assert not (root / "rantakahvila-oy/vanha").exists()  # nginx's `-d …/@gone` sees no folder
    assert (root / MAP).exists()  # nginx includes it: never removed
    assert reloaded.read_text() == "x"

    bucket.put(
        MAP,
        Stored(
            b"~^/rantakahvila-oy/vanha([./].*)?$ /rantakahvila-oy/uusi$1;\n", "text/plain", "no-store", None
        ),
    )
    report = pull(bucket.client, BUCKET, root, reload_command=command)
    assert MAP in report.fetched and report.reloaded and reloaded.read_text() == "xx"
    _settle()
    pull(bucket.client, BUCKET, root, reload_command=command)  # the map fetched once more, unchanged
    assert reloaded.read_text() == "xx"
    assert b"/rantakahvila-oy/uusi" in (root / MAP).read_bytes()


def test_an_empty_bucket_takes_nothing_off_the_machine(bucket, tmp_path):
    bodies = _fill(bucket)
    root = tmp_path / "snapshots"
    pull(bucket.client, BUCKET, root)
    for key in [*bodies, MAP]:
        bucket.delete(key)
    with pytest.raises(RuntimeError, match="is empty"):
        pull(bucket.client, BUCKET, root)
    assert all((root / key).read_bytes() == body for key, body in bodies.items())


def test_keys_outside_the_folder_or_of_the_mirror_itself_are_not_written(bucket, tmp_path):
    _fill(bucket)
    root = tmp_path / "site" / "snapshots"
    bucket.client.put_object(Bucket=BUCKET, Key="../escaped", Body=b"x")
    bucket.client.put_object(Bucket=BUCKET, Key=STATE, Body=b"{}")
    pull(bucket.client, BUCKET, root)
    assert not (tmp_path / "site" / "escaped").exists()
    assert (root / STATE).read_text() != "{}"


class _CutOff:
    """A download that stops halfway, checking meanwhile that the served file is still the old one."""

    def __init__(self, body, path: Path, old: bytes):
        self.body, self.path, self.old = body, path, old

    def iter_chunks(self, size):
        chunks = self.body.iter_chunks(size)
        yield next(chunks)
        assert self.path.read_bytes() == self.old  # a reader now gets the whole old file
        raise ConnectionResetError("connection reset by peer")


def test_a_download_cut_off_halfway_never_replaces_the_served_file(bucket, tmp_path, monkeypatch):
    bodies = _fill(bucket)
    root = tmp_path / "snapshots"
    pull(bucket.client, BUCKET, root)
    new_pdf = b"%PDF-1.7\n" + os.urandom(400_000)
    bucket.put(PDF, Stored(new_pdf, "application/pdf", IMMUTABLE, T2))
    bucket.put(PAGE, _page("Uusi versio", T2))

    real = bucket.client.get_object

    def cut(**kwargs):
        answer = real(**kwargs)
        if kwargs["Key"] == PDF:
            answer["Body"] = _CutOff(answer["Body"], root / PDF, bodies[PDF])
        return answer

    monkeypatch.setattr(bucket.client, "get_object", cut)
    with pytest.raises(ConnectionResetError):
        pull(bucket.client, BUCKET, root)
    assert (root / PDF).read_bytes() == bodies[PDF]
    assert (root / PDF).stat().st_mtime == T1.timestamp()
    assert not [p for p in root.rglob(TEMP_PREFIX + "*")]  # no half file left behind
    assert (root / PAGE).read_bytes() == _page("Uusi versio").body  # what arrived before it stays

    monkeypatch.setattr(bucket.client, "get_object", real)
    (root / PDF).parent.joinpath(TEMP_PREFIX + "killed").write_bytes(b"%PDF half")  # a killed pull's
    report = pull(bucket.client, BUCKET, root)
    assert PDF in report.fetched
    assert (root / PDF).read_bytes() == new_pdf
    assert not [p for p in root.rglob(TEMP_PREFIX + "*")]


def test_a_short_answer_is_refused(bucket, tmp_path, monkeypatch):
    bodies = _fill(bucket)
    root = tmp_path / "snapshots"
    pull(bucket.client, BUCKET, root)
    bucket.put(PDF, Stored(b"%PDF-1.7 new", "application/pdf", IMMUTABLE, T2))
    real = bucket.client.get_object

    def short(**kwargs):
        answer = real(**kwargs)
        answer["ContentLength"] += 10  # the connection closed before the declared length
        return answer

    monkeypatch.setattr(bucket.client, "get_object", short)
    with pytest.raises(OSError, match="bytes arrived"):
        pull(bucket.client, BUCKET, root)
    assert (root / PDF).read_bytes() == bodies[PDF]


def test_each_web_machine_runs_the_pull_from_deploy_with_options_the_command_has():
    import shlex

    from webapp.cli.snapshots import snapshots_pull

    unit = (Path(__file__).resolve().parent.parent / "deploy" / "seloste-snapshots-pull.service").read_text()
    (line,) = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    args = shlex.split(line.split(" --app webapp ", 1)[1])
    assert args[:2] == ["snapshots", "pull"]
    context = snapshots_pull.make_context("pull", args[2:])
    # keeps pulling; nginx is reloaded by seloste-redirects.path when the mirrored map changes
    assert context.params == {"watch": True, "interval": 5.0, "reload_command": "", "full_every": 300.0}
    assert "EnvironmentFile=/etc/seloste/env" in unit and "owner.env" not in unit
    path_unit = (Path(__file__).resolve().parent.parent / "deploy" / "seloste-redirects.path").read_text()
    assert "PathChanged=/srv/seloste/snapshots/@redirects.map" in path_unit
