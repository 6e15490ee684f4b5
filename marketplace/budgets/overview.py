"""What the budget overview shows besides the five figures: which budget is current, the
figures per category and spending by month. Read from the month totals the ledger keeps
(a few rows per month), or summed from the postings between two dates."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from marketplace.dates import add_months
from marketplace.ledger import Balances
from marketplace.models import Budget, BudgetCategory, LedgerMonthTotal, LedgerTransaction, Posting

NOT_IN_A_CATEGORY = "Not in a category"
# Spent means approved invoices, paid or not: the kinds of account Balances counts as "spent".
SPENT_KINDS = ("payable", "paid")


def current_budget(session: Session, person_id: int, today: date) -> Budget | None:
    """The budget running today; else the latest that has started; else the next one."""
    started = session.exec(
        select(Budget).where(Budget.person_id == person_id, Budget.period_start <= today)
        .order_by(col(Budget.period_start).desc())
    ).first()
    if started is not None:
        return started
    return session.exec(
        select(Budget).where(Budget.person_id == person_id).order_by(Budget.period_start)
    ).first()


@dataclass(frozen=True)
class CategoryFigures:
    category_id: int | None
    name: str
    allocated: int  # the split the commissioner agreed
    committed: int
    spent: int

    @property
    def left(self) -> int:
        return self.allocated - self.committed - self.spent


def committed_and_spent_by_category(session: Session, budget_id: int, *,
                                    from_date: date | None = None,
                                    to_date: date | None = None) -> dict[int | None, tuple[int, int]]:
    if from_date is None and to_date is None:
        kind = LedgerMonthTotal.kind
        return {category_id: (int(committed), int(spent)) for category_id, committed, spent in session.exec(
            select(
                LedgerMonthTotal.category_id,
                func.sum(case((kind == "committed", LedgerMonthTotal.amount_pence), else_=0)),
                func.sum(case((kind.in_(SPENT_KINDS), LedgerMonthTotal.amount_pence), else_=0)),
            )
            .where(LedgerMonthTotal.budget_id == budget_id, kind.in_(("committed", *SPENT_KINDS)))
            .group_by(LedgerMonthTotal.category_id))}
    query = (
        select(
            LedgerTransaction.category_id,
            func.sum(case((Balances.where("committed", Posting.account), Posting.amount_pence), else_=0)),
            func.sum(case((Balances.where("spent", Posting.account), Posting.amount_pence), else_=0)),
        )
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .where(Posting.budget_id == budget_id)
        .group_by(LedgerTransaction.category_id)
    )
    if from_date is not None:
        query = query.where(LedgerTransaction.effective_on >= from_date)
    if to_date is not None:
        query = query.where(LedgerTransaction.effective_on <= to_date)
    return {category_id: (int(committed), int(spent)) for category_id, committed, spent in session.exec(query)}


def categories(session: Session, budget: Budget) -> list[BudgetCategory]:
    return list(session.exec(
        select(BudgetCategory).where(BudgetCategory.budget_id == budget.id).order_by(BudgetCategory.id)
    ).all())


def category_figures(session: Session, budget: Budget) -> list[CategoryFigures]:
    """One row per category (plus 'Not in a category' when money moved without one)."""
    sums = committed_and_spent_by_category(session, budget.id)
    rows = [
        CategoryFigures(c.id, c.name, c.allocation_pence, *sums.get(c.id, (0, 0)))
        for c in categories(session, budget)
    ]
    uncategorised = sums.get(None, (0, 0))
    if any(uncategorised):
        rows.append(CategoryFigures(None, NOT_IN_A_CATEGORY, 0, *uncategorised))
    return rows


@dataclass(frozen=True)
class MonthSpend:
    month: date  # the first day of the month
    spent: int


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def spending_by_month(session: Session, budget: Budget) -> list[MonthSpend]:
    """Money spent (invoices approved) in each month of the budget period."""
    spent = {month: int(total) for month, total in session.exec(
        select(LedgerMonthTotal.month, func.sum(LedgerMonthTotal.amount_pence))
        .where(LedgerMonthTotal.budget_id == budget.id, LedgerMonthTotal.kind.in_(SPENT_KINDS))
        .group_by(LedgerMonthTotal.month))}
    return [MonthSpend(m, spent.get(m, 0)) for m in _months(budget.period_start, budget.period_end)]
