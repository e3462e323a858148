"""Validation and normalisation of identifiers people type in."""

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import ytunnus

from .errors import ValidationFailed

SLUG_MAX = 63
# C0 control characters other than tab, line feed and carriage return. PostgreSQL refuses NUL in
# text, and none of them belongs in what a person types.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_control_characters(value: str) -> bool:
    """True when the text has a NUL or another C0 control character except tab, LF and CR."""
    return bool(_CONTROL_CHARACTERS.search(value or ""))


def without_control_characters(value: str) -> str:
    """The text with those control characters removed (for search boxes, where nothing is stored)."""
    return _CONTROL_CHARACTERS.sub("", value or "")


def one_line(value: str | None) -> str:
    """The text on one line: every run of whitespace (line breaks too) one space, none at the ends."""
    return " ".join((value or "").split())


_RESERVED_SLUGS = frozenset(
    "app api admin static login logout signup reset verify invite healthz readyz metrics language "
    "pricing help about terms privacy www mail billing embed request requests history feed "
    # Seloste's own organisation (its privacy notice is /seloste/…, tenants/platform.py), the data
    # processing agreement, and the icon browsers ask for (never a slug: it has a dot).
    "seloste dpa favicon.ico".split()
)

# A notice's address is the segment after /<tenant>/. It can never be a word the public routes
# use there (the request form is /<tenant>/request) or below a notice (/v/<n>, /history, /diff,
# /feed.atom), so that no address ever has two meanings.
_RESERVED_NOTICE_SLUGS = frozenset("request requests v history diff feed embed".split())


def normalise_business_id(value: str) -> str:
    """Y-tunnus in its printed form (1234567-8); raises ValidationFailed when it is not valid."""
    try:
        return ytunnus.format(ytunnus.validate(value.strip()))
    except StdnumError as exc:
        raise ValidationFailed("business_id_invalid", "business_id") from exc


def normalise_email(value: str) -> str:
    """The address in a canonical form (domain lower-cased, local part as typed, then lower-cased)."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed("email_invalid", "email") from exc
    return result.normalized.lower()


def slugify(name: str) -> str:
    """A readable URL slug from a company name: 'Kahvila Åkerö Oy' -> 'kahvila-akero-oy'."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    slug = slug[:SLUG_MAX].rstrip("-")
    return slug or "org"


def check_slug(slug: str) -> str:
    """Return the slug if it may be used as a tenant's public address, else raise ValidationFailed."""
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", slug) or "--" in slug:
        raise ValidationFailed("slug_invalid", "slug")
    if slug in _RESERVED_SLUGS:
        raise ValidationFailed("slug_reserved", "slug")
    return slug


def check_notice_slug(slug: str) -> str:
    """Return the slug if it may be a notice's address under its tenant, else raise ValidationFailed."""
    check_slug(slug)
    if slug in _RESERVED_NOTICE_SLUGS:
        raise ValidationFailed("slug_reserved", "slug")
    return slug


def is_reserved_slug(slug: str) -> bool:
    """True for slugs the site's own pages use."""
    return slug in _RESERVED_SLUGS
