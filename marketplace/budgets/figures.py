"""What people read about a budget: the figures, the chart, the forecast, the statement and
the quarterly return. Everything is summed in SQL from the ledger's postings."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, extract, func, or_
from sqlmodel import Session, col, select

from marketplace import ledger
from marketplace.budgets.service import instalments
from marketplace.ledger import AVAILABLE, COMMITTED_PREFIX, PAID, PAYABLE_PREFIX, Balances
from marketplace.models import (
    Budget,
    BudgetCategory,
    LedgerTransaction,
    Person,
    Posting,
    Provider,
    User,
)

STATEMENT_PAGE_SIZE = 25
RUN_RATE_WEEKS = 12  # spending is averaged over this many recent weeks for the forecast
CLAWBACK_WEEKS = 8  # councils usually ask for a surplus over 8 weeks of spending back


def _is_committed():
    return col(Posting.account).startswith(COMMITTED_PREFIX)


def _is_spent():
    return or_(col(Posting.account).startswith(PAYABLE_PREFIX), Posting.account == PAID)


def _is_unspent():
    return or_(Posting.account == AVAILABLE, _is_committed())


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


# --- per category and per month ------------------------------------------------------------


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


def _committed_and_spent_by_category(session: Session, budget_id: int, *,
                                     from_date: date | None = None,
                                     to_date: date | None = None) -> dict[int | None, tuple[int, int]]:
    query = (
        select(
            LedgerTransaction.category_id,
            func.sum(case((_is_committed(), Posting.amount_pence), else_=0)),
            func.sum(case((_is_spent(), Posting.amount_pence), else_=0)),
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
    sums = _committed_and_spent_by_category(session, budget.id)
    rows = [
        CategoryFigures(c.id, c.name, c.allocation_pence, *sums.get(c.id, (0, 0)))
        for c in categories(session, budget)
    ]
    uncategorised = sums.get(None, (0, 0))
    if any(uncategorised):
        rows.append(CategoryFigures(None, "Not in a category", 0, *uncategorised))
    return rows


@dataclass(frozen=True)
class MonthSpend:
    month: date  # the first day of the month
    spent: int


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = _add_months(month, 1)
    return months


def _add_months(day: date, months: int) -> date:
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def spending_by_month(session: Session, budget: Budget) -> list[MonthSpend]:
    """Money spent (invoices approved) in each month of the budget period."""
    year = extract("year", LedgerTransaction.effective_on)
    month = extract("month", LedgerTransaction.effective_on)
    rows = session.exec(
        select(year, month, func.sum(Posting.amount_pence))
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .where(Posting.budget_id == budget.id, _is_spent())
        .group_by(year, month)
    ).all()
    spent = {date(int(y), int(m), 1): int(total) for y, m, total in rows}
    return [MonthSpend(m, spent.get(m, 0)) for m in _months(budget.period_start, budget.period_end)]


# --- forecast ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    weekly_spend: int
    left_at_end: int  # negative when the money runs out first
    runs_out_on: date | None
    period_end: date

    @property
    def surplus_over_clawback_threshold(self) -> bool:
        return self.weekly_spend > 0 and self.left_at_end > CLAWBACK_WEEKS * self.weekly_spend

    @property
    def about_left_at_end(self) -> int:
        """Rounded to the nearest £10: a forecast is not exact to the penny."""
        return round(self.left_at_end / 1000) * 1000

    @property
    def clawback_threshold(self) -> int:
        return CLAWBACK_WEEKS * self.weekly_spend


def forecast(session: Session, budget: Budget, *, today: date,
             weekly_spend_pence: int | None = None) -> Forecast:
    """Whether the money lasts to the end of the period at the current rate of spending.

    The rate is the average weekly spending over the last 12 weeks (or since the budget
    started), unless the caller knows it better (for example from agreed care packages).
    """
    figures = ledger.balances(session, budget.id)
    if weekly_spend_pence is None:
        since = max(budget.period_start, today - timedelta(weeks=RUN_RATE_WEEKS) + timedelta(days=1))
        weeks = max(1.0, ((today - since).days + 1) / 7)  # since and today both count
        recent = ledger.balances(session, budget.id, from_date=since, to_date=today).spent
        weekly_spend_pence = round(recent / weeks)
    to_come = _instalments_still_to_come(session, budget, today)

    money = figures.unspent
    runs_out_on = None
    week_start = today
    while week_start <= budget.period_end:
        week_end = min(week_start + timedelta(days=6), budget.period_end)
        money += sum(amount for due_on, amount in to_come if week_start <= due_on <= week_end)
        money -= round(weekly_spend_pence * ((week_end - week_start).days + 1) / 7)
        if money < 0 and runs_out_on is None:
            runs_out_on = week_end
        week_start = week_end + timedelta(days=1)
    money += sum(amount for due_on, amount in to_come if due_on >= week_start)
    return Forecast(weekly_spend_pence, money, runs_out_on, budget.period_end)


def _instalments_still_to_come(session: Session, budget: Budget, today: date) -> list[tuple[date, int]]:
    planned = instalments(budget)
    posted = set(session.exec(
        select(LedgerTransaction.idempotency_key).where(
            col(LedgerTransaction.idempotency_key).in_([i.idempotency_key(budget.id) for i in planned]))
    ).all())
    return [(max(i.due_on, today), i.amount_pence) for i in planned
            if i.idempotency_key(budget.id) not in posted]


# --- statement ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementFilters:
    from_date: date | None = None
    to_date: date | None = None
    category_id: int | None = None
    provider_id: int | None = None


@dataclass(frozen=True)
class StatementRow:
    transaction_id: int
    effective_on: date
    kind: str
    memo: str
    reason: str | None
    by: str | None
    on_behalf_of: str | None
    category: str | None
    provider: str | None
    change: int  # to the money not yet spent: positive in, negative out
    moved: int  # the size of the transaction, for rows that only move money inside the budget
    balance: int  # money not yet spent, after this row

    @property
    def what(self) -> str:
        return ledger.KINDS[self.kind]

    @property
    def money_in(self) -> int:
        return max(self.change, 0)

    @property
    def money_out(self) -> int:
        return max(-self.change, 0)


def _statement_query(budget_id: int, filters: StatementFilters):
    per_transaction = (
        select(
            Posting.transaction_id.label("transaction_id"),
            func.sum(case((_is_unspent(), Posting.amount_pence), else_=0)).label("change"),
            func.sum(case((Posting.amount_pence > 0, Posting.amount_pence), else_=0)).label("moved"),
        )
        .where(Posting.budget_id == budget_id)
        .group_by(Posting.transaction_id)
        .subquery()
    )
    # The running balance covers every row, so a filtered statement still shows true balances.
    with_balance = (
        select(
            LedgerTransaction.id.label("id"),
            per_transaction.c.change,
            per_transaction.c.moved,
            func.sum(per_transaction.c.change).over(
                order_by=(LedgerTransaction.effective_on, LedgerTransaction.id)).label("balance"),
        )
        .join(per_transaction, per_transaction.c.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.budget_id == budget_id)
        .subquery()
    )
    on_behalf_of = Person.__table__.alias("on_behalf_of")
    query = (
        select(
            LedgerTransaction.id, LedgerTransaction.effective_on, LedgerTransaction.kind,
            LedgerTransaction.memo, LedgerTransaction.reason, User.name, on_behalf_of.c.name,
            BudgetCategory.name, Provider.name,
            with_balance.c.change, with_balance.c.moved, with_balance.c.balance,
        )
        .join(with_balance, with_balance.c.id == LedgerTransaction.id)
        .outerjoin(User, User.id == LedgerTransaction.actor_id)
        .outerjoin(on_behalf_of, on_behalf_of.c.id == LedgerTransaction.on_behalf_of_id)
        .outerjoin(BudgetCategory, BudgetCategory.id == LedgerTransaction.category_id)
        .outerjoin(Provider, Provider.id == LedgerTransaction.provider_id)
    )
    if filters.from_date is not None:
        query = query.where(LedgerTransaction.effective_on >= filters.from_date)
    if filters.to_date is not None:
        query = query.where(LedgerTransaction.effective_on <= filters.to_date)
    if filters.category_id is not None:
        query = query.where(LedgerTransaction.category_id == filters.category_id)
    if filters.provider_id is not None:
        query = query.where(LedgerTransaction.provider_id == filters.provider_id)
    return query


def statement(session: Session, budget_id: int, filters: StatementFilters = StatementFilters(), *,
              page: int | None = None) -> tuple[list[StatementRow], int]:
    """Rows newest first (one page of them, or all when page is None) and how many match."""
    query = _statement_query(budget_id, filters)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    query = query.order_by(col(LedgerTransaction.effective_on).desc(), col(LedgerTransaction.id).desc())
    if page is not None:
        query = query.limit(STATEMENT_PAGE_SIZE).offset((page - 1) * STATEMENT_PAGE_SIZE)
    rows = [
        StatementRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                     int(row[9]), int(row[10]), int(row[11]))
        for row in session.exec(query).all()
    ]
    return rows, total


def statement_providers(session: Session, budget_id: int) -> list[Provider]:
    """The providers that appear in this budget's statement, for the filter."""
    return list(session.exec(
        select(Provider).where(col(Provider.id).in_(
            select(LedgerTransaction.provider_id).where(LedgerTransaction.budget_id == budget_id)
        )).order_by(Provider.name)
    ).all())


