"""Two notices in one file (a member register and a camera-surveillance notice, say).

A second notice starts at a second title ("Tietosuojaseloste – Kameravalvonta") or at a second
controller or register-name heading, once the first notice has had several sections of its own
and the second has some too. The import report then offers to split the file into two drafts.
"""

from __future__ import annotations

from .blocks import Chunk
from .vocabulary import match_heading

_ANCHORS = ("controller", "register_name")
_NOT_CONTENT = ("title", "prepared_on", "other_information")


def _key(chunk: Chunk) -> str | None:
    if chunk.heading is None:
        return None
    m = match_heading(chunk.heading)
    return m.key if m else None


def notice_starts(chunks: list[Chunk]) -> list[int]:
    """Where each notice of the source starts (chunk indexes); [0] when the source is one notice."""
    keys = [_key(c) for c in chunks]
    starts = [0]
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if i > 0 and len(seen) >= 3 and _starts_here(keys, i, seen):
            starts.append(i)
            seen = set()
        if key and key not in _NOT_CONTENT:
            seen.add(key)
    return starts


def _starts_here(keys: list[str | None], i: int, seen: set[str]) -> bool:
    key = keys[i]
    anchor = key == "title" or (key in _ANCHORS and key in seen)
    if not anchor:
        return False
    after = set()
    for k in keys[i + 1 :]:
        if k == "title":
            break
        if k and k not in _NOT_CONTENT:
            after.add(k)
    return len(after) >= 2 and bool(after & seen)
