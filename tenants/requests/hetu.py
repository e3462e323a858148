"""Finding things that look like a Finnish personal identity code (henkilötunnus) in free text.

A request form never asks for one; when a requester writes one anyway, they are
warned, and list views mask it.
"""

from __future__ import annotations

import re

# DDMMYY, century sign (+, -, A–F, U–Y), three digits, check character. Spaces around the sign tolerated.
HETU = re.compile(r"(?<![0-9A-Za-z])(\d{6})\s?([-+ABCDEFUVWXY])\s?(\d{3}[0-9A-Ya-y])(?![0-9A-Za-z])")
MASK = "••••••-••••"


def find_hetus(text: str) -> list[str]:
    """Every substring that looks like a henkilötunnus (checksum or not: a typo is still personal data)."""
    return [m.group(0) for m in HETU.finditer(text or "")]


def contains_hetu(text: str) -> bool:
    """True when the text has something that looks like a henkilötunnus."""
    return bool(HETU.search(text or ""))


def mask_hetus(text: str) -> str:
    """The text with every henkilötunnus-like part replaced by a mask."""
    return HETU.sub(MASK, text or "")
