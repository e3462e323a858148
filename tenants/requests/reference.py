"""Human-friendly request references such as SEL-7K3F-92QD (no letters that read like digits)."""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U


def new_reference() -> str:
    """A random reference: SEL- and two groups of four (about 40 bits)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"SEL-{chars[:4]}-{chars[4:]}"


def normalise_reference(value: str) -> str:
    """What a person typed, in canonical form (case, spaces and missing hyphens forgiven)."""
    compact = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    if compact.startswith("SEL"):
        compact = compact[3:]
    if len(compact) != 8:
        return (value or "").strip().upper()
    return f"SEL-{compact[:4]}-{compact[4:]}"
