"""The request status machine. Every change goes through `transition`, which refuses illegal ones."""

from __future__ import annotations

from ..errors import ValidationFailed

UNVERIFIED = "unverified"
OPEN = "open"
COMPLETED = "completed"
REFUSED = "refused"
# Done in part and refused in part: like a refusal, it carries the right to complain (Art. 12(4)).
PARTLY_COMPLETED = "partly_completed"
CLOSED_UNVERIFIED = "closed_unverified"
# A duplicate of an open request (same person, type and notice): answered with that request, no
# deadline of its own, until a member unlinks it.
LINKED = "linked"

# An unverified request waits this long for the requester to confirm the address, then expires.
VERIFY_DAYS = 7

STATUSES = (UNVERIFIED, OPEN, COMPLETED, PARTLY_COMPLETED, REFUSED, CLOSED_UNVERIFIED, LINKED)
CLOSED = frozenset({COMPLETED, PARTLY_COMPLETED, REFUSED, CLOSED_UNVERIFIED, LINKED})
# Closed without fully granting the request: the requester is told of the complaint and judicial remedy.
NOT_FULLY_GRANTED = frozenset({PARTLY_COMPLETED, REFUSED})

# action -> (allowed from, to); None as target means the status does not change.
ACTIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "verify": (frozenset({UNVERIFIED}), OPEN),
    "link": (frozenset({UNVERIFIED}), LINKED),
    "unlink": (frozenset({LINKED}), OPEN),
    "expire": (frozenset({UNVERIFIED}), CLOSED_UNVERIFIED),
    "assign": (frozenset({OPEN}), None),
    "note": (frozenset({UNVERIFIED, OPEN, COMPLETED, PARTLY_COMPLETED, REFUSED, LINKED}), None),
    "reply": (frozenset({OPEN}), None),
    "requester_reply": (frozenset({OPEN}), None),
    "extend": (frozenset({OPEN}), None),
    "complete": (frozenset({OPEN}), COMPLETED),
    "refuse": (frozenset({OPEN}), REFUSED),
    "partial": (frozenset({OPEN}), PARTLY_COMPLETED),
}


def transition(status: str, action: str) -> str:
    """The status after `action`, or ValidationFailed('illegal_transition') when not allowed."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action}")
    allowed, target = ACTIONS[action]
    if status not in allowed:
        raise ValidationFailed("illegal_transition")
    return target or status
