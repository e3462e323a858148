"""The completeness check's findings worded in the reader's interface language.

Fields named in a finding are called by their section of the notice unless the caller names
them otherwise (the wizard names its steps).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from tenants.notices import legal_texts as T
from tenants.notices.check import Item, Report

from .i18n import LANGUAGE_NAMES, current_language

MESSAGES = {
    "controller_missing": _l("The controller's name is missing."),
    "controller_no_contact_details": _l("Give at least one way to contact the controller."),
    "controller_present": _l("Controller and contact details."),
    "controller_unconfirmed": _l(
        "Confirm that the controller's details are correct: they are published as your firm's details."
    ),
    "contact_missing": _l("No contact person is named."),
    "contact_no_details": _l("Give the contact person's email or phone."),
    "contact_present": _l("Contact person."),
    "dpo_incomplete": _l("Give the data protection officer's name and contact details."),
    "dpo_present": _l("Data protection officer."),
    "dpo_none": _l("No data protection officer appointed."),
    "dpo_unanswered": _l("Say whether you have appointed a data protection officer."),
    "register_name_missing": _l("The register has no name."),
    "register_name_present": _l("Name of the register."),
    "purposes_missing": _l("No purpose of processing is described."),
    "purposes_present": _l("Purposes of processing."),
    "legal_basis_missing": _l("No legal basis is chosen."),
    "legal_basis_missing_for": _l("Purposes without a legal basis: %(purposes)s."),
    "legal_basis_present": _l("A legal basis for every purpose."),
    "legitimate_interest_undescribed": _l(
        "Legitimate interests are chosen but not described (purposes %(purposes)s)."
    ),
    "legitimate_interest_present": _l("The legitimate interests are described."),
    "consent_without_withdrawal_text": _l(
        "Consent is a basis, but the notice does not say how to withdraw it."
    ),
    "consent_withdrawal_present": _l("How to withdraw consent."),
    "data_subjects_missing": _l("No groups of people are listed."),
    "data_subjects_present": _l("Groups of people."),
    "data_categories_missing": _l("No personal data are listed."),
    "data_categories_present": _l("Personal data processed."),
    "special_categories_unjustified": _l(
        "Special categories of data are processed without a stated justification (GDPR Art. 9)."
    ),
    "special_categories_justified": _l("Special categories and their justification."),
    "criminal_data_unjustified": _l(
        "Data on criminal convictions and offences are processed without naming the law that allows it (GDPR Art. 10)."
    ),
    "criminal_data_justified": _l(
        "Criminal convictions and offences, and the law that allows processing them."
    ),
    "special_categories_unanswered": _l(
        "Say whether you process special categories of personal data (such as health data)."
    ),
    "special_categories_contradiction": _l(
        "You answered that no special categories are processed, but some are chosen: %(categories)s."
    ),
    "special_categories_not_listed": _l("Choose the special categories of personal data you process."),
    "special_categories_none": _l("No special categories of personal data."),
    "hetu_unjustified": _l(
        "Personal identity codes are processed without a stated justification (Tietosuojalaki 29 §)."
    ),
    "hetu_justified": _l("Why personal identity codes are processed."),
    "collected_from_unanswered": _l(
        "Say where the data come from: from the people themselves, from elsewhere, or both."
    ),
    "collected_from_data_subject": _l("The data come from the people themselves."),
    "collected_from_elsewhere": _l("The data come from elsewhere than the people themselves."),
    "collected_from_both": _l("The data come from the people themselves and from elsewhere."),
    "sources_missing": _l("The sources of the data are not given."),
    "sources_present": _l("Sources of data."),
    "sources_public_unanswered": _l("Say whether any of the sources is publicly accessible."),
    "sources_public_yes": _l("Some of the data come from publicly accessible sources."),
    "sources_public_no": _l("None of the sources is publicly accessible."),
    "recipients_missing": _l("Recipients are not listed. If nobody receives the data, say so."),
    "recipients_present": _l("Recipients."),
    "transfers_unanswered": _l("Say whether data are transferred outside the EU or the EEA."),
    "transfers_not_listed": _l("Transfers outside the EU or the EEA are not listed."),
    "transfer_without_safeguard": _l("Transfers without a safeguard: %(countries)s."),
    "transfer_safeguard_copy_missing": _l(
        "Say how a person can get a copy of the safeguards, or where they are available, for the transfers to: %(countries)s."
    ),
    "transfers_present": _l("Transfers outside the EU/EEA and their safeguards."),
    "transfers_none": _l("No transfers outside the EU/EEA."),
    "transfers_contradiction": _l(
        "You answered that no data are transferred outside the EU or the EEA, but your text says they may be, in: %(fields)s. Correct the answer or the text."
    ),
    "retention_missing": _l("The retention period is missing."),
    "retention_present": _l("Retention period."),
    "security_missing": _l("The security section is empty."),
    "security_present": _l("Security."),
    "cookies_unanswered": _l("Say whether a website connected with this register uses cookies."),
    "cookies_undescribed": _l("Cookies are used but not described."),
    "cookies_present": _l("Cookies."),
    "cookies_none": _l("No cookies."),
    "automated_unanswered": _l("Say whether automated decisions or profiling are used."),
    "automated_undescribed": _l("Automated decisions are used but not explained."),
    "automated_present": _l("Automated decisions explained."),
    "automated_none": _l("No automated decisions."),
    "requirement_unanswered": _l("Say whether giving the data is required by law or contract."),
    "requirement_no_consequences": _l("Say what follows if the data are not given."),
    "requirement_present": _l("Whether giving the data is required."),
    "rights_missing": _l("Rights missing from the notice: %(rights)s."),
    "rights_present": _l("The rights of the data subject."),
    "complaint_missing": _l("The right to complain to the supervisory authority is missing."),
    "complaint_present": _l("The right to complain to the supervisory authority."),
    "placeholders_left": _l("Unfinished text (such as TODO, xxx or 'muuta?') in: %(fields)s."),
    "repealed_law_cited": _l(
        "The notice refers to the repealed Personal Data Act (henkilötietolaki); refer to the GDPR and the Data Protection Act (Tietosuojalaki 1050/2018) instead. In: %(fields)s."
    ),
    "repealed_ecomms_law_cited": _l(
        "The notice refers to the repealed Act on the Protection of Privacy in Electronic Communications (516/2004); it was replaced by the Act on Electronic Communications Services (917/2014). In: %(fields)s."
    ),
    "old_procedure": _l(
        "The notice asks for a procedure of the old law (a signed request, requests only in person or by letter, or taking a refusal to the Data Protection Ombudsman). The GDPR requires making requests easy: any channel, no signature. In: %(fields)s."
    ),
    "outdated_authority_address": _l(
        "An old address of the supervisory authority (Ratapihantie 9) is given in: %(fields)s."
    ),
    "other_information_to_review": _l(
        "Imported text that no section took is under 'Other information': move it where it belongs, or keep it."
    ),
    "language_text_missing": _l("Text missing in %(languages)s: %(fields)s."),
    "proposal_unconfirmed": _l(
        "%(section)s: proposal, not yet confirmed. Confirm the proposed text as yours, or edit it."
    ),
}


def section_title(key: str) -> str:
    """A notice section's name in the interface language."""
    lang = current_language()
    for table in (T.HEADINGS, T.LABELS):
        if key in table:
            return T.text(table, key, lang)
    return key


