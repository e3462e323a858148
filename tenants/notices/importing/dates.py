"""Dates a notice states about itself: "Laadittu 4.1.2018", "Päivitetty", "Last updated: May 22, 2018",
"den 3 maj 2021", ISO dates, in intros, headings, footers and front matter.

A date counts only with a word that says what it dates (prepared, updated, effective, previous
version), or alone on its own line before the content: a date inside a sentence about something
else ("vouchers are kept from 1.1.2019") is not the notice's date. The newest date is the one in
force; every date found is reported with the words around it. A source with no date gets none.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from ..richtext import to_plain
from .blocks import Block, Chunk
from .vocabulary import match_heading

_MONTHS = {
    **{m: i for i, m in enumerate("tammi helmi maalis huhti touko kesä heinä elo syys loka marras joulu".split(), 1)},
    **{m: i for i, m in enumerate("januari februari mars april maj juni juli augusti september oktober november december".split(), 1)},
    **{m: i for i, m in enumerate("january february march april may june july august september october november december".split(), 1)},
    **{m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)},
}  # fmt: skip
_MONTH_WORD = r"([a-zåäö]+?)(?:kuuta|kuu)?"
_DATE_PATTERNS = (
    (re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b"), lambda m: (m[3], m[2], m[1])),
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), lambda m: (m[1], m[2], m[3])),
    (re.compile(rf"\b(\d{{1,2}})\.?\s+{_MONTH_WORD}\.?\s+(\d{{4}})\b", re.I), lambda m: (m[3], m[2], m[1])),
    (re.compile(rf"\b{_MONTH_WORD}\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I), lambda m: (m[3], m[1], m[2])),
)

# What a date is, by the word next to it; the first that matches decides.
KINDS = (
    ("previous", r"edellinen versio|aiempi versio|föregående version|tidigare version|previous version|earlier version"),
    ("effective", r"voimassa|voimaan|gäller från|träder i kraft|i kraft|effective|in force|valid from"),
    ("updated", r"päivitetty|päivitys|muutettu|muutos|tarkistettu|uppdaterad|ändrad|reviderad|updated|revised|amended|last modified|modified"),
    ("prepared", r"laadittu|laatimispäivä|päiväys|päivämäärä|julkaistu|datum för uppgörande|uppgjord|upprättad|publicerad|datum|date prepared|drawn up|prepared|published|created|\bdate\b"),
)  # fmt: skip
_KINDS = [(kind, re.compile(p, re.I)) for kind, p in KINDS]
LABEL = re.compile("|".join(p for _k, p in KINDS), re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ_*(])|\s+[·|•]\s+")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class FoundDate:
    """A date the source states about itself: when, what kind, and the words it was in."""

    on: date
    kind: str  # prepared, updated, effective, previous, metadata
    quote: str


def find_date(text: str) -> tuple[date, str] | None:
    """The first date in a text (21.03.2019, 4.1.2018, 2019-03-21, 21 March 2019) and the text it was."""
    found = find_dates(text)
    return (found[0][1], found[0][2]) if found else None


def find_dates(text: str) -> list[tuple[int, date, str]]:
    """Every date in a text: (position, date, as written), in order."""
    hits: dict[int, tuple[int, date, str]] = {}
    for pattern, parts in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            year, month, day = parts(m)
            month = _MONTHS.get(month.lower().rstrip(".")) if not month.isdigit() else int(month)
            try:
                found = date(int(year), month, int(day))
            except (TypeError, ValueError):
                continue
            if m.start() not in hits:
                hits[m.start()] = (m.start(), found, m[0])
    return [hits[k] for k in sorted(hits)]


def kind_of(text: str) -> str | None:
    """What the words of a date statement say it is, or None when they name no date at all."""
    return next((kind for kind, p in _KINDS if p.search(text)), None)


def _other_words(sentence: str, written: list[str]) -> list[str]:
    rest = sentence
    for w in written:
        rest = rest.replace(w, " ")
    return _WORD.findall(rest)


def date_statement(sentence: str, *, bare_ok: bool = False) -> list[FoundDate]:
    """The dates of a sentence that dates the notice ("Päivitetty 5.3.2024."), else []."""
    if len(sentence) > 160:  # a longer sentence is about something else
        return []
    dates = find_dates(sentence)
    if not dates:
        return []
    words = _other_words(sentence, [d[2] for d in dates])
    kind = kind_of(sentence)
    if kind is None and not (bare_ok and len(words) <= 1):
        return []
    if len(words) > 12:
        return []
    out = []
    for i, (pos, on, _written) in enumerate(dates):
        # the kind of each date is read from the words before it ("Laadittu 1.1., päivitetty 2.2.")
        start = dates[i - 1][0] + len(dates[i - 1][2]) if i else 0
        own = kind_of(sentence[start : pos + len(_written)]) or kind or "prepared"
        out.append(FoundDate(on, own, " ".join(sentence.split())))
    return out


def split_sentences(text: str) -> list[str]:
    """A paragraph cut into sentences (and "·"-separated parts)."""
    return [s for s in _SENTENCE.split(text) if s.strip()]


def in_force(dates: list[FoundDate]) -> date | None:
    """The date in force: the newest the source states (an older "previous version" never wins)."""
    current = [d.on for d in dates if d.kind != "previous"]
    return max(current) if current else None


# --- the date step: every date the chunks of a source state about the notice ---------------------


def take_dates(chunks: list[Chunk]) -> list[FoundDate]:
    """The dates a source states, taken out of its chunks (a date statement is report, not content)."""
    found: list[FoundDate] = []
    for i, chunk in enumerate(chunks):
        m = match_heading(chunk.heading) if chunk.heading else None
        under = None
        if m and m.key == "prepared_on":
            under = kind_of(chunk.heading) or "prepared"
            own = date_statement(chunk.heading, bare_ok=True)
            if own:  # "Päivitetty 5.3.2024" as a heading: the heading is the statement
                found += own
                chunk.heading, chunk.loose = None, True
        early = i == 0 or (i == 1 and chunks[0].heading is None) or bool(m and m.key == "title")
        kept = []
        for block in chunk.blocks:
            rest, dates = _dates_in(block, under, bare_ok=early or under is not None)
            found += dates
            chunk.dated = chunk.dated or bool(dates)
            if rest is not None:
                kept.append(rest)
        chunk.blocks = kept
    return found


def _dates_in(block: Block, under: str | None, *, bare_ok: bool) -> tuple[Block | None, list[FoundDate]]:
    """A block without its date statements (None when nothing else is left), and the dates."""
    found: list[FoundDate] = []
    kept_lines = []
    for line in re.split(r"<br\s*/?>", block.html):
        sentences = split_sentences(" ".join(to_plain(line).split()))
        rest = []
        for sentence in sentences:
            dates = date_statement(sentence, bare_ok=bare_ok)
            if under and dates and not kind_of(sentence):  # "12.12.2022" under "Päivitetty"
                dates = [FoundDate(d.on, under, d.quote) for d in dates]
            found += dates
            if not dates:
                rest.append(sentence)
        if len(rest) == len(sentences):
            kept_lines.append(line)
        elif rest:
            kept_lines.append(html.escape(" ".join(rest), quote=False))
    if not found:
        return block, []
    if not any(to_plain(x).strip() for x in kept_lines):
        return None, found
    return Block(block.kind, "<br>".join(kept_lines)), found
