"""The completeness check: a pure function of the draft.

It lists every GDPR Art. 13/14 item as present, missing or needing attention,
plus the warnings a careful reviewer would raise. Blocking items keep a notice
from being published; advisory items are shown but do not block. Messages are
codes with parameters; the interface words them in the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from .authority import OUTDATED_ADDRESS_PATTERNS
from .richtext import to_plain
from .rights import rights_for
from .schema import LANGS, SAFEGUARDS_WITH_COPY, NoticeDraft

Status = Literal["present", "missing", "attention"]
Severity = Literal["blocking", "advisory"]

PLACEHOLDERS = re.compile(
    r"muuta\?|\bx{3,}\b|\[\s*(?:\.\.\.|…)\s*\]|\bTODO\b|\bTBD\b|lorem ipsum|\?\?\?", re.I
)
REPEALED_LAW = re.compile(
    r"henkilötietola(?:ki|in|issa|kia|ille|ista|kiin)|\b523/1999\b|personuppgiftslagen|\bPersonal Data Act\b",
    re.I,
)
# A sentence that speaks of data going outside the EU/EEA, and words that deny it.
LEAVES_EEA = re.compile(
    r"E(?:U|TA):n\b[^.]{0,40}ulkopuol|ulkopuolelle E(?:U|TA)|kolmansi\w* mai\w*|kolmantee\w* maa\w*|Yhdysval"
    r"|utanför (?:EU|EES|EU/EES|Europeiska)|tredje land|\bUSA\b"
    r"|outside (?:the )?(?:EU|EEA|European)|third countr|United States",
    re.I,
)
DENIES = re.compile(r"\b(?:emme|ei|eikä|eivät|inte|aldrig|ingen|inga|not|never|no)\b|n't", re.I)
# Laki yksityisyyden suojasta sähköisessä viestinnässä 516/2004, replaced by 917/2014.
REPEALED_ECOMMS_LAW = re.compile(
    r"\b516/2004\b|yksityisyyden suojasta sähköisessä viestinnässä"
    r"|dataskydd vid elektronisk kommunikation|Protection of Privacy in Electronic Communications",
    re.I,
)
# Procedure of the old law that makes using one's rights harder than Art. 12(2) allows.
OLD_PROCEDURE = re.compile(
    r"omakätisesti allekirjoite|allekirjoitetulla (?:kirjeellä|pyynnöllä|asiakirjalla)"
    r"|(?:pyyntö|tarkastuspyyntö)\w* (?:on|tulee) (?:olla )?allekirjoit"
    r"|saattaa (?:asian|epäämisen)\w* tietosuojavaltuutetun ratkaistavaksi"
    r"|(?:vain|ainoastaan) (?:henkilökohtaisesti|kirjeitse|kirjallisesti)"
    r"|egenhändigt undertecknad|undertecknad begäran|endast (?:personligen|per brev|skriftligen)"
    r"|request must be signed|signed (?:letter|request)|only (?:in person|by (?:post|letter|mail))",
    re.I,
)
HETU_WORDS = re.compile(
    r"henkilötunnus|\bhetu\b|personbeteckning|personal identity code|social security number", re.I
)


@dataclass(frozen=True)
class Item:
    """One line of the report."""

    key: str
    status: Status
    severity: Severity
    code: str
    article: str = ""
    params: dict = field(default_factory=dict)

    @property
    def blocks(self) -> bool:
        """True when this item keeps the notice from being published."""
        return self.severity == "blocking" and self.status != "present"


@dataclass(frozen=True)
class Report:
    """The whole check: items in notice order, then warnings."""

    items: list[Item]

    @property
    def ready(self) -> bool:
        """No blocking item is open."""
        return not any(i.blocks for i in self.items)

    @property
    def blocking(self) -> list[Item]:
        """Items that must be fixed before publishing."""
        return [i for i in self.items if i.blocks]

    @property
    def advisory(self) -> list[Item]:
        """Open items that do not block."""
        return [i for i in self.items if i.status != "present" and not i.blocks]

    def counts(self) -> dict[str, int]:
        """How many items are present, missing or need attention."""
        out = {"present": 0, "missing": 0, "attention": 0}
        for i in self.items:
            out[i.status] += 1
        return out


def _has(text: dict) -> bool:
    return any(v.strip() for v in text.values())


def _ok(key, code, article="", **params) -> Item:
    return Item(key, "present", "blocking", code, article, params)


def _missing(key, code, article="", severity: Severity = "blocking", **params) -> Item:
    return Item(key, "missing", severity, code, article, params)


def _attention(key, code, article="", severity: Severity = "blocking", **params) -> Item:
    return Item(key, "attention", severity, code, article, params)


def texts(draft: NoticeDraft) -> Iterator[tuple[str, str | None, str]]:
    """Every text in the draft as (path, language or None, plain text)."""

    def walk(value, path):
        if isinstance(value, dict):
            if value and set(value) <= set(LANGS) and all(isinstance(v, str) for v in value.values()):
                for lang, text in value.items():
                    yield path, lang, to_plain(text)
                return
            for k, v in value.items():
                yield from walk(v, f"{path}.{k}" if path else k)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from walk(v, f"{path}.{i}")
        elif isinstance(value, str) and path not in ("schema_version",):
            yield path, None, value

    yield from walk(draft.model_dump(mode="json"), "")


def check(
    draft: NoticeDraft,
    languages: list[str],
    *,
    proposals: list[str] | tuple = (),
    controller_unconfirmed: bool = False,
) -> Report:
    """Check a draft written in `languages`; `proposals` are the sections still holding a starter's
    unconfirmed proposal (see proposals.py), each of which blocks, and `controller_unconfirmed` says
    that nobody has confirmed the controller's details as correct (which blocks too)."""
    items: list[Item] = []
    items += _controller_and_contact(draft, controller_unconfirmed)
    items += _purposes(draft)
    items += _data(draft)
    items += _recipients_and_transfers(draft)
    items += _retention_security_cookies(draft)
    items += _automated_and_requirement(draft)
    items += _rights(draft)
    items += _warnings(draft, languages)
    items += [_attention(f"proposal.{key}", "proposal_unconfirmed", section=key) for key in proposals]
    return Report(items)


