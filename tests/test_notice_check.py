"""The completeness check: every item and warning has a draft that triggers it and one that does not."""

import copy

import pytest

from tenants.notices.check import check
from tenants.notices.rights import sync_rights
from tenants.notices.schema import load_draft

COMPLETE = {
    "controller": {"name": "Kahvila Oy", "business_id": "2617416-4", "email": "info@kahvila.fi"},
    "contact": {"name": "Maija Meikäläinen", "email": "maija@kahvila.fi"},
    "dpo": {"appointed": False},
    "special_categories_used": False,
    "register_name": {"fi": "Asiakasrekisteri", "sv": "Kundregister"},
    "purposes": [
        {
            "description": {"fi": "<p>Tilausten toimittaminen</p>", "sv": "<p>Leverans av beställningar</p>"},
            "legal_basis": "contract",
        },
    ],
    "requirement": {
        "kind": "contract_prerequisite",
        "consequences": {"fi": "<p>Ei toimitusta</p>", "sv": "<p>Ingen leverans</p>"},
    },
    "data_subjects": [{"fi": "Asiakkaat", "sv": "Kunder"}],
    "data_categories": [{"fi": "Nimi", "sv": "Namn"}],
    "collected_from": "data_subject",
    "sources": [{"fi": "Asiakas itse", "sv": "Kunden själv"}],
    "recipients": [{"fi": "Kirjanpitäjä", "sv": "Bokförare"}],
    "transfers": {"outside_eea": False},
    "retention": {"fi": "<p>Kaksi vuotta</p>", "sv": "<p>Två år</p>"},
    "security": {"electronic": {"fi": "<p>Salasanat</p>", "sv": "<p>Lösenord</p>"}},
    "cookies": {"used": False},
    "automated_decisions": {"used": False},
}
LANGS = ["fi", "sv"]


def report(changes=None, languages=LANGS, sync=True, mutate=None):
    data = copy.deepcopy(COMPLETE)
    data.update(changes or {})
    if mutate:
        mutate(data)
    draft = load_draft(data)
    if sync:
        sync_rights(draft)
    return check(draft, languages)


def open_codes(r):
    return {i.code for i in r.items if i.status != "present"}


def test_complete_draft_is_ready_with_nothing_open():
    r = report()
    assert r.ready
    assert open_codes(r) == set()


def test_empty_draft_lists_every_required_item_as_missing():
    r = check(load_draft({}), ["fi"])
    assert not r.ready
    assert {i.key for i in r.blocking} >= {
        "controller",
        "purposes",
        "legal_basis",
        "data_categories",
        "transfers",
        "retention",
        "cookies",
        "dpo",
        "special_categories",
        "automated_decisions",
        "requirement",
        "collected_from",
        "rights",
        "complaint",
    }


