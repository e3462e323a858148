"""Import the notice a firm already has: paste or upload, get a draft in the wizard with a report."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tenants.errors import ValidationFailed
from tenants.notices import service
from tenants.notices.importing import NoticeTooLong, import_notice

from ..auth_session import tenant_required
from ..db import db
from ..errors import MESSAGES, note_plan_limit
from ..forms import ActionForm
from ..unit_of_work import mark_rollback_only
from .views import bp, section_name

log = logging.getLogger(__name__)

MAX_SOURCE_BYTES = 2 * 1024 * 1024
TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".docx": "docx",
}


class UnreadableFile(Exception):
    """The upload could not be read; the message says why."""


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(_("The file's characters could not be read. Save it as UTF-8 text and try again."))


def docx_to_markdown(data: bytes) -> str:
    """The text of a Word file, headings as Markdown headings and table rows as lines."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a broken or foreign file
        raise UnreadableFile(_("This does not look like a Word (.docx) file.")) from exc
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            lines.append("")
            continue
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        if style.startswith("heading") or style.startswith("otsikko") or style == "title":
            level = "".join(ch for ch in style if ch.isdigit()) or "1"
            lines.append("#" * min(int(level) + 1, 4) + " " + text)
        elif "list" in style:
            lines.append("- " + text)
        else:
            lines.append(text)
        lines.append("")
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text.strip() for cell in row.cells))
        lines.append("")
    return "\n".join(lines)


def read_source(pasted: str, upload) -> tuple[str, str]:
    """The text to import and its content type, from a paste or an uploaded file."""
    if upload is not None and upload.filename:
        name = upload.filename.lower()
        suffix = name[name.rfind(".") :] if "." in name else ""
        kind = TYPES.get(suffix)
        if kind is None:
            raise UnreadableFile(_("Upload a .txt, .html, .md or .docx file, or paste the text."))
        data = upload.read(MAX_SOURCE_BYTES + 1)
        if len(data) > MAX_SOURCE_BYTES:
            raise UnreadableFile(_("The file is too large (at most 2 MB)."))
        if kind == "docx":
            return docx_to_markdown(data), "text/markdown"
        return _decode(data), kind
    text = (pasted or "").strip()
    if not text:
        raise UnreadableFile(_("Paste the text of your notice, or choose a file."))
    if len(text.encode()) > MAX_SOURCE_BYTES:
        raise UnreadableFile(_("The text is too long (at most 2 MB)."))
    looks_html = "<" in text and any(
        tag in text.lower() for tag in ("<p", "<h1", "<h2", "<h3", "<div", "<br", "<li")
    )
    return text, "text/html" if looks_html and "\t" not in text else "text/plain"


@bp.route("/import", methods=["GET", "POST"])
@tenant_required
def import_page():
    """Paste or upload; the result opens in the wizard with an import report."""
    values = {"title": "", "text": ""}
    error = None
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        values = {"title": request.form.get("title", ""), "text": request.form.get("text", "")}
        try:
            source, kind = read_source(values["text"], request.files.get("file"))
            result = import_notice(source, content_type=kind)
            notice = service.create_imported_notice(
                db(),
                g.tenant.id,
                by_user_id=current_user.id,
                result=result,
                title=values["title"],
                now=datetime.now(UTC),
            )
        except UnreadableFile as exc:
            error = str(exc)
        except NoticeTooLong as exc:
            error = _(
                "The part “%(section)s” is too long for one section of a notice. Shorten or split it, then import again.",
                section=section_name(exc.where),
            )
        except ValidationFailed as exc:
            note_plan_limit(exc)
            error = str(MESSAGES.get(exc.code, exc.code))
        else:
            return redirect(url_for("notices.step", notice_id=notice.id, step="basics", imported=1))
        mark_rollback_only()
    return render_template("notices/import.html", values=values, error=error, form=ActionForm()), (
        400 if error else 200
    )
