"""Content the product ships: starting templates, legal texts, the supervisory authority."""

from pathlib import Path

import pytest

from tenants.notices import legal_texts as T
from tenants.notices import service
from tenants.notices.check import check, texts
from tenants.notices.render import render
from tenants.notices.rights import sync_rights
from tenants.notices.schema import LANGS, load_draft
from tenants.scoping import unscoped

from .support import answered_notice

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_STARTERS = {
    "customer_register",
    "webshop_customers",
    "newsletter_marketing",
    "recruitment",
    "association_members",
    "staff",
    "camera_surveillance",
}


def test_every_promised_starter_exists():
    assert EXPECTED_STARTERS <= set(service.starters())


@pytest.mark.parametrize("key", sorted(EXPECTED_STARTERS))
def test_starter_is_complete_in_three_languages(key):
    starter = service.starters()[key]
    assert all(starter.name.get(lang) and starter.summary.get(lang) for lang in LANGS)
    draft = sync_rights(load_draft(starter.draft))
    per_language = {}
    for path, lang, text in texts(draft):
        if lang is not None and text.strip():
            per_language.setdefault(path, set()).add(lang)
    incomplete = {p: sorted(langs) for p, langs in per_language.items() if langs != set(LANGS)}
    assert not incomplete, incomplete
    assert draft.purposes and all(p.legal_basis for p in draft.purposes)
    assert draft.data_categories and draft.retention and draft.security.electronic


@pytest.mark.parametrize("key", sorted(EXPECTED_STARTERS))
def test_a_notice_from_each_starter_is_ready_once_answered_and_confirmed(key, app, make_owner, session):
    user, tenant = make_owner(f"{key}@example.fi", "Esimerkki Oy")
    with unscoped(session):
        notice = answered_notice(session, tenant.id, user.id, title=key, languages=LANGS, starter_key=key)
        report = service.completeness(notice)
    assert report.ready, [(i.code, i.params) for i in report.blocking]
    for lang in LANGS:
        rendered = render(service.draft_of(notice), lang)
        assert {"controller", "purposes", "retention", "rights", "complaint"} <= {
            s.key for s in rendered.sections
        }


def test_a_starter_in_one_language_keeps_only_that_language(app, make_owner, session):
    user, tenant = make_owner("yksi@example.fi")
    with unscoped(session):
        notice = answered_notice(session, tenant.id, user.id, title="Asiakkaat")
    langs = {lang for _p, lang, _t in texts(service.draft_of(notice)) if lang}
    assert langs == {"fi"}
    assert check(service.draft_of(notice), ["fi"]).ready


@pytest.mark.parametrize(
    "table",
    [
        T.HEADINGS,
        T.LABELS,
        T.LEGAL_BASES,
        T.REQUIREMENT_KINDS,
        T.SPECIAL_CATEGORIES,
        T.SAFEGUARDS,
        T.RIGHT_TITLES,
        T.RIGHT_TEXTS,
    ],
)
def test_legal_texts_exist_in_every_language(table):
    missing = [(k, lang) for k, v in table.items() for lang in LANGS if not v.get(lang)]
    assert not missing
    assert all(T.HOW_TO_USE_RIGHTS_DEFAULT.get(lang) for lang in LANGS)


COMPILED = {".pyc", ".pyo", ".mo"}


def test_supervisory_authority_details_live_in_one_place():
    """Every file on disk counts, committed or not (compiled and cached files aside)."""
    found = []
    for top in ("tenants", "webapp", "templates"):
        for path in sorted((ROOT / top).rglob("*")):
            if not path.is_file() or path.suffix in COMPILED or "__pycache__" in path.parts:
                continue
            if "Lintulahdenkuja" in path.read_text(encoding="utf-8", errors="ignore"):
                found.append(path.relative_to(ROOT).as_posix())
    assert found == ["tenants/notices/authority.py"]


def test_no_shipped_text_repeats_the_seed_notices():
    """Our templates are written by us: no run of eight words from a seed appears in them."""
    import json
    import re

    def words(text):
        return re.findall(r"\w+", text.lower())

    seeds = " ".join(
        " ".join(words(p.read_text(encoding="utf-8", errors="ignore")))
        for p in (ROOT.parent / "shared" / "seeds").glob("*.txt")
    )
    if not seeds:
        pytest.skip("the seed notices are not beside the repository")
    ours = [json.dumps(s.draft, ensure_ascii=False) for s in service.starters().values()]
    ours.append(json.dumps([T.RIGHT_TEXTS, T.HOW_TO_USE_RIGHTS_DEFAULT], ensure_ascii=False))
    copied = []
    for blob in ours:
        w = words(re.sub(r"<[^>]+>", " ", blob))
        for i in range(len(w) - 7):
            run = " ".join(w[i : i + 8])
            if run in seeds:
                copied.append(run)
    assert not copied, copied[:5]