CASES = [
    # (code, blocking?, changes that trigger it)
    ("controller_missing", True, {"controller": {}}),
    ("controller_no_contact_details", True, {"controller": {"name": "Kahvila Oy"}}),
    ("contact_missing", False, {"contact": {}}),
    ("contact_no_details", False, {"contact": {"name": "Maija"}}),
    ("dpo_incomplete", True, {"dpo": {"appointed": True}}),
    ("register_name_missing", False, {"register_name": {}}),
    ("purposes_missing", True, {"purposes": []}),
    ("legal_basis_missing", True, {"purposes": [{"description": {"fi": "x", "sv": "x"}}]}),
    (
        "legal_basis_missing_for",
        True,
        {
            "purposes": [
                {"description": {"fi": "a", "sv": "a"}, "legal_basis": "contract"},
                {"description": {"fi": "b", "sv": "b"}},
            ]
        },
    ),
    (
        "legitimate_interest_undescribed",
        True,
        {"purposes": [{"description": {"fi": "a", "sv": "a"}, "legal_basis": "legitimate_interests"}]},
    ),
    (
        # the generated right to withdraw consent already tells it: own words are advice only
        "consent_without_withdrawal_text",
        False,
        {"purposes": [{"description": {"fi": "a", "sv": "a"}, "legal_basis": "consent"}]},
    ),
    ("data_subjects_missing", False, {"data_subjects": []}),
    # Data from the person only (Art. 13): listing the data is advice; from elsewhere (Art. 14) or not
    # answered yet, it is required.
    ("data_categories_missing", False, {"data_categories": []}),
    (
        "data_categories_missing",
        True,
        {"data_categories": [], "collected_from": "both", "sources_public": False},
    ),
    (
        "data_categories_missing",
        True,
        {"data_categories": [], "collected_from": "elsewhere", "sources_public": False},
    ),
    ("data_categories_missing", True, {"data_categories": [], "collected_from": None}),
    (
        "special_categories_unjustified",
        True,
        {"special_categories_used": True, "special_categories": ["health"]},
    ),
    ("special_categories_unanswered", True, {"special_categories_used": None}),
    ("special_categories_contradiction", True, {"special_categories": ["health"]}),
    ("special_categories_not_listed", True, {"special_categories_used": True}),
    ("criminal_data_unjustified", True, {"criminal_data": True}),
    ("dpo_unanswered", True, {"dpo": {}}),
    ("dpo_incomplete", True, {"dpo": {"appointed": True, "name": "Tuula Virtanen"}}),
    (
        "transfers_contradiction",
        True,
        {
            "retention": {
                "fi": "<p>Tietoja voidaan siirtää EU:n tai ETA:n ulkopuolelle.</p>",
                "sv": "<p>x</p>",
            }
        },
    ),
    (
        "transfers_contradiction",
        True,
        {"recipients": [{"fi": "Sähköpostipalvelu, jonka palvelimet ovat Yhdysvalloissa", "sv": "x"}]},
    ),
    (
        "transfers_contradiction",
        True,
        {
            "security": {
                "electronic": {"fi": "<p>x</p>", "sv": "<p>Uppgifter kan överföras utanför EU/EES.</p>"}
            }
        },
    ),
    ("hetu_unjustified", True, {"personal_identity_code": True}),
    ("hetu_unjustified", True, {"data_categories": [{"fi": "Henkilötunnus", "sv": "Personbeteckning"}]}),
    ("collected_from_unanswered", True, {"collected_from": None}),
    ("sources_missing", False, {"sources": [], "collected_from": None}),
    ("sources_missing", True, {"sources": [], "collected_from": "elsewhere", "sources_public": False}),
    ("sources_missing", True, {"sources": [], "collected_from": "both", "sources_public": True}),
    ("sources_public_unanswered", True, {"collected_from": "elsewhere"}),
    ("sources_public_unanswered", True, {"collected_from": "both"}),
    ("recipients_missing", False, {"recipients": []}),
    ("transfers_unanswered", True, {"transfers": {}}),
    ("transfers_not_listed", True, {"transfers": {"outside_eea": True}}),
    ("transfer_without_safeguard", True, {"transfers": {"outside_eea": True, "items": [{"country": "USA"}]}}),
    *[
        (
            "transfer_safeguard_copy_missing",
            True,
            {"transfers": {"outside_eea": True, "items": [{"country": "USA", "safeguard": safeguard}]}},
        )
        for safeguard in ("scc", "bcr", "other")
    ],
    ("retention_missing", True, {"retention": {}}),
    ("security_missing", False, {"security": {}}),
    ("cookies_unanswered", True, {"cookies": {}}),
    ("cookies_undescribed", False, {"cookies": {"used": True}}),
    ("automated_unanswered", True, {"automated_decisions": {}}),
    ("automated_undescribed", True, {"automated_decisions": {"used": True}}),
    ("requirement_unanswered", True, {"requirement": {}}),
    ("requirement_unanswered", True, {"requirement": {}, "collected_from": "both", "sources_public": False}),
    ("requirement_unanswered", True, {"requirement": {}, "collected_from": None}),
    ("requirement_no_consequences", False, {"requirement": {"kind": "statutory"}}),
    (
        "placeholders_left",
        True,
        {"cookies": {"used": True, "text": {"fi": "<p>muuta?</p>", "sv": "<p>x</p>"}}},
    ),
    ("placeholders_left", True, {"retention": {"fi": "<p>TODO</p>", "sv": "<p>[...]</p>"}}),
    ("placeholders_left", True, {"controller": {"name": "xxx Oy", "email": "a@b.fi"}}),
    (
        "repealed_law_cited",
        True,
        {"retention": {"fi": "<p>Henkilötietolain 10 §:n mukaan</p>", "sv": "<p>x</p>"}},
    ),
    ("repealed_law_cited", True, {"security": {"manual": {"fi": "<p>Henkilötietolaki (523/1999)</p>"}}}),
    (
        "outdated_authority_address",
        True,
        {"retention": {"fi": "<p>Ratapihantie 9, 00521 Helsinki</p>", "sv": "<p>x</p>"}},
    ),
    (
        "outdated_authority_address",
        True,
        {"retention": {"fi": "<p>Tietosuojavaltuutettu, PL 800, 00521 Helsinki</p>", "sv": "<p>x</p>"}},
    ),
    (
        "outdated_authority_address",
        True,
        {"retention": {"fi": "<p>Albertinkatu 25 A, PL 315, 00181 Helsinki</p>", "sv": "<p>x</p>"}},
    ),
    (
        "repealed_ecomms_law_cited",
        True,
        {
            "cookies": {
                "used": True,
                "text": {
                    "fi": "<p>Sähköisen viestinnän tietosuojalain (516/2004) mukaan</p>",
                    "sv": "<p>x</p>",
                },
            }
        },
    ),
    (
        "old_procedure",
        True,
        {
            "rights": {
                "how_to": {
                    "fi": "<p>Tarkastuspyyntö tulee tehdä omakätisesti allekirjoitetulla kirjeellä.</p>",
                    "sv": "<p>x</p>",
                }
            }
        },
    ),
    (
        "old_procedure",
        True,
        {
            "rights": {
                "how_to": {
                    "fi": "<p>Voit saattaa epäämisen tietosuojavaltuutetun ratkaistavaksi.</p>",
                    "sv": "<p>x</p>",
                }
            }
        },
    ),
    (
        "old_procedure",
        True,
        {"rights": {"how_to": {"fi": "<p>x</p>", "sv": "<p>Begäran kan göras endast personligen.</p>"}}},
    ),
    ("language_text_missing", True, {"retention": {"fi": "<p>Kaksi vuotta</p>"}}),
    (
        "other_information_to_review",
        False,
        {"other_information": {"fi": "<p>Lisätietoja</p>", "sv": "<p>Mer information</p>"}},
    ),
]


