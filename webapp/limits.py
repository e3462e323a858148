"""Rate limits for login, sign-up, reset and other public forms (memory, or Redis when set), and the
single-use marks kept in the same store."""

from __future__ import annotations

import hashlib
import logging
import unicodedata

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import storage_from_string
from redis.backoff import NoBackoff
from redis.retry import Retry

limiter = Limiter(key_func=get_remote_address, default_limits=[])
log = logging.getLogger(__name__)

LOGIN = "10 per minute;50 per hour"
SIGNUP = "5 per minute;20 per hour"
RESET = "5 per minute;20 per hour"
TOKEN_LINKS = "30 per minute"  # noqa: S105 (a rate, not a secret)


def digest(value: str) -> str:
    """A short fixed-size key for a value a visitor typed (an address, a form stamp): normalised
    (Unicode NFKC, trimmed, case folded) and hashed, so a huge value never makes a huge key and
    `Maija@Example.fi ` counts as `maija@example.fi`."""
    normalised = unicodedata.normalize("NFKC", value or "").strip().casefold()
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def first_use(kind: str, value: str, lifetime_seconds: int) -> bool:
    """True the first time `value` is used for `kind` within its lifetime, False on every later use
    (kept in the rate limiter's store, so every worker and server agrees)."""
    store = current_app.extensions["seloste_marks"]
    try:
        return store.incr(f"seloste-once:{kind}:{digest(value)}", lifetime_seconds) == 1
    except Exception:  # the store is down: the rate limits still hold; do not refuse people
        log.warning("the single-use store could not be reached", exc_info=True)
        return True


def marks_store(uri: str):
    """The store of the single-use marks: the rate limits' store, where a command is sent once.

    A Redis client told to retry (`retry_on_timeout=true` in REDIS_URL, a common setting) sends a
    command again when its answer is late. An INCR the server had carried out would then count twice,
    and a form's first use would read as its second ("this form has already been sent"). Here the
    error reaches `first_use` instead, which lets the person through; the mark is made all the same."""
    if uri.startswith(("redis://", "rediss://", "redis+unix://")):
        return storage_from_string(uri, retry=Retry(NoBackoff(), 0))
    return storage_from_string(uri)


def init_app(app: Flask) -> None:
    """Read RATELIMIT_STORAGE_URI and RATELIMIT_ENABLED from the config."""
    limiter.init_app(app)
    app.extensions["seloste_marks"] = marks_store(app.config["RATELIMIT_STORAGE_URI"])
