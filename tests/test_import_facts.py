"""Facts read right: dates, the controller, rights named as verbs, and yes/no answers that a negation
never turns into a yes nor a hedge into a no. Short sources written for each rule; no database."""

from __future__ import annotations

from datetime import date

import pytest

from tenants.notices.importing import import_notice, import_parts


def fact(text: str, key: str, content_type: str = "text/plain"):
    return import_notice(text, content_type=content_type).facts[key]


# --- yes and no --------------------------------------------------------------------------------

NEGATED = [
    (
        "Rekisterin tietosisältö\n\nNimi ja osoite. Erityisiä henkilötietoryhmiä ei käsitellä.",
        "special_categories",
    ),
    (
        "Data we process\n\nName and email. Special categories of personal data are not processed.",
        "special_categories",
    ),
    (
        "Registrets innehåll\n\nNamn och adress. Känsliga personuppgifter behandlas inte.",
        "special_categories",
    ),
    (
        "Automaattinen päätöksenteko\n\nEmme tee automaattisia päätöksiä emmekä profiloi ketään.",
        "automated_decisions",
    ),
    ("Automated decisions\n\nPersonal data are not used for profiling.", "automated_decisions"),
    ("Automatiserat beslutsfattande\n\nVi använder inte profilering.", "automated_decisions"),
    ("Tietojen siirto EU:n ulkopuolelle\n\nTietoja ei siirretä EU:n tai ETA:n ulkopuolelle.", "transfers"),
    ("Transfers outside the EU\n\nPersonal data are not transferred outside the EEA.", "transfers"),
    ("Överföring utanför EU\n\nUppgifterna överförs inte utanför EU eller EES.", "transfers"),
]


@pytest.mark.parametrize(("text", "key"), NEGATED)
def test_a_negation_never_gives_a_yes(text, key):
    found = fact(text, key)
    assert found.answer is False and found.quote


HEDGED = [
    "Tietoja ei siirretä EU:n ulkopuolelle, ellei se ole teknisesti välttämätöntä.",
    "Tietoja ei siirretä EU:n ulkopuolelle paitsi asiakkaan pyynnöstä.",
    "Tietoja ei pääsääntöisesti siirretä EU:n ulkopuolelle. Tarvittaessa käytämme muita palveluja.",
    "Data are not transferred outside the EU unless a service provider needs them.",
    "Uppgifterna överförs inte utanför EU, utom om kunden ber om det.",
    "Tietoja ei siirretä EU:n ulkopuolelle. Uutiskirje lähetetään yhdysvaltalaisella palvelulla.",
    "We do not transfer data outside the EEA. Our website uses Google Analytics.",
]


@pytest.mark.parametrize("sentence", HEDGED)
def test_a_hedge_or_a_foreign_service_never_gives_no_transfers(sentence):
    found = fact(f"Rekisterinpitäjä\n\nFirma Oy\n\nSiirrot\n\n{sentence}", "transfers")
    assert found.answer is None
    assert found.quote  # the report quotes what made it unsure


def test_a_heading_alone_answers_nothing():
    assert (
        fact("Automaattinen päätöksenteko\n\nLisätietoja asiakaspalvelusta.", "automated_decisions").answer
        is None
    )
    assert fact("Siirrot kolmansiin maihin\n\nTiedot ovat palvelimella.", "transfers").answer is None
    assert (
        fact("Tallenteet poistuvat automaattisesti kuukauden kuluttua.", "automated_decisions").answer is None
    )


def test_a_plain_statement_gives_yes_with_its_sentence():
    found = fact(
        "Siirrot\n\nUutiskirje lähetetään palvelulla, jonka vuoksi tietoja siirretään Yhdysvaltoihin.",
        "transfers",
    )
    assert found.answer is True and "Yhdysvaltoihin" in found.quote
    special = fact("Käsiteltävät tiedot\n\n- nimi\n- allergiat ja muut terveystiedot", "special_categories")
    assert special.answer is True and special.categories == ["health"]
    result = import_notice("Käsiteltävät tiedot\n\n- nimi\n- allergiat ja muut terveystiedot")
    assert result.draft.special_categories == ["health"]


def test_a_question_heading_answered_with_a_bare_no():
    result = import_notice(
        "## Siirretäänkö tietoja EU:n ulkopuolelle?\n\nEi.\n", content_type="text/markdown"
    )
    assert result.facts["transfers"].answer is False and result.draft.transfers.outside_eea is False


def test_nothing_said_stays_unanswered():
    result = import_notice("Rekisterinpitäjä\n\nFirma Oy\n\nSäilytysaika\n\nKaksi vuotta.")
    assert {k: f.answer for k, f in result.facts.items()} == dict.fromkeys(result.facts)
    assert result.draft.transfers.outside_eea is None and result.draft.automated_decisions.used is None


