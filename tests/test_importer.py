"""The importer: seeds import to their ground truth, raise their findings, and lose no sentence.

Seeds are ../shared/seeds/*.txt with expected.json; our own fixtures are tests/fixtures/imports/.
No database: the importer is a pure function.
"""

import ast
import html
import json
import re
from datetime import date
from pathlib import Path

import pytest

from tenants.notices.check import check, texts
from tenants.notices.importing import import_notice
from tenants.notices.importing.fields import find_date

from .support import skip_or_fail

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
EXPECTED = json.loads((SEEDS / "expected.json").read_text("utf-8")) if SEEDS.is_dir() else {}
SEED_NAMES = sorted(k for k in EXPECTED if not k.startswith("_"))
needs_seeds = pytest.mark.skipif(not SEED_NAMES, reason="../shared/seeds is not here")


def test_the_seeds_are_here():
    """Under CI the seed tests must run: an empty parameter list would pass them silently."""
    if not SEED_NAMES:
        skip_or_fail("the seed notices (../shared/seeds) are not beside the repository")
    assert len(SEED_NAMES) == 5


# Sections expected.json does not list under `present` (header fields and where unplaced text went).
NOT_LISTED = {"controller", "contact", "dpo", "register_name", "prepared_on", "other_information", "rights"}
FINDINGS = {
    "repealed henkilötietolaki": lambda r, codes: "repealed_law_cited" in codes,
    "no legal basis": lambda r, codes: "legal_basis_missing" in codes,
    "no retention period": lambda r, codes: "retention_missing" in codes,
    "no right to complain": lambda r, codes: "complaint_missing" in codes,
    "no right to restriction": lambda r, codes: (
        "restriction" in codes.get("rights_missing", {}).get("rights", [])
    ),
    "cookies section empty": lambda r, codes: "cookies_unanswered" in codes,
    "outdated supervisory authority address": lambda r, codes: "outdated_authority_address" in codes,
    "automated decisions section empty": lambda r, codes: "automated_unanswered" in codes,
    "requirement asked in a heading but not answered": lambda r, codes: "requirement_unanswered" in codes,
    "leftover placeholder 'muuta?'": lambda r, codes: "placeholders_left" in codes,
    "hetu) collected without a stated justification": lambda r, codes: "hetu_unjustified" in codes,
    "no separate contact person": lambda r, codes: "contact_missing" in codes,
    "no laatimispäivä": lambda r, codes: r.prepared_on is None,
}
# Labels of contact fields: structure, like headings, not content a draft must repeat.
FIELD_LABELS = re.compile(
    r"\b(?:nimi|y-tunnus|osoite|puhelin|puh|sähköposti|namn|fo-nummer|adress|telefon|tfn|e-post|name|"
    r"business id|address|phone|email|e-mail|tel)\b\.?:?",
    re.I,
)


def fold(text: str) -> str:
    """Whitespace folded; no space before punctuation (tags become spaces in plain text)."""
    return re.sub(r"\s+([.,;:!?)])", r"\1", " ".join(text.split()))


def seed(name: str):
    return import_notice((SEEDS / name).read_text("utf-8"))


# --- every sentence survives -----------------------------------------------------------------------

_CHROME = re.compile(r"<(head|nav|header|footer|script|style)\b.*?</\1>", re.S | re.I)
_BLOCK_TAG = re.compile(
    r"<br\s*/?>|</?(?:p|div|li|ul|ol|h[1-6]|dt|dd|dl|tr|td|th|table|section|article|main)\b[^>]*>", re.I
)
_PIECE = re.compile(r"\n|\t|\|| \u2013 |(?<=[.!?:;])\s+|(?:^|\s)[-•*]\s+|(?<=\w)-\s+(?=[A-ZÅÄÖ])")


def visible_pieces(source: str, *, page: bool = False) -> list[str]:
    """The source's visible text (tags, Markdown marks and entities gone) cut into sentences and items."""
    text = _CHROME.sub("\n", source) if page else source
    text = _BLOCK_TAG.sub("\n", text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text).replace("**", "").replace("__", "")
    text = re.sub(r"^\s*[|:\- ]{3,}$", "", text, flags=re.M)  # table separators, rules
    pieces = [fold(re.sub(r"^\s*[-•*–]\s+", "", p)) for p in _PIECE.split(text) if p]
    return [p for p in pieces if re.search(r"\w", p) and not re.fullmatch(r"(?:\d+|[A-Za-z])[.):]?", p)]