def _controller_and_contact(d: NoticeDraft, controller_unconfirmed: bool) -> list[Item]:
    c = d.controller
    out = []
    if not c.name:
        out.append(_missing("controller", "controller_missing", "13(1)(a)"))
    elif not (c.email or c.phone or c.street_address):
        out.append(_attention("controller", "controller_no_contact_details", "13(1)(a)"))
    else:
        out.append(_ok("controller", "controller_present", "13(1)(a)"))
    if controller_unconfirmed and c.name:
        # The firm's own statement of who it is: published only once someone confirmed it.
        out.append(_attention("controller_confirmation", "controller_unconfirmed", "13(1)(a)"))
    if not d.contact.name:
        out.append(_missing("contact", "contact_missing", severity="advisory"))
    elif not (d.contact.email or d.contact.phone):
        out.append(_attention("contact", "contact_no_details", severity="advisory"))
    else:
        out.append(_ok("contact", "contact_present"))
    if d.dpo.appointed is None:
        out.append(_missing("dpo", "dpo_unanswered", "13(1)(b)"))
    elif d.dpo.appointed and not (d.dpo.email or d.dpo.phone):
        # The law asks for the officer's contact details; a name is not required.
        out.append(_attention("dpo", "dpo_incomplete", "13(1)(b)"))
    else:
        out.append(_ok("dpo", "dpo_present" if d.dpo.appointed else "dpo_none", "13(1)(b)"))
    if not _has(d.register_name):
        out.append(_missing("register_name", "register_name_missing", severity="advisory"))
    else:
        out.append(_ok("register_name", "register_name_present"))
    return out


