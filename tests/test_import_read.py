"""The read step of the importer: a paste or a file becomes text, or a code says why it cannot."""

import io

import pytest

from tenants.notices.importing import UnreadableFile, read_source
from tenants.notices.importing.read import MAX_SOURCE_BYTES


def code_of(pasted="", filename=None, data=b""):
    with pytest.raises(UnreadableFile) as caught:
        read_source(pasted, filename, io.BytesIO(data))
    return caught.value.code


def test_a_file_of_another_type_is_refused_by_its_name():
    assert code_of(filename="seloste.pdf", data=b"%PDF-1.7") == "import_file_type"
    assert code_of(filename="seloste", data="Rekisterinpitäjä".encode()) == "import_file_type"


def test_a_file_over_two_megabytes_is_refused_and_one_at_the_limit_is_read():
    assert code_of(filename="seloste.txt", data=b"a" * (MAX_SOURCE_BYTES + 1)) == "import_file_too_large"
    text, kind = read_source("", "seloste.txt", io.BytesIO(b"a" * MAX_SOURCE_BYTES))
    assert len(text) == MAX_SOURCE_BYTES and kind == "text/plain"


def test_an_empty_or_too_long_paste_is_refused():
    assert code_of(pasted="") == "import_empty"
    assert code_of(pasted=" \n\t ") == "import_empty"
    assert code_of(pasted="ä" * (MAX_SOURCE_BYTES // 2 + 1)) == "import_text_too_long"


def test_bytes_that_are_not_utf8_are_read_as_windows_text_or_refused():
    # A BOM-led UTF-16 file is no UTF-8, but every one of its bytes is a cp1252 character.
    assert read_source("", "seloste.txt", io.BytesIO(b"\xff\xfe\x00")) == ("ÿþ\x00", "text/plain")
    assert read_source("", "seloste.txt", io.BytesIO("Säilytysaika".encode("cp1252")))[0] == "Säilytysaika"
    assert code_of(filename="seloste.txt", data=b"\x81\x8d\x90") == "import_encoding"


def test_a_file_named_docx_that_is_not_word_is_refused():
    assert code_of(filename="seloste.docx", data=b"Rekisterinpitaja\tFirma Oy") == "import_not_docx"


def test_the_type_comes_from_the_name_or_for_a_paste_from_the_text():
    assert read_source("", "Seloste.HTM", io.BytesIO(b"<p>x</p>")) == ("<p>x</p>", "text/html")
    assert read_source("", "seloste.md", io.BytesIO(b"\xef\xbb\xbf# x")) == ("# x", "text/markdown")
    assert read_source("<p>Rekisteri</p>", None, None) == ("<p>Rekisteri</p>", "text/html")
    assert read_source("Nimi\t<p>Rekisteri</p>", None, None)[1] == "text/plain"
    assert read_source(" Rekisteri ", "", None) == ("Rekisteri", "text/plain")  # no file chosen


def test_a_word_file_is_read_as_markdown():
    import docx

    document = docx.Document()
    document.add_heading("Rekisterin nimi", level=2)
    document.add_paragraph("Asiakasrekisteri")
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    text, kind = read_source("", "seloste.docx", buffer)
    assert kind == "text/markdown" and "### Rekisterin nimi" in text and "Asiakasrekisteri" in text


def test_every_code_the_read_step_raises_has_a_message_in_the_interface():
    import re
    from pathlib import Path

    from tenants.notices.importing import read
    from webapp.messages import MESSAGES

    raised = set(re.findall(r'UnreadableFile\("(\w+)"\)', Path(read.__file__).read_text("utf-8")))
    assert len(raised) == 8 and raised <= set(MESSAGES)
