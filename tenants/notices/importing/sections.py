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
from .dates import split_sentences as date_sentences
from .fields import (
    CONSENT_WITHDRAWAL,
    DIRECT_MARKETING,
    HETU,
    NOT_USED,
    TRANSFER_MENTION,
    Party,
    legal_bases_in,
    parse_party,
    requirement_kind,
    rights_in,
    safeguard_in,
    split_dash_items,
    split_sentences,
)
from .prose import is_prose, party_in_prose, split_name
from .vocabulary import HeadingMatch, match_heading

ITEM_LIMIT = 500  # a list item is plain text the schema cuts at 500 characters: longer ones are split

_SPECIAL_STATEMENT = re.compile(
    r"erityi\w* henkilötie|henkilötietoryhmiin|arkaluonte|särskilda kategorier|känsliga (?:person)?uppgifter"
    r"|special categor|sensitive (?:personal )?data",
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
        self.register_line = ""  # "Firma Oy:n asiakasrekisteri" under the title: the name if none is given
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
        self.inferred: list[tuple[str, str, bool]] = []  # (text, section, also kept where it stood)
        self.prose: list[Party] = []  # parties named in running text, for an empty controller

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
    """Laatimispäivä: its date was read with every other date (dates.py); any other text to the user."""
    if chunk.blocks:
        b.unplace(chunk.heading, chunk.blocks)
    return ["prepared_on"]


def party(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """Controller, contact person or DPO: name, business ID, address, phone and email."""
    if m.key == "controller" and "contact" in m.also:  # "Rekisterinpitäjä ja yhteyshenkilö"
        return _controller_and_contact(b, chunk, m)
    key = m.key
    prose = [blk for blk in chunk.blocks if is_prose(blk.text)]
    lines = [t for blk in chunk.blocks if blk not in prose for t in _lines(Chunk(None, 0, [blk]))]
    found = parse_party(lines)
    found.name, said = split_name(found.name)  # "Tietosuojavastaavanamme toimii Petra Koivisto"
    if said:
        found.extra.insert(0, said)
    if key == "dpo":
        no_dpo = NOT_USED.search(chunk.text) and not (found.email or found.phone)
        b.dpo_appointed = not no_dpo and not (found.empty and not prose)
        if no_dpo:  # "Tietosuojavastaavaa ei ole nimetty": not appointed, the sentence to the user
            b.unplace(chunk.heading, chunk.blocks)
            return ["dpo"]
    for blk in prose:  # running text: its fields are read, and the sentences kept for the user
        _fill(found, party_in_prose(blk.text) or Party())
    if prose:
        b.unplace(chunk.heading, prose)
    _fill(b.parties[key], found)
    extra = found.extra
    target = b.parties[key]
    if key == "contact" and len(extra) == 1 and not target.title and len(extra[0]) <= 80:
        target.title, extra = extra[0], []
    if extra:
        b.unplace(chunk.heading, [_text(t) for t in extra])
    return [key]


def _fill(target: Party, found: Party) -> None:
    for name in ("name", "business_id", "street", "postal_code", "city", "phone", "email", "title"):
        if not getattr(target, name):
            setattr(target, name, getattr(found, name))


_CONTACT_MARK = re.compile(r"^\s*(?:yhteyshenkilö|kontaktperson|contact person|contact)\b", re.I)


def _controller_and_contact(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """One heading for both: the lines from a "Yhteyshenkilö" line on are the contact person's."""
    split = next((i for i, blk in enumerate(chunk.blocks) if _CONTACT_MARK.match(blk.text)), None)
    own = chunk.blocks if split is None else chunk.blocks[:split]
    keys = party(b, Chunk(chunk.heading, chunk.level, own), HeadingMatch("controller", m.score, m.lang))
    if split is not None:
        contact = [
            Block(blk.kind, _CONTACT_MARK.sub("", blk.html).lstrip(" :")) for blk in chunk.blocks[split:]
        ]
        keys += party(b, Chunk(chunk.heading, chunk.level, contact), HeadingMatch("contact", m.score, m.lang))
    return keys


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
    if key == "data_categories":  # "Erityisiä henkilötietoja ei käsitellä": said of special categories
        blocks, statements = _special_statements(blocks)
        if statements:
            b.rich["special_justification"].append(rich(statements))
            keys.append("special_categories")
    items, leads = _items_and_leads(blocks)
    if leads:
        b.unplace(chunk.heading, leads)
    for item in items:
        for piece in split_sentences(fold(to_plain(item)), ITEM_LIMIT):
            b.lists[key].append(html.escape(piece, quote=False))
    return keys


def _special_statements(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """Sentences about special categories taken out of a list of data ("… Arkaluonteisia tietoja ei tallenneta.")."""
    kept, statements = [], []
    for blk in blocks:
        if blk.kind != "p" or not _SPECIAL_STATEMENT.search(blk.text):
            kept.append(blk)
            continue
        sentences = date_sentences(blk.text)
        said = [t for t in sentences if _SPECIAL_STATEMENT.search(t)]
        rest = [t for t in sentences if t not in said]
        statements.append(_text(" ".join(said)))
        if rest:
            kept.append(_text(" ".join(rest)))
    return kept, statements


def _move_transfer_mentions(b: Builder, blocks: list[Block]) -> tuple[list[Block], bool]:
    """Sentences on transfers abroad, to the transfers section (the source has no heading for it)."""
    kept, moved = [], []
    for blk in blocks:
        if blk.kind != "p" or not TRANSFER_MENTION.search(blk.text):
            kept.append(blk)
            continue
        sentences = date_sentences(blk.text)
        abroad = [t for t in sentences if TRANSFER_MENTION.search(t)]
        if len(abroad) == len(sentences) or re.search(r"<(?:a|b|i)\b", blk.html):
            moved.append(blk)  # the whole paragraph (or one whose markup a cut would break)
            continue
        moved.append(_text(" ".join(abroad)))
        kept.append(_text(" ".join(t for t in sentences if t not in abroad)))
    if moved:
        _transfer_text(b, moved)
    return kept, bool(moved)


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
    """The text on special categories (which ones are read from every sentence, see facts.py)."""
    b.rich["special_justification"].append(rich(chunk.blocks))
    return ["special_categories"]


def _transfer_text(b: Builder, blocks: list[Block]) -> None:
    text = "\n".join(blk.text for blk in blocks)
    b.safeguard = b.safeguard or safeguard_in(text)
    b.rich["transfers"].append(rich(blocks))


def transfers(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """The transfers text (whether data leave the EU/EEA is read from every sentence, see facts.py)."""
    _transfer_text(b, chunk.blocks)
    return ["transfers"]


def plain_rich(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """A section that is one rich text (retention, security A/B)."""
    key = m.key
    if key == "security":  # no A/B split in the source: electronic unless it only speaks of paper
        manual = re.search(r"manuaal|paperi|manuell|paper", chunk.text, re.I)
        key = "security.manual" if manual and not re.search(r"sähköi|järjestelm|elektron|electronic|system|salasan|password|lösenord|tunnuks", chunk.text, re.I) else "security.electronic"  # fmt: skip
    b.rich[key].append(rich(chunk.blocks))
    return [key if m.key.startswith("security") else m.key]


def used_or_not(b: Builder, chunk: Chunk, m: HeadingMatch) -> list[str]:
    """Cookies or automated decisions: the text; cookies used unless the text says not.

    Whether decisions are automated is read from every sentence (facts.py): a heading alone says nothing."""
    if m.key == "cookies":
        b.answers["cookies"].append(not NO_COOKIES.search(chunk.text))
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
}


def handler_for(key: str):
    """The handler of a section key (every rights.* key shares one)."""
    return one_right if key.startswith("rights.") else HANDLERS[key]


def has_hetu(items: list[str]) -> bool:
    """Whether a data category names the personal identity code."""
    return any(HETU.search(to_plain(i)) for i in items)
