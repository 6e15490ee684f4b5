"""The quarterly return: what the council asks for every three months of a budget."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from marketplace import ledger
from marketplace.budgets.overview import (
    NOT_IN_A_CATEGORY,
    categories,
    committed_and_spent_by_category,
)
from marketplace.dates import add_months
from marketplace.models import Budget


@dataclass(frozen=True)
class QuarterlyReturn:
    number: int
    start: date
    end: date
    allocated: int
    contributions: int
    spent: int
    spent_by_category: list[tuple[str, int]]
    unspent_at_end: int


def quarters(budget: Budget) -> list[tuple[date, date]]:
    periods, start = [], budget.period_start
    while start <= budget.period_end:
        next_start = add_months(start, 3)
        periods.append((start, min(next_start - timedelta(days=1), budget.period_end)))
        start = next_start
    return periods


def quarterly_return(session: Session, budget: Budget, number: int) -> QuarterlyReturn:
    start, end = quarters(budget)[number - 1]
    movement = ledger.balances(session, budget.id, from_date=start, to_date=end)
    names = {c.id: c.name for c in categories(session, budget)}
    by_category = committed_and_spent_by_category(session, budget.id, from_date=start, to_date=end)
    spent_by_category = [(names.get(category_id, NOT_IN_A_CATEGORY), spent)
                         for category_id, (_committed, spent) in sorted(
                             by_category.items(), key=lambda item: names.get(item[0], "~"))
                         if spent]
    return QuarterlyReturn(
        number=number, start=start, end=end, allocated=movement.allocated,
        contributions=movement.contributions, spent=movement.spent,
        spent_by_category=spent_by_category,
        unspent_at_end=ledger.balances(session, budget.id, to_date=end).unspent,
    )
