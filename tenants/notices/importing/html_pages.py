"""HTML pages and fragments read into headings and blocks.

h1–h6 and dt are headings, dd/p/div/li are blocks, a bold lead that names a section is a
heading, and so is the title a list item starts with ("<li>Rekisterinpitäjä<br>Firma Oy</li>",
"<li><p>Säilytysaika</p><p>…</p></li>"); tables give rows. Scripts and styles are skipped;
page chrome (navigation, the page's header, footer and asides, cookie banners, skip links, and
everything outside the notice's main or article when the page has one) is left out and listed.
Stdlib html.parser only.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from ..richtext import to_plain
from .blocks import Block, Chunk, Heading, fold, heading_like, inline_label, to_chunks
from .fields import split_dash_items
from .vocabulary import ACCEPT, STRONG, match_heading

_SKIP = {"script", "style", "noscript", "template", "svg", "head", "title", "nav", "button", "select"}
_SKIP |= {"textarea", "form", "iframe", "object"}
_INVISIBLE = {"script", "style", "noscript", "template", "svg", "head", "title"}
_CHROME = {"header", "footer", "aside"}  # page chrome, unless inside the notice's main/article
_BLOCKS = {"p", "div", "section", "article", "main", "dd", "blockquote", "pre", "address", "figure"}
_BLOCKS |= {"figcaption", "caption", "body", "html", "table", "tbody", "thead", "dl", "hr", "header"}
_BLOCKS |= {"footer", "aside"}
_VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "source", "area", "col", "embed", "base"}
_SAFE_HREF = re.compile(r"^(?:https?:|mailto:|tel:)", re.I)
_CHROME_ATTR = re.compile(
    r"cookie[-_ ]?(?:banner|notice|consent|bar|popup|dialog|modal|box|law|layer|wall|info)|consent|gdpr"
    r"|cookiebot|onetrust|navbar|topnav|\bnav\b|main-nav|site-nav|breadcrumb|site-header|site-footer"
    r"|\bfooter\b|footer-|skip-link|skiplink|skip-to|sidebar|\bmenu\b|menu-|social|share-",
    re.I,
)
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog", "search"}
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_MARKDOWN_BOLD = re.compile(r"\*\*(?=\S)([^*]{1,500}?)(?<=\S)\*\*|__(?=\S)([^_]{1,500}?)(?<=\S)__")


def _trim_breaks(text: str) -> str:
    """Line breaks at the start and end of a block taken off (in one pass, however many)."""
    pieces = text.split("<br>")
    start, end = 0, len(pieces)
    while start < end and not pieces[start].strip():
        start += 1
    while end > start and not pieces[end - 1].strip():
        end -= 1
    return "<br>".join(pieces[start:end]).strip()


def is_chrome(tag: str, attrs: list) -> bool:
    """Whether an element is page chrome by its name, role, class or id (a cookie banner, a menu)."""
    if not attrs:
        return False
    values = dict(attrs)
    if (values.get("role") or "").lower() in _CHROME_ROLES:
        return True
    named = f"{values.get('class') or ''} {values.get('id') or ''}"
    return tag not in ("main", "article", "body", "html") and bool(_CHROME_ATTR.search(named))


class _ListItem:
    """A list item being read: whether it starts with a section's title."""

    def __init__(self, depth: int):
        self.depth = depth
        self.state = "new"  # new, pending (a title so far), headed, plain
        self.pending = ""


