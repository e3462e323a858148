"""The public page says only what the firm said: its own text is never hidden behind a stock
sentence, the Art. 22 answer is worded as asked, the request forms the text promises are linked,
addresses are links, the heading names the document, and no login account leaks into the JSON."""

from datetime import date

from tenants.notices import service
from tenants.notices.check import check

from .conftest import publish_version

TODAY = date(2026, 11, 23)
BASE = "/rantakahvila-oy/asiakasrekisteri"
MAY_LEAVE = "Uutiskirjepalvelumme voi siirtää tietoja Yhdysvaltoihin."


def _page(app, lang="fi", path=""):
    return app.test_client().get(f"{BASE}{path}?lang={lang}").get_data(as_text=True)


def _section(html, key):
    return html.split(f'<section id="{key}"', 1)[1].split("</section>", 1)[0]


def test_an_imported_text_saying_data_may_leave_the_eea_is_shown_and_the_check_raises_it(
    app, session, notice_firm
):
    def edit(d):
        d.transfers.outside_eea = False
        d.transfers.items = [{"details": {"fi": f"<p>{MAY_LEAVE}</p>", "en": "<p>May go to the US.</p>"}}]

    draft = service.draft_of(notice_firm[2])
    edit(draft)
    assert "transfers_contradiction" in {i.code for i in check(draft, ["fi", "en"]).blocking}
    publish_version(session, notice_firm, today=TODAY, edit=edit, allow_incomplete=True)
    transfers = _section(_page(app), "transfers")
    assert MAY_LEAVE in transfers
    assert "Emme siirrä" not in transfers  # never the opposite of the firm's own text


def test_own_cookie_text_is_shown_instead_of_the_stock_no(app, session, notice_firm):
    own = "Sivustomme käyttää analytiikkaevästeitä, jos hyväksyt ne."
    publish_version(
        session,
        notice_firm,
        today=TODAY,
        edit=lambda d: setattr(
            d, "cookies", {"used": False, "text": {"fi": f"<p>{own}</p>", "en": "<p>x</p>"}}
        ),
    )
    cookies = _section(_page(app), "cookies")
    assert own in cookies and "Emme käytä evästeitä" not in cookies


def test_where_the_firm_wrote_nothing_the_stock_sentences_follow_the_answers(app, session, notice_firm):
    publish_version(session, notice_firm, today=TODAY)
    fi, en = _page(app), _page(app, "en")
    assert "Emme siirrä henkilötietoja EU:n tai ETA:n ulkopuolelle." in _section(fi, "transfers")
    assert "Emme käytä evästeitä" in _section(fi, "cookies")
    # Art. 22 as it was asked: no solely automated decisions with significant effects; never "we do not profile"
    automated_fi, automated_en = _section(fi, "automated_decisions"), _section(en, "automated_decisions")
    assert "pelkästään automaattiseen käsittelyyn, profilointi mukaan luettuna" in automated_fi
    assert "emmekä profiloi" not in automated_fi
    assert "including profiling, that have legal effects" in automated_en
    assert "we do not profile" not in automated_en


def test_every_notice_page_links_its_request_form_and_the_organisations(app, session, notice_firm):
    publish_version(session, notice_firm, today=TODAY)
    for lang, path in (("fi", ""), ("en", ""), ("fi", "/v/1"), ("en", "/v/1")):
        html = _page(app, lang, path)
        assert f'id="request-form-link" href="{BASE}/request?lang={lang}"' in html, (lang, path)
        assert f'id="tenant-request-form-link" href="/rantakahvila-oy/request?lang={lang}"' in html
        # the form exists where the link points
        assert app.test_client().get(f"{BASE}/request?lang={lang}").status_code == 200


def test_the_heading_names_the_document_and_addresses_are_links(app, session, notice_firm):
    publish_version(session, notice_firm, today=TODAY)
    fi, en = _page(app), _page(app, "en")
    assert (
        '<h1><span class="doc-kind">Tietosuojaseloste</span> <span class="doc-title">Asiakasrekisteri</span></h1>'
        in fi
    )
    assert '<span class="doc-kind">Privacy notice</span>' in en
    assert '<a href="mailto:olli@rantakahvila.fi">olli@rantakahvila.fi</a>' in fi
    assert '<a href="mailto:tietosuoja@om.fi">tietosuoja@om.fi</a>' in fi
    assert '<a href="https://tietosuoja.fi">https://tietosuoja.fi</a>' in fi
    # the authority's visiting and postal addresses apart
    complaint = _section(fi, "complaint")
    assert "<dt>Käyntiosoite</dt><dd>Lintulahdenkuja 4, 00530 Helsinki</dd>" in complaint
    assert "<dt>Postiosoite</dt><dd>PL 800, 00531 Helsinki</dd>" in complaint


