"""What a source carries that is not the notice: front matter, template code, comments, leftover markup.

YAML (`---`) or TOML (`+++`) front matter of Jekyll and Hugo pages is metadata: never a title or
an address; its dates are reported with the others. Liquid, Jinja, Hugo, Smarty, PHP and ERB tags
and HTML comments are taken out; text between an opening and a closing tag stays. In text that is
not an HTML page, entities (`&auml;`, even `&amp;auml;`) are read and tags typed by hand (`<b>`,
`<br />`) become the formatting they meant, so that no raw markup reaches the page. Whatever is
taken out is listed for the import report.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date

from .dates import FoundDate

_FRONT_MATTER = re.compile(r"\A\s*(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*(?:\n|\Z)", re.S)
_META_LINE = re.compile(r"^\s*([\w-]+)\s*[:=]\s*(.*?)\s*$")
_META_DATES = {"date": "prepared", "published": "prepared", "created": "prepared"}
_META_DATES |= dict.fromkeys(("lastmod", "last_modified", "updated", "modified", "last_updated"), "updated")
# Every pattern stops at the next brace or angle bracket and has a bounded length: a file full of
# unclosed "{{" or "<b>" is read in linear time, never by scanning to its end from each of them.
_TEMPLATE_CODE = re.compile(
    r"\{%[^{}]{0,2000}?%\}|\{\{[^{}]{0,2000}?\}\}|\{#[^{}]{0,2000}?#\}"  # Liquid, Jinja, Django, Hugo
    r"|\{\*[^{}]{0,2000}?\*\}"  # Smarty comment
    r"|\{/?(?:if|else|elseif|foreach|foreachelse|include|assign|block|extends|literal|section|capture"
    r"|strip|function|while|for|nocache)\b[^{}\n]{0,500}\}"  # Smarty tags
    r"|\{\$[^{}\n]{0,500}\}"  # Smarty variables
    r"|<\?(?:php|=)(?:[^?<]|\?(?!>)){0,2000}\?>|<%(?:[^%<]|%(?!>)){0,2000}%>",  # PHP, ERB
    re.I,
)
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_BREAK = re.compile(r"<br\s{0,5}/?>", re.I)
_BOLD = re.compile(r"</?(?:b|strong)\b[^<>\n]{0,200}>", re.I)
_ITALIC = re.compile(r"</?(?:i|em)\b[^<>\n]{0,200}>", re.I)
_PARAGRAPH = re.compile(r"</?p\b[^<>\n]{0,200}>", re.I)
_OTHER_TAG = re.compile(r"</?(?:span|font|u|div|small|big|sup|sub|center)\b[^<>\n]{0,500}>", re.I)
LINE_BREAK = "\x01"  # a <br> inside a line of Markdown (a table cell): turned into <br> when read


@dataclass
class Cleaned:
    """The source with its page furniture taken out, what was taken, and the front matter's dates."""

    text: str
    left_out: list[str] = field(default_factory=list)
    dates: list[FoundDate] = field(default_factory=list)


def strip_code(source: str) -> Cleaned:
    """Front matter, template code and comments out of a source (every shape)."""
    out = Cleaned(source)
    m = _FRONT_MATTER.match(out.text)
    if m:
        out.text = out.text[m.end() :]
        _front_matter(m[2], out)
    out.text, comments = _without_comments(out.text)
    out.left_out += comments
    out.left_out += [" ".join(x.split()) for x in _TEMPLATE_CODE.findall(out.text) if x.strip()]
    out.text = _TEMPLATE_CODE.sub("", out.text)
    return out


def _without_comments(text: str) -> tuple[str, list[str]]:
    """HTML comments out, in one pass: after an unclosed "<!--" nothing later can close."""
    parts, comments, pos = [], [], 0
    while (start := text.find("<!--", pos)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        parts.append(text[pos:start])
        if body := " ".join(text[start + 4 : end].split()):
            comments.append(body)
        pos = end + 3
    parts.append(text[pos:].replace("<!--", ""))  # an opener nothing closes is no comment
    return "".join(parts), comments


def _front_matter(block: str, out: Cleaned) -> None:
    for line in block.splitlines():
        if not line.strip():
            continue
        out.left_out.append(line.strip())
        m = _META_LINE.match(line)
        kind = _META_DATES.get(m[1].lower()) if m else None
        found = re.match(r"['\"]?(\d{4})-(\d{2})-(\d{2})", m[2]) if kind else None
        if found:
            try:
                on = date(int(found[1]), int(found[2]), int(found[3]))
            except ValueError:
                continue
            out.dates.append(FoundDate(on, kind, line.strip()))


def unmark(text: str, *, markdown: bool) -> str:
    """Entities read and hand-typed tags turned into what they meant, in text that is not an HTML page."""
    for _ in range(2):  # "&amp;auml;" is an "ä" written twice over
        if not _ENTITY.search(text):
            break
        text = _ENTITY.sub(lambda m: html.unescape(m[0]), text)
    text = _PARAGRAPH.sub("\n\n", text)
    text = _OTHER_TAG.sub("", text)
    text = _BOLD.sub("**" if markdown else "", text)
    text = _ITALIC.sub("*" if markdown else "", text)
    return "\n".join(_breaks(line, markdown) for line in text.split("\n"))


def _breaks(line: str, markdown: bool) -> str:
    pieces = _BREAK.split(line)
    while len(pieces) > 1 and not pieces[-1].strip():  # a break at the end of a line is the line's end
        pieces.pop()
    joiner = LINE_BREAK if markdown and line.lstrip().startswith("|") else "\n"
    return joiner.join(pieces)