class _Walker(HTMLParser):
    def __init__(self, labels: bool, keep: set[str], has_main: bool):
        super().__init__(convert_charrefs=True)
        self.labels = labels
        self.keep = keep  # left-out elements never closed: skipping them would drop the rest of the page
        self.has_main = has_main
        self.events: list = []
        self.left_out: list[str] = []
        self.buf: list[str] = []
        self.outside: list[str] = []
        self.skip: list[str] = []
        self.chrome: list[str] | None = None
        self.invisible = 0
        self.content = 0
        self.lists = 0
        self.items: list[_ListItem] = []
        self.level = 1
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
        if self._skipping(tag, attrs):
            return
        if tag in ("main", "article"):
            self.content += 1
        opener = _OPENERS.get(tag)
        if opener is not None:
            opener(self, tag, attrs)

    def handle_endtag(self, tag):
        if self.skip:
            self._end_skip(tag)
            return
        if tag in ("main", "article"):
            self.content = max(0, self.content - 1)
        closer = _CLOSERS.get(tag)
        if closer is not None:
            closer(self, tag)

    def _skipping(self, tag, attrs) -> bool:
        """Whether the element is left out (script, navigation, page chrome) or inside one that is."""
        if self.skip:
            if self.chrome is not None:
                self.chrome.append(" ")  # "Accept all</a><a>Settings": two words
            if tag in _INVISIBLE and tag not in _VOID:
                self.invisible += 1
            if tag == self.skip[-1] and tag not in _VOID:
                self.skip.append(tag)  # the same element nested: its end tag must not end the skip
            return True
        chrome = tag in _CHROME and not self.content or is_chrome(tag, attrs)
        if tag not in self.keep and (tag in _SKIP or chrome):
            if tag not in _VOID:
                self.flush()
                self.skip.append(tag)
                self.chrome = [] if tag not in _INVISIBLE else None
            return True
        return False

    def _end_skip(self, tag):
        if tag in _INVISIBLE and self.invisible:
            self.invisible -= 1
        if tag != self.skip[-1]:
            return
        self.skip.pop()
        if not self.skip and self.chrome is not None:
            if text := fold("".join(self.chrome)):
                self.left_out.append(text)
            self.chrome = None

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
            level = 5 if tag == "dt" else int(tag[1])
            self.level = level if tag != "dt" else self.level
            self.events.append(Heading(text, level))

    def _open_br(self, tag, attrs):
        self._target().append(" " if self.heading else "<br>")

    def _open_li(self, tag, attrs):
        self.flush()
        self.items.append(_ListItem(len(self.items)))

    def _close_li(self, tag):
        self.flush()
        if self.items:
            item = self.items.pop()
            if item.state == "pending":  # a title alone in its item: just an item after all
                self.events.append(Block("li", item.pending))

    def _open_list(self, tag, attrs):
        self.flush()
        if self.items and self.items[-1].state == "pending":  # "<li><b>Tiedot</b><ul>…": a title
            item = self.items[-1]
            self.events.append(Heading(fold(to_plain(item.pending)), self.level + 1))
            item.state = "headed"
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
        if _ENTITY.search(data):  # written twice over ("&amp;auml;"): the reader means one letter
            data = _ENTITY.sub(lambda m: html.unescape(m[0]), data)
        if self.skip:
            if self.chrome is not None and not self.invisible:
                self.chrome.append(data)
            return
        if self.has_main and not self.content:
            self.outside.append(data)
            return
        self._target().append(html.escape(data.replace("\xa0", " "), quote=False))

    def flush(self):
        if self.outside:
            if text := fold("".join(self.outside)):
                self.left_out.append(text)
            self.outside = []
        text = fold("".join(self.buf))
        self.buf = []
        text = _trim_breaks(text)
        text = _MARKDOWN_BOLD.sub(lambda m: f"<b>{m[1] or m[2]}</b>", text)
        if not to_plain(text).strip():
            return
        if self.items:
            self._item_text(text)
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
            self.events.append(Heading(label[0], 6, inline=bool(to_plain(label[1]).strip())))
            if to_plain(label[1]).strip():
                self.events.append(Block("p", label[1]))
            return
        self.events.append(Block("p", text))

    def _item_text(self, text: str) -> None:
        """Text inside a list item: an item, or the title of a section and its text."""
        item = self.items[-1]
        if item.state == "new":
            item.state = "plain"
            if self.labels and not item.depth and self._item_title(item, text):
                return
        elif item.state == "pending":
            self.events.append(Heading(fold(to_plain(item.pending)), self.level + 1))
            item.state = "headed"
        if item.state == "headed":
            self.events.append(Block("p", text))
            return
        self.events.append(Block("li", re.sub(r"^[-–•]\s+", "", text)))

    def _item_title(self, item: _ListItem, text: str) -> bool:
        """Whether a list item starts with a section's title; if so, its heading (and text) are out."""
        label = inline_label(text)
        if label and to_plain(label[1]).strip():
            self.events += [Heading(label[0], self.level + 1), Block("p", label[1])]
            item.state = "headed"
            return True
        first, sep, rest = text.partition("<br>")
        title = fold(to_plain(first))
        m = match_heading(title) if heading_like(title) else None
        if m is None or m.key == "title":
            return False
        if sep and to_plain(rest).strip() and m.score >= ACCEPT:
            self.events += [Heading(title, self.level + 1), Block("p", rest.strip())]
            item.state = "headed"
            return True
        if not sep and (m.score >= STRONG or text.startswith("<b>")):
            item.state, item.pending = "pending", text  # decided by what follows in the item
            return True
        return False

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


# A "<" that opens no tag (no ">" before the next "<"): text, not markup. html.parser rescans the rest
# of the page from every such "<" (a page of "<a <a <a" takes minutes), so it is escaped first;
# each lookahead stops at the next angle bracket, which keeps this pass linear.
_STRAY_OPEN = re.compile(r"<(?![^<>]{0,2000}>)")


def html_events(source: str, *, labels: bool = True, left_out: list[str] | None = None) -> list:
    """Headings and blocks of an HTML page or fragment, in order; page chrome into `left_out`."""
    source = _STRAY_OPEN.sub("&lt;", source)
    unclosed = {
        tag
        for tag in _SKIP | _CHROME
        if len(re.findall(rf"<{tag}\b", source, re.I)) > len(re.findall(rf"</{tag}\s*>", source, re.I))
    }
    has_main = labels and bool(re.search(r"<(?:main|article)\b", source, re.I))
    walker = _Walker(labels, unclosed, has_main)
    walker.feed(source)
    walker.close()
    if left_out is not None:
        left_out.extend(walker.left_out)
    return walker.events


def parse_html(source: str, left_out: list[str] | None = None) -> list[Chunk]:
    """An HTML page: h1–h6, dt/dd, bold labels, lists and tables; navigation and page chrome left out."""
    return to_chunks(html_events(source, left_out=left_out))
