"""The council's list of every budget with its figures, sorted and paged."""

from dataclasses import dataclass

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from marketplace.ledger import FUNDING, Balances
from marketplace.models import Budget, LedgerBalance, Person

BUDGET_LIST_SORTS = ("person", "allocated", "committed", "spent", "available", "start")
BUDGET_LIST_PAGE_SIZE = 50
_FIGURE_NAMES = ("allocated", "committed", "spent", "available")


@dataclass(frozen=True)
class BudgetListRow:
    budget: Budget
    person_name: str
    allocated: int
    committed: int
    spent: int
    available: int


def _figures_by_budget(budget_ids: list[int] | None = None):
    """Each budget's figures from its kept balances (a handful of rows each, not every
    posting); only the given budgets when asked."""
    account, amount = LedgerBalance.account, LedgerBalance.balance_pence
    query = (
        select(
            LedgerBalance.budget_id.label("budget_id"),
            func.sum(case((account == FUNDING, -amount), else_=0)).label("allocated"),
            func.sum(case((Balances.where("committed", account), amount), else_=0)).label("committed"),
            func.sum(case((Balances.where("spent", account), amount), else_=0)).label("spent"),
            func.sum(case((Balances.where("available", account), amount), else_=0)).label("available"),
        )
        .group_by(LedgerBalance.budget_id)
    )
    if budget_ids is not None:
        query = query.where(col(LedgerBalance.budget_id).in_(budget_ids))
    return query


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
            select(Budget, Person.name)
            .join(Person, Person.id == Budget.person_id)
            .order_by(col(order).desc() if descending else order, Budget.id)
            .limit(BUDGET_LIST_PAGE_SIZE).offset(offset)
        ).all()
        sums = {row[0]: row[1:] for row in session.exec(
            _figures_by_budget([budget.id for budget, _name in budgets]))} if budgets else {}
        return [BudgetListRow(budget, name, *(int(v) for v in sums.get(budget.id, (0, 0, 0, 0))))
                for budget, name in budgets], total
    sums = _figures_by_budget().subquery()
    figures = {name: func.coalesce(sums.c[name], 0) for name in _FIGURE_NAMES}
    order = figures.get(sort, figures["available"])
    rows = session.exec(
        select(Budget, Person.name, *figures.values())
        .join(Person, Person.id == Budget.person_id)
        .outerjoin(sums, sums.c.budget_id == Budget.id)
        .order_by(order.desc() if descending else order, Budget.id)
        .limit(BUDGET_LIST_PAGE_SIZE).offset(offset)
    ).all()
    return [BudgetListRow(budget, name, int(a), int(c), int(s), int(v)) for budget, name, a, c, s, v in rows], total
