"""Importing an existing notice from the app and from the command line."""

import io
from datetime import date
from pathlib import Path

from sqlalchemy import select

from tenants.notices.models import Notice, NoticeVersion
from tenants.scoping import unscoped
from webapp.i18n import helsinki_today

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
    # The unplaced text has its own line with a link to the field of the step where it waits.
    (other,) = [li for li in review.split("<li ") if "Muut tiedot" in li and "report-item--attention" in li]
    assert f'href="/app/notices/{notice.id}/steps/rights#field-other_information"' in other
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


CORPUS = Path(__file__).resolve().parent / "import_corpus"


def _upload(client, path: Path, title: str = ""):
    return client.post(
        "/app/notices/import",
        data={
            "csrf_token": client.csrf_token(),
            "text": "",
            "title": title,
            "file": (io.BytesIO(path.read_bytes()), path.name),
        },
        content_type="multipart/form-data",
    )


def test_a_file_with_two_notices_is_offered_and_split_into_two_drafts(client, session, make_owner):
    make_owner("olli@koivukumpu.fi", "Asukasyhdistys Koivukumpu ry", business_id="1881859-9")
    login(client, "olli@koivukumpu.fi")
    r = _upload(client, CORPUS / "fi_16_two_notices.md")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    offer = page.split('id="import-split"')[1].split("</div>")[0]
    assert "Tietosuojaseloste – Jäsenrekisteri" in offer and "Tietosuojaseloste – Kameravalvonta" in offer
    assert 'id="import-split-button"' in offer
    (notice,) = notices(session)
    split = client.post_form(f"/app/notices/{notice.id}/import/split", {})
    assert split.status_code == 302
    first, second = notices(session)
    assert first.draft["register_name"] == {"fi": "Asukasyhdistyksen jäsenrekisteri"}
    assert second.draft["register_name"] == {"fi": "Kerhotalon kameravalvontarekisteri"}
    assert "Tallenteet poistuvat" in second.draft["retention"]["fi"]
    assert "Tallenteet" not in first.draft["retention"]["fi"]
    after = client.get(split.headers["Location"]).get_data(as_text=True)
    assert "Kerhotalon kameravalvontarekisteri" in after and 'id="import-split-done"' in after
    # Only an unchanged import can be split: the offer is gone and a second try is refused.
    again = client.post_form(f"/app/notices/{first.id}/import/split", {})
    assert "useita selosteita" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(notices(session)) == 2


def test_an_edited_import_is_not_split(client, session, make_owner):
    make_owner("olli@koivukumpu.fi", "Asukasyhdistys Koivukumpu ry", business_id="1881859-9")
    login(client, "olli@koivukumpu.fi")
    _upload(client, CORPUS / "fi_16_two_notices.md")
    (notice,) = notices(session)
    client.post_form(
        f"/app/notices/{notice.id}/steps/retention", {"action": "save", "retention.fi": "Vuosi."}
    )
    page = client.get(f"/app/notices/{notice.id}/steps/basics").get_data(as_text=True)
    assert 'id="import-split-button"' not in page and "Tuo tiedosto uudelleen" in page
    refused = client.post_form(f"/app/notices/{notice.id}/import/split", {})
    assert "ei voi enää jakaa" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert len(notices(session)) == 1


def test_a_controller_other_than_the_organisation_is_asked_about(client, session, make_owner):
    make_owner("olli@testiyritys.fi", "Testiyritys Oy")
    login(client, "olli@testiyritys.fi")
    r = _upload(client, CORPUS / "fi_01_question_headings.md")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    question = page.split('id="import-controller"')[1].split("</div>")[0]
    assert "Kahvila Kaneli Oy (2990493-5)" in question and "Testiyritys Oy (2617416-4)" in question
    (notice,) = notices(session)
    client.post_form(f"/app/notices/{notice.id}/import/controller", {"choice": "organisation"})
    (notice,) = notices(session)
    assert notice.draft["controller"]["name"] == "Testiyritys Oy"
    assert notice.draft["controller"]["business_id"] == "2617416-4"
    page = client.get(f"/app/notices/{notice.id}/steps/basics").get_data(as_text=True)
    assert 'id="import-controller-settled"' in page and 'id="import-controller"' not in page


