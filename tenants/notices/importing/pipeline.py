"""Import a privacy notice a firm already has into a structured draft and an import report.

The source may be `Heading<TAB>Value` lines (values with inline HTML), plain text with
headings on their own lines, Markdown or an HTML page (shapes). Front matter, template code and
page chrome are left out and listed (cleanup, html_pages). Headings are matched to schema
sections by meaning (vocabulary), the text under them is read into the draft's fields
(sections), text no heading places is placed by what it says (inferred), and whatever no
section takes goes to `other_information`: nothing in the source is dropped. The report says
what went where, what was inferred, which dates the source states, the yes/no facts with the
sentence behind each, what was left out, and whether the file holds more than one notice.
Pure Python, no web framework.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from ...errors import ValidationFailed
from ..richtext import to_plain
from ..schema import LANGS, NoticeDraft
from . import inferred
from .blocks import Block, Chunk
from .cleanup import strip_code, unmark
from .dates import FoundDate, in_force, split_sentences, take_dates
from .draft import NoticeTooLong, apply_facts, build
from .facts import Fact, read_facts
from .placing import TOPICS
from .sections import Builder, _fill, handler_for
from .shapes import PARSERS, detect_shape
from .split import notice_starts
from .vocabulary import STOPWORDS, HeadingMatch, match_heading

MAX_HEADINGS = 500  # a notice has a few dozen headings; thousands mean another kind of file

__all__ = ["ImportResult", "ImportedSection", "Inferred", "NoticeTooLong", "import_notice", "import_parts"]


@dataclass
class ImportedSection:
    """One recognised heading of the source and the schema section it went to."""

    heading: str  # as written in the source
    key: str  # e.g. "retention", "rights.access", "controller", "other_information"
    empty: bool  # the source had the heading but nothing under it


@dataclass
class Inferred:
    """Text placed by what it says, not by a heading; `kept`: it also stayed where it stood."""

    text: str
    key: str
    kept: bool


@dataclass
class ImportResult:
    """The draft, its detected language, what went where, and what the user must check or place."""

    draft: NoticeDraft
    language: str
    sections: list[ImportedSection] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    prepared_on: date | None = None  # the date in force: the newest the source states
    dates: list[FoundDate] = field(default_factory=list)  # every date the source states about itself
    facts: dict[str, Fact] = field(default_factory=dict)  # transfers, special categories, automated decisions
    inferred: list[Inferred] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # page chrome, template code, front matter
    parts: list[str] = field(default_factory=list)  # titles of the notices, when the file holds several
    title: str = ""  # the source's own title, when it has one


@dataclass
class _Read:
    chunks: list[Chunk]
    left_out: list[str]
    dates: list[FoundDate]


def _read(source: str, content_type: str) -> _Read:
    source = (source or "").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    cleaned = strip_code(source)
    shape = detect_shape(cleaned.text, content_type)
    text = cleaned.text
    if shape in ("plain", "markdown"):
        text = unmark(text, markdown=shape == "markdown")
    left_out = list(cleaned.left_out)
    chunks = PARSERS[shape](text, left_out)
    if sum(1 for c in chunks if c.heading is not None) > MAX_HEADINGS:
        raise ValidationFailed("import_too_many_headings", field="text")
    return _Read(chunks, left_out, cleaned.dates)


def import_notice(source: str, *, content_type: str = "text/plain") -> ImportResult:
    """Read a notice (text/plain, text/html or text/markdown) into a draft and an import report."""
    read = _read(source, content_type)
    starts = notice_starts(read.chunks)
    titles = [read.chunks[i].heading or "" for i in starts] if len(starts) > 1 else []
    result = _import(read.chunks, read)
    result.parts = titles
    return result


def import_parts(source: str, *, content_type: str = "text/plain") -> list[ImportResult]:
    """Each notice of a file that holds several, imported on its own (a single notice: one result)."""
    read = _read(source, content_type)
    starts = notice_starts(read.chunks)
    bounds = [*starts[1:], len(read.chunks)]
    return [
        _import(read.chunks[a if i else 0 : b], read)
        for i, (a, b) in enumerate(zip(starts, bounds, strict=True))
    ]


def _import(chunks: list[Chunk], read: _Read) -> ImportResult:
    dates = [*read.dates, *take_dates(chunks)]
    chunks = [c for c in chunks if c.heading is not None or c.blocks or c.table is not None]
    language = detect_language(chunks)
    keyed = _assign_keys(chunks)
    builder = Builder(language, has_transfers_heading=any(k == "transfers" for _c, k, _m in keyed))
    sections = _run(builder, keyed)
    builder.prepared_on = in_force(dates)
    if not builder.parties["controller"].name and builder.prose:  # named only in running text
        _fill(builder.parties["controller"], builder.prose[0])
    draft = build(builder)
    facts = read_facts(sentences_of(draft))
    apply_facts(draft, facts)
    return ImportResult(
        draft,
        language,
        sections,
        builder.unplaced,
        builder.prepared_on,
        dates=dates,
        facts=facts,
        inferred=[Inferred(t, k, kept) for t, k, kept in builder.inferred],
        left_out=read.left_out,
        title=builder.title,
    )


def detect_language(chunks: list[Chunk]) -> str:
    """fi, sv or en: recognised headings weigh three, common words one each."""
    votes: Counter[str] = Counter()
    for chunk in chunks:
        if chunk.heading and (m := match_heading(chunk.heading)):
            votes[m.lang] += 3
        for word in re.findall(r"[a-zåäö]+", f"{chunk.heading or ''} {chunk.text}".lower()):
            for lang, words in STOPWORDS.items():
                if word in words:
                    votes[lang] += 1
    return max(LANGS, key=lambda lang: votes[lang]) if votes else "fi"


def _family(key: str) -> str:
    return "rights" if key == "complaint" else key.split(".")[0]


def _assign_keys(chunks: list[Chunk]) -> list[tuple[Chunk, str, HeadingMatch | None]]:
    """The section of every chunk; an unknown sub-heading stays in its parent's section."""
    out: list[tuple[Chunk, str, HeadingMatch | None]] = []
    parents: list[tuple[int, str]] = []
    levels = [c.level for c in chunks if c.heading is not None]
    for chunk in chunks:
        if chunk.table is not None or chunk.heading is None:
            kind = "summary_table" if chunk.table is not None else "loose" if chunk.loose else "preamble"
            out.append((chunk, kind, None))
            continue
        while parents and parents[-1][0] >= chunk.level:
            parents.pop()
        m = match_heading(chunk.heading)
        content_before = any(k not in ("preamble", "title", "loose") for _c, k, _m in out)
        if m and m.key == "title":
            out.append((chunk, "other_information" if content_before else "title", m))
        elif m:
            out.append((chunk, m.key, m))
        elif parents and parents[-1][1] not in ("title", "other_information"):
            # e.g. "Google Analytics" under "Evästeet": the heading stays as bold text in the section.
            chunk.blocks.insert(0, Block("p", f"<b>{html.escape(chunk.heading, quote=False)}</b>"))
            out.append((chunk, parents[-1][1], None))
            continue
        elif not content_before and chunk.level == min(levels) and levels.count(chunk.level) == 1:
            out.append((chunk, "title", None))  # the one top heading, before any section: the title
        else:
            out.append((chunk, "other_information", None))
        parents.append((chunk.level, out[-1][1]))
    return out


