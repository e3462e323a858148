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
    if not payload or not isinstance(payload.get("r"), int) or not isinstance(payload.get("t"), int):
        return None
    return payload["t"], payload["r"]
