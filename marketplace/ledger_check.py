"""`flask ledger check`: prove the kept balances equal the sums of the postings, for every budget.

The postings are the truth; ledger.post() keeps a balance row per (budget, account) beside
them so pages read a handful of rows. This compares the two in two statements, whatever the
number of budgets, and names every difference.
"""

from dataclasses import dataclass

import click
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlmodel import Session

from marketplace.db import engine
from marketplace.models import LedgerBalance, Posting

ledger_cli = AppGroup("ledger", help="The money ledger.")


@dataclass(frozen=True)
class Difference:
    budget_id: int
    account: str
    kept: int
    summed: int


def kept_balance_differences(session: Session) -> list[Difference]:
    """Every (budget, account) whose kept balance is not the sum of its postings."""
    summed = {(budget_id, account): int(total) for budget_id, account, total in session.execute(
        select(Posting.budget_id, Posting.account, func.sum(Posting.amount_pence))
        .group_by(Posting.budget_id, Posting.account))}
    kept = {(budget_id, account): balance for budget_id, account, balance in session.execute(
        select(LedgerBalance.budget_id, LedgerBalance.account, LedgerBalance.balance_pence))}
    return [Difference(budget_id, account, kept.get((budget_id, account), 0), summed.get((budget_id, account), 0))
            for budget_id, account in sorted(summed.keys() | kept.keys())
            if kept.get((budget_id, account), 0) != summed.get((budget_id, account), 0)]


@ledger_cli.command("check")
def check() -> None:
    """Check that every budget's kept balances equal the sums of its postings."""
    with Session(engine()) as session:
        differences = kept_balance_differences(session)
        budgets = session.execute(select(func.count(func.distinct(Posting.budget_id)))).scalar_one()
    for difference in differences:
        click.echo(f"Budget {difference.budget_id}, {difference.account}: kept {difference.kept}, "
                   f"postings add up to {difference.summed}")
    if differences:
        raise click.ClickException(f"{len(differences)} kept balances differ from their postings.")
    click.echo(f"Kept balances equal the postings for all {budgets} budgets with money.")
