"""Configuration from environment variables.

The embedded default (SELOSTE_ENV=development) needs none: SQLite and mail files
under instance/, a secret key generated once and kept there. Production refuses
to start without its secrets.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

# The checkout: templates/, migrations/ and instance/ are found from here.
ROOT = Path(__file__).resolve().parent.parent

REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "DATABASE_URL", "BASE_URL", "SMTP_HOST", "MAIL_FROM")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


STRIPE_SETTINGS = (
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_PRICE_PRO_MONTHLY",
    "STRIPE_PRICE_PRO_YEARLY",
)


def billing_configured(config) -> bool:
    """Online payments are on: the Stripe key, the webhook secret and both prices are set."""
    return all(config.get(key) for key in STRIPE_SETTINGS)


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _dev_secret(instance: Path) -> str:
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _check_rate_limit_storage(env: dict, production: bool) -> None:
    """Counters in process memory are per process: with several processes every limit is multiplied.
    Production refuses that unless exactly one process serves (WEB_CONCURRENCY=1)."""
    storage = env.get("RATELIMIT_STORAGE_URI") or env.get("REDIS_URL") or "memory://"
    if not production or not storage.startswith("memory://") or not _bool(env.get("RATELIMIT_ENABLED"), True):
        return
    if (env.get("WEB_CONCURRENCY") or "").strip() != "1":
        raise ConfigError(
            "rate limits kept in memory:// would be per process: set REDIS_URL (or RATELIMIT_STORAGE_URI) "
            "when more than one process serves (WEB_CONCURRENCY is not 1)"
        )


def load(instance_path: str, environ: dict[str, str] | None = None) -> dict:
    """Build the Flask config mapping from the environment."""
    env = dict(os.environ if environ is None else environ)
    mode = env.get("SELOSTE_ENV", "development")
    if mode not in ("development", "production", "testing"):
        raise ConfigError(f"SELOSTE_ENV must be development, production or testing, not {mode!r}")
    production = mode == "production"
    if production:
        missing = [k for k in REQUIRED_IN_PRODUCTION if not env.get(k)]
        if missing:
            raise ConfigError("production needs these environment variables: " + ", ".join(missing))
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)

    secret = env.get("SECRET_KEY") or _dev_secret(instance)
    if production and len(secret) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production")
    _check_rate_limit_storage(env, production)
    default_db = "sqlite:///" + str(instance / "seloste.db")
    base_url = env.get("BASE_URL", "").rstrip("/")
    smtp_host = env.get("SMTP_HOST", "")
    return {
        "SELOSTE_ENV": mode,
        "SECRET_KEY": secret,
        "DATABASE_URL": normalise_database_url(env.get("DATABASE_URL") or default_db),
        "DATABASE_APP_ROLE": env.get("DATABASE_APP_ROLE", ""),
        # Commands, daily jobs and the outbox sender work across tenants: on PostgreSQL as a role in
        # seloste_operator (the web app's role is not), on the embedded default as the same file.
        "DATABASE_OPERATOR_URL": normalise_database_url(
            env.get("DATABASE_OPERATOR_URL") or env.get("DATABASE_URL") or default_db
        ),
        "BASE_URL": base_url,
        # Links in mail: BASE_URL, else the address `make run` serves the embedded default at.
        "LINK_BASE_URL": base_url or env.get("LINK_BASE_URL", "").rstrip("/") or "http://127.0.0.1:5000",
        # Without BASE_URL, the only Host names a page may build an absolute address from (feeds,
        # JSON, the payment service's return addresses); any other Host gets LINK_BASE_URL's. The
        # env var TRUSTED_HOSTS, comma-separated; by default the loopback names `make run` serves at.
        # Requests with other Host names are still answered (health checks from a load balancer).
        "LINK_TRUSTED_HOSTS": tuple(
            host.strip().lower()
            for host in (env.get("TRUSTED_HOSTS") or "localhost,127.0.0.1,::1").split(",")
            if host.strip()
        ),
        "MAIL_TRANSPORT": env.get("MAIL_TRANSPORT") or ("smtp" if smtp_host else "file"),
        "MAIL_DIR": env.get("MAIL_DIR") or str(instance / "mail"),
        "MAIL_FROM": env.get("MAIL_FROM") or "Seloste <no-reply@localhost>",
        "MAIL_DELIVER_AFTER_COMMIT": _bool(env.get("MAIL_DELIVER_AFTER_COMMIT"), not production),
        "SMTP_HOST": smtp_host,
        "SMTP_PORT": int(env.get("SMTP_PORT") or 587),
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool(env.get("SMTP_STARTTLS"), production),
        "SMTP_TIMEOUT": float(env.get("SMTP_TIMEOUT") or 20),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or env.get("REDIS_URL") or "memory://",
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "PROXY_COUNT": int(env.get("PROXY_COUNT") or 0),
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_PRICE_PRO_MONTHLY": env.get("STRIPE_PRICE_PRO_MONTHLY", ""),
        "STRIPE_PRICE_PRO_YEARLY": env.get("STRIPE_PRICE_PRO_YEARLY", ""),
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE", ""),
        # Whom customers write to about plans (shown when online payments are off) and about the service.
        "OPERATOR_EMAIL": env.get("OPERATOR_EMAIL", "").strip(),
        "STORAGE_BACKEND": env.get("STORAGE_BACKEND") or ("s3" if env.get("S3_BUCKET") else "local"),
        "STORAGE_DIR": env.get("STORAGE_DIR") or str(instance / "files"),
        "S3_BUCKET": env.get("S3_BUCKET", ""),
        "S3_ENDPOINT_URL": env.get("S3_ENDPOINT_URL", ""),
        "S3_REGION": env.get("S3_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-north-1",
        # Public snapshots (webapp/snapshots.py): a folder nginx serves, or an S3 bucket behind a CDN.
        "SNAPSHOT_BACKEND": env.get("SNAPSHOT_BACKEND")
        or ("s3" if env.get("SNAPSHOT_S3_BUCKET") else "local"),
        "SNAPSHOT_DIR": env.get("SNAPSHOT_DIR") or str(instance / "snapshots"),
        "SNAPSHOT_S3_BUCKET": env.get("SNAPSHOT_S3_BUCKET", ""),
        "SNAPSHOT_S3_ENDPOINT_URL": env.get("SNAPSHOT_S3_ENDPOINT_URL") or env.get("S3_ENDPOINT_URL", ""),
        # Run after the redirect rules changed (e.g. `systemctl reload nginx`); empty: nothing is run.
        "SNAPSHOT_RELOAD_COMMAND": env.get("SNAPSHOT_RELOAD_COMMAND", ""),
        # A PDF not yet printed by the worker: printed on request (embedded default) or 503 (production).
        "PDF_ON_REQUEST": _bool(env.get("PDF_ON_REQUEST"), not production),
        # One JSON line per log record (production default), or plain text.
        "LOG_FORMAT": env.get("LOG_FORMAT") or ("json" if production else "text"),
        # /metrics answers this machine without a proxy in between, or this bearer token.
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        "TOKEN_MAX_AGE_HOURS": int(env.get("TOKEN_MAX_AGE_HOURS") or 48),
        "RESET_TOKEN_MAX_AGE_HOURS": int(env.get("RESET_TOKEN_MAX_AGE_HOURS") or 2),
        "INVITE_TOKEN_MAX_AGE_DAYS": int(env.get("INVITE_TOKEN_MAX_AGE_DAYS") or 14),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        # "Remember me" lasts a month at most; logging out anywhere ends it sooner.
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,  # attachments: 10 MB a message, plus the form
        "BABEL_DEFAULT_LOCALE": "fi",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Helsinki",
    }
