"""The council's list of every budget with its figures, sorted and paged."""

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import bindparam, case, func
from sqlmodel import Session, col, select

from marketplace.ledger import FUNDING, Balances
from marketplace.models import Budget, LedgerBalance, Person

BUDGET_LIST_SORTS = ("person", "allocated", "committed", "spent", "available", "start")
BUDGET_LIST_PAGE_SIZE = 50
_FIGURE_NAMES = ("allocated", "committed", "spent", "available")
_BUDGET_FIELDS = (Budget.id, Budget.period_start, Budget.period_end)


@dataclass(frozen=True)
class BudgetListRow:
    """A row of the list: the budget's own fields it shows (not the whole budget: a page
    has 50 rows) and its figures."""

    budget_id: int
    period_start: date
    period_end: date
    person_name: str
    allocated: int
    committed: int
    spent: int
    available: int


@cache
def _figures_by_budget():
    """Each budget's figures from its kept balances (a handful of rows each, not every
    posting). Built once: its conditions cost more to put together than to run."""
    account, amount = LedgerBalance.account, LedgerBalance.balance_pence
    return (
        select(
            LedgerBalance.budget_id.label("budget_id"),
            func.sum(case((account == FUNDING, -amount), else_=0)).label("allocated"),
            func.sum(case((Balances.where("committed", account), amount), else_=0)).label("committed"),
            func.sum(case((Balances.where("spent", account), amount), else_=0)).label("spent"),
            func.sum(case((Balances.where("available", account), amount), else_=0)).label("available"),
        )
        .group_by(LedgerBalance.budget_id)
    )


@cache
def _figures_of_budgets():
    """_figures_by_budget for the budgets in the `budget_ids` parameter only."""
    return _figures_by_budget().where(col(LedgerBalance.budget_id).in_(bindparam("budget_ids", expanding=True)))


def budget_list(session: Session, *, sort: str = "person", descending: bool = False,
                page: int = 1) -> tuple[list[BudgetListRow], int]:
    """One page of budgets in the order asked for, and how many budgets there are in all.

    Sorting by person or start date pages the budgets first and reads only that page's
    balances; sorting by a figure reads every budget's kept balances to know the order."""
    total = session.exec(select(func.count()).select_from(Budget)).one()
    offset = (page - 1) * BUDGET_LIST_PAGE_SIZE
    if sort in ("person", "start"):
        order = Budget.period_start if sort == "start" else Person.name
        budgets = session.exec(
            select(*_BUDGET_FIELDS, Person.name)
            .join(Person, Person.id == Budget.person_id)
            .order_by(col(order).desc() if descending else order, Budget.id)
            .limit(BUDGET_LIST_PAGE_SIZE).offset(offset)
        ).all()
        sums = {row[0]: row[1:] for row in session.exec(
            _figures_of_budgets(), params={"budget_ids": [fields[0] for fields in budgets]})} if budgets else {}
        return [BudgetListRow(*fields, *(int(v) for v in sums.get(fields[0], (0, 0, 0, 0))))
                for fields in budgets], total
    sums = _figures_by_budget().subquery()
    figures = {name: func.coalesce(sums.c[name], 0) for name in _FIGURE_NAMES}
    order = figures.get(sort, figures["available"])
    rows = session.exec(
        select(*_BUDGET_FIELDS, Person.name, *figures.values())
        .join(Person, Person.id == Budget.person_id)
        .outerjoin(sums, sums.c.budget_id == Budget.id)
        .order_by(order.desc() if descending else order, Budget.id)
        .limit(BUDGET_LIST_PAGE_SIZE).offset(offset)
    ).all()
    return [BudgetListRow(*row[:4], *(int(v) for v in row[4:])) for row in rows], total
