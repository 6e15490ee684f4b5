"""Proof that the kept balances and month totals equal the sums of the postings, for every
budget (run as `flask ledger check`, in budgets/cli.py).

The postings are the truth; ledger.post() keeps a balance row per (budget, account), a
total per (budget, month, category, kind of account) and, on each transaction, its change to
the money not yet spent and its size, so pages read a handful of rows. This compares them in
five statements, whatever the number of budgets, and names every difference.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from marketplace.ledger import month_totals_from_postings, transaction_figures_from_postings
from marketplace.models import LedgerBalance, LedgerMonthTotal, LedgerTransaction, Posting


@dataclass(frozen=True)
class Difference:
    budget_id: int
    what: str  # the account, or the month, category and kind of account
    kept: int
    summed: int


def _differences(kept: dict[tuple, int], summed: dict[tuple, int], describe) -> list[Difference]:
    return [Difference(key[0], describe(*key[1:]), kept.get(key, 0), summed.get(key, 0))
            for key in sorted(kept.keys() | summed.keys(), key=str)
            if kept.get(key, 0) != summed.get(key, 0)]


def _month_differences(kept: dict[tuple, tuple[int, int]], summed: dict[tuple, tuple[int, int]]) -> list[Difference]:
    """Month totals that differ in their net movement, or in what moved in."""
    def part(totals, index):
        return {key: amounts[index] for key, amounts in totals.items()}

    def describe(month, category_id, kind):
        return f"{kind} in {month:%B %Y}, category {category_id or 'none'}"

    return (_differences(part(kept, 0), part(summed, 0), describe)
            + _differences(part(kept, 1), part(summed, 1), lambda *key: "money moved into " + describe(*key)))


def kept_balance_differences(session: Session) -> list[Difference]:
    """Every kept balance or month total that is not the sum of its postings."""
    summed = {(budget_id, account): int(total) for budget_id, account, total in session.execute(
        select(Posting.budget_id, Posting.account, func.sum(Posting.amount_pence))
        .group_by(Posting.budget_id, Posting.account))}
    kept = {(budget_id, account): balance for budget_id, account, balance in session.execute(
        select(LedgerBalance.budget_id, LedgerBalance.account, LedgerBalance.balance_pence))}
    summed_months = {tuple(row[:4]): (int(row[4]), int(row[5])) for row in session.execute(
        month_totals_from_postings(session.get_bind().dialect.name))}
    kept_months = {tuple(row[:4]): (row[4], row[5]) for row in session.execute(
        select(LedgerMonthTotal.budget_id, LedgerMonthTotal.month, LedgerMonthTotal.category_id,
               LedgerMonthTotal.kind, LedgerMonthTotal.amount_pence, LedgerMonthTotal.moved_in_pence))}
    return (_differences(kept, summed, lambda account: account) + _month_differences(kept_months, summed_months)
            + transaction_figure_differences(session))


def transaction_figure_differences(session: Session) -> list[Difference]:
    """Every transaction whose kept change to the money not yet spent, or size, is not the sum
    of its postings (compared in the database: a busy ledger has millions of transactions)."""
    summed = transaction_figures_from_postings().subquery()
    kept = LedgerTransaction.__table__
    change, moved = func.coalesce(summed.c.unspent_change_pence, 0), func.coalesce(summed.c.moved_pence, 0)
    differences = []
    for budget_id, transaction_id, kept_change, summed_change, kept_moved, summed_moved in session.execute(
            select(kept.c.budget_id, kept.c.id, kept.c.unspent_change_pence, change, kept.c.moved_pence, moved)
            .outerjoin(summed, summed.c.transaction_id == kept.c.id)
            .where((kept.c.unspent_change_pence != change) | (kept.c.moved_pence != moved))
            .order_by(kept.c.id)):
        if kept_change != summed_change:
            differences.append(Difference(budget_id, f"transaction {transaction_id}: change to money not yet spent",
                                          kept_change, int(summed_change)))
        if kept_moved != summed_moved:
            differences.append(Difference(budget_id, f"transaction {transaction_id}: size", kept_moved,
                                          int(summed_moved)))
    return differences


def budgets_with_money(session: Session) -> int:
    return session.execute(select(func.count(func.distinct(Posting.budget_id)))).scalar_one()