def _purposes(d: NoticeDraft) -> list[Item]:
    out = []
    described = [p for p in d.purposes if _has(p.description)]
    if not described:
        out.append(_missing("purposes", "purposes_missing", "13(1)(c)"))
    else:
        out.append(_ok("purposes", "purposes_present", "13(1)(c)", count=len(described)))
    without = [i + 1 for i, p in enumerate(d.purposes) if _has(p.description) and not p.legal_basis]
    if not d.purposes or not d.legal_bases():
        out.append(_missing("legal_basis", "legal_basis_missing", "13(1)(c)"))
    elif without:
        out.append(_attention("legal_basis", "legal_basis_missing_for", "13(1)(c)", purposes=without))
    else:
        out.append(_ok("legal_basis", "legal_basis_present", "13(1)(c)"))
    if "legitimate_interests" in d.legal_bases():
        undescribed = [
            i + 1
            for i, p in enumerate(d.purposes)
            if p.legal_basis == "legitimate_interests" and not _has(p.legitimate_interest)
        ]
        if undescribed:
            out.append(
                _attention(
                    "legitimate_interest", "legitimate_interest_undescribed", "13(1)(d)", purposes=undescribed
                )
            )
        else:
            out.append(_ok("legitimate_interest", "legitimate_interest_present", "13(1)(d)"))
    if "consent" in d.legal_bases() or d.explicit_consent:
        if not _has(d.consent_withdrawal):
            # The generated right to withdraw consent already tells it (7(3)); own words are then advice.
            generated = "withdraw_consent" in {r.key for r in d.rights.items}
            severity = "advisory" if generated else "blocking"
            out.append(
                _attention(
                    "consent_withdrawal", "consent_without_withdrawal_text", "13(2)(c)", severity=severity
                )
            )
        else:
            out.append(_ok("consent_withdrawal", "consent_withdrawal_present", "13(2)(c)"))
    return out


def _criminal(d: NoticeDraft) -> list[Item]:
    # Art. 10 data need the law that allows them, as special categories need their Art. 9(2) ground.
    if not d.criminal_data:
        return []
    if not _has(d.criminal_justification):
        return [_missing("criminal_data", "criminal_data_unjustified", "10")]
    return [_ok("criminal_data", "criminal_data_justified", "10")]


def _data(d: NoticeDraft) -> list[Item]:
    out = []
    if not d.data_subjects:
        out.append(_missing("data_subjects", "data_subjects_missing", severity="advisory"))
    else:
        out.append(_ok("data_subjects", "data_subjects_present"))
    if not d.data_categories:
        # Required of an Art. 14 notice; when the person gives the data themselves, advice. Unanswered
        # where the data come from, it may be required, so it blocks.
        severity: Severity = "advisory" if d.collected_from == "data_subject" else "blocking"
        out.append(_missing("data_categories", "data_categories_missing", "14(1)(d)", severity=severity))
    else:
        out.append(
            _ok("data_categories", "data_categories_present", "14(1)(d)", count=len(d.data_categories))
        )
    if d.special_categories_used is None:
        out.append(_missing("special_categories", "special_categories_unanswered", "9"))
    elif d.special_categories_used is False and d.special_categories:
        out.append(
            _attention(
                "special_categories", "special_categories_contradiction", "9", categories=d.special_categories
            )
        )
    elif d.special_categories_used and not d.special_categories:
        out.append(_missing("special_categories", "special_categories_not_listed", "9"))
    elif d.special_categories and not _has(d.special_justification):
        out.append(
            _attention(
                "special_categories", "special_categories_unjustified", "9", categories=d.special_categories
            )
        )
    elif d.special_categories:
        out.append(_ok("special_categories", "special_categories_justified", "9"))
    else:
        out.append(_ok("special_categories", "special_categories_none", "9"))
    out += _criminal(d)
    mentions_hetu = any(
        HETU_WORDS.search(text) for path, _lang, text in texts(d) if path.startswith("data_categories")
    )
    if (d.personal_identity_code or mentions_hetu) and not _has(d.personal_identity_code_justification):
        out.append(_attention("personal_identity_code", "hetu_unjustified", "Tietosuojalaki 29 §"))
    elif d.personal_identity_code:
        out.append(_ok("personal_identity_code", "hetu_justified", "Tietosuojalaki 29 §"))
    out += _sources(d)
    return out


