"""The shapes notices come in: which one a source is, and reading the text-based ones.

Shapes: `Heading<TAB>Value` lines (values may hold inline HTML and continue on later
tab-indented lines), plain text with headings on their own lines, Markdown, and HTML
(html_pages). Each parser gives chunks of blocks under headings (blocks).
"""

from __future__ import annotations

import html
import re

from ..richtext import to_plain
from .blocks import (
    LIST_MARK,
    NUMBERED,
    Block,
    Chunk,
    Heading,
    fold,
    heading_like,
    inline_label,
    to_chunks,
)
from .cleanup import LINE_BREAK
from .html_pages import html_events, parse_html
from .vocabulary import ACCEPT, STRONG, field_label, match_heading

_TAB_LINE = re.compile(
    r"^ {0,3}(?:<(?:b|strong)>)?([^\t<>][^\t]{0,250}?)(?:</(?:b|strong)>)?\s*:?\t(.*)$", re.I
)
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_HTML_HINT = re.compile(r"<(?:html|body|h[1-6]|p|div|dl|dt|table|article|section|main|ul|li)\b", re.I)
_MD_HINT = re.compile(r"^\s{0,3}#{1,6}\s+\S|^\s*(?:\*\*|__)[^*_]+(?:\*\*|__)|^\s*\|.*\|\s*$", re.M)
_INLINE_TAGS = re.compile(r"<(?:p|ul|ol|li|br|b|strong|i|em|a|div|span)\b", re.I)
_SENTENCE_END = (".", "!", "?", ":", ";")


def detect_shape(source: str, content_type: str = "text/plain") -> str:
    """The shape of a source (tabbed, html, markdown, plain): the caller's word, corrected by the text."""
    tab_lines = sum(1 for line in source.splitlines() if _TAB_LINE.match(line))
    if tab_lines >= 2:
        return "tabbed"
    looks_md = bool(_MD_HINT.search(source))
    tags = len(_HTML_HINT.findall(source))
    if (content_type == "text/html" and tags) or (tags >= 2 and not looks_md):
        return "html"
    if content_type == "text/markdown" or looks_md:
        return "markdown"
    return "plain"


def _merge_wrapped(blocks: list, line_html: str, previous_line: str | None) -> bool:
    """Join a line to the paragraph above when that one was hard-wrapped mid-sentence."""
    text = to_plain(line_html).strip()
    if (
        previous_line
        and len(previous_line) >= 40  # short lines (names, addresses) are lines, not wrapped prose
        and blocks
        and isinstance(blocks[-1], Block)
        and blocks[-1].kind == "p"
        and not previous_line.rstrip().endswith(_SENTENCE_END)
        and text[:1].islower()
    ):
        blocks[-1].html += " " + line_html
        return True
    return False


# --- plain text --------------------------------------------------------------------------------


# Lines a web page adds around a notice when it is copied as text: left out, and listed.
_CHROME_LINE = re.compile(
    r"^(?:©|\(c\)\s*\d{4}|copyright\b)|kaikki oikeudet pidätetään|all rights reserved|alla rättigheter förbehållna"
    r"|^(?:hyväksy (?:kaikki|evästeet)|vain välttämättömät|accept all(?: cookies)?|reject all|only necessary"
    r"|godkänn alla|endast nödvändiga|siirry sisältöön|skip to (?:main )?content)$",
    re.I,
)
# A site menu copied with the page: three or more short items between bars, no digits.
_MENU_LINE = re.compile(
    r"^(?:[^\W\d_][\w&'’-]*(?: [^\W\d_][\w&'’-]*)? ?[|·•] ?){2,}[^\W\d_][\w&'’-]*(?: [^\W\d_][\w&'’-]*)?$"
)


def _chrome_line(line: str, seen: bool) -> bool:
    """A line a web page adds around a notice (a menu only before the notice's first heading)."""
    return bool(_CHROME_LINE.search(line) or (not seen and _MENU_LINE.match(line)))