def _words(text: str) -> set[str]:
    return {w.strip(".,;:()").lower() for w in text.split()} - {""}


def lost_sentences(result, source: str, *, page: bool = False) -> list[str]:
    """Pieces of the source found nowhere in the draft (headings count as placed)."""
    draft = result.draft
    whole = fold(" ".join(text for _path, _lang, text in texts(draft)))
    headings = set()
    for s in result.sections:
        for piece in visible_pieces(s.heading):
            headings |= {piece, piece.rstrip(".:"), re.sub(r"^\d+[.)]?\s+", "", piece)}
    fields = [v for part in (draft.controller, draft.contact, draft.dpo) for v in part.model_dump().values()]
    party_words = _words(" ".join(v for v in fields if isinstance(v, str)))
    party_words |= _words(draft.contact.title.get(result.language, ""))
    lost = []
    for piece in visible_pieces(source, page=page):
        if piece in whole or piece.rstrip(":") in headings or piece in headings:
            continue
        found = find_date(piece)
        if found and found[0] == result.prepared_on and len(piece.split()) <= 4:
            continue  # the source's date is the draft's prepared_on
        # A contact line is split into fields: every word of it must be in those fields.
        piece = re.sub(r"\bY-(?=\d{7}-\d)", "", piece)  # Y-2011062-9 is kept as 2011062-9
        if _words(FIELD_LABELS.sub(" ", piece)) <= party_words:
            continue
        lost.append(piece)
    return lost


# --- the seeds -------------------------------------------------------------------------------------


def _address(c) -> str:
    return fold(" ".join(p for p in (c.street_address, c.postal_code, c.city) if p))


@needs_seeds
@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_imports_to_its_ground_truth(name):
    want = EXPECTED[name]
    result = seed(name)
    draft, lang = result.draft, result.language
    assert result.language == want["language"]
    assert result.prepared_on == (date.fromisoformat(want["prepared_on"]) if want["prepared_on"] else None)
    assert draft.prepared_on == result.prepared_on

    c = want["controller"]
    assert draft.controller.name == c["name"]
    assert draft.controller.business_id == (c["business_id"] or "")
    assert _address(draft.controller) == fold(c["address"] or "")
    assert draft.controller.phone == (c["phone"] or "")
    assert draft.controller.email == (c["email"] or "")
    p = want["contact"] or {"name": None, "address": None, "phone": None, "email": None}
    assert draft.contact.name == (p["name"] or "")
    assert fold(draft.contact.address) == fold(p["address"] or "")
    assert draft.contact.phone == (p["phone"] or "")
    assert draft.contact.email == (p["email"] or "")

    assert draft.register_name == {lang: want["register_name"]}
    assert [fold(i[lang]) for i in draft.data_categories] == [fold(x) for x in want["data_categories"]]
    assert draft.legal_bases() == set(want.get("legal_basis", []))
    interests = [fold(p.legitimate_interest[lang]) for p in draft.purposes if p.legitimate_interest]
    interests = [re.sub(r"<[^>]+>", "", i) for i in interests]
    assert interests == ([want["legitimate_interest"]] if "legitimate_interest" in want else [])
    retention = fold(re.sub(r"<[^>]+>", " ", draft.retention.get(lang, "")))
    assert retention == fold(want.get("retention", ""))

    def listed(empty):
        keys = {
            "security" if s.key.startswith("security") else s.key for s in result.sections if s.empty == empty
        }
        return keys - NOT_LISTED

    assert listed(False) == set(want["present"])
    assert listed(True) == set(want["empty_in_source"])


@needs_seeds
@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_raises_its_findings(name):
    result = seed(name)
    report = check(result.draft, [result.language])
    codes = {i.code: i.params for i in report.items if i.status != "present"}
    for finding in EXPECTED[name]["findings"]:
        rules = [rule for phrase, rule in FINDINGS.items() if phrase in finding]
        assert rules, f"no rule for the finding {finding!r}"
        assert all(rule(result, codes) for rule in rules), (finding, sorted(codes))


