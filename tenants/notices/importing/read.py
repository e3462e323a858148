"""The read step: a pasted text or an uploaded file (.txt, .md, .html, .docx) becomes the text to import.

A source that cannot be read raises UnreadableFile with a code; the interface words it in the
reader's language.
"""

from __future__ import annotations

import io
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

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a broken or foreign file
        raise UnreadableFile("import_not_docx") from exc
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
