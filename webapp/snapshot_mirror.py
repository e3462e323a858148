"""Mirror the snapshot bucket into this machine's snapshot folder, for its nginx to serve.

With several web machines, the worker writes the snapshots to one S3 bucket (SNAPSHOT_S3_BUCKET) and
each machine runs `flask snapshots pull` (deploy/seloste-snapshots-pull.service): the bucket's objects
become files of SNAPSHOT_DIR with the same keys, each file's modification time the answer's
Last-Modified, so deploy/'s nginx site serves the mirror exactly as it serves the worker's own folder.

- Incremental: `.mirror-state.json` in the folder records each object's ETag, upload time and size
  as last listed and fetched; an object is fetched again only when one of them changed (a rewrite
  with the same bytes and a new Last-Modified is a new upload), or the file is missing or not its
  size. Upload times are whole seconds, so an object listed within SETTLE_SECONDS of its upload is
  fetched once more by the next pull.
- Atomic: an object is written to a temporary file (`.mirror-tmp-…`) in its folder and renamed over the old
  file only when every byte arrived; a reader sees the old file or the new one, never a part.
- Deletes: a file whose object the bucket no longer has is removed (and any folder left empty, so
  nginx's `-d …/@gone` test follows a notice published again). `@redirects.map` is kept: nginx
  includes it. An empty bucket removes nothing (a wrong bucket name must not empty the site).
- The redirect map is fetched after every other object (a redirect never points at a page not yet
  mirrored); when its bytes changed, the reload command is run.
- Cheap when nothing changed: the worker rewrites the bucket's `@generation` object after every
  build that changed something. A pull first asks for that object's ETag alone; when it is the one
  the last complete pull started from, nothing is listed (until `full_every` seconds have passed
  since the last listing: a build that died before announcing itself is caught then).
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path

STATE = ".mirror-state.json"
LOCK = ".mirror-lock"
TEMP_PREFIX = ".mirror-tmp-"
REDIRECTS = "@redirects.map"
GENERATION = "@generation"
SETTLE_SECONDS = 2


@dataclass
class PullReport:
    """What one pull did."""

    fetched: list = field(default_factory=list)
    unchanged: int = 0
    removed: list = field(default_factory=list)
    redirects_changed: bool = False
    reloaded: bool = False
    listed: bool = True


def _safe_path(root: Path, key: str) -> Path | None:
    """The file for a key, or None for a key that cannot be a snapshot file (outside the folder, or a
    name this mirror keeps for itself)."""
    parts = key.split("/")
    if key == GENERATION:
        return None
    if not key or key.startswith("/") or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return None
    return root.joinpath(*parts)


def _listing(client, bucket: str) -> dict[str, dict]:
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        listed_at = parsedate_to_datetime(page["ResponseMetadata"]["HTTPHeaders"]["date"])
        for obj in page.get("Contents", []):
            found[obj["Key"]] = {
                "etag": obj["ETag"],
                "uploaded": obj["LastModified"].isoformat(),
                "size": obj["Size"],
                # upload times are whole seconds: a rewrite later in the same second (the same bytes,
                # a new Last-Modified) would look the same, so a fresh object is fetched once more
                "settled": (listed_at - obj["LastModified"]).total_seconds() >= SETTLE_SECONDS,
            }
    return found


def _fetch(client, bucket: str, key: str, path: Path) -> None:
    """Download one object beside its file and rename it into place."""
    answer = client.get_object(Bucket=bucket, Key=key)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
    try:
        size = 0
        with os.fdopen(fd, "wb") as out:
            for chunk in answer["Body"].iter_chunks(1 << 16):
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size != answer["ContentLength"]:
            raise OSError(f"{key}: {size} of {answer['ContentLength']} bytes arrived")
        os.chmod(tmp, 0o644)
        modified = answer.get("Metadata", {}).get("last-modified")
        mtime = (
            parsedate_to_datetime(modified).timestamp() if modified else answer["LastModified"].timestamp()
        )
        os.utime(tmp, (mtime, mtime))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _current(path: Path, known: dict | None, listed: dict) -> bool:
    if not known or not known.get("settled") or known != listed:
        return False
    try:
        return path.stat().st_size == listed["size"]
    except OSError:
        return False


def _remove(root: Path, path: Path) -> None:
    path.unlink(missing_ok=True)
    for parent in path.parents:
        if parent == root or any(parent.iterdir()):
            break
        parent.rmdir()


def _local_files(root: Path) -> dict[str, Path]:
    return {
        "/".join(p.relative_to(root).parts): p
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def _write_state(root: Path, state: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=root, prefix=TEMP_PREFIX)
    with os.fdopen(fd, "w") as out:
        json.dump(state, out, sort_keys=True)
    os.replace(tmp, root / STATE)


def pull(
    client, bucket: str, folder: str | os.PathLike, *, reload_command: str = "", full_every: float = 300
) -> PullReport:
    """Make `folder` hold exactly the bucket's snapshot objects (one pull at a time per folder)."""
    root = Path(folder).resolve()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for stale in root.rglob(TEMP_PREFIX + "*"):  # left by a pull that was killed mid-file
            stale.unlink(missing_ok=True)
        return _pull_locked(client, bucket, root, reload_command, full_every)