def _run(b: Builder, keyed: list[tuple[Chunk, str, HeadingMatch | None]]) -> list[ImportedSection]:
    """Every chunk through its handler; the report's list of what went where."""
    sections: list[ImportedSection] = []
    previous: str | None = None
    for i, (chunk, key, _match) in enumerate(keyed):
        if key == "loose":
            inferred.loose(b, chunk, previous)
            continue
        sections += _one(b, keyed, i)
        if key != "preamble":
            previous = key
    return sections


def _one(b: Builder, keyed: list, i: int) -> list[ImportedSection]:
    chunk, key, match = keyed[i]
    if key == "preamble":
        inferred.preamble(b, chunk, None)
        return []
    if key == "summary_table":
        return [ImportedSection(h, k, False) for h, k in inferred.summary_table(b, chunk, match)]
    if key == "title":
        inferred.title(b, chunk, match)
        return [ImportedSection(chunk.heading or "", "other_information", False)]
    if key == "other_information" and match is None:
        kept = inferred.activity(b, chunk, match)
        return [ImportedSection(chunk.heading or "", k, not chunk.text) for k in kept]
    if key == "prepared_on" and chunk.dated and not chunk.text:
        return [ImportedSection(chunk.heading or "", "prepared_on", False)]
    if not chunk.text and key not in ("title", "other_information"):
        return _empty(b, keyed, i)
    topics = _topics(key, match)
    if len(topics) > 1:
        return [ImportedSection(h, k, False) for h, k in inferred.combined(b, chunk, match, topics)]
    inherited = match is None and key != "other_information"
    out = []
    for entry in handler_for(key)(b, chunk, match or HeadingMatch(key, 0.0, b.lang)):
        heading, section = entry if isinstance(entry, tuple) else (chunk.heading, entry)
        if not inherited:
            empty = not chunk.text and key == "other_information"
            out.append(ImportedSection(heading or "", section, empty=empty))
    return out


def _empty(b: Builder, keyed: list, i: int) -> list[ImportedSection]:
    """A heading with nothing under it: reported, and a bare right heading still names the right."""
    chunk, key, _match = keyed[i]
    following = keyed[i + 1] if i + 1 < len(keyed) else None
    container = following is not None and (
        following[0].level > chunk.level or _family(following[1]) == key != following[1]
    )  # a heading whose sub-headings (deeper, or "A:"/"B:" parts of it) carry the text
    if key.startswith("rights.") or key == "complaint":
        b.add_right(key.removeprefix("rights."), None)
    return [ImportedSection(chunk.heading or "", key, empty=not container)]


_TOPIC_OF = {"legal_basis": "purposes", **{k: k for k in TOPICS}}


def _topics(key: str, match: HeadingMatch | None) -> tuple[str, ...]:
    """The distinct topics a heading names, when it names more than one ("Säilytysaika ja tietoturva")."""
    if match is None or key not in _TOPIC_OF:
        return ()
    out: list[str] = []
    for k in (key, *match.also):
        topic = _TOPIC_OF.get(k)
        if topic and topic not in out:
            out.append(topic)
    return tuple(out)


# --- the sentences of a draft, with their sections (for the yes/no facts) ----------------------------

_BLOCK_END = re.compile(r"</p>|</li>|<br\s*/?>|</h\d>", re.I)


def sentences_of(draft: NoticeDraft) -> list[tuple[str, str]]:
    """(section, sentence) for every sentence of a draft."""
    out: list[tuple[str, str]] = []

    def walk(value, section: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, section if k in LANGS or section else k)
        elif isinstance(value, list):
            for v in value:
                walk(v, section)
        elif isinstance(value, str):
            for piece in _BLOCK_END.split(value):
                for s in split_sentences(" ".join(to_plain(piece).split())):
                    out.append((section, s))

    walk(draft.to_json(), "")
    return out