# --- quarterly return -------------------------------------------------------------------------


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
        next_start = _add_months(start, 3)
        periods.append((start, min(next_start - timedelta(days=1), budget.period_end)))
        start = next_start
    return periods


def quarterly_return(session: Session, budget: Budget, number: int) -> QuarterlyReturn:
    start, end = quarters(budget)[number - 1]
    movement: Balances = ledger.balances(session, budget.id, from_date=start, to_date=end)
    names = {c.id: c.name for c in categories(session, budget)}
    by_category = _committed_and_spent_by_category(session, budget.id, from_date=start, to_date=end)
    spent_by_category = [(names.get(category_id, "Not in a category"), spent)
                         for category_id, (_committed, spent) in sorted(
                             by_category.items(), key=lambda item: names.get(item[0], "~"))
                         if spent]
    return QuarterlyReturn(
        number=number, start=start, end=end, allocated=movement.allocated,
        contributions=movement.contributions, spent=movement.spent,
        spent_by_category=spent_by_category,
        unspent_at_end=ledger.balances(session, budget.id, to_date=end).unspent,
    )


# --- the commissioner's list ------------------------------------------------------------------

BUDGET_LIST_SORTS = ("person", "allocated", "committed", "spent", "available", "start")


@dataclass(frozen=True)
class BudgetListRow:
    budget: Budget
    person_name: str
    allocated: int
    committed: int
    spent: int
    available: int


