"""A Word file is checked before it is parsed: what its archive unpacks to, how many parts it has,
the text it gives (the same 2 MB as a pasted text) and the time its reading takes."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from tenants.notices.importing import read
from tenants.notices.importing.read import UnreadableFile, docx_to_markdown

from ..conftest import login


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Tietosuojaseloste", level=1)
    document.add_paragraph("Asiakasrekisteri")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _rebuilt(replace: dict[str, bytes] | None = None, extra_entries: int = 0) -> bytes:
    """The small Word file with parts replaced (deflated, so it stays small) or parts added."""
    source = zipfile.ZipFile(io.BytesIO(_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = (replace or {}).get(item.filename, source.read(item.filename))
            target.writestr(item.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        for n in range(extra_entries):
            target.writestr(f"customXml/probe{n}.xml", b"<a/>")
    return out.getvalue()


def _document_xml(paragraphs: int, text: str) -> bytes:
    body = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" * paragraphs
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    ).encode()


def test_a_small_file_that_unpacks_to_megabytes_is_refused_at_once():
    bomb = _rebuilt({"word/document.xml": _document_xml(200_000, "Henkilötieto " * 4)})
    assert len(bomb) < 200_000  # well under the 2 MB upload limit
    began = time.monotonic()
    with pytest.raises(UnreadableFile) as refused:
        docx_to_markdown(bomb)
    assert refused.value.code == "import_docx_too_large"
    assert time.monotonic() - began < 1.0


def test_a_file_whose_text_is_longer_than_a_paste_may_be_is_refused(monkeypatch):
    # Under the unpacked limits, but the text alone is more than the 2 MB a pasted text may have.
    # The parse-time limit is lifted here: on a loaded machine it could answer first.
    monkeypatch.setattr(read, "DOCX_MAX_SECONDS", 3600)
    big = _rebuilt({"word/document.xml": _document_xml(2_500, "x" * 1_000)})
    with pytest.raises(UnreadableFile) as refused:
        docx_to_markdown(big)
    assert refused.value.code == "import_text_too_long"


def test_a_file_of_too_many_parts_is_refused_with_a_clear_message(client, make_owner):
    make_owner("olli@rantakahvila.fi", "Rantakahvila Oy")
    login(client, "olli@rantakahvila.fi")
    many = _rebuilt(extra_entries=2_000)
    r = client.post(
        "/app/notices/import?lang=en",
        data={"csrf_token": client.csrf_token(), "title": "", "file": (io.BytesIO(many), "seloste.docx")},
        content_type="multipart/form-data",
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "too many parts" in page


def test_an_ordinary_word_file_still_imports():
    assert "Asiakasrekisteri" in docx_to_markdown(_docx())