@needs_seeds
@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_loses_no_sentence(name):
    source = (SEEDS / name).read_text("utf-8")
    assert lost_sentences(seed(name), source) == []


@needs_seeds
def test_seed_details_that_matter_to_the_user():
    r000 = seed("000_f113089085ad4c33.txt")
    # "ei siirretä …, ellei …" is a hedge, not a "no": the question stays open and the report quotes it
    assert r000.draft.cookies.used is None and r000.draft.transfers.outside_eea is None
    assert "ellei se ole yrityksen" in r000.facts["transfers"].quote
    assert "Asiakasrekisteri - tietosuojaseloste" in r000.unplaced  # the title: the user decides
    assert "Henkilörekisteri sisältää seuraavia tietoja:" in r000.unplaced
    recipients = " ".join(i["fi"] for i in r000.draft.recipients)
    assert "liittyvissä asioissa sekä" in recipients  # a value broken over two lines is one sentence again
    r001 = seed("001_06c2083ac6b32df8.txt")
    keys = [i.key for i in r001.draft.rights.items]
    assert keys == [
        "access",
        "rectification",
        "erasure",
        "restriction",
        "objection",
        "portability",
        "complaint",
    ]
    assert "Ratapihantie 9" in r001.draft.rights.items[-1].text["fi"]
    assert r001.draft.automated_decisions.used is None and r001.draft.cookies.used is True
    assert r001.draft.requirement.kind is None
    assert "<li>vierailun ajankohta</li>" in r001.draft.cookies.text["fi"]
    r002 = seed("002_3707d14185269fe4.txt")
    assert r002.draft.contact.name == "" and r002.draft.transfers.outside_eea is None
    assert "Arjasmaa Yhtiöt Oy sekä tytäryhtiöt" in r002.unplaced
    assert r002.draft.security.manual and r002.draft.security.electronic
    r004 = seed("004_26c1db802dfb9213.txt")
    assert r004.draft.personal_identity_code is True


