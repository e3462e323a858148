"""Turn a draft into the sections a reader sees, in one notice language.

The preview and the public page both render this structure with the same
template, so a preview is exactly what will be published. HTML blocks are
sanitised again here; everything else is plain text for the template to escape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from . import legal_texts as T
from .authority import authority
from .richtext import sanitise
from .schema import NoticeDraft, Purpose, Transfer


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


def _titled_html(value: dict, label_key: str, lang: str) -> list[Block]:
    text = value.get(lang, "")
    return [Block("html", sanitise(text), _t(T.LABELS, label_key, lang))] if text else []


def _used_or_not(used: bool | None, text: dict, no_key: str, lang: str) -> list[Block]:
    # The firm's own words are shown whatever the answer: an answer never hides what the firm wrote,
    # and a stock sentence stands only where the firm wrote nothing (never beside words it may deny).
    own = _html(text, lang)
    return own or ([Block("text", _t(T.LABELS, no_key, lang))] if used is False else [])


def _pairs(pairs: list[tuple[str, str]]) -> list[Block]:
    kept = [(k, v) for k, v in pairs if v]
    return [Block("pairs", kept)] if kept else []


def _controller(draft: NoticeDraft, lang: str) -> list[Block]:
    c = draft.controller
    address = ", ".join(x for x in [c.street_address, " ".join(x for x in [c.postal_code, c.city] if x)] if x)
    return ([Block("text", c.name)] if c.name else []) + _pairs(
        [
            (_t(T.LABELS, "business_id", lang), c.business_id),
            (_t(T.LABELS, "address", lang), address),
            (_t(T.LABELS, "phone", lang), c.phone),
            (_t(T.LABELS, "email", lang), c.email),
            (_t(T.LABELS, "representative", lang), c.representative),
        ]
    )


def _contact(draft: NoticeDraft, lang: str) -> list[Block]:
    k = draft.contact
    title = k.title.get(lang)
    name = [Block("text", f"{k.name}, {title}" if title else k.name)] if k.name else []
    return name + _pairs(
        [
            (_t(T.LABELS, "address", lang), k.address),
            (_t(T.LABELS, "phone", lang), k.phone),
            (_t(T.LABELS, "email", lang), k.email),
        ]
    )


def _dpo(draft: NoticeDraft, lang: str) -> list[Block]:
    d = draft.dpo
    if not d.appointed:
        return [Block("text", _t(T.LABELS, "no_dpo", lang))]
    return [Block("text", d.name)] + _pairs(
        [(_t(T.LABELS, "email", lang), d.email), (_t(T.LABELS, "phone", lang), d.phone)]
    )


def _register_name(draft: NoticeDraft, lang: str) -> list[Block]:
    name = draft.register_name.get(lang)
    return [Block("text", name)] if name else []


def _purpose(p: Purpose, lang: str) -> list[Block]:
    inner = _html(p.description, lang)
    if p.legal_basis:
        inner += _pairs([(_t(T.LABELS, "legal_basis", lang), _t(T.LEGAL_BASES, p.legal_basis, lang))])
    if p.legal_basis == "legitimate_interests" and p.legitimate_interest.get(lang):
        inner.append(
            Block("html", sanitise(p.legitimate_interest[lang]), _t(T.LABELS, "legitimate_interest", lang))
        )
    return inner


def _purposes(draft: NoticeDraft, lang: str) -> list[Block]:
    blocks = [Block("group", inner) for p in draft.purposes if (inner := _purpose(p, lang))]
    return blocks + _titled_html(draft.consent_withdrawal, "consent_withdrawal", lang)


def _requirement(draft: NoticeDraft, lang: str) -> list[Block]:
    if not draft.requirement_asked():
        return []  # Art. 13(2)(e) is told only where the person gives data
    r = draft.requirement
    kind = [Block("text", _t(T.REQUIREMENT_KINDS, r.kind, lang))] if r.kind else []
    return kind + _html(r.consequences, lang)


def _data_subjects(draft: NoticeDraft, lang: str) -> list[Block]:
    return _list(draft.data_subjects, lang)


def _data_categories(draft: NoticeDraft, lang: str) -> list[Block]:
    blocks = _list(draft.data_categories, lang)
    if draft.personal_identity_code:
        blocks += _titled_html(draft.personal_identity_code_justification, "personal_identity_code", lang)
    return blocks


def _special_categories(draft: NoticeDraft, lang: str) -> list[Block]:
    names = [_t(T.SPECIAL_CATEGORIES, s, lang) for s in draft.special_categories]
    return ([Block("list", names)] if names else []) + _html(draft.special_justification, lang)


def _criminal_data(draft: NoticeDraft, lang: str) -> list[Block]:
    # Art. 10 data are a section of their own, shown only when the firm says it processes them.
    return _html(draft.criminal_justification, lang) if draft.criminal_data else []


def _sources(draft: NoticeDraft, lang: str) -> list[Block]:
    # Shown for an Art. 14 notice, or wherever the firm listed sources; each sentence is an answer
    # the firm gave, and an unanswered question says nothing.
    art14 = draft.art14()
    if not (art14 or draft.sources):
        return []
    where = draft.collected_from
    said = [Block("text", _t(T.LABELS, f"collected_from_{where}", lang))] if where else []
    public = [Block("text", _t(T.LABELS, "sources_public", lang))] if art14 and draft.sources_public else []
    return said + _list(draft.sources, lang) + public


def _recipients(draft: NoticeDraft, lang: str) -> list[Block]:
    return _list(draft.recipients, lang)


def _transfer(x: Transfer, lang: str) -> list[Block]:
    return (
        _pairs(
            [
                (_t(T.LABELS, "transfer_to", lang), x.country),
                (_t(T.LABELS, "transfer_recipient", lang), x.recipient.get(lang, "")),
                (
                    _t(T.LABELS, "transfer_safeguard", lang),
                    _t(T.SAFEGUARDS, x.safeguard, lang) if x.safeguard else "",
                ),
            ]
        )
        + _html(x.details, lang)
        + _titled_html(x.copy_how, "transfer_copy", lang)
    )


def _transfers(draft: NoticeDraft, lang: str) -> list[Block]:
    t = draft.transfers
    own = [Block("group", inner) for x in t.items if (inner := _transfer(x, lang))]
    # The stock "no transfers" sentence only where the firm wrote nothing about transfers.
    return own or ([Block("text", _t(T.LABELS, "no_transfers", lang))] if t.outside_eea is False else [])


def _retention(draft: NoticeDraft, lang: str) -> list[Block]:
    return _html(draft.retention, lang)


def _security(draft: NoticeDraft, lang: str) -> list[Block]:
    manual = _titled_html(draft.security.manual, "security_manual", lang)
    return manual + _titled_html(draft.security.electronic, "security_electronic", lang)


def _cookies(draft: NoticeDraft, lang: str) -> list[Block]:
    return _used_or_not(draft.cookies.used, draft.cookies.text, "no_cookies", lang)


def _automated_decisions(draft: NoticeDraft, lang: str) -> list[Block]:
    a = draft.automated_decisions
    return _used_or_not(a.used, a.description, "no_automated_decisions", lang)


def _erasure_limit(draft: NoticeDraft, key: str, lang: str) -> list[Block]:
    # Art. 17(3)(b): data a law obliges us to keep cannot be erased while the obligation lasts.
    if key == "erasure" and "legal_obligation" in draft.legal_bases():
        return [Block("text", _t(T.LABELS, "erasure_limit", lang))]
    return []


def _objection_research(draft: NoticeDraft, key: str, lang: str) -> list[Block]:
    # Art. 21(6): processing for research or statistics may be objected to on grounds of one's situation.
    if key == "objection" and draft.research_statistics:
        return [Block("text", _t(T.LABELS, "objection_research", lang))]
    return []


def _rights(draft: NoticeDraft, lang: str) -> list[Block]:
    blocks = [
        Block(
            "group",
            [Block("html", _t(T.RIGHT_TEXTS, item.key, lang))]
            + _erasure_limit(draft, item.key, lang)
            + _objection_research(draft, item.key, lang)
            + _html(item.text, lang),
            _t(T.RIGHT_TITLES, item.key, lang),
        )
        for item in draft.rights.items
        if item.key != "complaint"  # the complaint has its own section, with the authority's details
    ]
    if not blocks:
        return []
    default_how_to = T.HOW_TO_USE_RIGHTS_DEFAULT
    how_to = draft.rights.how_to.get(lang) or default_how_to.get(lang) or default_how_to["en"]
    return blocks + [Block("html", sanitise(how_to), _t(T.LABELS, "how_to_use_rights", lang))]


def _complaint(draft: NoticeDraft, lang: str) -> list[Block]:
    own = next((i.text for i in draft.rights.items if i.key == "complaint"), None)
    if own is None:
        return []
    auth = authority(lang)
    return (
        [Block("html", _t(T.RIGHT_TEXTS, "complaint", lang))]
        + _html(own, lang)
        + [
            Block("text", auth["name"]),
            Block(
                "pairs",
                [
                    (_t(T.LABELS, "visiting_address", lang), auth["visiting"]),
                    (_t(T.LABELS, "postal_address", lang), auth["postal"]),
                    (_t(T.LABELS, "phone", lang), auth["phone"]),
                    (_t(T.LABELS, "email", lang), auth["email"]),
                    ("www", auth["web"]),
                ],
            ),
        ]
    )


def _other_information(draft: NoticeDraft, lang: str) -> list[Block]:
    return _html(draft.other_information, lang)


# The sections of a notice in the order a reader meets them; each key is also its heading's key.
# A section with no blocks in the language is left out.
SECTIONS: tuple[tuple[str, Callable[[NoticeDraft, str], list[Block]]], ...] = (
    ("controller", _controller),
    ("contact", _contact),
    ("dpo", _dpo),
    ("register_name", _register_name),
    ("purposes", _purposes),
    ("requirement", _requirement),
    ("data_subjects", _data_subjects),
    ("data_categories", _data_categories),
    ("special_categories", _special_categories),
    ("criminal_data", _criminal_data),
    ("sources", _sources),
    ("recipients", _recipients),
    ("transfers", _transfers),
    ("retention", _retention),
    ("security", _security),
    ("cookies", _cookies),
    ("automated_decisions", _automated_decisions),
    ("rights", _rights),
    ("complaint", _complaint),
    ("other_information", _other_information),
)


def render(draft: NoticeDraft, language: str, *, prepared_on: date | None = None) -> RenderedNotice:
    """Render the draft in `language`."""
    sections = []
    for key, blocks_of in SECTIONS:
        if blocks := blocks_of(draft, language):
            sections.append(Section(key, _t(T.HEADINGS, key, language), blocks))
    return RenderedNotice(
        language=language,
        title=draft.register_name.get(language, ""),
        controller_name=draft.controller.name,
        prepared_on=prepared_on or draft.prepared_on,
        sections=sections,
    )


def _list(items: list[dict], lang: str) -> list[Block]:
    values = [i[lang] for i in items if i.get(lang)]
    return [Block("list", values)] if values else []