def _sources(d: NoticeDraft) -> list[Item]:
    # Art. 13 or Art. 14: which one applies follows from where the data come from, which only the
    # firm knows; until it answers, the question blocks.
    if d.collected_from is None:
        out = [_missing("collected_from", "collected_from_unanswered", "13/14")]
    else:
        out = [_ok("collected_from", f"collected_from_{d.collected_from}", "13/14")]
    if d.art14():
        if not d.sources:
            out.append(_missing("sources", "sources_missing", "14(2)(f)"))
        else:
            out.append(_ok("sources", "sources_present", "14(2)(f)"))
        if d.sources_public is None:
            out.append(_missing("sources_public", "sources_public_unanswered", "14(2)(f)"))
        else:
            code = "sources_public_yes" if d.sources_public else "sources_public_no"
            out.append(_ok("sources_public", code, "14(2)(f)"))
    elif d.sources:
        out.append(_ok("sources", "sources_present", "14(2)(f)"))
    elif d.collected_from is None:
        out.append(_missing("sources", "sources_missing", "14(2)(f)", severity="advisory"))
    return out


def _recipients_and_transfers(d: NoticeDraft) -> list[Item]:
    out = []
    if not d.recipients:
        out.append(_missing("recipients", "recipients_missing", "13(1)(e)", severity="advisory"))
    else:
        out.append(_ok("recipients", "recipients_present", "13(1)(e)"))
    t = d.transfers
    if t.outside_eea is None:
        out.append(_missing("transfers", "transfers_unanswered", "13(1)(f)"))
    elif t.outside_eea and not t.items:
        out.append(_missing("transfers", "transfers_not_listed", "13(1)(f)"))
    elif t.outside_eea and any(not x.safeguard for x in t.items):
        unsafe = [x.country or str(i + 1) for i, x in enumerate(t.items) if not x.safeguard]
        out.append(_attention("transfers", "transfer_without_safeguard", "13(1)(f)", countries=unsafe))
    else:
        out.append(_ok("transfers", "transfers_present" if t.outside_eea else "transfers_none", "13(1)(f)"))
    # The safeguards a person may get a copy of: the notice says how, or where they are available.
    no_copy = [
        x.country or str(i + 1)
        for i, x in enumerate(t.items)
        if x.safeguard in SAFEGUARDS_WITH_COPY and not _has(x.copy_how)
    ]
    if no_copy:
        out.append(_missing("transfers", "transfer_safeguard_copy_missing", "13(1)(f)", countries=no_copy))
    if t.outside_eea is False:
        saying = sorted({path for path, _lang, text in texts(d) if says_data_leave_eea(text)})
        if saying:
            out.append(_attention("transfers", "transfers_contradiction", "13(1)(f)", fields=saying))
    return out


