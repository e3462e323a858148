"""The request status machine. Every change goes through `transition`, which refuses illegal ones."""

from __future__ import annotations

from ..errors import ValidationFailed

UNVERIFIED = "unverified"
OPEN = "open"
COMPLETED = "completed"
REFUSED = "refused"
CLOSED_UNVERIFIED = "closed_unverified"
# A duplicate of an open request (same person, type and notice): answered with that request, no
# deadline of its own, until a member unlinks it.
LINKED = "linked"

# An unverified request waits this long for the requester to confirm the address, then expires.
VERIFY_DAYS = 7

STATUSES = (UNVERIFIED, OPEN, COMPLETED, REFUSED, CLOSED_UNVERIFIED, LINKED)
CLOSED = frozenset({COMPLETED, REFUSED, CLOSED_UNVERIFIED, LINKED})

# action -> (allowed from, to); None as target means the status does not change.
ACTIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "verify": (frozenset({UNVERIFIED}), OPEN),
    "link": (frozenset({UNVERIFIED}), LINKED),
    "unlink": (frozenset({LINKED}), OPEN),
    "expire": (frozenset({UNVERIFIED}), CLOSED_UNVERIFIED),
    "assign": (frozenset({OPEN}), None),
    "note": (frozenset({UNVERIFIED, OPEN, COMPLETED, REFUSED, LINKED}), None),
    "reply": (frozenset({OPEN}), None),
    "requester_reply": (frozenset({OPEN}), None),
    "extend": (frozenset({OPEN}), None),
    "complete": (frozenset({OPEN}), COMPLETED),
    "refuse": (frozenset({OPEN}), REFUSED),
}


def transition(status: str, action: str) -> str:
    """The status after `action`, or ValidationFailed('illegal_transition') when not allowed."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action}")
    allowed, target = ACTIONS[action]
    if status not in allowed:
        raise ValidationFailed("illegal_transition")
    return target or status
