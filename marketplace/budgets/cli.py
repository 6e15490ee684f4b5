"""`flask budgets post-instalments`: pay in every instalment that has fallen due.
`flask ledger check`: prove the kept balances equal the postings."""

from datetime import date

import click
from flask.cli import AppGroup
from sqlmodel import Session

from marketplace.dates import today_in_uk
from marketplace.db import engine

budgets_cli = AppGroup("budgets", help="Personal budgets.")
ledger_cli = AppGroup("ledger", help="The money ledger.")


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


@ledger_cli.command("check")
def check() -> None:
    """Check that every budget's kept balances equal the sums of its postings."""
    from marketplace.ledger_check import budgets_with_money, kept_balance_differences

    with Session(engine()) as session:
        differences = kept_balance_differences(session)
        budgets = budgets_with_money(session)
    for difference in differences:
        click.echo(f"Budget {difference.budget_id}, {difference.what}: kept {difference.kept}, "
                   f"postings add up to {difference.summed}")
    if differences:
        raise click.ClickException(f"{len(differences)} kept figures differ from their postings.")
    click.echo(f"Kept balances, month totals and transaction figures equal the postings for all {budgets} budgets with money.")