def budget_list(session: Session, *, sort: str = "person", descending: bool = False) -> list[BudgetListRow]:
    sums = (
        select(
            Posting.budget_id.label("budget_id"),
            func.sum(case((Posting.account == ledger.FUNDING, -Posting.amount_pence), else_=0)).label("allocated"),
            func.sum(case((_is_committed(), Posting.amount_pence), else_=0)).label("committed"),
            func.sum(case((_is_spent(), Posting.amount_pence), else_=0)).label("spent"),
            func.sum(case((Posting.account == AVAILABLE, Posting.amount_pence), else_=0)).label("available"),
        )
        .group_by(Posting.budget_id)
        .subquery()
    )
    figures = {name: func.coalesce(sums.c[name], 0) for name in ("allocated", "committed", "spent", "available")}
    order = {"person": Person.name, "start": Budget.period_start, **figures}.get(sort, Person.name)
    rows = session.exec(
        select(Budget, Person.name, *figures.values())
        .join(Person, Person.id == Budget.person_id)
        .outerjoin(sums, sums.c.budget_id == Budget.id)
        .order_by(order.desc() if descending else order, Budget.id)
    ).all()
    return [BudgetListRow(budget, name, int(a), int(c), int(s), int(v)) for budget, name, a, c, s, v in rows]