def test_keeping_the_notices_controller_changes_nothing(client, session, make_owner):
    make_owner("olli@testiyritys.fi", "Testiyritys Oy")
    login(client, "olli@testiyritys.fi")
    _upload(client, CORPUS / "fi_01_question_headings.md")
    (notice,) = notices(session)
    before = dict(notice.draft)
    client.post_form(f"/app/notices/{notice.id}/import/controller", {"choice": "notice"})
    (notice,) = notices(session)
    assert notice.draft == before and notice.import_report["controller"]["settled"] == "notice"
    nonsense = client.post_form(f"/app/notices/{notice.id}/import/controller", {"choice": "both"})
    assert nonsense.status_code == 302


def test_the_report_shows_dates_facts_placements_and_what_was_left_out(client, session, make_owner):
    make_owner("olli@kipina.fi", "Suunnittelutoimisto Kipinä Oy", business_id="2930295-0")
    login(client, "olli@kipina.fi")
    r = _upload(client, CORPUS / "fi_10_activity_headings.html")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="import-controller"' not in page  # the same organisation
    assert "5.6.2023" in page.split('id="import-dates"')[1].split("</p>")[0]
    facts = page.split('id="import-facts"')[1].split("</ul>")[0]
    assert "Yhdysvaltoihin" in facts  # the sentence behind the yes
    assert 'id="import-inferred"' in page
    r = _upload(client, CORPUS / "fi_15_page_chrome.html")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    left_out = page.split('id="import-left-out"')[1].split("</details>")[0]
    assert "Hyväksy kaikki" in left_out and "Toimitusehdot" in left_out
    facts = page.split('id="import-facts"')[1].split("</ul>")[0]
    assert "paitsi jos tilaat kukat" in facts and 'value="goto:recipients"' in facts


def test_a_quote_in_the_report_is_text_not_markup(client, session, make_owner):
    make_owner("olli@firma.fi", "Firma Oy")
    login(client, "olli@firma.fi")
    text = "Rekisterinpitäjä\tFirma Oy\nSiirrot\tTietoja ei siirretä EU:n ulkopuolelle, ellei <script>alert(1)</script> muuta sovita.\n"
    r = client.post_form("/app/notices/import", {"text": text, "title": ""})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)" not in page


def test_an_english_notice_gets_an_english_title(client, session, make_owner):
    make_owner("olli@firma.fi", "Firma Oy")
    login(client, "olli@firma.fi")
    text = (
        "Controller\n\nFirma Oy\n\nRetention period\n\nWe keep the data for two years after the last order.\n"
    )
    client.post_form("/app/notices/import", {"text": text, "title": ""})
    _upload(client, CORPUS / "en_01_questions.md")
    plain, titled = notices(session)
    assert plain.primary_language == "en" and plain.title == "Privacy notice"
    assert titled.title == "Privacy Notice"  # the source's own title


def test_an_import_without_a_date_asks_for_one_before_publishing(client, session, make_owner):
    make_owner("olli@taksitahti.fi", "Taksipalvelu Tähti Oy", business_id="3134590-9")
    login(client, "olli@taksitahti.fi")
    _upload(client, CORPUS / "fi_27_bold_labels_no_date.md")
    (notice,) = notices(session)
    assert notice.import_report["dates"] == [] and notice.import_report["prepared_on"] is None
    page = client.get(f"/app/notices/{notice.id}/steps/basics").get_data(as_text=True)
    assert 'id="import-no-date"' in page
    review = client.get(f"/app/notices/{notice.id}/steps/review").get_data(as_text=True)
    assert 'id="proposed-date"' not in review
    preview = client.get(f"/app/notices/{notice.id}/preview").get_data(as_text=True)
    assert _finnish(helsinki_today()) not in preview  # no date is invented for an old text


