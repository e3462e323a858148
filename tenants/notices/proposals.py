"""Sections that still hold a starter's proposed text, and their confirmation by the firm.

A starter proposes texts; the firm answers for every sentence it publishes. A section whose
value is still exactly the starter's proposal is "a proposal, not yet confirmed" until someone
confirms it (one click, recorded with who and when) or edits it. The first version of a notice
cannot be published while any such section is open. Pure functions of JSON values.
"""

from __future__ import annotations

import hashlib
import json

from .schema import LANGS, requirement_asked

# Each proposal section, in the wizard's step order, with the draft paths it covers and its step.
SECTIONS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("purposes", ("purposes",), "purposes"),
    ("consent_withdrawal", ("consent_withdrawal",), "purposes"),
    ("requirement", ("requirement.consequences",), "purposes"),
    ("data_subjects", ("data_subjects",), "data"),
    ("data_categories", ("data_categories",), "data"),
    ("special_categories", ("special_categories", "special_justification"), "data"),
    ("personal_identity_code", ("personal_identity_code_justification",), "data"),
    ("sources", ("sources",), "sources"),
    ("recipients", ("recipients",), "recipients"),
    ("retention", ("retention",), "retention"),
    ("security", ("security",), "security"),
    ("cookies", ("cookies.text",), "cookies"),
    ("automated_decisions", ("automated_decisions.description",), "automated"),
    ("rights", ("rights.how_to",), "rights"),
)
STEP_OF_SECTION = {key: step for key, _paths, step in SECTIONS}
# The wizard field where each section starts (where its marker and confirm button are shown).
FIELD_OF_SECTION = {key: paths[0] for key, paths, _step in SECTIONS} | {"security": "security.manual"}


def _get(data: dict, path: str):
    value = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _in_languages(value, languages: set[str]):
    if isinstance(value, dict):
        if value and set(value) <= set(LANGS) and all(isinstance(v, str) for v in value.values()):
            return {k: v for k, v in value.items() if k in languages and v}
        return {k: _in_languages(v, languages) for k, v in value.items()}
    if isinstance(value, list):
        return [_in_languages(v, languages) for v in value]
    return value


def _has_content(value) -> bool:
    if isinstance(value, dict):
        return any(_has_content(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_content(v) for v in value)
    return isinstance(value, str) and bool(value.strip())


def section_value(data: dict, key: str, languages) -> list:
    """The section's content in the given languages (what a confirmation is about)."""
    paths = next(p for k, p, _s in SECTIONS if k == key)
    return [_in_languages(_get(data, path), set(languages)) for path in paths]


def fingerprint(value) -> str:
    """A stable hash of a section's value."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def fingerprints(data: dict, key: str, languages) -> dict[str, str]:
    """The section's fingerprint in each language (a confirmation covers the texts it saw)."""
    return {lang: fingerprint(section_value(data, key, [lang])) for lang in languages}


def applies(draft: dict, key: str) -> bool:
    """False for a section the notice does not tell: the Art. 13(2)(e) requirement when no data come
    from the person."""
    return key != "requirement" or requirement_asked(draft.get("collected_from"))


# The key under which the firm's confirmation of the controller's details is recorded (with the
# proposals' confirmations, but a record of its own: {"hash", "by", "at"}).
CONTROLLER = "controller"


def controller_fingerprint(data: dict) -> str:
    """A stable hash of the controller part of a draft (what a confirmation of it covers)."""
    return fingerprint(data.get("controller") or {})


def open_proposals(draft: dict, starter: dict | None, languages, confirmed: dict | None) -> list[str]:
    """Sections, in step order, whose text in some language is still the starter's untouched
    proposal and has not been confirmed.

    `draft` and `starter` are normalised draft JSON (the starter already through the schema);
    `confirmed` maps a section to its confirmation record ({"hashes": {lang: hash}, "by", "at"})."""
    if not starter:
        return []
    confirmed = confirmed or {}
    out = []
    for key, _paths, _step in SECTIONS:
        if not applies(draft, key):
            continue  # not part of this notice: nothing to confirm
        seen = (confirmed.get(key) or {}).get("hashes") or {}
        for lang in languages:
            proposed = section_value(starter, key, [lang])
            if not _has_content(proposed) or section_value(draft, key, [lang]) != proposed:
                continue  # nothing proposed, or edited: the firm's own text now
            if seen.get(lang) != fingerprint(proposed):
                out.append(key)
                break
    return out


def _is_text(value) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and set(value) <= set(LANGS)
        and all(isinstance(v, str) for v in value.values())
    )


def fill_language(draft, starter, language: str):
    """The draft with `language` filled in from the starter wherever the firm left the starter's text
    as it was (every language it has equals the starter's) and has nothing in that language yet.
    Both are normalised draft JSON; the draft is returned changed in place."""
    if isinstance(draft, dict) and isinstance(starter, dict):
        if _is_text(starter) and (draft == {} or _is_text(draft)):
            unchanged = all(starter.get(k) == v for k, v in draft.items())
            if unchanged and language not in draft and starter.get(language):
                draft[language] = starter[language]
            return draft
        for key, value in draft.items():
            if key in starter:
                draft[key] = fill_language(value, starter[key], language)
        return draft
    if isinstance(draft, list) and isinstance(starter, list) and len(draft) == len(starter):
        return [fill_language(d, s, language) for d, s in zip(draft, starter, strict=True)]
    return draft