def parse_plain(source: str, left_out: list[str] | None = None) -> list[Chunk]:
    """Plain text: headings on their own lines (found by vocabulary and by look), blank lines between blocks."""
    source = source.replace("\r\n", "\n").replace(LINE_BREAK, "\n")
    blocks = [b.split("\n") for b in re.split(r"\n\s*\n", source)]
    events: list = []
    current, pending, seen = None, False, False
    for block in blocks:
        lines = [ln.strip() for ln in block if ln.strip()]
        previous, owned = None, False
        for n, line in enumerate(lines):
            if _chrome_line(line, seen):
                if left_out is not None:
                    left_out.append(line)
                continue
            nxt = lines[n + 1] if n + 1 < len(lines) else None
            escaped = html.escape(line, quote=False)
            label = inline_label(escaped)  # "Säilytysaika: kaksi vuotta"
            if label:
                events.append(Heading(label[0], 1, inline=True))
                events.append(Block("p", label[1], cont=True))
                m = match_heading(label[0])
                current, pending, seen, previous, owned = (m.key if m else None), False, True, line, True
                continue
            level = _plain_heading(line, n == 0, len(lines), nxt, pending, seen, current)
            if level:
                events.append(Heading(line, level))
                m = match_heading(line)
                current = m.key if m else None
                pending, seen, previous, owned = True, True, None, False
                continue
            if LIST_MARK.match(line):
                events.append(Block("li", html.escape(LIST_MARK.sub("", line), quote=False), cont=owned))
            elif not _merge_wrapped(events, escaped, previous):
                events.append(Block("p", escaped, cont=owned))
            pending, previous = False, line
    return to_chunks(events)


def _all_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _plain_heading(line, first, block_len, nxt, pending, seen, current) -> int:
    """The level of a heading line in plain text, or 0."""
    if not heading_like(line) or (nxt is not None and nxt[:1].islower()):
        return 0
    m = match_heading(line)
    if m and m.key == "title":
        return 0
    if m and m.score >= ACCEPT and _all_caps(line):  # "SÄILYTYSAIKA" anywhere in a block
        return 1
    if first:
        if m and (m.score >= STRONG or not pending):
            return 1
        return 1 if (not pending and seen and block_len > 1 and not re.search(r"\d", line)) else 0
    if m and NUMBERED.match(line):
        return 2
    if m and m.key.startswith("security.") and (current or "").startswith("security"):
        return 2
    return 0


# --- Heading<TAB>Value lines -------------------------------------------------------------------


def _join_continuation(previous: str, more: str) -> str:
    """Append a continuation line; a sentence cut by the break is joined back into one paragraph."""
    prev_plain, more_plain = to_plain(previous).rstrip(), to_plain(more).lstrip()
    if prev_plain and more_plain and not prev_plain.endswith(_SENTENCE_END) and more_plain[:1].islower():
        return re.sub(r"</p>\s*$", "", previous.rstrip()) + " " + re.sub(r"^\s*<p>", "", more.strip())
    return previous.rstrip() + "\n" + more.strip()


def parse_tabbed(source: str, left_out: list[str] | None = None) -> list[Chunk]:
    """`Heading<TAB>Value` lines, `<b>` headings, values continued on later lines, `#` headings between."""
    entries: list[list] = [[None, 0, ""]]  # heading, level, raw value
    for line in source.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        atx = _ATX.match(line)
        tab = _TAB_LINE.match(line)
        if atx:
            entries.append([atx[2].strip(), len(atx[1]), ""])
        elif tab and field_label(to_plain(tab[1])):
            entries[-1][2] = _join_continuation(entries[-1][2], f"{tab[1].strip()}: {tab[2]}")
        elif tab:
            entries.append([fold(to_plain(tab[1])), 1, tab[2]])
        else:
            entries[-1][2] = _join_continuation(entries[-1][2], line) if entries[-1][2] else line.strip()
    events: list = []
    for heading, level, raw in entries:
        if heading is not None:
            events.append(Heading(heading, level))
        events.extend(_value_blocks(raw))
    return to_chunks(events)


def _value_blocks(raw: str) -> list[Block]:
    """The blocks of one value: inline HTML read as HTML, plain text line by line."""
    if not raw.strip():
        return []
    if _INLINE_TAGS.search(raw):
        out = []
        for ev in html_events(raw, labels=False):
            out.append(
                Block("p", f"<b>{html.escape(ev.text, quote=False)}</b>") if isinstance(ev, Heading) else ev
            )
        return out
    lines = [html.unescape(ln.strip()) for ln in raw.split("\n") if ln.strip()]  # "&auml;" is an "ä"
    return [Block("p", html.escape(ln, quote=False)) for ln in lines]


# --- Markdown ----------------------------------------------------------------------------------

_MD_INLINE = (
    (re.compile(r"\*\*((?:[^*]|\*(?!\*)){1,500}?)\*\*|__((?:[^_]|_(?!_)){1,500}?)__"), lambda m: f"<b>{m[1] or m[2]}</b>"),
    (re.compile(r"(?<![\w*])\*(?!\s)([^*]{1,500}?)(?<!\s)\*(?![\w*])|(?<!\w)_(?!\s)([^_]{1,500}?)(?<!\s)_(?!\w)"), lambda m: f"<i>{m[1] or m[2]}</i>"),
    (re.compile(r"\[([^\[\]]{1,500})\]\(([^\s()]{1,2000}?)(?:\s+&quot;[^)]{0,500}&quot;)?\)"), lambda m: f'<a href="{m[2]}">{m[1]}</a>'),
    (re.compile(r"&lt;((?:https?://|mailto:)[^\s&]+)&gt;"), lambda m: f'<a href="{m[1]}">{m[1]}</a>'),
    (re.compile(r"`([^`]+)`"), lambda m: m[1]),
)  # fmt: skip