def test_the_public_json_names_no_login_account(app, session, notice_firm):
    assert service.draft_of(notice_firm[2]).contact.member_user_id is not None
    publish_version(session, notice_firm, today=TODAY)
    data = app.test_client().get(f"{BASE}/v/1.json").get_json()
    assert data["content"]["contact"]["member_user_id"] is None
    assert data["content"]["contact"]["email"] == "olli@rantakahvila.fi"


def test_the_basis_of_a_transfer_and_the_right_of_access_are_named_as_the_law_names_them(
    app, session, notice_firm
):
    def edit(d):
        d.transfers.outside_eea = True
        d.transfers.items = [{"country": "Japani", "safeguard": "adequacy"}]

    publish_version(session, notice_firm, today=TODAY, edit=edit)
    transfers = _section(_page(app), "transfers")
    assert "<dt>Siirron peruste</dt>" in transfers and "Suojatoimi" not in transfers


def test_the_swedish_right_of_access_is_raett_till_tillgang():
    from tenants.notices.render import render
    from tenants.notices.rights import sync_rights
    from tenants.notices.schema import load_draft

    draft = sync_rights(
        load_draft({"purposes": [{"description": {"sv": "<p>x</p>"}, "legal_basis": "contract"}]})
    )
    rights = next(s for s in render(draft, "sv").sections if s.key == "rights")
    titles = [b.title for b in rights.blocks]
    assert "Rätt till tillgång" in titles and "Rätt till insyn" not in titles


def test_erasure_notes_the_limit_of_a_legal_obligation_only_where_one_is_a_basis():
    from tenants.notices.render import render
    from tenants.notices.rights import sync_rights
    from tenants.notices.schema import load_draft

    def erasure(basis):
        purposes = [{"description": {"fi": "<p>x</p>"}, "legal_basis": basis}]
        rights = next(
            s
            for s in render(sync_rights(load_draft({"purposes": purposes})), "fi").sections
            if s.key == "rights"
        )
        group = next(b for b in rights.blocks if b.title == "Oikeus tietojen poistamiseen")
        return " ".join(str(b.value) for b in group.value)

    assert "emme voi poistaa ennen kuin säilytysvelvollisuus päättyy" in erasure("legal_obligation")
    assert "säilytysvelvollisuus" not in erasure("contract")


def test_research_or_statistics_adds_the_art_21_6_objection_to_the_page():
    from tenants.notices.render import render
    from tenants.notices.rights import sync_rights
    from tenants.notices.schema import load_draft

    def rights_text(research, lang="fi"):
        draft = {"purposes": [{"description": {lang: "<p>x</p>"}, "legal_basis": "contract"}]}
        draft["research_statistics"] = research
        section = next(s for s in render(sync_rights(load_draft(draft)), lang).sections if s.key == "rights")
        return " ".join(str(b.title) + " " + str(b.value) for b in section.blocks)

    assert "Oikeus vastustaa käsittelyä" in rights_text(True)
    assert "tilastointia varten" in rights_text(True)
    assert "forskningsändamål" in rights_text(True, "sv") and "statistics" in rights_text(True, "en")
    assert "Oikeus vastustaa käsittelyä" not in rights_text(False)
    assert "tilastointia" not in rights_text(False)


def test_explicit_consent_puts_withdrawal_and_portability_on_the_page():
    from tenants.notices.render import render
    from tenants.notices.rights import sync_rights
    from tenants.notices.schema import load_draft

    def titles(explicit):
        draft = load_draft(
            {
                "purposes": [{"description": {"fi": "<p>x</p>"}, "legal_basis": "legal_obligation"}],
                "special_categories_used": True,
                "special_categories": ["health"],
                "explicit_consent": explicit,
            }
        )
        section = next(s for s in render(sync_rights(draft), "fi").sections if s.key == "rights")
        return [b.title for b in section.blocks]

    assert {"Oikeus peruuttaa suostumus", "Oikeus siirtää tiedot järjestelmästä toiseen"} <= set(titles(True))
    assert not {"Oikeus peruuttaa suostumus", "Oikeus siirtää tiedot järjestelmästä toiseen"} & set(
        titles(False)
    )


