"""Operator commands (`flask db`, `tenants`, `users`, `outbox`, `requests`, `notices`, `site`): each runs
the domain's services in one unit of work, without any web request."""

from __future__ import annotations

from flask import Flask

from .database import db_cli
from .notices import notices_cli
from .outbox import outbox_cli
from .requests import requests_cli
from .site import site_cli
from .snapshots import snapshots_cli
from .tenants import tenants_cli, users_cli


def init_app(app: Flask) -> None:
    """Register the command groups."""
    for group in (
        db_cli,
        tenants_cli,
        users_cli,
        outbox_cli,
        requests_cli,
        notices_cli,
        site_cli,
        snapshots_cli,
    ):
        app.cli.add_command(group)