def md_inline(text: str) -> str:
    """Markdown inline syntax (bold, italic, links, code) as inline HTML."""
    out = html.escape(text.strip())
    for pattern, repl in _MD_INLINE:
        out = pattern.sub(repl, out)
    return out.replace(LINE_BREAK, "<br>")


def parse_markdown(source: str, left_out: list[str] | None = None) -> list[Chunk]:
    """Markdown: `#` and underlined headings, numbered and bold-label headings, lists, tables.

    Headings written as plain lines (a Word file whose headings were only bold) are found as in
    plain text; Markdown with no heading at all is read as plain text.
    """
    lines = source.replace("\r\n", "\n").split("\n")
    events: list = []
    previous = None
    for n, raw in enumerate(lines):
        line = re.sub(r"^\s{0,3}>\s?", "", raw).rstrip()
        nxt = lines[n + 1].strip() if n + 1 < len(lines) else ""
        if not line.strip() or re.fullmatch(r"\s*(?:[-*_]\s*){3,}", line):
            previous = None
            continue
        if re.fullmatch(r"\s*(=+|-+)\s*", nxt) and previous is None and not line.lstrip().startswith("|"):
            events.append(Heading(fold(to_plain(md_inline(line))), 1 if nxt.strip()[0] == "=" else 2, True))
            continue
        if re.fullmatch(r"\s*(=+|-+)\s*", line):
            continue
        atx = _ATX.match(line)
        if atx:
            events.append(Heading(fold(to_plain(md_inline(atx[2]))), len(atx[1]), True))
            previous = None
            continue
        if line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                if events and isinstance(events[-1], Block) and events[-1].kind == "row":
                    events[-1].kind = "head"
                continue
            events.append(Block("row", "\x00".join(md_inline(c) for c in cells)))
            previous = None
            continue
        if previous is None and not nxt and _lone_heading(line, events):
            continue
        previous = _markdown_line(line, events, previous)
    marked = [
        ev
        for ev in events
        if isinstance(ev, Heading) and ev.marked or isinstance(ev, Block) and ev.kind == "row"
    ]
    if not marked:  # no `#`, underline, bold heading or table: Markdown in name only
        return parse_plain(source, left_out)
    return to_chunks(events)


def _lone_heading(line: str, events: list) -> bool:
    """A one-line paragraph that names a section is a heading, at the level of the last one."""
    stripped = line.strip()
    if not heading_like(stripped) or LIST_MARK.match(stripped) and not NUMBERED.match(stripped):
        return False
    m = match_heading(stripped)
    just_opened = bool(events) and isinstance(events[-1], Heading)
    if not m or m.key == "title" or (just_opened and m.score < STRONG):
        return False
    level = next((ev.level for ev in reversed(events) if isinstance(ev, Heading) and ev.level < 6), 2)
    events.append(Heading(fold(to_plain(md_inline(stripped))), level))
    return True


def _markdown_line(line: str, events: list, previous: str | None) -> str | None:
    """Read one line of Markdown that is not a heading mark, rule or table row; return it for wrapping."""
    stripped = line.strip()
    if NUMBERED.match(stripped) and heading_like(stripped):  # "1. Rekisterinpitäjä" without "#"
        m = match_heading(stripped)
        if m and m.score >= STRONG:
            events.append(Heading(fold(to_plain(md_inline(stripped))), 2))
            return None
    bullet = re.match(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+(.*)$", line)
    if bullet:
        owned = previous is not None and bool(events) and isinstance(events[-1], Block) and events[-1].cont
        events.append(Block("li", md_inline(bullet[1]), cont=owned))
        return stripped
    inline = md_inline(stripped)
    label = inline_label(inline)
    if label:
        bold = inline.startswith("<b>")
        events.append(Heading(label[0], 6 if bold else 1, bold, inline=bool(label[1])))
        if label[1]:
            events.append(Block("p", label[1], cont=True))
            return stripped
        return None
    if line.startswith(("  ", "\t")) and events and isinstance(events[-1], Block) and events[-1].kind == "li":
        events[-1].html += " " + inline
        return stripped
    owned = previous is not None and bool(events) and isinstance(events[-1], Block) and events[-1].cont
    if not _merge_wrapped(events, inline, previous):
        events.append(Block("p", inline, cont=owned))  # the lines right after "Label: value" are its value
    return stripped


PARSERS = {"tabbed": parse_tabbed, "plain": parse_plain, "markdown": parse_markdown, "html": parse_html}
