"""Import a privacy notice a firm already has into a structured draft and an import report.

The source may be `Heading<TAB>Value` lines (values with inline HTML), plain text with
headings on their own lines, Markdown or an HTML page (shapes). Headings are matched to
schema sections by meaning (vocabulary), the text under them is read into the draft's
fields (sections), and whatever no section takes goes to `other_information`: nothing in
the source is dropped. Pure Python, no web framework.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from ...errors import ValidationFailed
from ..legal_texts import HEADINGS
from ..schema import LANGS, RIGHT_KEYS, NoticeDraft
from .blocks import Block, Chunk
from .fields import find_date
from .sections import Builder, handler_for, has_hetu
from .shapes import PARSERS, detect_shape
from .vocabulary import STOPWORDS, HeadingMatch, match_heading

RICH_LIMIT = 20_000
LINE_LIMIT = 300
LIST_LIMITS = {"data_categories": 100, "data_subjects": 50, "sources": 50, "recipients": 50}
_TITLE_WORDS = re.compile(
    r"tietosuojaseloste|rekisteriseloste|tietosuojailmoitus|tietosuojakäytäntö|dataskyddsbeskrivning"
    r"|registerbeskrivning|dataskyddsmeddelande|integritetspolicy|privacy (?:notice|policy|statement)",
    re.I,
)


class NoticeTooLong(ValidationFailed):
    """A section of the source is longer than a draft field can hold (nothing is cut short silently)."""

    def __init__(self, where: str):
        super().__init__("import_too_long", field="text")
        self.where = where


@dataclass
class ImportedSection:
    """One recognised heading of the source and the schema section it went to."""

    heading: str  # as written in the source
    key: str  # e.g. "retention", "rights.access", "controller", "other_information"
    empty: bool  # the source had the heading but nothing under it


@dataclass
class ImportResult:
    """The draft, its detected language, what went where, and what the user must place."""

    draft: NoticeDraft
    language: str
    sections: list[ImportedSection] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    prepared_on: date | None = None


def import_notice(source: str, *, content_type: str = "text/plain") -> ImportResult:
    """Read a notice (text/plain, text/html or text/markdown) into a draft and an import report."""
    source = (source or "").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    chunks = PARSERS[detect_shape(source, content_type)](source)
    language = detect_language(chunks)
    keyed = _assign_keys(chunks)
    builder = Builder(language, has_transfers_heading=any(k == "transfers" for _c, k, _m in keyed))
    sections: list[ImportedSection] = []
    for i, (chunk, key, match) in enumerate(keyed):
        if key == "preamble":
            handler_for(key)(builder, chunk, match)
            continue
        inherited = match is None and key != "other_information"
        if key == "prepared_on" and find_date(chunk.heading or ""):  # "Päivitetty 5.3.2024" as a heading
            chunk.blocks.insert(0, Block("p", html.escape(chunk.heading or "", quote=False)))
        if not chunk.text and key not in ("title", "other_information"):
            following = keyed[i + 1] if i + 1 < len(keyed) else None
            container = following is not None and (
                following[0].level > chunk.level or _family(following[1]) == key != following[1]
            )  # a heading whose sub-headings (deeper, or "A:"/"B:" parts of it) carry the text
            sections.append(ImportedSection(chunk.heading or "", key, empty=not container))
            if key.startswith("rights.") or key == "complaint":
                builder.add_right(
                    key.removeprefix("rights."), None
                )  # a bare right heading still names the right
            continue
        for entry in handler_for(key)(builder, chunk, match or HeadingMatch(key, 0.0, language)):
            heading, section = entry if isinstance(entry, tuple) else (chunk.heading, entry)
            if not inherited:
                empty = not chunk.text and key == "other_information"
                sections.append(ImportedSection(heading or "", section, empty=empty))
    draft = _build(builder)
    return ImportResult(draft, language, sections, builder.unplaced, builder.prepared_on)


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
    out = []
    parents: list[tuple[int, str]] = []
    for chunk in chunks:
        if chunk.heading is None:
            out.append((chunk, "preamble", None))
            continue
        while parents and parents[-1][0] >= chunk.level:
            parents.pop()
        m = match_heading(chunk.heading)
        if m and m.key == "title":
            key = (
                "title"
                if not any(k not in ("preamble", "title") for _c, k, _m in out)
                else "other_information"
            )
            out.append((chunk, key, m))
        elif m:
            out.append((chunk, m.key, m))
        elif parents and parents[-1][1] not in ("title", "other_information"):
            # e.g. "Google Analytics" under "Evästeet": the heading stays as bold text in the section.
            chunk.blocks.insert(0, Block("p", f"<b>{html.escape(chunk.heading, quote=False)}</b>"))
            out.append((chunk, parents[-1][1], None))
            continue
        else:
            out.append((chunk, "other_information", None))
        parents.append((chunk.level, out[-1][1]))
    return out


def _rich(value: str, where: str) -> str:
    if len(value) > RICH_LIMIT:
        raise NoticeTooLong(where)
    return value


def _build(b: Builder) -> NoticeDraft:
    lang = b.lang

    def text(value: str, where: str) -> dict:
        return {lang: _rich(value, where)} if value else {}

    def joined(key: str) -> dict:
        return text("".join(b.rich.get(key, [])), key)

    if not b.register_name and b.title:
        rest = " ".join(_TITLE_WORDS.sub(" ", b.title).split()).strip(" -–—:|")
        b.register_name = rest.capitalize() if rest.isupper() else rest
    for key, limit in LIST_LIMITS.items():
        if len(b.lists[key]) > limit:
            extra, b.lists[key] = b.lists[key][limit:], b.lists[key][:limit]
            b.unplace(HEADINGS[key][lang], [Block("li", item) for item in extra])
    if b.rights.get("withdraw_consent") and not b.rich.get("consent_withdrawal"):
        # How to withdraw consent has its own field (shown with the purposes, checked by check.py).
        b.rich["consent_withdrawal"], b.rights["withdraw_consent"] = b.rights["withdraw_consent"], []
    if len(b.purposes) > 30:
        raise NoticeTooLong("purposes")
    c, p, d = b.parties["controller"], b.parties["contact"], b.parties["dpo"]
    for key, party in b.parties.items():  # a one-line field holds 300 characters: longer text is no name
        for name in ("name", "business_id", "street", "postal_code", "city", "phone", "email"):
            value = getattr(party, name)
            if len(value) > LINE_LIMIT or (name == "street" and len(party.address) > LINE_LIMIT):
                b.unplace(HEADINGS[key][lang], [Block("p", html.escape(value, quote=False))])
                setattr(party, name, "")
    answers = {k: _answer(v) for k, v in b.answers.items()}
    transfer_details = joined("transfers")
    data = {
        "prepared_on": b.prepared_on,
        "controller": {
            "name": c.name,
            "business_id": c.business_id,
            "street_address": c.street,
            "postal_code": c.postal_code,
            "city": c.city,
            "phone": c.phone,
            "email": c.email,
        },
        "contact": {
            "name": p.name,
            "email": p.email,
            "phone": p.phone,
            "address": p.address,
            "title": {lang: p.title} if p.title else {},
        },
        "dpo": {"appointed": bool(b.dpo_appointed), "name": d.name, "email": d.email, "phone": d.phone},
        "register_name": {lang: b.register_name} if b.register_name else {},
        "purposes": [
            {
                "description": text(x["description"], "purposes"),
                "legal_basis": x["legal_basis"],
                "legitimate_interest": text(x.get("interest", ""), "legitimate_interest"),
            }
            for x in b.purposes
        ],
        "direct_marketing": b.direct_marketing,
        "consent_withdrawal": joined("consent_withdrawal"),
        "requirement": {"kind": b.requirement_kind, "consequences": joined("requirement")},
        "special_categories": b.special,
        "special_justification": joined("special_justification"),
        "personal_identity_code": has_hetu(b.lists["data_categories"]),
        "transfers": {
            "outside_eea": answers.get("transfers"),
            "items": [{"details": transfer_details, "safeguard": b.safeguard}] if transfer_details else [],
        },
        "retention": joined("retention"),
        "security": {"manual": joined("security.manual"), "electronic": joined("security.electronic")},
        "cookies": {"used": answers.get("cookies"), "text": joined("cookies")},
        "automated_decisions": {
            "used": answers.get("automated_decisions"),
            "description": joined("automated_decisions"),
        },
        "rights": {
            "items": [
                {"key": k, "text": text("".join(b.rights[k]), f"rights.{k}")}
                for k in RIGHT_KEYS
                if k in b.rights
            ],
            "how_to": joined("how_to"),
        },
    }
    for key in LIST_LIMITS:
        data[key] = [{lang: item} for item in b.lists[key]]
    data["other_information"] = text(_other_html(b), "other_information")
    return NoticeDraft.model_validate(data)


def _answer(values: list[bool | None]) -> bool | None:
    """Several texts answer one question: yes if any says yes, no if all that answer say no."""
    given = [v for v in values if v is not None]
    return None if not given else any(given)


def _other_html(b: Builder) -> str:
    parts, last = [], None
    for heading, body in b.other:
        if heading and heading != last:
            parts.append(f"<p><b>{html.escape(heading, quote=False)}</b></p>")
        last = heading
        parts.append(body)
    return "".join(parts)
