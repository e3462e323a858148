"""Attachment names are reduced to a safe base name, for storage and for Content-Disposition: no path
separators, no bidi overrides or other format characters, no control characters."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import pytest

from webapp.attachments import safe_base_name

from ..conftest import login
from ..test_requests_web import open_request

RLO = "\u202e"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\maija\\kirje.pdf", "kirje.pdf"),
        (f"lasku{RLO}fdp.exe", "laskufdp.exe"),
        ("a\x00b\x07c.txt", "abc.txt"),
        ("nolla\u200bleveys.pdf", "nollaleveys.pdf"),
        ("...piilo", "piilo"),
        ("  väli   lyönnit .pdf ", "väli lyönnit .pdf"),
        ("/", ""),
    ],
)
def test_safe_base_name(given, kept):
    assert safe_base_name(given) == kept


def test_a_hostile_name_is_stored_and_handed_out_as_a_safe_base_name(app, client, mailbox, session, firm):
    req = open_request(app, client, mailbox, session)
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    hostile = f"../../tiedot/lasku{RLO}fdp.exe"
    r = owner.post(
        f"/app/inbox/{req.id}/reply",
        data={
            "csrf_token": owner.csrf_token(),
            "message": "Liitteenä.",
            "attachments": (io.BytesIO(b"%PDF-1.4"), hostile),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    page = owner.get(f"/app/inbox/{req.id}").get_data(as_text=True)
    assert RLO not in page and "laskufdp.exe" in page
    (link,) = re.findall(r'href="(/app/inbox/\d+/files/\d+/\d+)"', page)
    disposition = owner.get(link).headers["Content-Disposition"]
    assert disposition.isascii()
    named = unquote(disposition.split("filename*=UTF-8''")[1])
    assert named == "laskufdp.exe"
    assert "/" not in named and "\\" not in named and RLO not in named