# --- rights named as verbs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "right"),
    [
        ("Voit peruuttaa antamasi suostumuksen milloin tahansa.", "withdraw_consent"),
        ("Voit pyytää tietojesi poistamista.", "erasure"),
        ("Du har rätt till radering av dina uppgifter.", "erasure"),
        ("You can have your data erased.", "erasure"),
        ("You may ask for a copy of your data.", "access"),
        (
            "Voit pyytää saada tiedot siirrettyä toiselle palveluntarjoajalle koneluettavassa muodossa.",
            "portability",
        ),
    ],
)
def test_rights_named_in_verb_form_count(sentence, right):
    draft = import_notice(f"Oikeutesi\n\n{sentence}").draft
    keys = {i.key for i in draft.rights.items}
    if right == "withdraw_consent":  # how to withdraw consent has a field of its own
        assert draft.consent_withdrawal
    else:
        assert right in keys


# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want", "stated"),
    [
        (
            "Tietosuojaseloste\nLaadittu 4.1.2018. Päivitetty 12.3.2023.\n\nRekisterinpitäjä\nFirma Oy",
            date(2023, 3, 12),
            2,
        ),
        ("Tietosuojaseloste\nViimeisin muutos 14.2.2024\n\nRekisterinpitäjä\nFirma Oy", date(2024, 2, 14), 1),
        (
            "Dataskyddsbeskrivning\nUppdaterad den 3 maj 2021\n\nPersonuppgiftsansvarig\nFirma Ab",
            date(2021, 5, 3),
            1,
        ),
        ("Privacy notice\nLast updated: May 22, 2018\n\nController\nFirma Ltd", date(2018, 5, 22), 1),
        (
            "Rekisterinpitäjä\nFirma Oy\n\nSäilytysaika\nKaksi vuotta.\n\nTätä selostetta on muutettu viimeksi 3. toukokuuta 2021.",
            date(2021, 5, 3),
            1,
        ),
        (
            "Rekisterinpitäjä\nFirma Oy\n\nSäilytysaika\nTositteet säilytetään 1.1.2019 alkaen kuusi vuotta.",
            None,
            0,
        ),
    ],
)
def test_the_date_in_force_is_the_newest_the_notice_states(text, want, stated):
    result = import_notice(text)
    assert result.prepared_on == want and result.draft.prepared_on == want
    assert len(result.dates) == stated


def test_an_older_previous_version_is_reported_but_not_in_force():
    result = import_notice(
        "**Päivitetty:** 2.9.2024\n**Edellinen versio:** 15.3.2025\n\n## Rekisterinpitäjä\n\nFirma Oy\n",
        content_type="text/markdown",
    )
    assert result.prepared_on == date(2024, 9, 2)
    assert sorted(d.kind for d in result.dates) == ["previous", "updated"]


# --- the controller ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "business_id"),
    [
        ("Rekisterinpitäjä\n\nNimi\nAnna Koski\nOsoite\nRantapolku 4, 33500 Tampere", "Anna Koski", ""),
        (
            "Rekisterinpitäjä\n\nRekisterinpitäjänä toimii Kylän Kyläyhdistys ry, Y-tunnus 1312935-6, Kylätie 1, 82900 Ilomantsi. Yhteydenotot hallituksen sähköpostiin hallitus@kyla.example.",
            "Kylän Kyläyhdistys ry",
            "1312935-6",
        ),
        (
            "Tilitoimisto Luku Oy (Y-tunnus 2149441-7) vastaa asiakkaidensa tietojen käsittelystä.\n\nSäilytämme tiedot vuoden.",
            "Tilitoimisto Luku Oy",
            "2149441-7",
        ),
        (
            "The controller is Mikael Strand, a photographer working under business ID 3328469-5.",
            "Mikael Strand",
            "3328469-5",
        ),
        (
            "Yritys: Katto Oy\nY-tunnus: 1598109-1\nOsoite: Tie 8, 60100 Seinäjoki\n\nSäilytysaika: kaksi vuotta.",
            "Katto Oy",
            "1598109-1",
        ),
    ],
)
def test_the_controller_is_a_name_not_a_label_or_a_sentence(text, name, business_id):
    c = import_notice(text).draft.controller
    assert (c.name, c.business_id) == (name, business_id)


# --- shapes whose furniture is left out ------------------------------------------------------------------


def test_front_matter_is_metadata_never_the_title():
    source = "---\ntitle: Evästekäytäntö\npermalink: /evasteet/\n---\n\n## Rekisterinpitäjä\n\nFirma Oy\n"
    result = import_notice(source, content_type="text/markdown")
    assert result.title == "" and "Evästekäytäntö" not in result.draft.to_json().__repr__()
    assert "title: Evästekäytäntö" in result.left_out


def test_lines_a_web_page_adds_are_left_out_of_pasted_text():
    source = "Etusivu | Palvelut | Yhteystiedot\n\nRekisterinpitäjä\nFirma Oy\n\nSäilytysaika\nKaksi vuotta.\n\nHyväksy kaikki\n© 2024 Firma Oy. Kaikki oikeudet pidätetään."
    result = import_notice(source)
    assert result.left_out == [
        "Etusivu | Palvelut | Yhteystiedot",
        "Hyväksy kaikki",
        "© 2024 Firma Oy. Kaikki oikeudet pidätetään.",
    ]
    assert "Hyväksy" not in repr(result.draft.to_json())


