"""The controller (or a DPO, a contact person) named in running text rather than in a contact block.

"Rekisterinpitäjänä toimii Pihlajaniemen Kyläyhdistys ry, Y-tunnus 1312935-6, …", "The controller
is Mikael Strand, …", "Tilitoimisto Laskuri Oy (Y-tunnus 2149441-7, Kirkkokatu 6, 90100 Oulu)
vastaa …": the name is the legal name (a person's name, or a name ending in a company form such
as Oy, Ab, ry, Ltd), never the sentence around it, and the business ID and address come from the
same paragraph. The sentence itself is kept for the user; only the fields are read from it.
"""

from __future__ import annotations

import re

from .fields import BUSINESS_ID, EMAIL, PHONE, POSTAL, WEB, Party

_ROLES = (
    r"rekisterinpitäjä\w*|tietosuojavastaava\w*|yhteyshenkilö\w*|personuppgiftsansvarig\w*|dataskyddsombud\w*"
    r"|(?:the )?(?:data )?controller|data protection officer|contact person"
)
_ROLE_LEAD = re.compile(
    rf"(?:{_ROLES})\s+(?:on|toimii|is|är)\s+(?:the\s+|a\s+)?(?P<name>[^,.(;:]{{1,120}}?)\s*"
    r"(?=[,.(;:]|\s+(?:joka|jonka|who|which|som|and|ja|och)\b|$)",
    re.I,
)
_FORMS = r"Oy|Oyj|Ab|Abp|Ky|Tmi|ry|rf|Ay|Osk|Ltd|Inc|LLC|GmbH"
_COMPANY = re.compile(
    rf"(?<![\w-])((?:[A-ZÅÄÖ0-9][\w&'’-]*\s+(?:&\s+)?){{1,5}}(?:{_FORMS}))(?::[a-zåäö]+)?(?![\w-])"
)
_STREET = re.compile(
    r"\b([A-ZÅÄÖ][\wåäöÅÄÖ-]+(?:\s[a-zåäö]+)?\s\d{1,4}(?:\s?[A-Z]\b)?(?:\s\d{1,3})?)\s*,?\s*(?:FI-)?\d{5}\s"
)
PROSE_LIMIT = 2000  # characters: longer text is read as prose without looking for details in it
_NAME_WORDS = {"ry", "rf", "af", "von", "van", "de", "och", "ja", "and", "of", "&"}


def looks_like_a_name(text: str) -> bool:
    """A name is a few capitalised words (with "ry", "von", "&"): not a sentence, not a label."""
    words = text.split()
    if not words or len(words) > 8:
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w.lower() in _NAME_WORDS for w in words)


def split_name(text: str) -> tuple[str, str]:
    """A name and what came with it: "Club secretary Heidi Mattila" -> ("Heidi Mattila", "Club secretary")."""
    if not text or looks_like_a_name(text):
        return text, ""
    tokens = text.split()
    lower = [i for i, w in enumerate(tokens) if w[:1].islower() and w.lower() not in _NAME_WORDS]
    tail = tokens[lower[-1] + 1 :] if lower else []
    if 2 <= len(tail) <= 4 and looks_like_a_name(" ".join(tail)):
        return " ".join(tail), " ".join(tokens[: lower[-1] + 1])
    return name_in_prose(text), text


def name_in_prose(text: str) -> str:
    """The legal name a sentence gives ("… toimii Firma ry, …"), or ""."""
    m = _ROLE_LEAD.search(text)
    if m and looks_like_a_name(m["name"].strip()):
        return m["name"].strip()
    m = _COMPANY.search(text)
    return " ".join(m[1].split()) if m else ""


def party_in_prose(text: str) -> Party | None:
    """A party with the name, business ID, address, phone and email a paragraph gives, or None."""
    if len(text) > PROSE_LIMIT:  # a page of text is no contact paragraph
        return None
    name = name_in_prose(text)
    if not name:
        return None
    party = Party(name=name)
    for attr, pattern in (("email", EMAIL), ("business_id", BUSINESS_ID), ("phone", PHONE)):
        m = pattern.search(text)
        if m:
            setattr(party, attr, m[1].strip())
    postal = POSTAL.search(text)
    if postal:
        party.postal_code, party.city = postal[1], postal[2]
        street = _STREET.search(text)
        if street and street.start() < postal.end():
            party.street = street[1]
    return party


def is_prose(text: str) -> bool:
    """Running text (a sentence with several lower-case words), not a contact line."""
    if len(text) > PROSE_LIMIT:
        return True
    text = WEB.sub(" ", EMAIL.sub(" ", text))
    lower = [w for w in re.findall(r"[^\W\d_][\w-]*", text) if w[:1].islower() and len(w) >= 3]
    return len([w for w in lower if w not in _NAME_WORDS]) >= 4