def test_cli_publishing_an_undated_import_needs_the_date(app, session, make_owner, tmp_path):
    make_owner("olli@taksitahti.fi", "Taksipalvelu Tähti Oy", business_id="3134590-9")
    runner = app.test_cli_runner()
    args = [
        "notices",
        "import",
        str(CORPUS / "fi_27_bold_labels_no_date.md"),
        "--tenant",
        "taksipalvelu-tahti-oy",
    ]
    refused = runner.invoke(args=[*args, "--publish", "--allow-incomplete"])
    assert refused.exit_code != 0 and "--prepared-on" in refused.output
    assert "the source states no date" in refused.output
    done = runner.invoke(args=[*args, "--publish", "--allow-incomplete", "--prepared-on", "2021-04-01"])
    assert done.exit_code == 0, done.output
    with unscoped(session):
        versions = list(session.scalars(select(NoticeVersion)))
    assert [v.prepared_on.isoformat() for v in versions] == ["2021-04-01"]


def test_cli_split_makes_a_draft_of_each_notice(app, session, make_owner):
    make_owner("olli@koivukumpu.fi", "Asukasyhdistys Koivukumpu ry", business_id="1881859-9")
    runner = app.test_cli_runner()
    path = str(CORPUS / "fi_16_two_notices.md")
    whole = runner.invoke(args=["notices", "import", path, "--tenant", "asukasyhdistys-koivukumpu-ry"])
    assert whole.exit_code == 0 and "holds 2 notices" in whole.output
    split = runner.invoke(
        args=["notices", "import", path, "--tenant", "asukasyhdistys-koivukumpu-ry", "--split"]
    )
    assert split.exit_code == 0 and split.output.count("Imported as draft notice") == 2
    titles = [n.title for n in notices(session)]
    assert titles[1:] == ["Asukasyhdistyksen jäsenrekisteri", "Kerhotalon kameravalvontarekisteri"]


def _finnish(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def test_a_file_of_thousands_of_headings_is_explained_not_imported(client, session, make_owner):
    make_owner("olli@firma.fi", "Firma Oy")
    login(client, "olli@firma.fi")
    text = "".join(f"Otsikko {i}\tArvo {i}\n" for i in range(600))
    r = client.post_form("/app/notices/import", {"text": text, "title": "Taulukko"})
    error = r.get_data(as_text=True).split('id="import-error"')[1].split("</")[0]
    assert r.status_code == 400 and "yli 500 otsikkoa" in error
    assert notices(session) == []


def test_the_report_says_where_the_notice_reads_the_data_come_from(client, session, make_owner):
    make_owner("olli@firma.fi", "Firma Oy")
    login(client, "olli@firma.fi")
    both = "Rekisterinpitäjä\tFirma Oy\nSäännönmukaiset tietolähteet\tTiedot saadaan hakijalta itseltään ja suosittelijoilta.\n"
    r = client.post_form("/app/notices/import", {"text": both, "title": ""})
    facts = client.get(r.headers["Location"]).get_data(as_text=True).split('id="import-facts"')[1]
    facts = facts.split("</ul>")[0]
    assert "Mistä tiedot saadaan?" in facts and "Henkilöiltä itseltään ja muualta." in facts
    assert "hakijalta itseltään" in facts  # the sentence behind it
    own = "Rekisterinpitäjä\tFirma Oy\nSäännönmukaiset tietolähteet\tTiedot saadaan hakijalta itseltään.\n"
    r = client.post_form("/app/notices/import", {"text": own, "title": ""})
    facts = client.get(r.headers["Location"]).get_data(as_text=True).split('id="import-facts"')[1]
    facts = facts.split("</ul>")[0]
    # Named without "only": not said for sure, so the firm answers it on the sources step.
    assert "Henkilöiltä itseltään ja muualta." not in facts and "Vain henkilöiltä itseltään." not in facts
    assert 'value="goto:sources"' in facts
    (first, second) = sorted(notices(session), key=lambda n: n.id)
    assert first.draft["collected_from"] == "both" and first.draft["sources_public"] is None
    assert second.draft["collected_from"] is None
