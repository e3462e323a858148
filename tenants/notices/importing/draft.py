"""The builder's parts as a NoticeDraft: limits checked, the register's name found, facts applied.

Nothing is cut short silently: a text too long for its field stops the import with the name of
the section (NoticeTooLong); list items beyond a list's limit and values too long for a one-line
field go to other information.
"""

from __future__ import annotations

import html
import re

from ...errors import ValidationFailed
from ..legal_texts import HEADINGS
from ..schema import RIGHT_KEYS, NoticeDraft
from .blocks import Block
from .facts import Fact
from .sections import Builder, has_hetu

RICH_LIMIT = 20_000
LINE_LIMIT = 300
LIST_LIMITS = {"data_categories": 100, "data_subjects": 50, "sources": 50, "recipients": 50}
TITLE_WORDS = re.compile(
    r"tietosuojaseloste|rekisteriseloste|tietosuojailmoitus|tietosuojakäytäntö|dataskyddsbeskrivning"
    r"|registerbeskrivning|dataskyddsmeddelande|integritetspolicy|privacy (?:notice|policy|statement)",
    re.I,
)
_SEPARATOR = re.compile(r"\s[-–—|:]\s|:\s")
_REGISTER_WORD = re.compile(r"rekister|register|registret|registry", re.I)
_GENERIC = {"rekisteri", "rekisterin", "register", "registret", "registrets", "registry"}
_CONNECTORS = re.compile(r"^(?:för|for|of|om|and|ja|och|–|-)\s+|\s+(?:and|ja|och|of|for|för)$", re.I)


class NoticeTooLong(ValidationFailed):
    """A section of the source is longer than a draft field can hold (nothing is cut short silently)."""

    def __init__(self, where: str):
        super().__init__("import_too_long", field="text")
        self.where = where


def register_from_title(title: str) -> str:
    """The register a title names ("Tietosuojaseloste – Asiakasrekisteri"), or "" when it names none."""
    rest = " ".join(TITLE_WORDS.sub(" ", title).split()).strip(" -–—:|.")
    for _ in range(2):
        rest = _CONNECTORS.sub("", rest).strip()
    separated = bool(_SEPARATOR.search(title)) and TITLE_WORDS.search(title) is not None
    if not rest or not (separated or _REGISTER_WORD.search(rest)) or len(rest.split()) > 10:
        return ""
    if rest.lower() in _GENERIC:
        return ""
    if len(rest.split()) == 1 and rest.lower().endswith("rekisterin"):  # "Potilasrekisterin seloste"
        rest = rest[:-1]
    return rest.capitalize() if rest.isupper() else rest


def _rich(value: str, where: str) -> str:
    if len(value) > RICH_LIMIT:
        raise NoticeTooLong(where)
    return value


def _fit(b: Builder) -> None:
    """Lists cut at their limit and over-long one-line values, both to other information."""
    lang = b.lang
    for key, limit in LIST_LIMITS.items():
        if len(b.lists[key]) > limit:
            extra, b.lists[key] = b.lists[key][limit:], b.lists[key][:limit]
            b.unplace(HEADINGS[key][lang], [Block("li", item) for item in extra])
    if len(b.purposes) > 30:
        raise NoticeTooLong("purposes")
    for key, party in b.parties.items():  # a one-line field holds 300 characters: longer text is no name
        for name in ("name", "business_id", "street", "postal_code", "city", "phone", "email"):
            value = getattr(party, name)
            if len(value) > LINE_LIMIT or (name == "street" and len(party.address) > LINE_LIMIT):
                b.unplace(HEADINGS[key][lang], [Block("p", html.escape(value, quote=False))])
                setattr(party, name, "")


def build(b: Builder) -> NoticeDraft:
    """The draft from what the handlers found."""
    lang = b.lang

    def text(value: str, where: str) -> dict:
        return {lang: _rich(value, where)} if value else {}

    def joined(key: str) -> dict:
        return text("".join(b.rich.get(key, [])), key)

    if not b.register_name:
        b.register_name = register_from_title(b.title) or b.register_line
    _fit(b)
    if b.rights.get("withdraw_consent") and not b.rich.get("consent_withdrawal"):
        # How to withdraw consent has its own field (shown with the purposes, checked by check.py).
        b.rich["consent_withdrawal"], b.rights["withdraw_consent"] = b.rights["withdraw_consent"], []
    c, p, d = b.parties["controller"], b.parties["contact"], b.parties["dpo"]
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
        "dpo": {"appointed": b.dpo_appointed, "name": d.name, "email": d.email, "phone": d.phone},
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
        "special_justification": joined("special_justification"),
        "personal_identity_code": has_hetu(b.lists["data_categories"]),
        "transfers": {
            "items": [{"details": transfer_details, "safeguard": b.safeguard}] if transfer_details else [],
        },
        "retention": joined("retention"),
        "security": {"manual": joined("security.manual"), "electronic": joined("security.electronic")},
        "cookies": {"used": _answer(b.answers.get("cookies", [])), "text": joined("cookies")},
        "automated_decisions": {"description": joined("automated_decisions")},
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


def apply_facts(draft: NoticeDraft, facts: dict[str, Fact]) -> None:
    """The yes/no answers the source gives, and nothing it does not give."""
    draft.transfers.outside_eea = facts["transfers"].answer
    draft.automated_decisions.used = facts["automated_decisions"].answer
    special = facts["special_categories"]
    found = special.categories if special.answer else []
    draft.special_categories = [c for c in found if c != "criminal"]
    draft.criminal_data = "criminal" in found
    draft.special_categories_used = special.answer if draft.special_categories or not found else None
    draft.collected_from = facts["collected_from"].answer  # whether a source is public stays the firm's


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
