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
        if self._skipping(tag):
            return
        if tag in ("main", "article"):
            self.content += 1
        opener = _OPENERS.get(tag)
        if opener is not None:
            opener(self, tag, attrs)

    def handle_endtag(self, tag):
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in ("main", "article"):
            self.content = max(0, self.content - 1)
        closer = _CLOSERS.get(tag)
        if closer is not None:
            closer(self, tag)

    def _skipping(self, tag) -> bool:
        """Whether the element is left out (script, navigation, page chrome) or inside one that is."""
        if self.skip:
            if tag == self.skip[-1] and tag not in _VOID:
                self.skip.append(tag)  # the same element nested: its end tag must not end the skip
            return True
        if tag not in self.keep and (tag in _SKIP or (tag in _CHROME and not self.content)):
            if tag not in _VOID:
                self.skip.append(tag)
            return True
        return False

    # One opener and one closer per kind of element; _OPENERS and _CLOSERS below map the tags.

    def _open_heading(self, tag, attrs):
        self.flush()
        self.heading = (int(tag[1]) if tag[0] == "h" else 5, [])

    def _close_heading(self, tag):
        if not self.heading:
            return
        text = fold(to_plain("".join(self.heading[1])))
        self.heading = None
        if text:
            self.events.append(Heading(text, 5 if tag == "dt" else int(tag[1])))

    def _open_br(self, tag, attrs):
        self._target().append(" " if self.heading else "<br>")

    def _open_li(self, tag, attrs):
        self.flush()
        self.items += 1

    def _close_li(self, tag):
        self.flush()
        self.items = max(0, self.items - 1)

    def _open_list(self, tag, attrs):
        self.flush()
        self.lists += 1

    def _close_list(self, tag):
        self.flush()
        self.lists = max(0, self.lists - 1)

    def _open_row(self, tag, attrs):
        self.flush()
        self.cells, self.header_row = [], self.in_thead

    def _close_row(self, tag):
        if self.cells is None:
            return
        if any(to_plain(c).strip() for c in self.cells):
            self.events.append(Block("head" if self.header_row else "row", "\x00".join(self.cells)))
        self.cells = None

    def _open_cell(self, tag, attrs):
        self.cell = []
        self.header_row = self.header_row or tag == "th"

    def _close_cell(self, tag):
        if self.cell is not None and self.cells is not None:
            self.cells.append(fold("".join(self.cell)))
            self.cell = None

    def _open_thead(self, tag, attrs):
        self.in_thead = True

    def _close_thead(self, tag):
        self.in_thead = False

    def _open_block(self, tag, attrs):
        self.flush()

    def _close_block(self, tag):
        self.flush()

    def _open_inline(self, tag, attrs):
        self._target().append("<b>" if tag in ("b", "strong") else "<i>")

    def _close_inline(self, tag):
        self._target().append("</b>" if tag in ("b", "strong") else "</i>")

    def _open_link(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        self._target().append(f'<a href="{html.escape(href)}">' if _SAFE_HREF.match(href) else "<a>")

    def _close_link(self, tag):
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


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6", "dt")
# Later entries win: thead is also in _BLOCKS, and marks header rows instead of ending a block.
_OPENERS = {
    **dict.fromkeys(_BLOCKS, _Walker._open_block),
    **dict.fromkeys(_HEADINGS, _Walker._open_heading),
    "br": _Walker._open_br,
    "li": _Walker._open_li,
    **dict.fromkeys(("ul", "ol"), _Walker._open_list),
    "tr": _Walker._open_row,
    **dict.fromkeys(("td", "th"), _Walker._open_cell),
    "thead": _Walker._open_thead,
    **dict.fromkeys(("b", "strong", "i", "em"), _Walker._open_inline),
    "a": _Walker._open_link,
}
_CLOSERS = {
    **dict.fromkeys(_BLOCKS, _Walker._close_block),
    **dict.fromkeys(_HEADINGS, _Walker._close_heading),
    "li": _Walker._close_li,
    **dict.fromkeys(("ul", "ol"), _Walker._close_list),
    "tr": _Walker._close_row,
    **dict.fromkeys(("td", "th"), _Walker._close_cell),
    "thead": _Walker._close_thead,
    **dict.fromkeys(("b", "strong", "i", "em"), _Walker._close_inline),
    "a": _Walker._close_link,
}


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