def test_criminal_data_have_their_own_section_on_the_page():
    from tenants.notices.render import render
    from tenants.notices.schema import load_draft

    def sections(criminal, lang):
        draft = load_draft(
            {
                "special_categories_used": True,
                "special_categories": ["health"],
                "criminal_data": criminal,
                "criminal_justification": {lang: "<p>Rikosrekisteriote lain 504/2002 mukaan.</p>"},
            }
        )
        return {s.key: s for s in render(draft, lang).sections}

    for lang, heading in (
        ("fi", "Rikostuomiot ja rikkomukset"),
        ("sv", "Fällande domar i brottmål och överträdelser"),
        ("en", "Criminal convictions and offences"),
    ):
        shown = sections(True, lang)
        assert shown["criminal_data"].heading == heading
        assert "504/2002" in " ".join(str(b.value) for b in shown["criminal_data"].blocks)
        special = " ".join(str(b.value) for b in shown["special_categories"].blocks)
        assert heading not in special and "Rikos" not in special  # not listed as a special category
        hidden = sections(False, lang)
        assert "criminal_data" not in hidden or not hidden["criminal_data"].blocks


def test_the_sources_say_where_the_data_come_from_only_as_the_firm_answered(app, session, notice_firm):
    # The starter's firm answered: from the person and from elsewhere, no publicly accessible source.
    publish_version(session, notice_firm, today=TODAY)
    fi, en = _section(_page(app), "sources"), _section(_page(app, "en"), "sources")
    assert "Saamme tietoja sinulta itseltäsi ja myös muualta." in fi
    assert "We get data directly from you and also from other sources." in en
    assert "yleisesti saatavilla" not in fi and "publicly accessible" not in en  # answered no: not said

    publish_version(
        session,
        notice_firm,
        today=TODAY,
        note="Julkiset lähteet",
        edit=lambda d: setattr(d, "sources_public", True),
    )
    fi, en = _section(_page(app), "sources"), _section(_page(app, "en"), "sources")
    assert "Tiedot tai osa niistä saadaan yleisesti saatavilla olevista lähteistä." in fi
    assert "Some or all of the data come from publicly accessible sources." in en


def test_each_transfer_tells_how_to_get_a_copy_of_its_safeguards(app, session, notice_firm):
    copy_fi = "Saat kopion vakiosopimuslausekkeista pyytämällä sitä sähköpostitse."

    def edit(d):
        d.transfers.outside_eea = True
        d.transfers.items = [
            {
                "country": "Yhdysvallat",
                "safeguard": "scc",
                "copy_how": {"fi": f"<p>{copy_fi}</p>", "en": "<p>Ask us for a copy by email.</p>"},
            }
        ]

    draft = service.draft_of(notice_firm[2])
    edit(draft)
    assert "transfer_safeguard_copy_missing" not in {i.code for i in check(draft, ["fi", "en"]).items}
    publish_version(session, notice_firm, today=TODAY, edit=edit)
    fi, en = _section(_page(app), "transfers"), _section(_page(app, "en"), "transfers")
    assert "Näin saat kopion suojatoimista" in fi and copy_fi in fi
    assert "How to get a copy of the safeguards" in en and "Ask us for a copy by email." in en


def _sections(data, lang="fi"):
    from tenants.notices.render import render
    from tenants.notices.schema import load_draft

    return {s.key: s for s in render(load_draft(data), lang).sections}


def _said(section) -> list:
    return [b.value for b in section.blocks]


def test_the_sources_section_follows_the_art_13_or_14_answer():
    listed = [{"fi": "Asiakas itse", "sv": "Kunden själv"}]
    # Art. 13 only, nothing listed: no sources section. Listed: the answer, then the list.
    assert "sources" not in _sections({"collected_from": "data_subject"})
    assert _said(_sections({"collected_from": "data_subject", "sources": listed})["sources"]) == [
        "Saamme tiedot sinulta itseltäsi.",
        ["Asiakas itse"],
    ]
    # Unanswered: the list alone, no sentence the firm did not confirm.
    assert _said(_sections({"sources": listed})["sources"]) == [["Asiakas itse"]]
    # Only from elsewhere: said in Swedish too; the public-source sentence only with a yes.
    elsewhere = {"collected_from": "elsewhere", "sources": listed}
    assert _said(_sections({**elsewhere, "sources_public": False}, "sv")["sources"]) == [
        "Vi får uppgifterna från andra håll än från dig själv.",
        ["Kunden själv"],
    ]
    assert _said(_sections({**elsewhere, "sources_public": True}, "sv")["sources"])[-1] == (
        "Uppgifterna eller en del av dem kommer från allmänt tillgängliga källor."
    )
    # A yes given while the data come from the person alone says nothing of Art. 14.
    assert _said(
        _sections({"collected_from": "data_subject", "sources": listed, "sources_public": True})["sources"]
    )[-1] == ["Asiakas itse"]


def test_the_requirement_is_told_only_where_the_person_gives_data():
    requirement = {"kind": "contractual", "consequences": {"fi": "<p>Ilman tietoja emme voi palvella.</p>"}}
    for where in ("data_subject", "both", None):
        assert "requirement" in _sections({"collected_from": where, "requirement": requirement}), where
    assert "requirement" not in _sections({"collected_from": "elsewhere", "requirement": requirement})
