"""Turn a draft into the sections a reader sees, in one notice language.

The preview and the public page both render this structure with the same
template, so a preview is exactly what will be published. HTML blocks are
sanitised again here; everything else is plain text for the template to escape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from . import legal_texts as T
from .authority import authority
from .richtext import sanitise
from .schema import NoticeDraft


@dataclass
class Block:
    """One piece of a section: html (sanitised), text, list (of texts), pairs (label, value), or a titled group."""

    kind: str
    value: object
    title: str = ""


@dataclass
class Section:
    """A heading and its blocks."""

    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class RenderedNotice:
    """A whole notice in one language."""

    language: str
    title: str
    controller_name: str
    prepared_on: date | None
    sections: list[Section]


def _t(table, key, lang):
    return T.text(table, key, lang)


def _html(value: dict, lang: str) -> list[Block]:
    text = value.get(lang, "")
    return [Block("html", sanitise(text))] if text else []


def _pairs(pairs: list[tuple[str, str]]) -> list[Block]:
    kept = [(k, v) for k, v in pairs if v]
    return [Block("pairs", kept)] if kept else []


def render(draft: NoticeDraft, language: str, *, prepared_on: date | None = None) -> RenderedNotice:
    """Render the draft in `language`."""
    lang = language
    sections: list[Section] = []

    def add(key: str, blocks: list[Block], heading_key: str | None = None):
        if blocks:
            sections.append(Section(key, _t(T.HEADINGS, heading_key or key, lang), blocks))

    c = draft.controller
    address = ", ".join(x for x in [c.street_address, " ".join(x for x in [c.postal_code, c.city] if x)] if x)
    add(
        "controller",
        ([Block("text", c.name)] if c.name else [])
        + _pairs(
            [
                (_t(T.LABELS, "business_id", lang), c.business_id),
                (_t(T.LABELS, "address", lang), address),
                (_t(T.LABELS, "phone", lang), c.phone),
                (_t(T.LABELS, "email", lang), c.email),
                (_t(T.LABELS, "representative", lang), c.representative),
            ]
        ),
    )
    k = draft.contact
    add(
        "contact",
        ([Block("text", k.name + (f", {k.title[lang]}" if k.title.get(lang) else ""))] if k.name else [])
        + _pairs(
            [
                (_t(T.LABELS, "address", lang), k.address),
                (_t(T.LABELS, "phone", lang), k.phone),
                (_t(T.LABELS, "email", lang), k.email),
            ]
        ),
    )
    d = draft.dpo
    if d.appointed:
        add(
            "dpo",
            [Block("text", d.name)]
            + _pairs([(_t(T.LABELS, "email", lang), d.email), (_t(T.LABELS, "phone", lang), d.phone)]),
        )
    else:
        add("dpo", [Block("text", _t(T.LABELS, "no_dpo", lang))])
    if draft.register_name.get(lang):
        add("register_name", [Block("text", draft.register_name[lang])])

    purpose_blocks = []
    for p in draft.purposes:
        inner = _html(p.description, lang)
        if p.legal_basis:
            inner += _pairs([(_t(T.LABELS, "legal_basis", lang), _t(T.LEGAL_BASES, p.legal_basis, lang))])
        if p.legal_basis == "legitimate_interests" and p.legitimate_interest.get(lang):
            inner.append(
                Block(
                    "html", sanitise(p.legitimate_interest[lang]), _t(T.LABELS, "legitimate_interest", lang)
                )
            )
        if inner:
            purpose_blocks.append(Block("group", inner))
    if draft.consent_withdrawal.get(lang):
        purpose_blocks.append(
            Block("html", sanitise(draft.consent_withdrawal[lang]), _t(T.LABELS, "consent_withdrawal", lang))
        )
    add("purposes", purpose_blocks)

    r = draft.requirement
    add(
        "requirement",
        ([Block("text", _t(T.REQUIREMENT_KINDS, r.kind, lang))] if r.kind else [])
        + _html(r.consequences, lang),
    )
    add("data_subjects", _list(draft.data_subjects, lang))
    data_blocks = _list(draft.data_categories, lang)
    if draft.personal_identity_code and draft.personal_identity_code_justification.get(lang):
        data_blocks.append(
            Block(
                "html",
                sanitise(draft.personal_identity_code_justification[lang]),
                _t(T.LABELS, "personal_identity_code", lang),
            )
        )
    add("data_categories", data_blocks)
    if draft.special_categories:
        add(
            "special_categories",
            [Block("list", [_t(T.SPECIAL_CATEGORIES, s, lang) for s in draft.special_categories])]
            + _html(draft.special_justification, lang),
        )
    add("sources", _list(draft.sources, lang))
    add("recipients", _list(draft.recipients, lang))

    t = draft.transfers
    if t.outside_eea is False:
        add("transfers", [Block("text", _t(T.LABELS, "no_transfers", lang))])
    elif t.outside_eea:
        groups = []
        for x in t.items:
            inner = _pairs(
                [
                    (_t(T.LABELS, "transfer_to", lang), x.country),
                    (_t(T.LABELS, "transfer_recipient", lang), x.recipient.get(lang, "")),
                    (
                        _t(T.LABELS, "transfer_safeguard", lang),
                        _t(T.SAFEGUARDS, x.safeguard, lang) if x.safeguard else "",
                    ),
                ]
            ) + _html(x.details, lang)
            groups.append(Block("group", inner))
        add("transfers", groups)
    add("retention", _html(draft.retention, lang))
    s = draft.security
    security = []
    if s.manual.get(lang):
        security.append(Block("html", sanitise(s.manual[lang]), _t(T.LABELS, "security_manual", lang)))
    if s.electronic.get(lang):
        security.append(
            Block("html", sanitise(s.electronic[lang]), _t(T.LABELS, "security_electronic", lang))
        )
    add("security", security)
    if draft.cookies.used is False:
        add("cookies", [Block("text", _t(T.LABELS, "no_cookies", lang))])
    elif draft.cookies.used:
        add("cookies", _html(draft.cookies.text, lang))
    a = draft.automated_decisions
    if a.used is False:
        add("automated_decisions", [Block("text", _t(T.LABELS, "no_automated_decisions", lang))])
    elif a.used:
        add("automated_decisions", _html(a.description, lang))

    right_blocks = []
    keys = [item.key for item in draft.rights.items]
    for item in draft.rights.items:
        if item.key == "complaint":
            continue
        body = [Block("html", _t(T.RIGHT_TEXTS, item.key, lang))] + _html(item.text, lang)
        right_blocks.append(Block("group", body, _t(T.RIGHT_TITLES, item.key, lang)))
    default_how_to = T.HOW_TO_USE_RIGHTS_DEFAULT
    how_to = draft.rights.how_to.get(lang) or default_how_to.get(lang) or default_how_to["en"]
    if right_blocks:
        right_blocks.append(Block("html", sanitise(how_to), _t(T.LABELS, "how_to_use_rights", lang)))
    add("rights", right_blocks)
    if "complaint" in keys:
        auth = authority(lang)
        own = next((i.text for i in draft.rights.items if i.key == "complaint"), {})
        add(
            "complaint",
            [Block("html", _t(T.RIGHT_TEXTS, "complaint", lang))]
            + _html(own, lang)
            + [
                Block("text", auth["name"]),
                Block(
                    "pairs",
                    [
                        (_t(T.LABELS, "address", lang), f"{auth['visiting']}; {auth['postal']}"),
                        (_t(T.LABELS, "phone", lang), auth["phone"]),
                        (_t(T.LABELS, "email", lang), auth["email"]),
                        ("www", auth["web"]),
                    ],
                ),
            ],
        )
    add("other_information", _html(draft.other_information, lang))
    return RenderedNotice(
        language=lang,
        title=draft.register_name.get(lang, ""),
        controller_name=c.name,
        prepared_on=prepared_on or draft.prepared_on,
        sections=sections,
    )


def _list(items: list[dict], lang: str) -> list[Block]:
    values = [i[lang] for i in items if i.get(lang)]
    return [Block("list", values)] if values else []