def test_the_importer_imports_no_web_framework():
    package = Path(__file__).resolve().parent.parent / "tenants" / "notices" / "importing"
    modules = sorted(package.glob("*.py"))
    assert len(modules) >= 5
    for module in modules:
        tree = ast.parse(module.read_text("utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] in ("flask", "werkzeug", "webapp")], module.name


def test_the_package_map_names_the_modules_there_are():
    """The step map in the package docstring names every module of the package, and no other."""
    import tenants.notices.importing as package

    named = set(re.findall(r"\b(\w+)\.py\b", package.__doc__ or ""))
    present = {p.stem for p in Path(package.__file__).parent.glob("*.py")} - {"__init__"}
    assert named == present and len(present) >= 7


# --- our own fixtures ------------------------------------------------------------------------------

TYPES = {".md": "text/markdown", ".html": "text/html", ".txt": "text/plain"}


def fixture(name: str):
    path = FIXTURES / name
    source = path.read_text("utf-8")
    return import_notice(source, content_type=TYPES[path.suffix]), source


def sections(result) -> dict[str, bool]:
    """Section key -> empty, for every recognised heading."""
    return {s.key: s.empty for s in result.sections}


def plain(rich: dict, lang: str) -> str:
    return fold(html.unescape(re.sub(r"<[^>]+>", " ", rich.get(lang, ""))))


def open_codes(result) -> dict:
    return {i.code: i.params for i in check(result.draft, [result.language]).items if i.status != "present"}


def test_all_fixtures_lose_no_sentence():
    names = sorted(p.name for p in FIXTURES.iterdir())
    assert len(names) >= 6
    for name in names:
        result, source = fixture(name)
        assert lost_sentences(result, source, page=name.endswith(".html")) == [], name


def test_finnish_markdown_with_numbered_headings_and_a_table():
    r, _ = fixture("fi_numbered.md")
    d = r.draft
    assert (r.language, r.prepared_on) == ("fi", date(2024, 2, 12))
    c = d.controller
    assert (c.name, c.business_id, c.street_address, c.postal_code, c.city) == (
        "Puutarhapuoti Vihreä Peukalo Oy",
        "3141592-6",
        "Kauppakatu 21 B",
        "40100",
        "Jyväskylä",
    )
    assert (c.phone, c.email) == ("014 555 0123", "asiakaspalvelu@vihreapeukalo.example")
    assert (d.contact.name, d.contact.title, d.contact.phone) == (
        "Liisa Lehtonen",
        {"fi": "verkkokauppapäällikkö"},
        "040 555 0199",
    )
    assert d.register_name == {"fi": "Verkkokaupan asiakasrekisteri"}
    assert [p.legal_basis for p in d.purposes] == ["contract", "consent", "legal_obligation"]
    assert [i["fi"] for i in d.data_categories] == [
        "Yhteystiedot: nimi, osoite, sähköposti, puhelinnumero",
        "Tilaustiedot: tilatut tuotteet, toimitustapa, maksutapa",
        "Markkinointiluvat: uutiskirjeen tilaus ja sen peruutus",
    ]
    assert "Tietoryhmä – Esimerkkejä" in r.unplaced  # the table's header row: the user decides
    assert [i["fi"] for i in d.recipients] == [
        "Kuljetusliike toimitusta varten",
        "Tilitoimisto kirjanpitoa varten",
    ]
    assert d.transfers.outside_eea is True and d.transfers.items[0].safeguard == "scc"
    assert d.cookies.used is True and d.automated_decisions.used is False
    assert [i.key for i in d.rights.items] == ["access", "rectification", "withdraw_consent", "complaint"]
    assert (
        plain(d.consent_withdrawal, "fi") == "Voit milloin tahansa peruuttaa suostumuksesi uutiskirjeeseen."
    )
    assert plain(d.rights.how_to, "fi") == "Pyynnöt lähetetään sähköpostilla asiakaspalveluun."
    assert "Tietosuojaseloste – Verkkokaupan asiakasrekisteri" in r.unplaced
    assert sections(r)["retention"] is False and "3 Rekisterin nimi" in [s.heading for s in r.sections]


def test_swedish_html_page_leaves_out_the_site_around_the_notice():
    r, _ = fixture("sv_page.html")
    d = r.draft
    assert (r.language, r.prepared_on) == ("sv", date(2023, 5, 3))
    c = d.controller
    assert (c.name, c.business_id, c.street_address, c.postal_code, c.city, c.phone, c.email) == (
        "Skärgårdens Båtvarv Ab",
        "2718281-8",
        "Hamnvägen 3",
        "21600",
        "Pargas",
        "02 458 1200",
        "kontor@batvarv.example",
    )
    assert (d.contact.name, d.contact.email, d.contact.phone) == (
        "Johan Sjöberg",
        "johan.sjoberg@batvarv.example",
        "040 718 2818",
    )
    assert d.register_name == {"sv": "Kundregister för varvstjänster"}
    assert d.legal_bases() == {"contract", "legitimate_interests"}
    assert len(d.data_categories) == 3 and d.data_categories[1]["sv"].startswith("Båtens modell")
    assert d.transfers.outside_eea is False and d.cookies.used is False
    assert [i.key for i in d.rights.items] == ["access", "rectification", "erasure", "complaint"]
    assert "&amp; lagen" in d.rights.items[2].text["sv"]  # an entity decoded, then stored escaped
    assert "Fågelviksgränden 4, 00530 Helsingfors" in plain(d.rights.items[3].text, "sv")
    everything = " ".join(t for _p, _l, t in texts(d))
    for chrome in ("Hem", "Tjänster", "Båtservice sedan 1987", "©", "Integritet", "analytics", "font-family"):
        assert chrome not in everything
    assert sections(r)["rights"] is False  # a heading whose sub-headings carry the content is not empty


def test_english_plain_text_with_headings_on_their_own_lines():
    r, _ = fixture("en_plain.txt")
    d = r.draft
    assert (r.language, r.prepared_on) == ("en", date(2023, 10, 2))
    c = d.controller
    assert (c.name, c.business_id, c.street_address, c.postal_code, c.city, c.phone, c.email) == (
        "Northwind Bicycle Repairs Ltd",
        "3056789-1",
        "Rantakatu 7",
        "90100",
        "Oulu",
        "+358 8 555 0142",
        "hello@northwind-bikes.example",
    )
    assert (d.contact.name, d.contact.title, d.contact.email) == (
        "Aino Virtanen",
        {"en": "workshop manager"},
        "aino@northwind-bikes.example",
    )
    assert [p.legal_basis for p in d.purposes] == ["contract", "consent"]
    assert "invoice the work. We process them" in plain(
        d.purposes[0].description, "en"
    )  # a wrapped line rejoined
    assert [i["en"] for i in d.data_categories] == [
        "Name, phone number and email address",
        "Make and model of the bicycle",
        "Work orders, invoices and payments",
    ]
    assert plain(d.retention, "en").startswith("We keep customer details for three years")
    assert d.transfers.outside_eea is False and d.automated_decisions.used is False and d.cookies.used is True
    keys = [i.key for i in d.rights.items]
    assert keys == [
        "access",
        "rectification",
        "erasure",
        "restriction",
        "portability",
        "withdraw_consent",
        "complaint",
    ]
    assert "rights_missing" not in open_codes(r) and "consent_without_withdrawal_text" not in open_codes(r)
    assert {"PRIVACY NOTICE", "Northwind Bicycle Repairs Ltd"} <= set(r.unplaced)
    assert "register_name_missing" in open_codes(r)


def test_finnish_html_with_strong_labels():
    r, _ = fixture("fi_strong_labels.html")
    d = r.draft
    assert (r.language, r.prepared_on) == ("fi", date(2022, 8, 15))
    c = d.controller
    assert (c.name, c.business_id, c.street_address, c.postal_code, c.city, c.phone, c.email) == (
        "Kampaamo Kiharat Tmi",
        "2345678-9",
        "Torikatu 12",
        "33100",
        "Tampere",
        "03 555 0177",
        "ajanvaraus@kiharat.example",
    )
    assert (d.contact.name, d.contact.email) == ("Mervi Mäkinen", "mervi@kiharat.example")
    assert d.register_name == {"fi": "Kampaamon asiakasrekisteri"}
    # "Käsittelyn oikeusperuste" after the purposes gives the purpose its bases
    assert [p.legal_basis for p in d.purposes] == ["legitimate_interests", "contract"]
    assert "oikeutettuun etuun" in plain(d.purposes[0].description, "fi")
    assert d.special_categories == ["health"]  # allergies
    assert "special_categories_unjustified" in open_codes(r)
    assert d.security.electronic and not d.security.manual
    assert [i.key for i in d.rights.items] == ["access", "rectification", "complaint"]
    assert plain(d.retention, "fi").startswith("Tiedot poistetaan")
    assert d.transfers.outside_eea is False and d.cookies.used is None


def test_swedish_tabbed_text():
    r, _ = fixture("sv_tabbed.txt")
    d = r.draft
    assert (r.language, r.prepared_on) == ("sv", date(2022, 9, 1))
    c = d.controller
    assert (c.name, c.street_address, c.postal_code, c.city, c.email) == (
        "Föreningen Kustens Seglare rf",
        "Strandgatan 2",
        "65100",
        "Vasa",
        "styrelsen@kustensseglare.example",
    )
    assert (d.contact.name, d.contact.title, d.contact.phone) == (
        "Maria Holm",
        {"sv": "sekreterare"},
        "050 123 4567",
    )
    assert d.legal_bases() == {"legal_obligation"}
    assert [i["sv"] for i in d.data_categories] == [
        "Namn",
        "Hemkommun",
        "E-postadress och telefonnummer",
        "Medlemskapets början och slut",
        "Betalda medlemsavgifter",
    ]
    assert d.recipients[0]["sv"].endswith(
        "Seglarförbundet får namn och kontaktuppgifter för medlemmar som deltar i kappseglingar."
    )
    empty = {k for k, e in sections(r).items() if e}
    assert empty == {"transfers", "cookies"}
    assert d.transfers.outside_eea is None and d.cookies.used is None
    assert {"transfers_unanswered", "cookies_unanswered"} <= set(open_codes(r))
    assert ["Övrigt", "Registret gås igenom inför varje årsmöte."] == r.unplaced[-2:]


def test_english_markdown_with_bold_labels():
    r, _ = fixture("en_bold_labels.md")
    d = r.draft
    assert (r.language, r.prepared_on) == ("en", date(2024, 1, 17))
    c = d.controller
    assert (c.name, c.business_id, c.street_address, c.postal_code, c.city, c.email) == (
        "Lakeside Events Oy",
        "2987654-3",
        "Satamakatu 4",
        "33200",
        "Tampere",
        "events@lakeside.example",
    )
    assert (d.contact.name, d.contact.phone) == ("Mikko Laine", "+358 40 555 0166")
    assert d.register_name == {"en": "Event participant register"}
    assert [p.legal_basis for p in d.purposes] == ["contract", "legitimate_interests"]
    assert (
        plain(d.purposes[1].legitimate_interest, "en")
        == "Showing what our events look like helps us market future events."
    )
    assert "legitimate_interest_undescribed" not in open_codes(r)
    assert [i["en"] for i in d.data_categories][0] == "name and organisation"
    assert d.transfers.outside_eea is False and d.cookies.used is True
    assert [i.key for i in d.rights.items] == ["access", "rectification", "objection", "complaint"]
    assert 'href="https://lakeside.example/gallery"' in d.rights.items[0].text["en"]


def test_finnish_template_table_of_the_old_rekisteriseloste():
    r, _ = fixture("fi_template_table.md")
    d = r.draft
    assert (r.language, r.prepared_on) == ("fi", None)
    assert (d.controller.name, d.controller.city, d.controller.phone) == (
        "Tilitoimisto Saldo Ky",
        "Lahti",
        "03 555 0188",
    )
    assert (d.contact.name, d.contact.email) == ("Pekka Saarinen", "pekka@saldo.example")
    assert d.register_name == {"fi": "Asiakasrekisteri"}
    assert d.personal_identity_code is True
    codes = open_codes(r)
    assert {"hetu_unjustified", "repealed_law_cited", "legal_basis_missing", "retention_missing"} <= set(
        codes
    )
    assert [s.heading for s in r.sections][1:3] == [
        "1 Rekisterinpitäjä",
        "2 Yhteyshenkilö rekisteriä koskevissa asioissa",
    ]


# --- shapes and edge cases -------------------------------------------------------------------------


def test_content_type_is_corrected_by_what_the_text_looks_like():
    page = "<h2>Rekisterinpitäjä</h2><p>Firma Oy</p><h2>Säilytysaika</h2><p>Kaksi vuotta.</p>"
    assert import_notice(page).draft.retention == {"fi": "<p>Kaksi vuotta.</p>"}
    md = "## Rekisterinpitäjä\n\nFirma Oy\n\n## Säilytysaika\n\nKaksi vuotta.\n"
    assert import_notice(md, content_type="text/html").draft.controller.name == "Firma Oy"
    tabbed = "Rekisterinpitäjä\tFirma Oy\nSäilytysaika\t<p>Kaksi vuotta.</p>\n"
    assert import_notice(tabbed, content_type="text/markdown").draft.retention == {
        "fi": "<p>Kaksi vuotta.</p>"
    }


def test_headings_are_matched_by_meaning_not_by_exact_string():
    cases = {
        "Henkilötietojen säilyttämisaika": "retention",
        "Kuinka kauan tietoja säilytetään (säilytysajat)": "retention",
        "Oikeus saada pääsy tietoihin": "rights.access",
        "Rätt till insyn": "rights.access",
        "Right of access": "rights.access",
        "Rekisterinpitaja": "controller",  # no umlauts
        "Dataskyddsbeskrivning": "title",
        "Registerbeskrivning för kundregistret": "title",
    }
    from tenants.notices.importing.vocabulary import match_heading

    assert {text: match_heading(text).key for text in cases} == cases
    assert match_heading("Tietoturvaloukkauksista ilmoittaminen") is None


def test_nothing_is_dropped_from_a_text_without_any_known_heading():
    source = "Hyvä asiakas!\n\nKerromme täällä, miten tietojasi käsitellään.\n\nTerveisin Firma"
    r = import_notice(source)
    assert r.sections == [] and lost_sentences(r, source) == []
    assert r.unplaced == ["Hyvä asiakas!", "Kerromme täällä, miten tietojasi käsitellään.", "Terveisin Firma"]


def test_a_long_list_paragraph_is_split_not_cut():
    sentence = "Tietoja saadaan asiakkaalta itseltään tilauksen yhteydessä ja asiakassuhteen aikana. "
    source = f"Rekisterinpitäjä\tFirma Oy\nSäännönmukaiset tietolähteet\t{sentence * 12}\n"
    r = import_notice(source)
    assert len(r.draft.sources) > 1
    assert fold(" ".join(i["fi"] for i in r.draft.sources)) == fold(sentence * 12)


def test_html_rights_given_as_bare_headings_are_listed_rights():
    page = (
        "<h2>Rekisterinpitäjä</h2><p>Firma Oy</p><h2>Rekisteröidyn oikeudet</h2>"
        "<h3>Tarkastusoikeus</h3><h3>Oikeus tietojen poistamiseen</h3><p>Pyydä poistoa sähköpostilla.</p>"
    )
    r = import_notice(page, content_type="text/html")
    assert [(i.key, bool(i.text)) for i in r.draft.rights.items] == [("access", False), ("erasure", True)]
    assert [(s.key, s.empty) for s in r.sections][1:] == [
        ("rights", False),
        ("rights.access", True),
        ("rights.erasure", False),
    ]


def test_a_section_too_long_for_the_draft_is_refused_not_cut():
    from tenants.errors import ValidationFailed

    source = "Rekisterinpitäjä\tFirma Oy\nSäilytysaika\t" + "Tiedot säilytetään kaksi vuotta. " * 800 + "\n"
    with pytest.raises(ValidationFailed) as error:
        import_notice(source)
    assert error.value.code == "import_too_long" and error.value.where == "retention"


def test_a_contact_block_that_is_no_address_goes_to_the_user():
    long_address = "Osoite: " + "Pitkäkatu 1 " * 40
    r = import_notice(f"Rekisterinpitäjä\tFirma Oy<br>{long_address}\nSäilytysaika\tKaksi vuotta.\n")
    assert r.draft.controller.name == "Firma Oy" and r.draft.controller.street_address == ""
    assert any(piece.startswith("Pitkäkatu 1 Pitkäkatu 1") for piece in r.unplaced)


@needs_seeds
@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_reads_the_same_whatever_type_the_caller_says(name):
    source = (SEEDS / name).read_text("utf-8")
    plain_draft = import_notice(source).draft.to_json()
    for content_type in ("text/html", "text/markdown"):
        assert import_notice(source, content_type=content_type).draft.to_json() == plain_draft
    assert import_notice(source.replace("\n", "\r\n")).draft.to_json() == plain_draft


@pytest.mark.parametrize(
    ("lines", "want"),
    [
        (
            ["K&K Kivinen Oy Neliökuja 5 04300 Tuusula myynti@kkkivinen.fi"],
            ("K&K Kivinen Oy", "Neliökuja 5", "04300", "Tuusula", "", "myynti@kkkivinen.fi"),
        ),  # fmt: skip
        (
            ["Firma 2000 Oy, Mannerheimintie 5 A as. 12, FI-00100 Helsinki", "puh. +358 9 123 4567"],
            ("Firma 2000 Oy", "Mannerheimintie 5 A as. 12", "00100", "Helsinki", "+358 9 123 4567", ""),
        ),  # fmt: skip
        (
            ["Nimi: Maija Meikäläinen", "Osoite: PL 55, 65101 Vaasa", "Sähköposti: maija@firma.example"],
            ("Maija Meikäläinen", "PL 55", "65101", "Vaasa", "", "maija@firma.example"),
        ),  # fmt: skip
    ],
)
def test_contact_blocks_are_read_into_fields(lines, want):
    from tenants.notices.importing.fields import parse_party

    p = parse_party(lines)
    assert (p.name, p.street, p.postal_code, p.city, p.phone, p.email) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("21.03.2019", date(2019, 3, 21)),
        ("Päivitetty 4.1.2018", date(2018, 1, 4)),
        ("2022-09-01", date(2022, 9, 1)),
        ("21. maaliskuuta 2019", date(2019, 3, 21)),
        ("3 maj 2023", date(2023, 5, 3)),
        ("Last updated: March 5, 2024", date(2024, 3, 5)),
        ("31.02.2020", None),
    ],
)
def test_dates_in_the_forms_notices_write_them(text, want):
    found = find_date(text)
    assert (found[0] if found else None) == want
