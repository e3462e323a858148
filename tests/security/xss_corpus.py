"""Our own corpus of script-injection payloads: each calls `__xss(n)` when it runs and, where it can,
carries the id `xss<n>` on the element it would inject, so a test can tell both an execution and an
element that got into the page unescaped (even where the Content-Security-Policy would stop it)."""

from __future__ import annotations

TEMPLATES = [
    "<script>__xss({n})</script>",
    "<img src=x id=xss{n} onerror=__xss({n})>",
    '"><svg id=xss{n} onload=__xss({n})>',
    "'><img src=x id=xss{n} onerror=__xss({n})>",
    "</title><script>__xss({n})</script>",
    "</textarea><img src=x id=xss{n} onerror=__xss({n})>",
    '<a id=xss{n} href="javascript:__xss({n})">linkki</a>',
    '<iframe id=xss{n} srcdoc="<script>parent.__xss({n})</script>"></iframe>',
    "<details id=xss{n} open ontoggle=__xss({n})>x</details>",
    "<math><mtext><table><mglyph><style><img id=xss{n} src=x onerror=__xss({n})>",
    "<svg><animate id=xss{n} onbegin=__xss({n}) attributeName=x dur=1s>",
    "<input id=xss{n} autofocus onfocus=__xss({n})>",
    '<object id=xss{n} data="javascript:__xss({n})"></object>',
    "<video id=xss{n}><source onerror=__xss({n})></video>",
    "[linkki](javascript:__xss({n}))",
    '<noscript><p title="</noscript><img id=xss{n} src=x onerror=__xss({n})>">',
    "<<script>script>__xss({n})<</script>/script>",
    "&lt;img src=x id=xss{n} onerror=__xss({n})&gt;",
    "\\u003cimg src=x id=xss{n} onerror=__xss({n})\\u003e",
    "<form id=xss{n}><button formaction=javascript:__xss({n})>x</button></form>",
    '<div id=xss{n} style="width:expression(__xss({n}))">x</div>',
    "</style></script><script>__xss({n})</script>",
    "<body onload=__xss({n})>",
    "{{{{ '<img id=xss{n} src=x onerror=__xss({n})>' | safe }}}}",
    "<svg><script>__xss({n})</script></svg>",
]


def _variants(template: str) -> list[str]:
    """Five spellings of one attack: as is, upper-case tags, tab-separated attributes, after text,
    and inside quotes of a sentence."""
    return [
        template,
        template.replace("<img", "<IMG").replace("<svg", "<SVG").replace("<script", "<SCRIPT"),
        template.replace(" src=", "\tsrc=").replace(" on", "\ton").replace(" id=", "\nid="),
        "Oy Ab " + template,
        f"Nimi “{template}” loppu",
    ]


def payloads() -> list[tuple[int, str]]:
    """(n, payload) for every payload: 25 attacks in 5 spellings each."""
    out = []
    for template in TEMPLATES:
        for variant in _variants(template):
            n = len(out) + 1
            out.append((n, variant.format(n=n)))
    return out


def packed(items: list[tuple[int, str]], limit: int) -> list[list[tuple[int, str]]]:
    """The payloads in groups whose texts joined by a space fit in `limit` characters."""
    groups: list[list[tuple[int, str]]] = [[]]
    for item in items:
        if groups[-1] and len(" ".join(p for _n, p in [*groups[-1], item])) > limit:
            groups.append([])
        groups[-1].append(item)
    return groups


def joined(group: list[tuple[int, str]]) -> str:
    """A group's payloads as one text."""
    return " ".join(p for _n, p in group)


HOOK = """
window.__xssHits = [];
window.__xss = (n) => { window.__xssHits.push(n); };
"""

# What got into the page as markup: an element of ours, a script or handler calling the hook, or a
# javascript: address. Read after the page (and its timers) settled.
FOUND = """() => {
  const found = [];
  document.querySelectorAll('[id^="xss"]').forEach(e => found.push('element ' + e.id));
  document.querySelectorAll('script').forEach(s => { if (s.textContent.includes('__xss')) found.push('script'); });
  document.querySelectorAll('*').forEach(e => {
    for (const a of e.attributes) {
      if (/^on/i.test(a.name) && a.value.includes('__xss')) found.push('handler ' + a.name);
      if (/^\\s*javascript:/i.test(a.value)) found.push('javascript: in ' + a.name);
    }
  });
  return {found, hits: window.__xssHits || []};
}"""
