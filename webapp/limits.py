"""Rate limits for login, sign-up, reset and other public forms (memory, or Redis when set)."""

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])

LOGIN = "10 per minute;50 per hour"
SIGNUP = "5 per minute;20 per hour"
RESET = "5 per minute;20 per hour"
TOKEN_LINKS = "30 per minute"  # noqa: S105 (a rate, not a secret)


def init_app(app: Flask) -> None:
    """Read RATELIMIT_STORAGE_URI and RATELIMIT_ENABLED from the config."""
    limiter.init_app(app)