def says_data_leave_eea(text: str) -> bool:
    """True when a sentence of the text says data go (or may go) outside the EU/EEA."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        if LEAVES_EEA.search(sentence) and not DENIES.search(sentence):
            return True
    return False


def _retention_security_cookies(d: NoticeDraft) -> list[Item]:
    out = []
    if not _has(d.retention):
        out.append(_missing("retention", "retention_missing", "13(2)(a)"))
    else:
        out.append(_ok("retention", "retention_present", "13(2)(a)"))
    if not (_has(d.security.manual) or _has(d.security.electronic)):
        out.append(_missing("security", "security_missing", "32", severity="advisory"))
    else:
        out.append(_ok("security", "security_present", "32"))
    if d.cookies.used is None:
        out.append(_missing("cookies", "cookies_unanswered"))
    elif d.cookies.used and not _has(d.cookies.text):
        out.append(_attention("cookies", "cookies_undescribed", severity="advisory"))
    else:
        out.append(_ok("cookies", "cookies_present" if d.cookies.used else "cookies_none"))
    return out


def _automated_and_requirement(d: NoticeDraft) -> list[Item]:
    out = []
    a = d.automated_decisions
    if a.used is None:
        out.append(_missing("automated_decisions", "automated_unanswered", "13(2)(f)"))
    elif a.used and not _has(a.description):
        out.append(_attention("automated_decisions", "automated_undescribed", "13(2)(f)"))
    else:
        out.append(
            _ok("automated_decisions", "automated_present" if a.used else "automated_none", "13(2)(f)")
        )
    r = d.requirement
    if not d.requirement_asked():
        return out  # no data come from the person: there is nothing they could be required to give
    if r.kind is None:
        out.append(_missing("requirement", "requirement_unanswered", "13(2)(e)"))
    elif r.kind != "voluntary" and not _has(r.consequences):
        out.append(_attention("requirement", "requirement_no_consequences", "13(2)(e)", severity="advisory"))
    else:
        out.append(_ok("requirement", "requirement_present", "13(2)(e)"))
    return out


def _rights(d: NoticeDraft) -> list[Item]:
    have = {r.key for r in d.rights.items}
    need = rights_for(d)
    missing = [k for k in need if k not in have and k != "complaint"]
    out = []
    if missing:
        out.append(_missing("rights", "rights_missing", "13(2)(b)", rights=missing))
    else:
        out.append(_ok("rights", "rights_present", "13(2)(b)"))
    if "complaint" not in have:
        out.append(_missing("complaint", "complaint_missing", "13(2)(d)"))
    else:
        out.append(_ok("complaint", "complaint_present", "13(2)(d)"))
    return out


def _warnings(d: NoticeDraft, languages: list[str]) -> list[Item]:
    out = []
    all_texts = list(texts(d))
    placeholders = sorted({path for path, _lang, text in all_texts if PLACEHOLDERS.search(text)})
    if placeholders:
        out.append(_attention("placeholders", "placeholders_left", fields=placeholders))
    repealed = sorted({path for path, _lang, text in all_texts if REPEALED_LAW.search(text)})
    if repealed:
        out.append(_attention("repealed_law", "repealed_law_cited", fields=repealed))
    ecomms = sorted({path for path, _lang, text in all_texts if REPEALED_ECOMMS_LAW.search(text)})
    if ecomms:
        out.append(_attention("repealed_law", "repealed_ecomms_law_cited", fields=ecomms))
    procedure = sorted({path for path, _lang, text in all_texts if OLD_PROCEDURE.search(text)})
    if procedure:
        out.append(_attention("old_procedure", "old_procedure", "12(2)", fields=procedure))
    outdated = sorted(
        {
            path
            for path, _lang, text in all_texts
            if any(re.search(p, text) for p in OUTDATED_ADDRESS_PATTERNS)
        }
    )
    if outdated:
        out.append(_attention("authority_address", "outdated_authority_address", fields=outdated))
    by_path: dict[str, set[str]] = {}
    for path, lang, text in all_texts:
        if lang is not None and text.strip():
            by_path.setdefault(path, set()).add(lang)
    gaps = {}
    for lang in languages:
        # In the order of the notice (and of the wizard's steps), not alphabetically.
        missing = [p for p, langs in by_path.items() if lang not in langs]
        if missing:
            gaps[lang] = missing
    if _has(d.other_information):
        out.append(_attention("other_information", "other_information_to_review", severity="advisory"))
    if gaps:
        out.append(_attention("languages", "language_text_missing", languages=sorted(gaps), fields=gaps))
    return out
