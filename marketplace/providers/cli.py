"""`flask vetting expiring --days 30`: the providers the council should remind."""

import click
from flask.cli import AppGroup
from sqlmodel import Session

from marketplace.dates import today_in_uk
from marketplace.db import engine
from marketplace.providers.catalogue import CHECK_KINDS
from marketplace.providers.council import expiring_checks

vetting_cli = AppGroup("vetting", help="Provider vetting.")


@vetting_cli.command("expiring")
@click.option("--days", default=30, show_default=True, type=click.IntRange(0, 3650),
              help="How many days ahead to look.")
def expiring(days: int) -> None:
    """List required checks that run out within DAYS days, soonest first."""
    with Session(engine()) as session:
        found = expiring_checks(session, today=today_in_uk(), days=days)
    if not found:
        click.echo(f"No required checks run out in the next {days} days.")
        return
    click.echo(f"{len(found)} required check{'' if len(found) == 1 else 's'} run out in the next {days} days:")
    for item in found:
        click.echo(f"{item.expires_on.isoformat()}  {item.provider_name} (provider {item.provider_id}): "
                   f"{CHECK_KINDS.get(item.kind, item.kind)}")
