"""`flask site`: Seloste's own pages that live in the database (its privacy notice)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from tenants.errors import ValidationFailed
from tenants.platform import Operator, publish_own_notice

from .. import i18n
from ..config import billing_configured
from .common import fail, now, operator_session

site_cli = AppGroup("site", help="Seloste's own privacy notice.")


@site_cli.command("publish-own-notice")
@click.option("--name", required=True, help="The provider of the service (the controller), e.g. Seloste Oy.")
@click.option("--business-id", required=True, help="Its Y-tunnus, e.g. 1234567-8.")
@click.option("--street-address", default="", help="Its street address.")
@click.option("--postal-code", default="", help="Its postal code.")
@click.option("--city", default="", help="Its city.")
@click.option(
    "--owner-email", required=True, help="An existing user: owns the organisation, answers requests."
)
@click.option(
    "--email",
    "contact_email",
    default="",
    help="Address for privacy matters [OPERATOR_EMAIL, else the owner's].",
)
@click.option("--change-note", default="", help="What changed (needed when a new version is published).")
def publish_own_notice_command(
    name, business_id, street_address, postal_code, city, owner_email, contact_email, change_note
):
    """Create or update Seloste's own organisation (/seloste) and publish its privacy notice when it
    changed. Run again after an upgrade of Seloste or a change of these details."""
    operator = Operator(name, business_id, street_address, postal_code, city)
    with operator_session() as session:
        try:
            tenant, notice, version = publish_own_notice(
                session,
                operator,
                owner_email=owner_email,
                contact_email=contact_email or current_app.config["OPERATOR_EMAIL"],
                payments=billing_configured(current_app.config),
                change_note=change_note,
                today=i18n.helsinki_today(),
                now=now(),
            )
        except ValidationFailed as exc:
            fail(exc)
    address = f"/{tenant.slug}/{notice.slug}"
    if version is None:
        click.echo(f"Unchanged: version {notice.published_number} is in force at {address}")
    else:
        click.echo(f"Published version {version.number} at {address}")