@pytest.mark.parametrize("code,blocking,changes", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_check_triggers(code, blocking, changes):
    r = report(changes)
    found = [i for i in r.items if i.code == code]
    assert found, f"{code} not raised; open: {open_codes(r)}"
    assert found[0].blocks is blocking
    assert r.ready is (not blocking and not r.blocking)


def test_rights_missing_when_not_in_sync():
    r = report(sync=False)
    rights = next(i for i in r.items if i.key == "rights")
    assert rights.code == "rights_missing"
    assert rights.params["rights"] == ["access", "rectification", "erasure", "restriction", "portability"]
    assert next(i for i in r.items if i.key == "complaint").code == "complaint_missing"


def test_imported_rights_without_restriction_are_reported():
    def keep_some(data):
        data["rights"] = {"items": [{"key": k} for k in ("access", "rectification", "erasure", "complaint")]}

    r = report(sync=False, mutate=keep_some)
    rights = next(i for i in r.items if i.key == "rights")
    assert rights.params["rights"] == ["restriction", "portability"]


def test_non_triggering_variants_stay_quiet():
    quiet = [
        {"dpo": {"appointed": True, "name": "Tuula", "email": "dpo@kahvila.fi"}},
        {
            "purposes": [
                {
                    "description": {"fi": "a", "sv": "a"},
                    "legal_basis": "legitimate_interests",
                    "legitimate_interest": {"fi": "<p>etu</p>", "sv": "<p>intresse</p>"},
                }
            ]
        },
        {
            "purposes": [{"description": {"fi": "a", "sv": "a"}, "legal_basis": "consent"}],
            "consent_withdrawal": {"fi": "<p>linkki</p>", "sv": "<p>länk</p>"},
        },
        {
            "special_categories_used": True,
            "special_categories": ["health"],
            "special_justification": {"fi": "<p>laki</p>", "sv": "<p>lag</p>"},
        },
        {
            "personal_identity_code": True,
            "personal_identity_code_justification": {"fi": "<p>palkanmaksu</p>", "sv": "<p>lön</p>"},
        },
        {"criminal_data": True, "criminal_justification": {"fi": "<p>504/2002</p>", "sv": "<p>504/2002</p>"}},
        {
            "data_categories": [{"fi": "Henkilötunnus", "sv": "Personbeteckning"}],
            "personal_identity_code_justification": {"fi": "<p>palkanmaksu</p>", "sv": "<p>lön</p>"},
        },
        {
            "transfers": {
                "outside_eea": True,
                "items": [
                    {
                        "country": "USA",
                        "safeguard": "scc",
                        "copy_how": {"fi": "<p>Pyydä kopio meiltä.</p>", "sv": "<p>Be oss om en kopia.</p>"},
                    },
                    # an adequacy decision and a derogation have no copy to give
                    {"country": "Japani", "safeguard": "adequacy"},
                    {"country": "Intia", "safeguard": "derogation"},
                ],
            }
        },
        # Art. 13 only: sources and their public accessibility are not asked
        {"sources": []},
        {"sources": [], "data_categories": [{"fi": "Nimi", "sv": "Namn"}], "sources_public": None},
        # Art. 14 answered in full
        {"collected_from": "both", "sources_public": False},
        {"collected_from": "elsewhere", "sources_public": True, "requirement": {}},
        {"retention": {"fi": "<p>Tietosuojalain (1050/2018) mukaisesti</p>", "sv": "<p>Dataskyddslagen</p>"}},
        {"retention": {"fi": "<p>Lintulahdenkuja 4, 00530 Helsinki</p>", "sv": "<p>x</p>"}},
        {"cookies": {"used": True, "text": {"fi": "<p>Välttämättömät</p>", "sv": "<p>Nödvändiga</p>"}}},
        {
            "automated_decisions": {
                "used": True,
                "description": {"fi": "<p>Logiikka</p>", "sv": "<p>Logik</p>"},
            }
        },
        {"requirement": {"kind": "voluntary"}},
    ]
    for changes in quiet:
        r = report(changes)
        assert r.ready and open_codes(r) == set(), (changes, open_codes(r))


def test_a_language_not_claimed_is_not_required():
    r = report({"retention": {"fi": "<p>Kaksi vuotta</p>"}, "register_name": {"fi": "A"}}, languages=["fi"])
    assert "language_text_missing" not in open_codes(r)


def test_texts_missing_in_a_language_are_listed_in_the_order_of_the_notice():
    r = report({"retention": {"fi": "<p>Kaksi vuotta</p>"}, "data_subjects": [{"fi": "Asiakkaat"}]})
    (gaps,) = [i for i in r.items if i.code == "language_text_missing"]
    assert gaps.params["fields"]["sv"] == ["data_subjects.0", "retention"]


def test_consent_withdrawal_text_blocks_only_where_the_right_is_not_generated():
    consent = {"purposes": [{"description": {"fi": "a", "sv": "a"}, "legal_basis": "consent"}]}
    generated = next(i for i in report(consent).items if i.code == "consent_without_withdrawal_text")
    assert not generated.blocks and report(consent).ready
    not_generated = report(consent, sync=False)
    item = next(i for i in not_generated.items if i.code == "consent_without_withdrawal_text")
    assert item.blocks and not not_generated.ready


def test_explicit_consent_to_special_categories_is_treated_as_consent():
    special = {
        "special_categories_used": True,
        "special_categories": ["health"],
        "special_justification": {"fi": "<p>9(2)(a)</p>", "sv": "<p>9(2)(a)</p>"},
    }
    explicit = report({**special, "explicit_consent": True})
    assert "consent_without_withdrawal_text" in open_codes(explicit) and explicit.ready
    assert "consent_without_withdrawal_text" not in open_codes(report(special))


def test_criminal_data_are_their_own_item_not_a_special_category():
    # Art. 10 data with no special category: the special-categories answer "no" stays true.
    r = report(
        {"criminal_data": True, "criminal_justification": {"fi": "<p>504/2002</p>", "sv": "<p>lag</p>"}}
    )
    assert r.ready
    codes = {i.code for i in r.items}
    assert "criminal_data_justified" in codes and "special_categories_none" in codes
    assert "criminal_data_justified" not in {i.code for i in report().items}  # not processed: not mentioned
    # A draft stored when they were a special category keeps them, as Art. 10 data.
    old = load_draft({"special_categories_used": True, "special_categories": ["health", "criminal"]})
    assert old.criminal_data and old.special_categories == ["health"] and old.special_categories_used
    only = load_draft({"special_categories_used": True, "special_categories": ["criminal"]})
    assert only.criminal_data and only.special_categories == [] and only.special_categories_used is None


def _item(r, key):
    return [i for i in r.items if i.key == key]


def test_the_requirement_is_asked_only_where_the_person_gives_data():
    # Data only from elsewhere: nothing is asked of the person, so Art. 13(2)(e) is no question at all.
    elsewhere = report({"collected_from": "elsewhere", "sources_public": False, "requirement": {}})
    assert elsewhere.ready and _item(elsewhere, "requirement") == []
    # From the person, or from both: asked, and blocking until answered.
    for where in ("data_subject", "both"):
        r = report({"collected_from": where, "sources_public": False, "requirement": {}})
        assert [i.code for i in _item(r, "requirement")] == ["requirement_unanswered"], where
        assert not r.ready


def test_art_14_items_follow_where_the_data_come_from():
    art13 = report()
    assert [i.code for i in _item(art13, "collected_from")] == ["collected_from_data_subject"]
    assert _item(art13, "sources_public") == []  # not asked of an Art. 13 notice
    art14 = report({"collected_from": "both", "sources_public": True})
    assert art14.ready
    assert [i.code for i in _item(art14, "collected_from")] == ["collected_from_both"]
    assert [i.code for i in _item(art14, "sources_public")] == ["sources_public_yes"]
    assert [i.article for i in _item(art14, "sources")] == ["14(2)(f)"]
    unanswered = report({"collected_from": None})
    (item,) = _item(unanswered, "collected_from")
    assert item.blocks and item.article == "13/14"


def test_a_copy_of_the_safeguards_is_asked_of_each_transfer_that_has_one():
    with_copy = {"fi": "<p>Pyydä kopio.</p>", "sv": "<p>Be om en kopia.</p>"}
    transfers = {
        "outside_eea": True,
        "items": [
            {"country": "USA", "safeguard": "scc"},
            {"country": "Intia", "safeguard": "bcr", "copy_how": with_copy},
            {"country": "Japani", "safeguard": "adequacy"},
            {"safeguard": "other"},
        ],
    }
    r = report({"transfers": transfers})
    (item,) = [i for i in r.items if i.code == "transfer_safeguard_copy_missing"]
    assert item.blocks and item.article == "13(1)(f)"
    assert item.params["countries"] == ["USA", "4"]  # a row without a country is named by its number
