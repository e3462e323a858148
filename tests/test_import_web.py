"""Importing an existing notice from the app and from the command line."""

import io
from pathlib import Path

from sqlalchemy import select

from tenants.notices.models import Notice, NoticeVersion
from tenants.scoping import unscoped

from .conftest import login
from .support import skip_or_fail

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


def seed(name_start: str) -> str:
    matches = sorted(SEEDS.glob(f"{name_start}_*.txt"))
    if not matches:
        skip_or_fail("the seed notices (../shared/seeds) are not beside the repository")
    return matches[0].read_text(encoding="utf-8")


def notices(session):
    with unscoped(session):
        session.expire_all()
        return list(session.scalars(select(Notice).order_by(Notice.id)))


def test_paste_opens_the_wizard_with_a_report_and_the_sources_date(client, session, make_owner):
    make_owner("olli@konttorimix.fi", "Konttorimix Oy")
    login(client, "olli@konttorimix.fi")
    r = client.post_form("/app/notices/import", {"text": seed("001"), "title": ""})
    assert r.status_code == 302 and "/steps/basics" in r.headers["Location"]
    (notice,) = notices(session)
    assert notice.languages == ["fi"] and notice.import_report["prepared_on"] == "2019-11-06"
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="import-report"' in page and 'value="Konttorimix Oy"' in page
    review = client.get(f"/app/notices/{notice.id}/steps/review").get_data(as_text=True)
    # The source's date is proposed while the content is unchanged (the publish form waits for fixes).
    assert 'id="proposed-date"' in review and "6.11.2019" in review
    assert "Valvontaviranomaisen vanha osoite (Ratapihantie 9)" in review
    # The unplaced text has its own line with a button to the step where it waits.
    (other,) = [li for li in review.split("<li ") if "Muut tiedot" in li and "report-item--attention" in li]
    assert 'value="goto:rights"' in other
    # Editing the content makes the wizard propose today's date instead.
    client.post_form(
        f"/app/notices/{notice.id}/steps/retention",
        {"action": "save", "retention.fi": "Kymmenen vuotta asiakkuuden päättymisestä."},
    )
    review = client.get(f"/app/notices/{notice.id}/steps/review").get_data(as_text=True)
    assert 'id="proposed-date"' not in review


