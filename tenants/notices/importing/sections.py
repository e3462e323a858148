"""Where the text under each recognised heading goes in the draft.

A handler takes the builder, the chunk (heading and blocks) and the heading match, fills
the draft's fields and returns the section keys it filled (for the import report). Text
it cannot place goes to `other_information` through `Builder.unplace`, never away.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from datetime import date

from ..richtext import to_plain
from .blocks import Block, Chunk, fold, heading_like
from .fields import (
    CONSENT_WITHDRAWAL,
    DIRECT_MARKETING,
    HETU,
    NOT_USED,
    TRANSFER_MENTION,
    Party,
    find_date,
    legal_bases_in,
    parse_party,
    requirement_kind,
    rights_in,
    safeguard_in,
    special_categories_in,
    split_dash_items,
    split_sentences,
    transfers_answer,
)
from .vocabulary import HeadingMatch, match_heading

ITEM_LIMIT = 500  # a list item is plain text the schema cuts at 500 characters: longer ones are split

PREPARED_LABEL = re.compile(
    r"laatimispäivä|päivitetty|päiväys|laadittu|datum för uppgörande|uppdaterad|date prepared|last updated"
    r"|\bupdated\b|effective date",
    re.I,
)
NO_COOKIES = re.compile(
    r"\b(?:emme|ei)\s+(?:käytä|käytetä)\s+evästeitä|\binte\b.{0,30}\b(?:kakor|cookies)|\b(?:do|does)\s+not\s+use\s+cookies|\bno cookies",
    re.I,
)


class Builder:
    """The draft being assembled, in one language, plus the import report."""

    def __init__(self, language: str, has_transfers_heading: bool):
        self.lang = language
        self.has_transfers_heading = has_transfers_heading
        self.prepared_on: date | None = None
        self.parties = {"controller": Party(), "contact": Party(), "dpo": Party()}
        self.dpo_appointed: bool | None = None
        self.register_name = ""
        self.title = ""
        self.purposes: list[dict] = []
        self.lists: dict[str, list[str]] = defaultdict(list)
        self.rich: dict[str, list[str]] = defaultdict(list)
        self.rights: dict[str, list[str]] = {}
        self.answers: dict[str, list[bool | None]] = defaultdict(list)
        self.requirement_kind: str | None = None
        self.direct_marketing = False
        self.special: list[str] = []
        self.safeguard: str | None = None
        self.other: list[tuple[str | None, str]] = []
        self.unplaced: list[str] = []

    def unplace(self, heading: str | None, blocks: list[Block], *, heading_is_text: bool = False) -> None:
        """Put blocks into other_information (under their source heading) for the user to place."""
        if heading_is_text and heading:
            self.unplaced.append(heading)
        self.unplaced.extend(b.text for b in blocks if b.text)
        self.other.append((heading, rich(blocks)))

    def add_right(self, key: str, text: str | None) -> None:
        """A right the source names, with its own text if it has one."""
        self.rights.setdefault(key, [])
        if text:
            self.rights[key].append(text)


def rich(blocks: list[Block]) -> str:
    """Blocks as rich-text HTML: paragraphs, and runs of items as one list."""
    out, items = [], []
    for b in blocks:
        if b.kind in ("li", "row"):
            items.append(f"<li>{b.html}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        out.append(f"<p>{b.html}</p>")
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    return "".join(out)


def _lines(chunk: Chunk) -> list[str]:
    return [t for b in chunk.blocks for part in re.split(r"<br\s*/?>", b.html) if (t := fold(to_plain(part)))]


def _text(t: str) -> Block:
    return Block("p", html.escape(t, quote=False))


def prepared_on(b: Builder, chunk: Chunk, m: HeadingMatch | None) -> list[str]:
    """Laatimispäivä: the source's own date."""
    found = find_date(chunk.text)
    if not found or b.prepared_on is not None:
        b.unplace(chunk.heading, chunk.blocks)
        return ["other_information"]
    b.prepared_on = found[0]
    rest = fold(PREPARED_LABEL.sub(" ", chunk.text.replace(found[1], " ", 1)).strip(" :"))
    if re.search(r"\w", rest):
        b.unplace(chunk.heading, [_text(rest)])
    return ["prepared_on"]


