"""The one form every source shape is read into: chunks of blocks under headings.

A block is a paragraph, a list item or a table row as inline HTML (escaped text, b, i,
a, br). A heading can come from the markup (h2, `##`, dt), from a bold or "Label:" lead
that names a section, or from a plain line that looks like one (see shapes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..richtext import to_plain
from .vocabulary import ACCEPT, STRONG, field_label, match_heading

LIST_MARK = re.compile(r"^\s*(?:[-*+•–]|\d{1,2}[.)])\s+")
NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[A-Za-z][.):])\s+\S")


@dataclass
class Block:
    """One paragraph ("p"), list item ("li"), table row ("row") or table header row ("head")."""

    kind: str
    html: str
    cont: bool = False  # continues the value of the inline label just before it

    @property
    def text(self) -> str:
        """The block as plain text."""
        return " ".join(to_plain(self.html).split())


@dataclass
class Heading:
    """A heading as the source wrote it; level 1 is the top, 6 a bold label."""

    text: str
    level: int
    marked: bool = False  # written as a heading (`#`, underline, bold), not found by its words
    inline: bool = False  # "Label: value" on one line: the heading owns that value, not what follows


@dataclass
class Chunk:
    """A heading (None for text before the first one) and the blocks under it."""

    heading: str | None
    level: int
    blocks: list[Block] = field(default_factory=list)
    inline: bool = False  # the heading was an inline label: its chunk is the label's value
    loose: bool = False  # text after an inline label's value, under no heading of its own
    dated: bool = False  # held a date statement (taken out by the date step)
    table: tuple[list[str], list[str], list[list[str]]] | None = None  # header cells, their keys, rows

    @property
    def text(self) -> str:
        """All blocks as plain text."""
        return "\n".join(b.text for b in self.blocks if b.text)


def fold(text: str) -> str:
    """Whitespace folded to single spaces."""
    return " ".join(text.split())


def heading_like(line: str) -> bool:
    """Short, no final full stop, no address or email: a line that could be a heading."""
    s = line.strip()
    core = NUMBERED.sub(lambda m: m[0][-1], s) if NUMBERED.match(s) else s
    if not s or len(s) > 120 or len(s.split()) > 14 or s.endswith((".", ",", ";", ":")):
        return False
    if "@" in s or "http" in s or "www." in s or LIST_MARK.match(s) and not NUMBERED.match(s):
        return False
    return core[:1].isupper()


def _label_heading(label: str, *, has_value: bool, bold: bool) -> bool:
    """Whether a bold or "Label:" lead is a section heading rather than a field label such as "Email"."""
    if field_label(label) or not label or len(label.split()) > 12:
        return False
    m = match_heading(label)
    if has_value:
        needed = ACCEPT if bold else STRONG  # bold already says "label"; a plain "X:" must name a section
        return bool(m and m.score >= needed and m.key != "title" and len(label.split()) <= 8)
    return heading_like(label)


_LABEL_COLON = re.compile(r"^(.*?):(?=\s)(.*)$", re.S)


def inline_label(line_html: str) -> tuple[str, str] | None:
    """("Label", "value html") when a line starts with a bold label or a strong "Label:"."""
    m = re.match(r"^\s*<b>(.*?)</b>\s*:?\s*(?:<br>\s*)?(.*)$", line_html, re.S)
    if m:
        label = fold(to_plain(m[1])).rstrip(":").strip()
        if _label_heading(label, has_value=bool(to_plain(m[2]).strip()), bold=True):
            return label, m[2].strip()
        return None
    text = to_plain(line_html)
    m = _LABEL_COLON.match(text)  # "Säilytysaika: …", never the colon of "EU:n"
    if m and m[2].strip() and _label_heading(m[1].strip(), has_value=True, bold=False):
        value = _LABEL_COLON.match(line_html)
        return m[1].strip(), (value[2] if value else m[2]).strip()
    return None


def to_chunks(events: list) -> list[Chunk]:
    """Group headings and blocks; tables whose first column names sections become headed chunks."""
    chunks = [Chunk(None, 0)]
    i = 0
    while i < len(events):
        ev = events[i]
        if isinstance(ev, Heading):
            chunks.append(Chunk(ev.text, ev.level, inline=ev.inline))
        elif isinstance(ev, Block) and ev.kind in ("row", "head"):
            j = i
            while j < len(events) and isinstance(events[j], Block) and events[j].kind in ("row", "head"):
                j += 1
            _table(events[i:j], chunks)
            i = j
            continue
        else:
            _add_block(chunks, ev)
        i += 1
    if not chunks[0].blocks and len(chunks) > 1:
        chunks.pop(0)
    return chunks


def _add_block(chunks: list[Chunk], block: Block) -> None:
    """A block into the last chunk; after an inline label's value, into a loose chunk of its own."""
    last = chunks[-1]
    if last.table is not None or (last.inline and last.blocks and not block.cont):
        chunks.append(Chunk(None, last.level, loose=True))
    chunks[-1].blocks.append(block)


# Columns of a summary table ("what for | which data | basis | how long") and the sections they fill.
TABLE_COLUMNS = (
    "purposes",
    "legal_basis",
    "data_categories",
    "retention",
    "recipients",
    "sources",
    "data_subjects",
)


def _column_key(cell: str) -> str | None:
    m = match_heading(to_plain(cell))
    if m is None or m.score < ACCEPT:
        return None
    return m.key if m.key in TABLE_COLUMNS else None


def _summary_table(rows: list[Block], pairs: list[list[str]], chunks: list[Chunk]) -> bool:
    """A table whose header row names sections, one row per purpose: kept whole for its handler."""
    head = next((p for r, p in zip(rows, pairs, strict=True) if r.kind == "head"), None)
    if head is None or len(head) < 3:
        return False
    keys = [_column_key(c) for c in head]
    if sum(k is not None for k in keys) < 2:
        return False
    body = [[fold(c) for c in p] for r, p in zip(rows, pairs, strict=True) if r.kind == "row"]
    last = chunks[-1]
    if last.blocks or last.table is not None or last.heading is None:
        chunks.append(Chunk(None, last.level, loose=True))
    chunks[-1].table = ([fold(c) for c in head], [k or "" for k in keys], body)
    return True


def _table(rows: list[Block], chunks: list[Chunk]) -> None:
    pairs = [r.html.split("\x00") for r in rows]
    if _summary_table(rows, pairs, chunks):
        return
    labels = [p[0] for p in pairs if len(p) == 2]
    named = [lab for lab in labels if (m := match_heading(to_plain(lab))) and m.score >= ACCEPT]
    if len(labels) == len(pairs) and len(named) * 2 >= len(pairs):
        level = chunks[-1].level + 1 if chunks[-1].heading else 1
        for label, value in pairs:
            if label in named:
                chunks.append(Chunk(fold(to_plain(label)), level))
                if to_plain(value).strip():
                    chunks[-1].blocks.append(Block("p", value))
            else:
                chunks[-1].blocks.append(Block("p", f"{label}: {value}"))
        return
    for row, cells in zip(rows, pairs, strict=True):
        joined = ": ".join(cells) if len(cells) == 2 and row.kind == "row" else " – ".join(cells)
        chunks[-1].blocks.append(Block(row.kind, joined))
