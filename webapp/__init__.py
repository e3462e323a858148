"""The Seloste web app. `flask --app webapp` finds `create_app`."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from .config import ROOT


def create_app(overrides: dict | None = None, environ: dict | None = None) -> Flask:
    """Build the app: config, database, extensions, blueprints, CLI."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    app.config.update(config_module.load(app.instance_path, environ))
    if overrides:
        app.config.update(overrides)
    register_logging(app)
    register_proxy(app)
    register_database(app)
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    return app


def register_logging(app: Flask) -> None:
    """Log to stderr; records carry ids, never names or addresses."""
    if not app.debug and not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-* from as many proxies as PROXY_COUNT says (0 by default)."""
    count = app.config["PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_database(app: Flask) -> None:
    """Engine, request unit of work, and delivery of mail queued by the request."""
    from . import db, page_cache, snapshots, storage, unit_of_work

    page_cache.forget_all()  # cached from an earlier app's database, if any
    db.init_app(app)
    unit_of_work.init_app(app)
    storage.init_app(app)
    snapshots.init_app(app)


def register_extensions(app: Flask) -> None:
    """CSRF, login, languages, rate limits, security headers, and the tenant of each request."""
    from . import auth_session, i18n, limits, observability, security, tenancy

    observability.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    auth_session.init_app(app)
    limits.init_app(app)
    tenancy.init_app(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature."""
    from . import account, auth, billing, health, inbox, notices, public, requests, routing, site, workspace

    routing.init_app(app)  # converters first: rules pick theirs up as they are added
    for feature in (site, health, auth, workspace, account, notices, inbox, billing, public, requests):
        app.register_blueprint(feature.bp)
    billing.init_app(app)


def register_errors(app: Flask) -> None:
    """Error pages in the visitor's language; domain errors mapped to status codes."""
    from . import errors

    errors.init_app(app)


def register_cli(app: Flask) -> None:
    """`flask db`, `flask tenants`, `flask users`, `flask outbox`."""
    from . import cli

    cli.init_app(app)