def test_upload_of_a_word_file(client, session, make_owner):
    import docx

    make_owner("olli@firma.fi", "Firma Oy")
    login(client, "olli@firma.fi")
    document = docx.Document()
    document.add_heading("Tietosuojaseloste", level=1)
    document.add_heading("Rekisterin nimi", level=2)
    document.add_paragraph("Asiakasrekisteri")
    document.add_heading("Henkilötietojen säilytysaika", level=2)
    document.add_paragraph("Säilytämme tiedot kolme vuotta asiakkuuden päättymisestä.")
    buffer = io.BytesIO()
    document.save(buffer)
    r = client.post(
        "/app/notices/import",
        data={
            "csrf_token": client.csrf_token(),
            "text": "",
            "title": "Word-seloste",
            "file": (io.BytesIO(buffer.getvalue()), "seloste.docx"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    (notice,) = notices(session)
    assert notice.title == "Word-seloste"
    assert "kolme vuotta" in notice.draft["retention"]["fi"]


def test_bad_uploads_are_explained_and_keep_the_title(client, session, make_owner):
    make_owner("olli@firma.fi", "Firma Oy")
    login(client, "olli@firma.fi")
    r = client.post(
        "/app/notices/import",
        data={
            "csrf_token": client.csrf_token(),
            "text": "",
            "title": "Pidän tämän",
            "file": (io.BytesIO(b"\x00\x01"), "kuva.png"),
        },
        content_type="multipart/form-data",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and 'id="import-error"' in html and 'value="Pidän tämän"' in html
    r = client.post_form("/app/notices/import", {"text": "  ", "title": ""})
    assert r.status_code == 400


def test_unreadable_sources_are_explained_in_the_users_language(client, session, make_owner):
    make_owner("olli@firma.fi", "Firma Oy")
    login(client, "olli@firma.fi")
    r = client.post(
        "/app/notices/import",
        data={
            "csrf_token": client.csrf_token(),
            "text": "",
            "title": "",
            "file": (io.BytesIO(b"%PDF"), "a.pdf"),
        },
        content_type="multipart/form-data",
    )
    error = r.get_data(as_text=True).split('id="import-error"')[1].split("</")[0]
    assert "Lataa .txt-, .html-, .md- tai .docx-tiedosto tai liitä teksti." in error
    r = client.post_form("/app/notices/import", {"text": "  ", "title": ""})
    error = r.get_data(as_text=True).split('id="import-error"')[1].split("</")[0]
    assert "Liitä selosteesi teksti tai valitse tiedosto." in error
    assert notices(session) == []


def test_a_section_too_long_is_named_in_the_users_language_and_nothing_is_lost(client, session, make_owner):
    make_owner("olli@firma.fi", "Firma Oy")
    login(client, "olli@firma.fi")
    text = "Rekisterin nimi\tAsiakasrekisteri\nSäilytysaika\t" + "Säilytämme tiedot. " * 2000
    r = client.post_form("/app/notices/import", {"text": text, "title": "Vanha seloste"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and 'id="import-error"' in page
    assert "Säilytysaika" in page.split('id="import-error"')[1].split("</")[0]
    assert "import_too_long" not in page
    assert text.split("\n")[0] in page and 'value="Vanha seloste"' in page  # what was pasted is still there
    assert notices(session) == []
    assert notices(session) == []


def test_cli_import_and_publish_with_allow_incomplete(app, session, make_owner, tmp_path):
    make_owner("olli@kivinen.fi", "K&K Kivinen Oy")
    source = tmp_path / "seloste.txt"
    source.write_text(seed("000"), encoding="utf-8")
    runner = app.test_cli_runner()
    refused = runner.invoke(
        args=["notices", "import", str(source), "--tenant", "k-k-kivinen-oy", "--publish"]
    )
    assert refused.exit_code != 0 and "BLOCKING" in refused.output and "Not published" in refused.output
    forced = runner.invoke(
        args=[
            "notices",
            "import",
            str(source),
            "--tenant",
            "k-k-kivinen-oy",
            "--publish",
            "--allow-incomplete",
        ]
    )
    assert forced.exit_code == 0, forced.output
    assert "Published version 1 with" in forced.output and "/k-k-kivinen-oy/" in forced.output
    with unscoped(session):
        version = session.scalar(select(NoticeVersion))
    assert version.open_findings and version.prepared_on.isoformat() == "2019-03-21"
    assert any(f["code"] == "repealed_law_cited" for f in version.open_findings)
    missing = runner.invoke(args=["notices", "import", str(source), "--tenant", "ei-ole"])
    assert missing.exit_code != 0 and "No tenant has the address" in missing.output


def test_cli_import_of_an_unreadable_file_says_why_in_english(app, make_owner, tmp_path):
    make_owner("olli@kivinen.fi", "K&K Kivinen Oy")
    runner = app.test_cli_runner()
    pdf = tmp_path / "seloste.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    refused = runner.invoke(args=["notices", "import", str(pdf), "--tenant", "k-k-kivinen-oy"])
    assert refused.exit_code != 0
    assert "Upload a .txt, .html, .md or .docx file, or paste the text." in refused.output
    word = tmp_path / "seloste.docx"
    word.write_text("Rekisterinpitäjä\tFirma Oy", encoding="utf-8")
    refused = runner.invoke(args=["notices", "import", str(word), "--tenant", "k-k-kivinen-oy"])
    assert refused.exit_code != 0 and "This does not look like a Word (.docx) file." in refused.output
