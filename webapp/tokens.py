"""Signed, expiring links. Each is single-use because it is bound to state its use changes."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from tenants.requests.states import VERIFY_DAYS

VERIFY, RESET, INVITE = "verify-email", "reset-password", "invitation"
REQUEST_VERIFY, REQUEST_STATUS = "request-verify", "request-status"
# How long a requester's links work: the confirmation as long as an unconfirmed request waits.
REQUEST_VERIFY_MAX_AGE = VERIFY_DAYS * 86400
REQUEST_STATUS_MAX_AGE = 3 * 365 * 86400


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"seloste-{purpose}")


def make(purpose: str, payload: dict) -> str:
    """Sign a payload for one purpose."""
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, max_age_seconds: int) -> dict | None:
    """The payload, or None when the token is forged, for another purpose, or expired."""
    if not token or len(token) > 1024:
        return None
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age_seconds)
    except BadSignature:  # includes SignatureExpired
        return None
    return payload if isinstance(payload, dict) else None


# The largest id an SQL INTEGER holds: a signed payload naming a larger one names no row.
_MAX_ID = 2**31 - 1


def row_id(payload: dict | None, key: str) -> int | None:
    """A row id from a payload: a whole number in the database's range (never a bool, a float, a
    string or an out-of-range number, which a link made by us never holds), else None."""
    value = payload.get(key) if isinstance(payload, dict) else None
    if type(value) is not int or not 0 < value <= _MAX_ID:
        return None
    return value


def verify_max_age() -> int:
    """Seconds an email-verification link stays valid."""
    return current_app.config["TOKEN_MAX_AGE_HOURS"] * 3600


def reset_max_age() -> int:
    """Seconds a password-reset link stays valid."""
    return current_app.config["RESET_TOKEN_MAX_AGE_HOURS"] * 3600


def invite_max_age() -> int:
    """Seconds an invitation link stays valid."""
    return current_app.config["INVITE_TOKEN_MAX_AGE_DAYS"] * 86400


def for_request(purpose: str, request) -> str:
    """A link token for a data subject request: REQUEST_VERIFY (the confirmation button) or
    REQUEST_STATUS (the requester's long-lived status page)."""
    return make(purpose, {"r": request.id, "t": request.tenant_id})


def request_of(purpose: str, token: str, max_age_seconds: int) -> tuple[int, int] | None:
    """(tenant id, request id) from a request link token, or None when it is not a valid one."""
    payload = read(purpose, token, max_age_seconds)
    tenant_id, request_id = row_id(payload, "t"), row_id(payload, "r")
    if tenant_id is None or request_id is None:
        return None
    return tenant_id, request_id
