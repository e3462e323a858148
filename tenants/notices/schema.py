"""The notice as data: one schema for the wizard, the renderer, the importer and the check.

Texts are stored per language ({"fi": ..., "sv": ...}). Long texts are rich text
(sanitised HTML, see richtext.py); names and list items are plain text. Lists are
lists. Unknown keys are refused so that a typo never silently drops content.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .richtext import clean_plain, sanitise

Lang = Literal["fi", "sv", "en"]
LANGS: tuple[str, ...] = ("fi", "sv", "en")

LegalBasis = Literal[
    "consent", "contract", "legal_obligation", "vital_interests", "public_task", "legitimate_interests"
]
LEGAL_BASES: tuple[str, ...] = LegalBasis.__args__

SpecialCategory = Literal[
    "racial_ethnic",
    "political",
    "religious",
    "trade_union",
    "genetic",
    "biometric",
    "health",
    "sex_life",
]
SPECIAL_CATEGORIES: tuple[str, ...] = SpecialCategory.__args__

Safeguard = Literal["adequacy", "scc", "bcr", "derogation", "other"]
SAFEGUARDS: tuple[str, ...] = Safeguard.__args__

# Where the data come from: the person (Art. 13), elsewhere (Art. 14), or both (each for its data).
CollectedFrom = Literal["data_subject", "elsewhere", "both"]
COLLECTED_FROM: tuple[str, ...] = CollectedFrom.__args__
# The safeguards a person may ask a copy of, or be told where they are available (Art. 13(1)(f), 14(1)(f)).
# An adequacy decision is published by the Commission and a derogation is no document: neither has a copy.
SAFEGUARDS_WITH_COPY: tuple[str, ...] = ("scc", "bcr", "other")

RequirementKind = Literal["statutory", "contractual", "contract_prerequisite", "voluntary"]
REQUIREMENT_KINDS: tuple[str, ...] = RequirementKind.__args__

RightKey = Literal[
    "access",
    "rectification",
    "erasure",
    "restriction",
    "objection",
    "portability",
    "withdraw_consent",
    "complaint",
]
RIGHT_KEYS: tuple[str, ...] = RightKey.__args__


def _rich(value: dict[str, str]) -> dict[str, str]:
    return {lang: sanitise(text) for lang, text in value.items() if text and sanitise(text)}


def _plain(value: dict[str, str]) -> dict[str, str]:
    return {lang: clean_plain(text) for lang, text in value.items() if text and clean_plain(text)}


RichText = Annotated[dict[Lang, Annotated[str, Field(max_length=20_000)]], AfterValidator(_rich)]
PlainText = Annotated[dict[Lang, Annotated[str, Field(max_length=2_000)]], AfterValidator(_plain)]
Line = Annotated[str, Field(max_length=300), AfterValidator(lambda v: clean_plain(v, 300))]


class Part(BaseModel):
    """Base of every part: unknown keys are errors, values are checked on assignment too."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Controller(Part):
    """Rekisterinpitäjä (Art. 13(1)(a))."""

    name: Line = ""
    business_id: Line = ""
    street_address: Line = ""
    postal_code: Line = ""
    city: Line = ""
    phone: Line = ""
    email: Line = ""
    representative: Line = ""


class Contact(Part):
    """Yhteyshenkilö: a member of the tenant, or any named person."""

    member_user_id: int | None = None
    name: Line = ""
    title: PlainText = {}
    email: Line = ""
    phone: Line = ""
    address: Line = ""


class Dpo(Part):
    """Tietosuojavastaava (Art. 13(1)(b)); `appointed` None means not answered yet."""

    appointed: bool | None = None
    name: Line = ""
    email: Line = ""
    phone: Line = ""


class Purpose(Part):
    """One purpose of processing with its legal basis (Art. 13(1)(c)(d))."""

    description: RichText = {}
    legal_basis: LegalBasis | None = None
    legitimate_interest: RichText = {}


class Requirement(Part):
    """Whether giving the data is required, and what follows if not (Art. 13(2)(e))."""

    kind: RequirementKind | None = None
    consequences: RichText = {}


class Transfer(Part):
    """One transfer outside the EU/EEA and its safeguard (Art. 13(1)(f))."""

    country: Line = ""
    recipient: PlainText = {}
    safeguard: Safeguard | None = None
    details: RichText = {}
    # How a person gets a copy of the safeguards, or where they are available (Art. 13(1)(f)).
    copy_how: RichText = {}


class Transfers(Part):
    """Transfers outside the EU/EEA; `outside_eea` None means not answered yet."""

    outside_eea: bool | None = None
    items: list[Transfer] = Field(default_factory=list, max_length=50)


class Security(Part):
    """Rekisterin suojauksen periaatteet: A manual material, B electronic data."""

    manual: RichText = {}
    electronic: RichText = {}


