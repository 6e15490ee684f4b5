"""What the budget overview shows besides the five figures: which budget is current, the
figures per category and spending by month. Read from the month totals the ledger keeps
(a few rows per month), or summed from the postings between two dates."""

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import Date, Integer, bindparam, case, func
from sqlmodel import Session, select

from marketplace.dates import add_months
from marketplace.ledger import Balances
from marketplace.models import Budget, BudgetCategory, LedgerMonthTotal, LedgerTransaction, Posting

NOT_IN_A_CATEGORY = "Not in a category"
# Spent means approved invoices, paid or not: the kinds of account Balances counts as "spent".
SPENT_KINDS = ("payable", "paid")


def _current_budget_id():
    """The budget running on the `today` parameter for the person in `person_id`; else the
    latest that has started; else the next one (its id, for the statements below)."""
    today = bindparam("today", type_=Date)
    started = Budget.period_start <= today
    return (
        select(Budget.id).where(Budget.person_id == bindparam("person_id", type_=Integer))
        .order_by(case((started, 0), else_=1), case((started, Budget.period_start)).desc(),
                  Budget.period_start, Budget.id)
        .limit(1).scalar_subquery()
    )


@cache
def _current_budget_statement():
    return select(Budget).where(Budget.id == _current_budget_id())


def current_budget(session: Session, person_id: int, today: date) -> Budget | None:
    """The budget running today; else the latest that has started; else the next one."""
    return session.exec(_current_budget_statement(), params={"person_id": person_id, "today": today}).first()


class OverviewBudget(NamedTuple):
    """The budget's own fields the overview reads, a plain row as the page only reads (the
    forecast and the instalments read these fields of a Budget too)."""

    id: int
    period_start: date
    period_end: date
    allocation_pence: int
    funding_source: str
    schedule: str


class CategoryPlan(NamedTuple):
    id: int
    name: str
    allocation_pence: int


@cache
def _budget_and_categories_statement():
    """current_budget's budget with its categories (one row each, or one row with no
    category): built once, with the person and the day as parameters."""
    return (
        select(Budget.id, Budget.period_start, Budget.period_end, Budget.allocation_pence,
               Budget.funding_source, Budget.schedule,
               BudgetCategory.id, BudgetCategory.name, BudgetCategory.allocation_pence)
        .outerjoin(BudgetCategory, BudgetCategory.budget_id == Budget.id)
        .where(Budget.id == _current_budget_id())
        .order_by(BudgetCategory.id)
    )


def current_budget_and_categories(session: Session, person_id: int,
                                  today: date) -> tuple[OverviewBudget | None, list[CategoryPlan]]:
    """The budget current_budget chooses and its categories, in one statement."""
    rows = session.execute(_budget_and_categories_statement(), {"person_id": person_id, "today": today}).all()
    if not rows:
        return None, []
    return OverviewBudget(*rows[0][:6]), [CategoryPlan(*row[6:]) for row in rows if row[6] is not None]


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


def committed_and_spent_by_category(session: Session, budget_id: int, *, from_date: date | None = None,
                                    to_date: date | None = None) -> dict[int | None, tuple[int, int]]:
    """Set aside and spent in each category between two dates (inclusive), from the postings."""
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


@cache
def _committed_and_spent_by_category_and_month_statement():
    """committed_and_spent_by_category's figures, a row per category and month, so the
    overview's two tables come from one statement. Built once."""
    kind, amount = LedgerMonthTotal.kind, LedgerMonthTotal.amount_pence
    return (
        select(LedgerMonthTotal.category_id, LedgerMonthTotal.month,
               func.sum(case((kind == "committed", amount), else_=0)),
               func.sum(case((kind.in_(SPENT_KINDS), amount), else_=0)))
        .where(LedgerMonthTotal.budget_id == bindparam("budget_id", type_=Integer),
               kind.in_(("committed", *SPENT_KINDS)))
        .group_by(LedgerMonthTotal.category_id, LedgerMonthTotal.month)
    )


@dataclass(frozen=True)
class OverviewFigures:
    category_rows: list[CategoryFigures]  # plus "Not in a category" when money moved without one
    months: list[MonthSpend]  # money spent (invoices approved) in each month of the budget period


def category_and_month_figures(session: Session, budget: Budget | OverviewBudget,
                               categories: list[CategoryPlan]) -> OverviewFigures:
    """The overview's two tables from the month totals the ledger keeps, read once."""
    by_category: dict[int | None, tuple[int, int]] = {}
    spent_in: dict[date, int] = {}
    for category_id, month, committed, spent in session.execute(
            _committed_and_spent_by_category_and_month_statement(), {"budget_id": budget.id}):
        so_far = by_category.get(category_id, (0, 0))
        by_category[category_id] = (so_far[0] + int(committed), so_far[1] + int(spent))
        spent_in[month] = spent_in.get(month, 0) + int(spent)
    rows = [CategoryFigures(c.id, c.name, c.allocation_pence, *by_category.get(c.id, (0, 0))) for c in categories]
    uncategorised = by_category.get(None, (0, 0))
    if any(uncategorised):
        rows.append(CategoryFigures(None, NOT_IN_A_CATEGORY, 0, *uncategorised))
    return OverviewFigures(rows, [MonthSpend(m, spent_in.get(m, 0))
                                  for m in _months(budget.period_start, budget.period_end)])
