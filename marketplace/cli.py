"""Command-line tasks: `flask db upgrade`, `flask demo-data`, `flask create-user`,
`flask reset-two-step`."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlmodel import Session

from marketplace import migrate
from marketplace.db import engine
from marketplace.models import Role

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to date."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo("Database is up to date.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What this schema change does.")
def db_revision(message: str) -> None:
    """Write the next numbered migration from the difference between models and database."""
    migrate.new_revision(current_app.config["DATABASE_URL"], message)


@click.command("demo-data")
@with_appcontext
def demo_data() -> None:
    """Load the demo accounts and content (safe to run twice; refused in production)."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("Demo data is never loaded in production.")
    from marketplace.demo import load_demo_data
    from marketplace.demo_data import DEMO_PASSWORD

    with Session(engine(), expire_on_commit=False) as session:
        created = load_demo_data(session)
    click.echo(f"Demo data ready ({created} new records). Every demo password is: {DEMO_PASSWORD}")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role if r is not Role.PROVIDER]))
@click.password_option()
def create_user(email: str, name: str, role: str, password: str) -> None:
    """Create an account, for example a professional or commissioner."""
    from marketplace.auth.service import create_user as create
    from marketplace.errors import ServiceError

    with Session(engine(), expire_on_commit=False) as session:
        try:
            user = create(session, email=email, name=name, password=password, role=Role(role))
        except ServiceError as problem:
            raise click.ClickException(problem.message) from None
        session.commit()
    click.echo(f"Created {user.role} account for {user.email}.")


@click.command("reset-two-step")
@with_appcontext
@click.option("--email", required=True)
@click.option("--reason", required=True, help="Why, for the audit log: how you checked who asked.")
def reset_two_step(email: str, reason: str) -> None:
    """Turn off two-step sign-in for someone who lost their phone and their recovery codes.
    Check who they are first (a call back on a number you already hold): staff then set it up
    again when they next sign in."""
    from marketplace.auth import two_step
    from marketplace.auth.service import find_user_by_email

    with Session(engine(), expire_on_commit=False) as session:
        user = find_user_by_email(session, email)
        if user is None or not two_step.is_set_up(session, user):
            raise click.ClickException(f"No account with two-step sign-in has the address {email}.")
        two_step.reset_for(session, user=user, reason=reason)
        session.commit()
    click.echo(f"Two-step sign-in is off for {user.email}; they are signed out everywhere.")


def register_commands(app: Flask) -> None:
    from marketplace.budgets.cli import budgets_cli, ledger_cli
    from marketplace.jobs import jobs_cli
    from marketplace.payments.cli import payments_cli
    from marketplace.providers.cli import vetting_cli

    app.cli.add_command(budgets_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(payments_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(ledger_cli)
    app.cli.add_command(vetting_cli)
    app.cli.add_command(demo_data)
    app.cli.add_command(create_user)
    app.cli.add_command(reset_two_step)
