"""Our own import corpus (tests/import_corpus) and its answer key: loading, reading a draft the way
the key states facts, and the words of a source a person sees (the "nothing dropped" oracle).

Kept apart from the tests so that the scoring test and the page test read the corpus the same way.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "import_corpus"
KEY = json.loads((CORPUS / "answers.json").read_text("utf-8"))
NAMES = sorted(name for name in KEY if not name.startswith("_"))
TYPES = {".md": "text/markdown", ".html": "text/html", ".txt": "text/plain"}


def source_of(name: str) -> tuple[str, str]:
    """The file's text and the content type a browser would upload it as."""
    path = CORPUS / name
    return path.read_text("utf-8"), TYPES[path.suffix]


def fold(text: str) -> str:
    """Whitespace folded, case kept."""
    return " ".join((text or "").split())


def plain(value: str) -> str:
    """Rich text as the plain text a reader sees."""
    return fold(html.unescape(re.sub(r"<[^>]+>", " ", value or "")))


def answer(value) -> str:
    """yes, no or unanswered, as the key writes a fact."""
    return {True: "yes", False: "no", None: "unanswered"}[value]


def has_section(draft, key: str, lang: str) -> bool:
    """Whether the draft holds content for a section the key names."""
    checks = {
        "controller": lambda d: bool(d.controller.name),
        "contact": lambda d: bool(d.contact.name or d.contact.email or d.contact.phone),
        "dpo": lambda d: d.dpo.appointed and bool(d.dpo.name or d.dpo.email),
        "register_name": lambda d: bool(d.register_name),
        "purposes": lambda d: any(p.description for p in d.purposes),
        "legitimate_interest": lambda d: any(p.legitimate_interest for p in d.purposes),
        "data_categories": lambda d: bool(d.data_categories),
        "special_categories": lambda d: bool(d.special_categories),
        "sources": lambda d: bool(d.sources),
        "recipients": lambda d: bool(d.recipients),
        "transfers": lambda d: bool(d.transfers.items) or d.transfers.outside_eea is not None,
        "retention": lambda d: bool(d.retention),
        "security": lambda d: bool(d.security.manual or d.security.electronic),
        "cookies": lambda d: bool(d.cookies.text) or d.cookies.used is not None,
        "automated_decisions": lambda d: (
            bool(d.automated_decisions.description) or d.automated_decisions.used is not None
        ),
        "rights": lambda d: any(i.key != "complaint" for i in d.rights.items),
        "complaint": lambda d: any(i.key == "complaint" for i in d.rights.items),
    }
    return checks[key](draft)


# Fields that hold codes (a legal basis, a right's key), not words of the notice.
CODES = {
    "legal_basis",
    "safeguard",
    "key",
    "kind",
    "special_categories",
    "collected_from",
    "prepared_on",
    "schema_version",
}


def draft_text(draft) -> str:
    """Every text of a draft as plain text: fields, lists and rich texts (not the codes)."""
    parts: list[str] = []

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                if k not in CODES:
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            parts.append(plain(value))

    walk(draft.to_json())
    return " ".join(parts)


# --- what a person sees in a source -----------------------------------------------------------

_INVISIBLE = {"head", "script", "style", "template", "noscript"}


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _INVISIBLE:
            self.hidden += 1
        self.out.append(" ")

    def handle_endtag(self, tag):
        if tag in _INVISIBLE:
            self.hidden = max(0, self.hidden - 1)
        self.out.append(" ")

    def handle_data(self, data):
        if not self.hidden:
            self.out.append(data)


def visible_text(source: str) -> str:
    """A source's text as a person sees it: tags and entities read, head and scripts left out.

    Comments vanish here as in a browser; template code and front matter stay (a person pasting
    the file sees them), so the importer must either keep them or report them as left out."""
    source = re.sub(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)", "]", source)  # a Markdown link shows its text only
    parser = _Visible()
    parser.feed(source)
    parser.close()
    text = "".join(parser.out)
    return html.unescape(text)  # an entity written twice (&amp;auml;) is one letter to the reader


def words(text: str) -> set[str]:
    """Lower-case words and numbers (underscores and punctuation are not words)."""
    return {w.lower() for w in re.findall(r"[^\W_]+", text or "")}