def section_names(paths: Iterable[str]) -> str:
    """The notice sections the paths belong to, in the interface language, each once."""
    lang = current_language()
    names: list[str] = []
    for path in paths:
        key = path.split(".")[0]
        name = T.text(T.HEADINGS, key, lang) if key in T.HEADINGS else key
        if name not in names:
            names.append(name)
    return ", ".join(names)


def field_paths(item: Item) -> list[str]:
    """The draft paths a finding names (its `fields` parameter), in order."""
    fields = item.params.get("fields")
    if isinstance(fields, dict):
        return [p for ps in fields.values() for p in ps]
    return list(fields) if isinstance(fields, list) else []


def message(item: Item, place_names: Callable[[Iterable[str]], str] = section_names) -> str:
    """Word one finding; `place_names` names the fields it points at."""
    lang = current_language()
    params = dict(item.params)
    if "rights" in params:
        params["rights"] = ", ".join(T.text(T.RIGHT_TITLES, k, lang) for k in params["rights"])
    if "purposes" in params:
        params["purposes"] = ", ".join(str(n) for n in params["purposes"])
    if "countries" in params:
        params["countries"] = ", ".join(params["countries"])
    if "section" in params:
        params["section"] = section_title(params["section"])
    if "categories" in params:
        params["categories"] = ", ".join(T.text(T.SPECIAL_CATEGORIES, k, lang) for k in params["categories"])
    if "languages" in params:
        params["languages"] = ", ".join(LANGUAGE_NAMES[x] for x in params["languages"])
    if "fields" in params:
        params["fields"] = place_names(field_paths(item))
    wording = MESSAGES.get(item.code)
    return str(wording) % params if wording is not None else item.code


def summary(report: Report) -> str:
    """One short phrase for lists: ready, or how many things block publishing."""
    n = len(report.blocking)
    if n == 0:
        return _("Ready to publish")
    return ngettext("%(num)s item to fix", "%(num)s items to fix", n)