def test_raw_markup_and_entities_never_reach_the_draft():
    source = "__Rekisterinpit&auml;j&auml;__<br />\nFirma Oy\n\n__S&auml;ilytysaika__\n<b>Kaksi</b> vuotta &ndash; sitten poistetaan.\n"
    draft = import_notice(source).draft
    stored = repr(draft.to_json())
    assert draft.controller.name == "Firma Oy" and "Kaksi" in draft.retention["fi"]
    for raw in ("&amp;", "&lt;", "__", "&auml;", "&ndash;"):
        assert raw not in stored


def test_two_notices_in_one_file_are_found_and_split():
    one = "# Tietosuojaseloste – Jäsenrekisteri\n\n## Rekisterinpitäjä\n\nYhdistys ry\n\n## Rekisterin nimi\n\nJäsenrekisteri\n\n## Säilytysaika\n\nVuosi.\n\n"
    two = "# Tietosuojaseloste – Kameravalvonta\n\n## Rekisterin nimi\n\nKameravalvonta\n\n## Säilytysaika\n\nKuukausi.\n\n## Tietojen luovutus\n\nPoliisille.\n"
    result = import_notice(one + two, content_type="text/markdown")
    assert result.parts == ["Tietosuojaseloste – Jäsenrekisteri", "Tietosuojaseloste – Kameravalvonta"]
    first, second = import_parts(one + two, content_type="text/markdown")
    assert first.draft.register_name == {"fi": "Jäsenrekisteri"} and "Vuosi" in first.draft.retention["fi"]
    assert (
        second.draft.register_name == {"fi": "Kameravalvonta"} and "Kuukausi" in second.draft.retention["fi"]
    )
    assert "Kuukausi" not in first.draft.retention["fi"]
    assert import_notice(one, content_type="text/markdown").parts == []


def test_the_colon_of_eu_n_is_no_label():
    """ "EU:n" is a word with its case ending, not "Label: value"."""
    source = "7. Tietojen luovutukset ja tietojen siirto EU:n tai ETA:n ulkopuolelle\nTietoja ei luovuteta. Tietoja ei siirretä EU:n tai ETA:n ulkopuolelle.\n"
    result = import_notice("Rekisterinpitäjä\nFirma Oy\n\n" + source)
    assert [s.key for s in result.sections][-2:] == ["recipients", "transfers"]
    assert result.facts["transfers"].answer is False
    assert "ulkopuolelle" not in result.draft.recipients[0]["fi"]


# --- where the data come from: nothing stronger than the text says --------------------------------

ORIGINS = [
    # (sources text, what the draft gets)
    (
        "Säännönmukaiset tietolähteet\n\nTiedot saadaan rekisteröidyltä itseltään ja Digi- ja väestötietovirastosta.",
        "both",
    ),
    ("Sources of data\n\nWe get the data from you, and from credit information companies.", "both"),
    ("Regelbundna uppgiftskällor\n\nUppgifterna fås av den registrerade själv och från myndigheter.", "both"),
    ("Säännönmukaiset tietolähteet\n\nTiedot saadaan ainoastaan rekisteröidyltä itseltään.", "data_subject"),
    (
        "Säännönmukaiset tietolähteet\n\nTiedot saadaan asiakkaalta itseltään. Muista lähteistä tietoja ei saada.",
        "data_subject",
    ),
    ("Regelbundna uppgiftskällor\n\nUppgifterna fås endast av den registrerade själv.", "data_subject"),
    ("Sources of data\n\nWe collect data only from you yourself.", "data_subject"),
    # The person named without "only": other sources are not ruled out.
    ("Säännönmukaiset tietolähteet\n\nTiedot saadaan asiakkaalta itseltään.", None),
    # Another source alone: whether the person gives data too is not said (never "only from elsewhere").
    ("Säännönmukaiset tietolähteet\n\nTiedot saadaan viranomaisilta.", None),
    # A hedge keeps it open.
    (
        "Säännönmukaiset tietolähteet\n\nTiedot saadaan asiakkaalta itseltään ja tarvittaessa viranomaisilta.",
        None,
    ),
    ("Sources of data\n\nWe get the data from you and, where necessary, from authorities.", None),
]


@pytest.mark.parametrize(("text", "expected"), ORIGINS)
def test_where_the_data_come_from_is_read_no_stronger_than_the_text(text, expected):
    result = import_notice(text)
    assert result.facts["collected_from"].answer == expected
    assert result.draft.collected_from == expected
    assert result.draft.sources_public is None  # whether a source is public is always the firm's answer
    if expected:
        assert result.facts["collected_from"].quote  # the sentence behind the answer, for the report


def test_a_person_named_outside_the_sources_section_says_nothing_of_where_the_data_come_from():
    text = "Käsittelyn tarkoitus\n\nKäytämme vain asiakkaalta itseltään saatuja tietoja ja viranomaisilta saatuja tietoja."
    assert import_notice(text).facts["collected_from"].answer is None
