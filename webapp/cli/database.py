"""`flask db`: the schema, migrated as the tables' owner."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import AppGroup

from .. import migrate
from ..config import normalise_database_url

db_cli = AppGroup("db", help="Database schema.")


def _owner_url() -> str:
    return normalise_database_url(os.environ.get("DATABASE_OWNER_URL") or current_app.config["DATABASE_URL"])


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision):
    """Apply migrations (as DATABASE_OWNER_URL when set, else DATABASE_URL)."""
    migrate.upgrade(_owner_url(), current_app.config["DATABASE_APP_ROLE"], revision)
    click.echo(f"Database is at revision {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision):
    """Step the schema back to REVISION."""
    migrate.downgrade(_owner_url(), revision)
    click.echo(f"Database is at revision {revision}.")