class Cookies(Part):
    """Evästeet; `used` None means not answered yet."""

    used: bool | None = None
    text: RichText = {}


class AutomatedDecisions(Part):
    """Automated decisions and profiling (Art. 13(2)(f)); `used` None means not answered yet."""

    used: bool | None = None
    description: RichText = {}


class Right(Part):
    """One right of the data subject; `text` adds to or replaces our standard wording."""

    key: RightKey
    text: RichText = {}


class Rights(Part):
    """The rights section: generated from the legal bases, plus how to use them."""

    items: list[Right] = Field(default_factory=list, max_length=20)
    how_to: RichText = {}


class NoticeDraft(Part):
    """The whole structured notice."""

    schema_version: int = 1
    prepared_on: date | None = None
    controller: Controller = Field(default_factory=Controller)
    contact: Contact = Field(default_factory=Contact)
    dpo: Dpo = Field(default_factory=Dpo)
    register_name: PlainText = {}
    purposes: list[Purpose] = Field(default_factory=list, max_length=30)
    direct_marketing: bool = False
    # Data used for scientific or historical research or statistics (Art. 89): objection under Art. 21(6).
    research_statistics: bool = False
    processed_electronically: bool = True
    consent_withdrawal: RichText = {}
    requirement: Requirement = Field(default_factory=Requirement)
    data_subjects: list[PlainText] = Field(default_factory=list, max_length=50)
    data_categories: list[PlainText] = Field(default_factory=list, max_length=100)
    # Whether any special category (Art. 9) is processed; None means not answered yet.
    special_categories_used: bool | None = None
    special_categories: list[SpecialCategory] = Field(default_factory=list)
    special_justification: RichText = {}
    # Special categories processed on the person's explicit consent (Art. 9(2)(a)): withdrawal and
    # portability as for consent.
    explicit_consent: bool = False
    # Criminal convictions and offences (Art. 10): not a special category, with a legal basis of their own.
    criminal_data: bool = False
    criminal_justification: RichText = {}
    personal_identity_code: bool = False
    personal_identity_code_justification: RichText = {}
    # Where the data come from; None means not answered yet. "elsewhere" or "both" make it an
    # Art. 14 notice (sources, their public accessibility and the data categories must be told);
    # "data_subject" or "both" make the Art. 13(2)(e) requirement a question to answer.
    collected_from: CollectedFrom | None = None
    # Whether any source is publicly accessible (Art. 14(2)(f)); None means not answered yet.
    sources_public: bool | None = None
    sources: list[PlainText] = Field(default_factory=list, max_length=50)
    recipients: list[PlainText] = Field(default_factory=list, max_length=50)
    transfers: Transfers = Field(default_factory=Transfers)
    retention: RichText = {}
    security: Security = Field(default_factory=Security)
    cookies: Cookies = Field(default_factory=Cookies)
    automated_decisions: AutomatedDecisions = Field(default_factory=AutomatedDecisions)
    rights: Rights = Field(default_factory=Rights)
    # Text from an imported notice that no section took; the user decides where it belongs.
    other_information: RichText = {}

    @model_validator(mode="before")
    @classmethod
    def _criminal_apart(cls, data):
        """Drafts stored when criminal data were listed as a special category keep them, as Art. 10 data."""
        if isinstance(data, dict) and "criminal" in (data.get("special_categories") or []):
            data = dict(data)
            data["special_categories"] = [c for c in data["special_categories"] if c != "criminal"]
            data["criminal_data"] = True
            if not data["special_categories"] and data.get("special_categories_used"):
                data["special_categories_used"] = None  # "yes" meant the criminal data: ask again
        return data

    def art14(self) -> bool:
        """True when some data come from elsewhere than the person (an Art. 14 notice)."""
        return self.collected_from in ("elsewhere", "both")

    def requirement_asked(self) -> bool:
        """Whether the Art. 13(2)(e) requirement is asked (see `requirement_asked`)."""
        return requirement_asked(self.collected_from)

    def legal_bases(self) -> set[str]:
        """Every basis any purpose names."""
        return {p.legal_basis for p in self.purposes if p.legal_basis}

    def to_json(self) -> dict:
        """The stored form (JSON-ready)."""
        return self.model_dump(mode="json")


def requirement_asked(collected_from: str | None) -> bool:
    """False only when no data come from the person: the Art. 13(2)(e) requirement is then not asked
    (unanswered, it may apply, so it is asked). Takes the stored answer, for drafts as JSON too."""
    return collected_from != "elsewhere"


def load_draft(data: dict | None) -> NoticeDraft:
    """Parse a stored or submitted draft (raises pydantic.ValidationError)."""
    return NoticeDraft.model_validate(data or {})
