"""Attachments through the storage interface: local disk by default, S3 against a moto server on loopback."""

import io
import re
import socket

import pytest

from tenants.storage import StorageError
from webapp.storage import LocalStorage, S3Storage

from .conftest import login
from .test_requests_web import firm, open_request  # noqa: F401  (fixtures and helpers)


@pytest.fixture(scope="module")
def s3_server():
    """A moto S3 server on 127.0.0.1 for this module."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_server, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    store = S3Storage("seloste-test", endpoint_url=s3_server, region="eu-north-1")
    try:
        store.client.create_bucket(
            Bucket="seloste-test", CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
        )
    except store.client.exceptions.BucketAlreadyOwnedByYou:
        pass
    return store


@pytest.mark.sqlite_only
def test_s3_storage_round_trip(s3, backend):
    s3.put("1/requests/2/abc-kirje.pdf", b"%PDF-1.4 kirje", "application/pdf")
    assert s3.get("1/requests/2/abc-kirje.pdf") == b"%PDF-1.4 kirje"
    head = s3.client.head_object(Bucket="seloste-test", Key="1/requests/2/abc-kirje.pdf")
    assert head["ServerSideEncryption"] == "AES256" and head["ContentType"] == "application/pdf"
    s3.delete("1/requests/2/abc-kirje.pdf")
    with pytest.raises(StorageError):
        s3.get("1/requests/2/abc-kirje.pdf")


@pytest.mark.sqlite_only
def test_local_storage_refuses_keys_outside_its_folder(tmp_path, backend):
    store = LocalStorage(str(tmp_path))
    store.put("1/a.txt", b"x", "text/plain")
    assert store.get("1/a.txt") == b"x"
    with pytest.raises(StorageError):
        store.put("../escape.txt", b"x", "text/plain")


def _reply_with_file(owner, req, name="vastaus.pdf", data=b"%PDF-1.4 tiedot", message="Liitteenä tietosi."):
    return owner.post(
        f"/app/inbox/{req.id}/reply",
        data={
            "csrf_token": owner.csrf_token(),
            "message": message,
            "attachments": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("where", ["local", "s3"])
def test_reply_with_attachment_reaches_the_requester(app, client, mailbox, session, firm, where, request):  # noqa: F811
    if where == "s3":
        app.extensions["seloste_storage"] = request.getfixturevalue("s3")
    req = open_request(app, client, mailbox, session)
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    r = _reply_with_file(owner, req)
    assert r.status_code == 302
    page = owner.get(f"/app/inbox/{req.id}").get_data(as_text=True)
    assert "vastaus.pdf" in page
    (link,) = re.findall(r'href="(/app/inbox/\d+/files/\d+/\d+)"', page)
    download = owner.get(link)
    assert download.data == b"%PDF-1.4 tiedot" and "attachment" in download.headers["Content-Disposition"]
    assert download.mimetype == "application/octet-stream"
    status_link = mailbox.last("maija@example.fi").link("/requests/status/").replace("http://localhost", "")
    status_page = app.test_client().get(status_link).get_data(as_text=True)
    (file_link,) = re.findall(r'href="(/requests/status/[^"]+/files/\d+/\d+)"', status_page)
    assert app.test_client().get(file_link).data == b"%PDF-1.4 tiedot"


def test_storage_down_sends_nothing_and_keeps_the_message(app, client, mailbox, session, firm):  # noqa: F811
    class Down:
        def put(self, *a):
            raise StorageError("down")

    app.extensions["seloste_storage"] = Down()
    req = open_request(app, client, mailbox, session)
    mails_before = len(mailbox.to("maija@example.fi"))
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    r = _reply_with_file(owner, req)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="reply-attachments-error"' in html and "Liitteenä tietosi." in html
    assert len(mailbox.to("maija@example.fi")) == mails_before
    assert "event--message_out" not in owner.get(f"/app/inbox/{req.id}").get_data(as_text=True)


def test_a_status_link_does_not_open_another_requests_files(app, client, mailbox, session, firm):  # noqa: F811
    first = open_request(app, client, mailbox, session)
    second = open_request(app, client, mailbox, session, email="toinen@example.fi", name="Toinen")
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    _reply_with_file(owner, second, data=b"toisen tiedot")
    page = owner.get(f"/app/inbox/{second.id}").get_data(as_text=True)
    (link,) = re.findall(r'href="/app/inbox/\d+/files/(\d+)/(\d+)"', page)
    first_status = mailbox.last("maija@example.fi").link("/requests/status/").replace("http://localhost", "")
    assert first.id != second.id
    assert app.test_client().get(f"{first_status}/files/{link[0]}/{link[1]}").status_code == 404


def test_a_refused_reply_leaves_no_file_behind(app, client, mailbox, session, firm, tmp_path):  # noqa: F811
    app.extensions["seloste_storage"] = LocalStorage(str(tmp_path))
    req = open_request(app, client, mailbox, session)
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    r = _reply_with_file(owner, req, message="   ")  # no text: the message is refused
    assert r.status_code == 400
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert _reply_with_file(owner, req).status_code == 302  # a proper reply still stores its file
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