def party(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """Controller, contact person or DPO: name, business ID, address, phone and email."""
    key = m.key
    found = parse_party(_lines(chunk))
    if key == "dpo":
        no_dpo = NOT_USED.search(chunk.text) and not (found.email or found.phone)
        b.dpo_appointed = not no_dpo and not found.empty
        if no_dpo:  # "Tietosuojavastaavaa ei ole nimetty": not appointed, the sentence to the user
            b.unplace(chunk.heading, chunk.blocks)
            return ["dpo"]
    target = b.parties[key]
    for name in ("name", "business_id", "street", "postal_code", "city", "phone", "email", "title"):
        if not getattr(target, name):
            setattr(target, name, getattr(found, name))
    extra = found.extra
    if key == "contact" and len(extra) == 1 and not target.title and len(extra[0]) <= 80:
        target.title, extra = extra[0], []
    if extra:
        b.unplace(chunk.heading, [_text(t) for t in extra])
    return [key]


def register_name(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """The register's name is the first line; further lines go to the user."""
    lines = _lines(chunk)
    if not b.register_name and len(lines[0]) <= 200:
        b.register_name, lines = lines[0], lines[1:]
    if lines:
        b.unplace(chunk.heading, [_text(t) for t in lines])
    return ["register_name"]


def purposes(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """One purpose with the text and the first basis it names, one more purpose per further basis."""
    text = chunk.text
    bases = legal_bases_in(text)
    b.direct_marketing = b.direct_marketing or bool(DIRECT_MARKETING.search(text))
    if m.key == "legal_basis" and b.purposes and not b.purposes[-1].get("legal_basis"):
        b.purposes[-1]["description"] += rich(chunk.blocks)  # "Käsittelyn oikeusperuste" after the purposes
        b.purposes[-1]["legal_basis"] = bases[0] if bases else None
    else:
        b.purposes.append({"description": rich(chunk.blocks), "legal_basis": bases[0] if bases else None})
    for basis in bases[1:]:
        b.purposes.append({"description": "", "legal_basis": basis})
    return [m.key] + (["legal_basis"] if bases and m.key != "legal_basis" else [])


def legitimate_interest(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """The interest, on the purpose whose basis is legitimate interests (made if there is none)."""
    target = next(
        (p for p in b.purposes if p["legal_basis"] == "legitimate_interests" and not p.get("interest")), None
    )
    if target is None:
        target = {"description": "", "legal_basis": "legitimate_interests"}
        b.purposes.append(target)
    target["interest"] = rich(chunk.blocks)
    return ["legitimate_interest"]


def consent(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """A consent heading: consent as a basis, and how to withdraw it when the text says."""
    first = re.split(r"(?<=[.!?])\s", chunk.text, maxsplit=1)[0]
    if NOT_USED.search(first):  # "Emme pyydä suostumusta": no basis to set, the user decides
        b.unplace(chunk.heading, chunk.blocks)
        return ["consent"]
    if CONSENT_WITHDRAWAL.search(chunk.text):
        b.rich["consent_withdrawal"].append(rich(chunk.blocks))
        if not any(p["legal_basis"] == "consent" for p in b.purposes):
            b.purposes.append({"description": "", "legal_basis": "consent"})
    else:
        b.purposes.append({"description": rich(chunk.blocks), "legal_basis": "consent"})
    return ["consent"]


def requirement(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """Whether giving the data is required (when the text says) and what follows."""
    b.requirement_kind = b.requirement_kind or requirement_kind(chunk.text)
    b.rich["requirement"].append(rich(chunk.blocks))
    return ["requirement"]


def list_section(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """Items of a list section; lead-ins ("sisältää seuraavia tietoja:") go to the user."""
    key, keys, blocks = m.key, [m.key], chunk.blocks
    if key in ("recipients", "sources") and not b.has_transfers_heading:
        blocks, moved = _move_transfer_mentions(b, blocks)
        if moved:
            keys.append("transfers")
    items, leads = _items_and_leads(blocks)
    if leads:
        b.unplace(chunk.heading, leads)
    for item in items:
        for piece in split_sentences(fold(to_plain(item)), ITEM_LIMIT):
            b.lists[key].append(html.escape(piece, quote=False))
    if key == "data_categories":
        b.special += [s for s in special_categories_in(chunk.text) if s not in b.special]
    return keys


def _move_transfer_mentions(b: Builder, blocks: list[Block]) -> tuple[list[Block], bool]:
    """Paragraphs on transfers abroad, to the transfers section (the source has no heading for it)."""
    moved = [blk for blk in blocks if blk.kind == "p" and TRANSFER_MENTION.search(blk.text)]
    if not moved:
        return blocks, False
    _transfer_text(b, moved)
    return [blk for blk in blocks if blk not in moved], True


def _items_and_leads(blocks: list[Block]) -> tuple[list[str], list[Block]]:
    """The items of a list (inline HTML) and the lead-ins that introduce them."""
    items, leads = [], []
    for blk in blocks:
        if blk.kind in ("li", "row"):
            items.append(blk.html)
        elif blk.kind == "head":
            leads.append(blk)
        elif parts := split_dash_items(blk.html):
            if parts[0]:
                (leads if to_plain(parts[0]).strip().endswith(":") else items).append(parts[0])
            items.extend(parts[1])
        elif blk.text.endswith(":"):
            leads.append(blk)
        else:
            items.append(blk.html)
    return items, [x if isinstance(x, Block) else Block("p", x) for x in leads]


def special_categories(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """Special categories named in the text, and the text as their justification."""
    b.special += [s for s in special_categories_in(chunk.text) if s not in b.special]
    b.rich["special_justification"].append(rich(chunk.blocks))
    return ["special_categories"]


def _transfer_text(b: Builder, blocks: list[Block], *, under_heading: bool = False) -> None:
    text = "\n".join(blk.text for blk in blocks)
    b.answers["transfers"].append(transfers_answer(text, under_heading=under_heading))
    b.safeguard = b.safeguard or safeguard_in(text)
    b.rich["transfers"].append(rich(blocks))


def transfers(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """The transfers text, and whether it says data leave the EU/EEA."""
    _transfer_text(b, chunk.blocks, under_heading=True)
    return ["transfers"]


def plain_rich(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """A section that is one rich text (retention, security A/B)."""
    key = m.key
    if key == "security":  # no A/B split in the source: electronic unless it only speaks of paper
        manual = re.search(r"manuaal|paperi|manuell|paper", chunk.text, re.I)
        key = "security.manual" if manual and not re.search(r"sähköi|järjestelm|elektron|electronic|system", chunk.text, re.I) else "security.electronic"  # fmt: skip
    b.rich[key].append(rich(chunk.blocks))
    return [key if m.key.startswith("security") else m.key]


def used_or_not(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """Cookies or automated decisions: the text, and used unless the text says not."""
    first = re.split(r"(?<=[.!?])\s", chunk.text, maxsplit=1)[0]
    no = NO_COOKIES.search(chunk.text) if m.key == "cookies" else NOT_USED.search(first)
    b.answers[m.key].append(not no)
    b.rich[m.key].append(rich(chunk.blocks))
    return [m.key]


def one_right(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """A right's own heading (and rights a combined heading also names)."""
    b.add_right(_right(m.key), rich(chunk.blocks))
    others = [k for k in m.also if k.startswith("rights.") or k == "complaint"]
    for k in others:
        b.add_right(_right(k), None)
    return [m.key, *others]


def _right(key: str) -> str:
    return key.removeprefix("rights.")


def rights(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[tuple[str, str]]:
    """Rights listed under a general heading: short lines naming a right, or prose naming several."""
    out: list[tuple[str, str]] = [(chunk.heading or "", "rights")]
    how_to = []
    for blk in chunk.blocks:
        if heading_like(blk.text):
            named = match_heading(blk.text, only=("rights.", "complaint"))
            if named:
                for k in [named.key, *[k for k in named.also if k.startswith(("rights.", "complaint"))]]:
                    b.add_right(_right(k), None)
                    out.append((blk.text, k))
            else:
                b.unplace(chunk.heading, [blk])
            continue
        found = rights_in(blk.text)
        if found:
            b.add_right(found[0], rich([blk]))
            for k in found[1:]:
                b.add_right(k, None)
            out += [(chunk.heading, k if k == "complaint" else f"rights.{k}") for k in found]
        else:
            how_to.append(blk)
    if how_to:
        b.rich["how_to"].append(rich(how_to))
    return out


def other(b: Builder, chunk: Chunk, m: HeadingMatch | None) -> list[str]:
    """An unknown heading: it and its text go to the user."""
    b.unplace(chunk.heading, chunk.blocks, heading_is_text=True)
    return ["other_information"]


def preamble(b: Builder, chunk: Chunk, m: HeadingMatch | None) -> list[str]:
    """Text before the first heading (the title, an intro, "Päivitetty 1.2.2024")."""
    keep = []
    for blk in chunk.blocks:
        found = find_date(blk.text) if PREPARED_LABEL.search(blk.text) and len(blk.text) <= 80 else None
        if found and b.prepared_on is None:
            b.prepared_on = found[0]
            rest = fold(PREPARED_LABEL.sub(" ", blk.text.replace(found[1], " ", 1)).strip(" :"))
            if re.search(r"\w", rest):
                keep.append(_text(rest))
            continue
        if not b.title and match_heading(blk.text) and match_heading(blk.text).key == "title":
            b.title = blk.text
        keep.append(blk)
    if keep:
        b.unplace(None, keep)
    return []


def title(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """The notice's title heading goes to the user; text under it is read like a preamble."""
    b.title = b.title or chunk.heading or ""
    b.unplace(None, [_text(chunk.heading or "")])
    preamble(b, chunk, m)
    return ["other_information"]


HANDLERS = {
    "prepared_on": prepared_on,
    "controller": party,
    "contact": party,
    "dpo": party,
    "register_name": register_name,
    "purposes": purposes,
    "legal_basis": purposes,
    "legitimate_interest": legitimate_interest,
    "consent": consent,
    "requirement": requirement,
    "data_subjects": list_section,
    "data_categories": list_section,
    "sources": list_section,
    "recipients": list_section,
    "special_categories": special_categories,
    "transfers": transfers,
    "retention": plain_rich,
    "security": plain_rich,
    "security.manual": plain_rich,
    "security.electronic": plain_rich,
    "cookies": used_or_not,
    "automated_decisions": used_or_not,
    "rights": rights,
    "complaint": one_right,
    "other_information": other,
    "title": title,
    "preamble": preamble,
}


def handler_for(key: str):
    """The handler of a section key (every rights.* key shares one)."""
    return one_right if key.startswith("rights.") else HANDLERS[key]


def has_hetu(items: list[str]) -> bool:
    """Whether a data category names the personal identity code."""
    return any(HETU.search(to_plain(i)) for i in items)
