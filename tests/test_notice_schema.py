"""The notice schema, rich-text sanitising and the rights that follow from legal bases."""

import pytest
from pydantic import ValidationError

from tenants.notices.richtext import from_editable, sanitise, to_editable
from tenants.notices.rights import required_rights, sync_rights
from tenants.notices.schema import NoticeDraft, load_draft


def test_empty_draft_is_valid_and_lists_are_lists():
    draft = load_draft({})
    assert draft.data_categories == [] and draft.purposes == [] and draft.recipients == []
    assert draft.to_json()["transfers"] == {"outside_eea": None, "items": []}


def test_unknown_keys_and_bad_enums_are_refused():
    with pytest.raises(ValidationError):
        load_draft({"purpose": []})
    with pytest.raises(ValidationError):
        load_draft({"purposes": [{"legal_basis": "because"}]})
    with pytest.raises(ValidationError):
        load_draft({"register_name": {"de": "Kundenregister"}})


def test_rich_text_is_sanitised_on_the_way_in():
    draft = load_draft(
        {
            "retention": {
                "fi": '<p onclick="x()">Kaksi vuotta<script>alert(1)</script></p>'
                '<a href="javascript:alert(1)">x</a><a href="https://a.fi">a</a><img src=x onerror=y>'
            }
        }
    )
    html = draft.retention["fi"]
    assert "script" not in html and "onclick" not in html and "javascript" not in html and "<img" not in html
    assert '<a href="https://a.fi" rel="nofollow noopener">a</a>' in html


def test_plain_fields_lose_markup():
    draft = load_draft({"data_categories": [{"fi": "<b>Nimi</b>   ja\nosoite"}]})
    assert draft.data_categories == [{"fi": "Nimi ja osoite"}]


def test_editable_text_round_trip():
    typed = 'Ensimmäinen kappale <b>tärkeä</b>\n\n- yksi\n- kaksi\n\nLinkki <a href="https://a.fi">tästä</a>'
    html = from_editable(typed)
    assert html.startswith("<p>Ensimmäinen kappale <b>tärkeä</b></p><ul><li>yksi</li><li>kaksi</li></ul>")
    assert from_editable(to_editable(html)) == html
    assert sanitise(html) == html


@pytest.mark.parametrize(
    "bases,marketing,electronic,expected",
    [
        (
            {"contract"},
            False,
            True,
            ["access", "rectification", "erasure", "restriction", "portability", "complaint"],
        ),
        ({"contract"}, False, False, ["access", "rectification", "erasure", "restriction", "complaint"]),
        (
            {"legal_obligation"},
            False,
            True,
            ["access", "rectification", "erasure", "restriction", "complaint"],
        ),
        (
            {"legitimate_interests"},
            False,
            True,
            ["access", "rectification", "erasure", "restriction", "objection", "complaint"],
        ),
        (
            {"public_task"},
            False,
            True,
            ["access", "rectification", "erasure", "restriction", "objection", "complaint"],
        ),
        (
            {"consent"},
            False,
            True,
            [
                "access",
                "rectification",
                "erasure",
                "restriction",
                "portability",
                "withdraw_consent",
                "complaint",
            ],
        ),
        (
            {"consent"},
            True,
            True,
            [
                "access",
                "rectification",
                "erasure",
                "restriction",
                "objection",
                "portability",
                "withdraw_consent",
                "complaint",
            ],
        ),
        (
            {"legal_obligation"},
            True,
            False,
            ["access", "rectification", "erasure", "restriction", "objection", "complaint"],
        ),
    ],
)
def test_rights_follow_the_legal_bases(bases, marketing, electronic, expected):
    assert required_rights(bases, direct_marketing=marketing, processed_electronically=electronic) == expected


def test_sync_rights_keeps_own_words_and_follows_a_changed_basis():
    draft = load_draft({"purposes": [{"description": {"fi": "x"}, "legal_basis": "consent"}]})
    sync_rights(draft)
    assert "withdraw_consent" in [r.key for r in draft.rights.items]
    draft.rights.items[0].text = {"fi": "<p>Omat sanat</p>"}
    draft.purposes[0].legal_basis = "legitimate_interests"
    sync_rights(draft)
    keys = [r.key for r in draft.rights.items]
    assert "withdraw_consent" not in keys and "portability" not in keys and "objection" in keys
    assert draft.rights.items[0].key == "access" and draft.rights.items[0].text == {"fi": "<p>Omat sanat</p>"}


def test_draft_serialises_and_loads_back():
    draft = sync_rights(
        load_draft({"purposes": [{"description": {"sv": "<p>Kunder</p>"}, "legal_basis": "contract"}]})
    )
    assert NoticeDraft.model_validate(draft.to_json()) == draft


def test_explicit_consent_gives_withdrawal_and_portability_and_research_gives_objection():
    base = ["access", "rectification", "erasure", "restriction"]
    contract_only = required_rights(
        {"legal_obligation"}, direct_marketing=False, processed_electronically=True
    )
    assert contract_only == [*base, "complaint"]  # no consent, no research: none of the three
    explicit = required_rights(
        {"legal_obligation"}, direct_marketing=False, processed_electronically=True, explicit_consent=True
    )
    assert explicit == [*base, "portability", "withdraw_consent", "complaint"]  # Art. 9(2)(a), 7(3), 20
    offline = required_rights(
        {"legal_obligation"}, direct_marketing=False, processed_electronically=False, explicit_consent=True
    )
    assert "withdraw_consent" in offline and "portability" not in offline
    research = required_rights(
        {"legal_obligation"}, direct_marketing=False, processed_electronically=True, research_statistics=True
    )
    assert research == [*base, "objection", "complaint"]  # Art. 21(6)
    draft = sync_rights(
        load_draft(
            {"purposes": [{"legal_basis": "contract"}], "explicit_consent": True, "research_statistics": True}
        )
    )
    assert [r.key for r in draft.rights.items] == [
        *base,
        "objection",
        "portability",
        "withdraw_consent",
        "complaint",
    ]
