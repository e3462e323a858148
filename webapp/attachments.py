"""Files sent with a member's message to a requester: stored, removed when unsent, downloaded."""

from __future__ import annotations

import logging
import unicodedata
import uuid
from urllib.parse import quote

from flask import Response, abort
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from tenants.storage import StorageError

from .storage import storage

log = logging.getLogger(__name__)

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class AttachmentProblem(Exception):
    """Files could not be taken; the message says why. Nothing was sent."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def store_attachments(request_row, files) -> list[dict]:
    """Put uploaded files in storage; returns their descriptions for the timeline."""
    files = [f for f in files if f and f.filename]
    if len(files) > MAX_ATTACHMENTS:
        raise AttachmentProblem(_("Attach at most %(n)s files.", n=MAX_ATTACHMENTS))
    blobs = [(f, f.read(MAX_ATTACHMENT_BYTES + 1)) for f in files]
    if sum(len(data) for _f, data in blobs) > MAX_ATTACHMENT_BYTES:
        raise AttachmentProblem(_("The files are too large together (at most 10 MB)."))
    stored: list[dict] = []
    for upload, data in blobs:
        name = secure_filename(upload.filename) or "file"
        key = f"{request_row.tenant_id}/requests/{request_row.id}/{uuid.uuid4().hex}-{name}"
        try:
            storage().put(key, data, upload.mimetype or "application/octet-stream")
        except StorageError:
            log.warning("attachment storage failed for request %s", request_row.id)
            discard_attachments(stored)
            raise AttachmentProblem(
                _(
                    "The files could not be stored right now, so nothing was sent. Please try again in a moment."
                )
            ) from None
        shown = safe_base_name(upload.filename) or name
        stored.append({"key": key, "filename": shown, "size": len(data)})
    return stored


def safe_base_name(filename: str | None) -> str:
    """A file name fit to show and to hand out in Content-Disposition: the last part of any path
    (no `/` or `\\`), without control or format characters (NUL, bidi overrides such as U+202E that
    make `txt.exe` read `exe.txt`, zero-width characters), spaces collapsed, no leading dots, at most
    200 characters; "" when nothing is left."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))
    name = " ".join(name.split()).lstrip(". ")
    return name[:200].strip()


def discard_attachments(stored: list[dict]) -> None:
    """Remove files stored for a message that was not sent (best effort: storage may be down)."""
    for item in stored:
        try:
            storage().delete(item["key"])
        except StorageError:
            log.warning("could not remove an unsent attachment")


def send_attachment(event, index: int):
    """A stored file as a download (never rendered inline)."""
    files = (event.data or {}).get("attachments") or []
    if not 0 <= index < len(files):
        abort(404)
    try:
        data = storage().get(files[index]["key"])
    except StorageError:
        abort(404)
    response = Response(data, mimetype="application/octet-stream")
    name = safe_base_name(files[index].get("filename")) or "file"
    fallback = secure_filename(name) or "file"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''" + quote(name, safe="")
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
