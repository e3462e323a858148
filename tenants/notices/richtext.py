"""The small rich-text subset of notice texts: paragraphs, lists, bold, italic, links.

Stored as HTML sanitised with nh3 (an allowlist) on the way in. People edit a
plain form of it: blank lines between paragraphs, "- " before list items, with
<b>, <i> and <a href> written inline.
"""

from __future__ import annotations

import html
import re

import nh3

TAGS = {"p", "ul", "ol", "li", "b", "strong", "i", "em", "a", "br"}
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
MAX_LENGTH = 20_000

_BLOCK = re.compile(r"<\s*(p|ul|ol|li|br)\b", re.I)
_TAG = re.compile(r"<[^>]+>")
_BULLET = re.compile(r"^[-*•]\s+")


def sanitise(value: str) -> str:
    """Allowlisted HTML; links get rel="nofollow noopener"."""
    cleaned = nh3.clean(
        value[:MAX_LENGTH],
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    return cleaned.strip()


def from_editable(text: str) -> str:
    """Turn what a person typed (plain text, maybe with inline tags or whole HTML) into safe HTML."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return ""
    if _BLOCK.search(text):  # already HTML with block structure (pasted or imported)
        return sanitise(text)
    blocks = re.split(r"\n\s*\n", text)
    out = []
    for block in blocks:
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if lines and all(_BULLET.match(ln) for ln in lines):
            items = "".join("<li>" + _BULLET.sub("", ln) + "</li>" for ln in lines)
            out.append(f"<ul>{items}</ul>")
        elif lines:
            out.append("<p>" + "<br>".join(lines) + "</p>")
    return sanitise("".join(out))


def to_editable(stored: str) -> str:
    """The plain form shown in a text area for stored HTML (inverse of from_editable)."""
    if not stored:
        return ""
    text = stored
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = re.sub(r"<li>\s*", "- ", text, flags=re.I)
    text = re.sub(r"</li>\s*", "\n", text, flags=re.I)
    text = re.sub(r"</?(ul|ol)>", "\n", text, flags=re.I)
    text = re.sub(r"<p>", "", text, flags=re.I)
    text = re.sub(r"</p>", "\n\n", text, flags=re.I)
    text = re.sub(r"\n{3,}", "\n\n", text)
    # Entities back to characters, but keep inline tags (b, i, a) as they are.
    parts = re.split(r"(<[^>]+>)", text)
    text = "".join(p if p.startswith("<") else html.unescape(p) for p in parts)
    return text.strip()


def to_plain(stored: str) -> str:
    """Text without any markup (for checks, search and mail)."""
    return html.unescape(_TAG.sub(" ", stored or "")).strip()


def clean_plain(value: str, limit: int = 500) -> str:
    """A one-line plain value: no tags, whitespace folded, length capped."""
    return " ".join(to_plain(value or "").split())[:limit]