def _generation(client, bucket: str) -> str | None:
    try:
        return client.head_object(Bucket=bucket, Key=GENERATION)["ETag"]
    except client.exceptions.ClientError:
        return None


def _read_state(root: Path) -> tuple[dict, dict]:
    try:
        saved = json.loads((root / STATE).read_text())
        return saved["objects"], saved["last"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}, {}


def _nothing_new(state: dict, last: dict, generation: str | None, full_every: float) -> bool:
    return (
        generation is not None
        and generation == last.get("generation")
        and time.time() - last.get("listed_at", 0) < full_every
        and all(entry.get("settled") for entry in state.values())
    )


def _fetch_changed(client, bucket: str, root: Path, listed: dict, state: dict, report: PullReport) -> None:
    for key in sorted(listed, key=lambda k: (k == REDIRECTS, k)):  # the redirect map last
        path = _safe_path(root, key)
        if path is None:
            continue
        if _current(path, state.get(key), listed[key]):
            report.unchanged += 1
            continue
        before = path.read_bytes() if key == REDIRECTS and path.is_file() else None
        _fetch(client, bucket, key, path)
        if key == REDIRECTS and path.read_bytes() != before:
            report.redirects_changed = True
        # as listed: if the object changed since, the next listing differs and it is fetched again
        state[key] = listed[key]
        report.fetched.append(key)


def _pull_locked(client, bucket: str, root: Path, reload_command: str, full_every: float) -> PullReport:
    state, last = _read_state(root)
    generation = _generation(client, bucket)  # read before listing: a later build is seen next time
    if _nothing_new(state, last, generation, full_every):
        return PullReport(listed=False)
    listed_at = time.time()
    listed = _listing(client, bucket)
    if not listed and any(key != REDIRECTS for key in _local_files(root)):
        # a wrong or emptied bucket must not take every public page off this machine
        raise RuntimeError(f"the bucket {bucket} is empty: the mirror keeps what it has")
    report = PullReport()
    complete = False
    try:
        _fetch_changed(client, bucket, root, listed, state, report)
        complete = True
    finally:
        # what did arrive is recorded even when a later object failed
        for key in list(state):
            if key not in listed:
                del state[key]
        if complete:
            last = {"generation": generation, "listed_at": listed_at}
        _write_state(root, {"objects": state, "last": last})
    for key, path in sorted(_local_files(root).items()):
        if key not in listed and key != REDIRECTS:
            _remove(root, path)
            report.removed.append(key)
    if report.redirects_changed and reload_command:
        subprocess.run(shlex.split(reload_command), check=True, timeout=60)  # noqa: S603 (the operator's own setting)
        report.reloaded = True
    return report
