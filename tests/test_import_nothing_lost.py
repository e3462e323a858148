"""Nothing dropped, nothing hidden: every word a person sees in a source reaches the imported draft
and the preview page, over our corpus (tests/import_corpus), our fixtures and the five seeds.

A word may instead be structure the draft states in its own words (a heading the report names, a
field label such as "Y-tunnus", a date statement the report lists) or page chrome the report lists
as left out; nothing else may go missing. On the page, every word of the draft must be shown: a
text under a question still unanswered (transfers, cookies) is not hidden by the answer.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tenants.notices.importing import import_notice
from tenants.notices.importing.vocabulary import FIELD_LABELS
from tenants.notices.models import Notice
from tenants.notices.service import draft_of
from tenants.scoping import unscoped

from .conftest import login
from .import_corpus_support import NAMES, draft_text, source_of, visible_text, words

ROOT = Path(__file__).resolve().parent
SEEDS = ROOT.parent.parent / "shared" / "seeds"
FIXTURES = ROOT / "fixtures" / "imports"
TYPES = {".md": "text/markdown", ".html": "text/html", ".txt": "text/plain"}
LABEL_WORDS = words(" ".join(label for labels in FIELD_LABELS.values() for label in labels))
LABEL_WORDS |= {"p", "puh", "tel", "tfn"}


def sources() -> list[tuple[str, str, str]]:
    """(name, text, content type) of every source we hold."""
    out = [(f"corpus/{n}", *source_of(n)) for n in NAMES]
    out += [(f"fixtures/{p.name}", p.read_text("utf-8"), TYPES[p.suffix]) for p in sorted(FIXTURES.iterdir())]
    if SEEDS.is_dir():
        out += [(f"seeds/{p.name}", p.read_text("utf-8"), "text/plain") for p in sorted(SEEDS.glob("*.txt"))]
    return out


SOURCES = sources()


def accounted_for(result) -> set[str]:
    """Words the report accounts for without the draft repeating them."""
    said = [s.heading for s in result.sections] + result.left_out + [d.quote for d in result.dates]
    return words(" ".join(said)) | LABEL_WORDS


def lost_words(result, source: str) -> set[str]:
    """Words of the source found neither in the draft nor in what the report accounts for."""
    return words(visible_text(source)) - words(draft_text(result.draft)) - accounted_for(result)


@pytest.mark.parametrize(("name", "text", "kind"), SOURCES, ids=[s[0] for s in SOURCES])
def test_every_word_of_a_source_reaches_the_draft(name, text, kind):
    result = import_notice(text, content_type=kind)
    assert lost_words(result, text) == set()


def test_the_seeds_are_among_the_sources():
    if SEEDS.is_dir():
        assert sum(1 for name, _t, _k in SOURCES if name.startswith("seeds/")) == 5
    assert sum(1 for name, _t, _k in SOURCES if name.startswith("corpus/")) >= 40


def _page_words(page: str) -> set[str]:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return words(visible_text(body))


def test_every_word_of_the_draft_is_on_the_preview_page(client, session, make_owner):
    """Each source imported through the app and previewed: the page shows every word of its draft."""
    make_owner("olli@testiyritys.fi", "Testiyritys Oy")
    login(client, "olli@testiyritys.fi")
    hidden = {}
    for name, text, kind in SOURCES:
        upload = (
            io.BytesIO(text.encode()),
            "seloste" + {"text/markdown": ".md", "text/html": ".html"}.get(kind, ".txt"),
        )
        r = client.post(
            "/app/notices/import",
            data={"csrf_token": client.csrf_token(), "text": "", "title": name[-60:], "file": upload},
            content_type="multipart/form-data",
        )
        assert r.status_code == 302, name
        with unscoped(session):
            session.expire_all()
            notice = session.scalars(select(Notice).order_by(Notice.id.desc())).first()
        page = client.get(f"/app/notices/{notice.id}/preview").get_data(as_text=True)
        missing = words(draft_text(draft_of(notice))) - _page_words(page)
        missing -= words(notice.draft.get("prepared_on") or "")  # shown as 21.3.2019, not 2019-03-21
        if missing:
            hidden[name] = sorted(missing)
    assert hidden == {}
