"""The read step: a pasted text or an uploaded file (.txt, .md, .html, .docx) becomes the text to import.

A source that cannot be read raises UnreadableFile with a code; the interface words it in the
reader's language.
"""

from __future__ import annotations

import io
import time
import zipfile
from typing import Protocol

from ...errors import DomainError

MAX_SOURCE_BYTES = 2 * 1024 * 1024
TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".docx": "docx",
}
# A Word file is a zip archive: what it unpacks to is checked before anything is parsed. A notice's
# document.xml is some hundreds of kilobytes; these bounds leave room for images and many styles.
DOCX_MAX_ENTRIES = 300
DOCX_MAX_UNPACKED_BYTES = 16 * 1024 * 1024
DOCX_MAX_DOCUMENT_XML_BYTES = 8 * 1024 * 1024
DOCX_MAX_SECONDS = 10.0
_HTML_TAGS = ("<p", "<h1", "<h2", "<h3", "<div", "<br", "<li")


class Readable(Protocol):
    """An uploaded file: a werkzeug FileStorage and an open binary file both qualify."""

    def read(self, size: int = -1, /) -> bytes:
        """At most `size` bytes."""
        ...


class UnreadableFile(DomainError):
    """The source could not be read; `code` says why (import_file_type, import_empty, ...)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def read_source(pasted: str, filename: str | None, stream: Readable | None) -> tuple[str, str]:
    """The text to import and its content type: from the file when one is named, else from the paste."""
    if filename:
        return _read_file(filename, stream)
    return _read_paste(pasted)


def _read_file(filename: str, stream: Readable) -> tuple[str, str]:
    name = filename.lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    kind = TYPES.get(suffix)
    if kind is None:
        raise UnreadableFile("import_file_type")
    data = stream.read(MAX_SOURCE_BYTES + 1)  # one byte more tells a file at the limit from a larger one
    if len(data) > MAX_SOURCE_BYTES:
        raise UnreadableFile("import_file_too_large")
    if kind == "docx":
        return docx_to_markdown(data), "text/markdown"
    return _decode(data), kind


def _read_paste(pasted: str) -> tuple[str, str]:
    text = (pasted or "").strip()
    if not text:
        raise UnreadableFile("import_empty")
    if len(text.encode()) > MAX_SOURCE_BYTES:
        raise UnreadableFile("import_text_too_long")
    looks_html = "<" in text and any(tag in text.lower() for tag in _HTML_TAGS)
    # Tabs mean `Heading<TAB>Value` lines, whose values may hold inline HTML: not a page.
    return text, "text/html" if looks_html and "\t" not in text else "text/plain"


def _decode(data: bytes) -> str:
    # Old notices saved on Windows are often cp1252; UTF-8 (with or without a BOM) comes first.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("import_encoding")


def docx_to_markdown(data: bytes) -> str:
    """The text of a Word file, headings as Markdown headings and table rows as lines."""
    import docx  # only a Word upload needs python-docx (and its lxml)

    _check_docx_archive(data)
    deadline = time.monotonic() + DOCX_MAX_SECONDS
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a broken or foreign file
        raise UnreadableFile("import_not_docx") from exc
    lines = []
    size = 0
    for paragraph in document.paragraphs:
        if time.monotonic() > deadline:
            raise UnreadableFile("import_docx_too_slow")
        size += len(paragraph.text)
        if size > MAX_SOURCE_BYTES:
            raise UnreadableFile("import_text_too_long")
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
            if time.monotonic() > deadline:
                raise UnreadableFile("import_docx_too_slow")
            lines.append("\t".join(cell.text.strip() for cell in row.cells))
        lines.append("")
    text = "\n".join(lines)
    if len(text.encode()) > MAX_SOURCE_BYTES:  # the same limit as a pasted text
        raise UnreadableFile("import_text_too_long")
    return text


def _check_docx_archive(data: bytes) -> None:
    """Refuse a Word file whose archive unpacks to too much, or holds too many parts, before it is
    opened: a small file can expand a thousandfold (a "zip bomb")."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableFile("import_not_docx") from exc
    if len(entries) > DOCX_MAX_ENTRIES:
        raise UnreadableFile("import_docx_too_large")
    if sum(entry.file_size for entry in entries) > DOCX_MAX_UNPACKED_BYTES:
        raise UnreadableFile("import_docx_too_large")
    if any(e.filename == "word/document.xml" and e.file_size > DOCX_MAX_DOCUMENT_XML_BYTES for e in entries):
        raise UnreadableFile("import_docx_too_large")
