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
_TEMPLATE_CODE = re.compile(
    r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}"  # Liquid, Jinja, Django, Hugo shortcodes
    r"|\{\*.*?\*\}"  # Smarty comment
    r"|\{/?(?:if|else|elseif|foreach|foreachelse|include|assign|block|extends|literal|section|capture"
    r"|strip|function|while|for|nocache)\b[^{}\n]*\}"  # Smarty tags
    r"|\{\$[^{}\n]*\}"  # Smarty variables
    r"|<\?(?:php|=).*?\?>|<%.*?%>",  # PHP, ERB
    re.S | re.I,
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_BREAK = re.compile(r"<br\s*/?>", re.I)
_BOLD = re.compile(r"<(b|strong)\b[^>]*>(.*?)</\1\s*>", re.I | re.S)
_ITALIC = re.compile(r"<(i|em)\b[^>]*>(.*?)</\1\s*>", re.I | re.S)
_PARAGRAPH = re.compile(r"</?p\b[^>]*>", re.I)
_OTHER_TAG = re.compile(r"</?(?:span|font|u|div|small|big|sup|sub|center)\b[^>]*>", re.I)
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
    for pattern in (_COMMENT, _TEMPLATE_CODE):
        out.left_out += [" ".join(x.split()) for x in pattern.findall(out.text) if x.strip()]
        out.text = pattern.sub("", out.text)
    return out


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
    bold = (lambda m: f"**{m[2]}**") if markdown else (lambda m: m[2])
    text = _BOLD.sub(bold, text)
    text = _ITALIC.sub((lambda m: f"*{m[2]}*") if markdown else (lambda m: m[2]), text)
    return "\n".join(_breaks(line, markdown) for line in text.split("\n"))


def _breaks(line: str, markdown: bool) -> str:
    line = re.sub(
        r"(?:\s*<br\s*/?>)+\s*$", "", line, flags=re.I
    )  # a break at the end of a line is the line's end
    if markdown and line.lstrip().startswith("|"):
        return _BREAK.sub(LINE_BREAK, line)
    return _BREAK.sub("\n", line)
