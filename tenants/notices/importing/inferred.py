"""Text no heading places: the intro before the first heading, text under a heading per activity
("Verkkosivusto", "Analytics"), text after an inline label's value, a summary table, and the text
under a heading that names two topics.

Each is placed by what it says (placing.py); a placement that is not sure also leaves the text
where it stood. Every placement is recorded for the import report. A controller named only in
running text ("Firma Oy (Y-tunnus …) vastaa …") is kept as a candidate for an empty controller.
"""

from __future__ import annotations

import html
import re

from ..richtext import to_plain
from .blocks import Block, Chunk, fold
from .fields import BUSINESS_ID, legal_bases_in, parse_party
from .placing import TOPICS, Placement, group_blocks, place, text_of
from .prose import party_in_prose
from .sections import Builder, _fill, _text, handler_for
from .vocabulary import HeadingMatch, field_label, match_heading

# Sections whose text is one rich text: placed text gets its activity heading as a bold lead.
_RICH = {"purposes", "retention", "transfers", "security", "cookies", "automated_decisions"}
_LISTS = {"data_categories", "recipients", "sources", "data_subjects"}
_REGISTER_LINE = re.compile(r"(?:rekisteri|register|registret|registry)\.?$", re.I)
_ROLE_WORDS = re.compile(r"rekisterinpitäjä|personuppgiftsansvarig|controller|registrar", re.I)


def preamble(b: Builder, chunk: Chunk, m: HeadingMatch | None) -> list[str]:
    """Text before the first heading: the title, an intro, the controller's details, or the whole notice."""
    blocks = _title_and_register(b, chunk.blocks)
    keys, blocks = _party_lines(b, chunk.heading, blocks)
    _prose_parties(b, blocks)
    return keys + _place(b, None, blocks, fallback=None)


def title(b: Builder, chunk: Chunk, m: HeadingMatch | None) -> list[str]:
    """The notice's title heading goes to the user; text under it is read like a preamble."""
    b.title = b.title or chunk.heading or ""
    b.unplace(None, [_text(chunk.heading or "")])
    preamble(b, Chunk(None, chunk.level, chunk.blocks), m)
    return ["other_information"]


def activity(b: Builder, chunk: Chunk, m: HeadingMatch | None) -> list[str]:
    """A heading that names no section (often an activity: "Website", "Customers"): text by its meaning."""
    _prose_parties(b, chunk.blocks)
    placed = _place(b, chunk.heading, chunk.blocks, fallback=None)
    if not chunk.blocks:
        b.unplace(chunk.heading, [], heading_is_text=True)
    return ["other_information"] if not placed or not chunk.blocks else []


def loose(b: Builder, chunk: Chunk, fallback: str | None) -> list[str]:
    """Text after an inline label's value: by its meaning, else with the label's section."""
    _prose_parties(b, chunk.blocks)
    return _place(b, None, chunk.blocks, fallback=fallback)


def combined(b: Builder, chunk: Chunk, m: HeadingMatch, topics: tuple[str, ...]) -> list[tuple[str, str]]:
    """A heading naming two topics ("Säilytysaika ja tietoturva"): each paragraph to the one it speaks of."""
    out: list[tuple[str, str]] = []
    for p in place(chunk.blocks, allowed=topics):
        key = p.key or m.key
        part = Chunk(chunk.heading, chunk.level, [x for blk in p.blocks for x in group_blocks(blk)])
        for entry in handler_for(key)(b, part, HeadingMatch(key, m.score, m.lang)):
            entry = entry if isinstance(entry, tuple) else (chunk.heading or "", entry)
            if entry not in out:
                out.append(entry)
    for key in topics:  # a topic the heading names but no paragraph spoke of is still named
        if not any(section == key for _h, section in out):
            out.append((chunk.heading or "", key))
    return out


# --- the parts -----------------------------------------------------------------------------------


def _title_and_register(b: Builder, blocks: list[Block]) -> list[Block]:
    """The title among the first lines, and a line such as "Firma Oy:n verkkokaupan asiakasrekisteri"."""
    for blk in blocks:
        m = match_heading(blk.text) if len(blk.text) <= 200 else None
        if not b.title and m and m.key == "title":
            b.title = blk.text
        for line in re.split(r"<br\s*/?>", blk.html):
            text = fold(to_plain(line)).rstrip(".")
            if not b.register_line and _REGISTER_LINE.search(text) and len(text.split()) <= 10:
                b.register_line = text
    return blocks


def _party_lines(b: Builder, heading: str | None, blocks: list[Block]) -> tuple[list[str], list[Block]]:
    """A run of "Yritys: …", "Y-tunnus: …", "Osoite: …" lines outside any heading: the controller."""
    labelled = [blk for blk in blocks if blk.kind == "p" and _field_line(blk.text)]
    if len(labelled) < 2 or b.parties["controller"].name:
        return [], blocks
    found = parse_party([blk.text for blk in labelled])
    if not found.name:
        return [], blocks
    _fill(b.parties["controller"], found)
    if found.extra:
        b.unplace(heading, [_text(t) for t in found.extra])
    return ["controller"], [blk for blk in blocks if blk not in labelled]


