"""A readable, section-by-section comparison of two versions, for non-lawyers."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .render import Block, render
from .richtext import to_plain
from .schema import load_draft


@dataclass
class Line:
    """One line of a section: op is 'same', 'added' or 'removed'."""

    op: str
    text: str


@dataclass
class SectionDiff:
    """What happened to one section: added, removed, changed or same."""

    key: str
    heading: str
    status: str
    lines: list[Line] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True unless the section is the same in both versions."""
        return self.status != "same"


def _lines(blocks: list[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if block.title:
            out.append(block.title)
        if block.kind == "html":
            text = str(block.value)
            for chunk in text.replace("</li>", "\n").replace("</p>", "\n").replace("<br>", "\n").split("\n"):
                plain = " ".join(to_plain(chunk).split())
                if plain:
                    out.append(plain)
        elif block.kind == "text":
            out.append(str(block.value))
        elif block.kind == "list":
            out.extend(f"• {v}" for v in block.value)
        elif block.kind == "pairs":
            out.extend(f"{k}: {v}" for k, v in block.value)
        elif block.kind == "group":
            out.extend(_lines(block.value))
    return out


def diff_versions(old_content: dict, new_content: dict, language: str) -> list[SectionDiff]:
    """Compare two versions' content in one language, section by section, in the newer order."""
    old = {s.key: s for s in render(load_draft(old_content), language).sections}
    new = {s.key: s for s in render(load_draft(new_content), language).sections}
    keys = list(new) + [k for k in old if k not in new]
    result = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        if a is None:
            result.append(SectionDiff(key, b.heading, "added", [Line("added", t) for t in _lines(b.blocks)]))
        elif b is None:
            result.append(
                SectionDiff(key, a.heading, "removed", [Line("removed", t) for t in _lines(a.blocks)])
            )
        else:
            la, lb = _lines(a.blocks), _lines(b.blocks)
            if la == lb:
                result.append(SectionDiff(key, b.heading, "same", [Line("same", t) for t in lb]))
                continue
            lines = []
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=la, b=lb, autojunk=False).get_opcodes():
                if op == "equal":
                    lines += [Line("same", t) for t in la[i1:i2]]
                else:
                    lines += [Line("removed", t) for t in la[i1:i2]]
                    lines += [Line("added", t) for t in lb[j1:j2]]
            result.append(SectionDiff(key, b.heading, "changed", lines))
    return result
