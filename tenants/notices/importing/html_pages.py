"""HTML pages and fragments read into headings and blocks.

h1–h6 and dt are headings, dd/p/div/li are blocks, a bold lead that names a section is
a heading, tables give rows. Scripts, styles, navigation and a page's header, footer
and asides (outside the notice's main or article) are left out. Stdlib html.parser only.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from ..richtext import to_plain
from .blocks import Block, Chunk, Heading, fold, inline_label, to_chunks
from .fields import split_dash_items

_SKIP = {"script", "style", "noscript", "template", "svg", "head", "title", "nav", "button", "select"}
_SKIP |= {"textarea", "form", "iframe", "object"}
_CHROME = {"header", "footer", "aside"}  # page chrome, unless inside the notice's main/article
_BLOCKS = {"p", "div", "section", "article", "main", "dd", "blockquote", "pre", "address", "figure"}
_BLOCKS |= {"figcaption", "caption", "body", "html", "table", "tbody", "thead", "dl", "hr", "header"}
_BLOCKS |= {"footer", "aside"}
_VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "source", "area", "col", "embed", "base"}
_SAFE_HREF = re.compile(r"^(?:https?:|mailto:|tel:)", re.I)


class _Walker(HTMLParser):
    def __init__(self, labels: bool, keep: set[str]):
        super().__init__(convert_charrefs=True)
        self.labels = labels
        self.keep = keep  # left-out elements never closed: skipping them would drop the rest of the page
        self.events: list = []
        self.buf: list[str] = []
        self.skip: list[str] = []
        self.content = 0
        self.lists = 0
        self.items = 0
        self.heading: tuple[int, list[str]] | None = None
        self.cells: list[str] | None = None
        self.cell: list[str] | None = None
        self.header_row = False
        self.in_thead = False

    def _target(self) -> list[str]:
        if self.heading is not None:
            return self.heading[1]
        return self.cell if self.cell is not None else self.buf

    def handle_starttag(self, tag, attrs):
        if self.skip:
            if tag == self.skip[-1] and tag not in _VOID:
                self.skip.append(tag)
            return
        if tag not in self.keep and (tag in _SKIP or (tag in _CHROME and not self.content)):
            if tag not in _VOID:
                self.skip.append(tag)
            return
        if tag in ("main", "article"):
            self.content += 1
        if re.fullmatch(r"h[1-6]|dt", tag):
            self.flush()
            self.heading = (int(tag[1]) if tag[0] == "h" else 5, [])
        elif tag == "br":
            self._target().append(" " if self.heading else "<br>")
        elif tag == "li":
            self.flush()
            self.items += 1
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists += 1
        elif tag == "tr":
            self.flush()
            self.cells, self.header_row = [], self.in_thead
        elif tag in ("td", "th"):
            self.cell = []
            self.header_row = self.header_row or tag == "th"
        elif tag == "thead":
            self.in_thead = True
        elif tag in _BLOCKS:
            self.flush()
        elif tag in ("b", "strong", "i", "em"):
            self._target().append("<b>" if tag in ("b", "strong") else "<i>")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._target().append(f'<a href="{html.escape(href)}">' if _SAFE_HREF.match(href) else "<a>")

    def handle_endtag(self, tag):
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in ("main", "article"):
            self.content = max(0, self.content - 1)
        if re.fullmatch(r"h[1-6]|dt", tag) and self.heading:
            text = fold(to_plain("".join(self.heading[1])))
            self.heading = None
            if text:
                self.events.append(Heading(text, 5 if tag == "dt" else int(tag[1])))
        elif tag == "li":
            self.flush()
            self.items = max(0, self.items - 1)
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists = max(0, self.lists - 1)
        elif tag in ("td", "th") and self.cell is not None and self.cells is not None:
            self.cells.append(fold("".join(self.cell)))
            self.cell = None
        elif tag == "tr" and self.cells is not None:
            if any(to_plain(c).strip() for c in self.cells):
                self.events.append(Block("head" if self.header_row else "row", "\x00".join(self.cells)))
            self.cells = None
        elif tag == "thead":
            self.in_thead = False
        elif tag in _BLOCKS:
            self.flush()
        elif tag in ("b", "strong", "i", "em"):
            self._target().append("</b>" if tag in ("b", "strong") else "</i>")
        elif tag == "a":
            self._target().append("</a>")

    def handle_data(self, data):
        if not self.skip:
            self._target().append(html.escape(data.replace("\xa0", " "), quote=False))

    def flush(self):
        text = fold("".join(self.buf))
        self.buf = []
        text = re.sub(r"^(?:<br>\s*)+|(?:\s*<br>)+$", "", text).strip()
        if not to_plain(text).strip():
            return
        if self.items:
            self.events.append(Block("li", re.sub(r"^[-–•]\s+", "", text)))
            return
        if self.lists and re.match(r"[-–•]\s", text):  # loose text in a list: "- A- B- C" without <li>
            parts = split_dash_items(text, minimum=1)
            if parts:
                if parts[0]:
                    self.events.append(Block("p", parts[0]))
                self.events.extend(Block("li", item) for item in parts[1])
                return
        label = inline_label(text) if self.labels else None
        if label:
            self.events.append(Heading(label[0], 6))
            if to_plain(label[1]).strip():
                self.events.append(Block("p", label[1]))
            return
        self.events.append(Block("p", text))

    def close(self):
        super().close()
        self.flush()


def html_events(source: str, *, labels: bool = True) -> list:
    """Headings and blocks of an HTML page or fragment, in order."""
    unclosed = {
        tag
        for tag in _SKIP | _CHROME
        if len(re.findall(rf"<{tag}\b", source, re.I)) > len(re.findall(rf"</{tag}\s*>", source, re.I))
    }
    walker = _Walker(labels, unclosed)
    walker.feed(source)
    walker.close()
    return walker.events


def parse_html(source: str) -> list[Chunk]:
    """An HTML page: h1–h6, dt/dd, bold labels, lists and tables; navigation and page chrome left out."""
    return to_chunks(html_events(source))