def _field_line(text: str) -> bool:
    label, sep, value = text.partition(":")
    return bool(sep and value.strip() and field_label(label))


def _prose_parties(b: Builder, blocks: list[Block]) -> None:
    """A controller named in a sentence with its business ID, or after "the controller is"."""
    for blk in blocks:
        if BUSINESS_ID.search(blk.text) or _ROLE_WORDS.search(blk.text):
            found = party_in_prose(blk.text)
            if found is not None:
                b.prose.append(found)


def _place(b: Builder, heading: str | None, blocks: list[Block], fallback: str | None) -> list[str]:
    """Blocks to the sections they speak of; what speaks of none stays where it stood."""
    keys: list[str] = []
    stay: list[Block] = []
    for p in place(blocks):
        own = [x for blk in p.blocks for x in group_blocks(blk)]
        if p.key is None:
            stay += own
            continue
        keys += _apply(b, heading, p, own)
        b.inferred.append((text_of(own)[:300], p.key, not p.sure))
        if not p.sure:
            stay += own
    if stay and fallback in TOPICS and fallback not in ("rights",):
        keys += handler_for(fallback)(b, Chunk(None, 0, stay), HeadingMatch(fallback, 0.0, b.lang))
    elif stay:
        b.unplace(heading, stay, heading_is_text=heading is not None)
    return [k for k in keys if isinstance(k, str)]


def _apply(b: Builder, heading: str | None, p: Placement, blocks: list[Block]) -> list:
    """Placed blocks through their section's handler, with their activity heading for context."""
    if heading and p.key in _RICH:
        blocks = [Block("p", f"<b>{html.escape(heading, quote=False)}</b>"), *blocks]
    elif heading and p.key in _LISTS:
        lead = html.escape(heading, quote=False)
        blocks = [Block(blk.kind, f"{lead}: {blk.html}") if blk.kind == "p" else blk for blk in blocks]
    return handler_for(p.key)(b, Chunk(None, 0, blocks), HeadingMatch(p.key, 0.0, b.lang))


# --- a summary table -----------------------------------------------------------------------------

_LAW = re.compile(r"\w+laki\b|\w+lag(?:en)?\b|\bact\b|\blaw\b", re.I)


def summary_table(b: Builder, chunk: Chunk, m: HeadingMatch | None) -> list[tuple[str, str]]:
    """A table with a row per purpose: what for, which data, on what basis, how long."""
    head, keys, rows = chunk.table
    if chunk.heading:  # "Tietojen käsittely yhdellä silmäyksellä": no section's name, kept as text
        b.unplace(chunk.heading, [], heading_is_text=True)
    column = {k: i for i, k in enumerate(keys) if k}
    out = [(to_plain(head[i]), k) for k, i in column.items()]
    retention: list[str] = []
    for row in rows:
        cell = {k: row[i] if i < len(row) else "" for k, i in column.items()}
        label = cell.get("purposes") or (row[0] if row else "")
        if "purposes" in cell or "legal_basis" in cell:
            _table_purpose(b, cell, head[column["legal_basis"]] if "legal_basis" in column else "")
        for key in _LISTS & set(cell):
            if to_plain(cell[key]).strip():
                b.lists[key].append(html.escape(to_plain(cell[key]), quote=False))
        if to_plain(cell.get("retention", "")).strip():
            retention.append(f"<li>{label}: {cell['retention']}</li>")
        other = [f"{head[i]}: {c}" for i, c in enumerate(row) if i >= len(keys) or not keys[i]]
        if other and "purposes" in column:
            b.unplace(chunk.heading, [Block("p", f"{label} – {'; '.join(other)}")])
    if retention:
        b.rich["retention"].append("<ul>" + "".join(retention) + "</ul>")
    if any(p.get("interest") for p in b.purposes):
        out.append((to_plain(head[column.get("legal_basis", 0)]), "legitimate_interest"))
    return out


def _table_purpose(b: Builder, cell: dict[str, str], basis_label: str) -> None:
    basis = cell.get("legal_basis", "")
    bases = legal_bases_in(to_plain(basis))
    if _LAW.search(to_plain(basis)) and "legal_obligation" not in bases:
        bases.append("legal_obligation")  # "Kirjanpitolaki" in a column of bases: a legal obligation
    text = f"<p>{cell.get('purposes', '')}</p>" if cell.get("purposes") else ""
    if basis:
        text += f"<p>{html.escape(basis_label, quote=False)}: {basis}</p>"
    first = {"description": text, "legal_basis": bases[0] if bases else None}
    if first["legal_basis"] == "legitimate_interests":
        first["interest"] = f"<p>{basis}</p>"
    b.purposes.append(first)
    for extra in bases[1:]:
        b.purposes.append({"description": "", "legal_basis": extra})
