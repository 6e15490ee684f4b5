"""`flask budgets post-instalments`: pay in every instalment that has fallen due."""

from datetime import date

import click
from flask.cli import AppGroup
from sqlmodel import Session

from marketplace.dates import today_in_uk
from marketplace.db import engine

budgets_cli = AppGroup("budgets", help="Personal budgets.")


@budgets_cli.command("post-instalments")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pay in what is due by this day (YYYY-MM-DD); today if left out.")
def post_instalments(on) -> None:
    """Pay in every budget instalment due by today. Running it twice pays nothing twice."""
    from marketplace.budgets.service import post_due_instalments

    today: date = on.date() if on else today_in_uk()
    with Session(engine(), expire_on_commit=False) as session:
        posted = post_due_instalments(session, today=today)
        session.commit()
    click.echo(f"Paid in {posted} instalment{'' if posted == 1 else 's'} due by {today.day} {today:%B %Y}.")
