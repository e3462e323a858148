"""`flask tenants` and `flask users`: organisations, plans and accounts for operators."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from tenants import accounts
from tenants.billing import service as billing_service
from tenants.errors import ValidationFailed
from tenants.models import LANGUAGES, Membership, Tenant

from .common import fail, now, operator_session, tenant_by_slug

tenants_cli = AppGroup("tenants", help="Organisations (tenants).")
users_cli = AppGroup("users", help="User accounts.")


@tenants_cli.command("create")
@click.option("--name", required=True, help="Company name.")
@click.option("--business-id", required=True, help="Y-tunnus, e.g. 1234567-8.")
@click.option("--slug", default=None, help="Public address part; made from the name when left out.")
@click.option("--language", type=click.Choice(LANGUAGES), default="fi", show_default=True)
@click.option("--owner-email", default=None, help="Make this existing user the owner.")
def tenants_create(name, business_id, slug, language, owner_email):
    """Create an organisation."""
    with operator_session() as session:
        owner = None
        if owner_email:
            owner = accounts.find_user_by_email(session, owner_email)
            if owner is None:
                raise click.ClickException(
                    f"No user has the address {owner_email}. Create one with `flask users create`."
                )
        try:
            tenant = accounts.create_tenant(
                session, name=name, business_id=business_id, slug=slug, default_language=language, now=now()
            )
            if owner is not None:
                accounts.add_member(session, tenant.id, owner.id, "owner", now())
        except ValidationFailed as exc:
            fail(exc)
        click.echo(f"Created tenant {tenant.id}: {tenant.name} ({tenant.business_id}), slug {tenant.slug}")
        if owner is not None:
            click.echo(f"Owner: user {owner.id}")


@tenants_cli.command("list")
def tenants_list():
    """List organisations with their member counts."""
    with operator_session() as session:
        rows = session.execute(
            select(Tenant, func.count(Membership.id))
            .outerjoin(Membership, Membership.tenant_id == Tenant.id)
            .group_by(Tenant.id)
            .order_by(Tenant.id)
        ).all()
        if not rows:
            click.echo("No tenants yet.")
        for tenant, members in rows:
            click.echo(
                f"{tenant.id}\t{tenant.slug}\t{tenant.business_id}\t{members} member(s)\t{tenant.name}"
            )


@tenants_cli.command("set-plan")
@click.argument("slug")
@click.argument("plan", type=click.Choice(["free", "pro"]))
def tenants_set_plan(slug, plan):
    """Put the tenant with address SLUG on a plan (when billing runs without Stripe)."""
    with operator_session() as session:
        tenant = tenant_by_slug(session, slug)
        before = tenant.plan
        billing_service.set_plan(session, tenant, plan, now=now(), source="operator")
        click.echo(f"Tenant {tenant.id} ({tenant.slug}): plan {before} -> {plan}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--language", type=click.Choice(LANGUAGES), default="fi", show_default=True)
@click.password_option(help="Prompted for when not given.")
def users_create(email, name, language, password):
    """Create a verified user (for operators; people sign up at /signup)."""
    with operator_session() as session:
        try:
            user = accounts.create_user(
                session,
                email=email,
                name=name,
                password=password,
                language=language,
                now=now(),
                verified=True,
            )
        except ValidationFailed as exc:
            fail(exc)
        click.echo(f"Created user {user.id} <{user.email}>")
