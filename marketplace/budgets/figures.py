"""What people read about a budget: the figures, the chart, the forecast, the statement and
the quarterly return. Everything is summed in SQL from the ledger's postings."""

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, extract, func, not_, or_
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
             weekly_spend_pence: int | None = None, current: Balances | None = None) -> Forecast:
    """Whether the money lasts to the end of the period at the current rate of spending.

    The rate is the average weekly spending over the last 12 weeks (or since the budget
    started), unless the caller knows it better (for example from agreed care packages).
    `current` saves a query when the caller has just read the budget's balances.
    """
    figures = current if current is not None else ledger.balances(session, budget.id)
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


def _change_and_moved():
    """Per transaction: the change to the money not yet spent, and the size of the move."""
    return (
        func.sum(case((_is_unspent(), Posting.amount_pence), else_=0)).label("change"),
        func.sum(case((Posting.amount_pence > 0, Posting.amount_pence), else_=0)).label("moved"),
    )


def _newest_first():
    return col(LedgerTransaction.effective_on).desc(), col(LedgerTransaction.id).desc()


def _filtered(query, filters: StatementFilters):
    if filters.from_date is not None:
        query = query.where(LedgerTransaction.effective_on >= filters.from_date)
    if filters.to_date is not None:
        query = query.where(LedgerTransaction.effective_on <= filters.to_date)
    if filters.category_id is not None:
        query = query.where(LedgerTransaction.category_id == filters.category_id)
    if filters.provider_id is not None:
        query = query.where(LedgerTransaction.provider_id == filters.provider_id)
    return query


def _at_or_before(effective_on: date, transaction_id: int):
    """Transactions no newer than the given one, in statement order (date, then id)."""
    return and_(LedgerTransaction.effective_on <= effective_on,
                or_(LedgerTransaction.effective_on < effective_on, LedgerTransaction.id <= transaction_id))


def _at_or_after(effective_on: date, transaction_id: int):
    return and_(LedgerTransaction.effective_on >= effective_on,
                or_(LedgerTransaction.effective_on > effective_on, LedgerTransaction.id >= transaction_id))


def _unspent_change(budget_id: int, *where):
    return (
        select(func.coalesce(func.sum(Posting.amount_pence), 0))
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .where(Posting.budget_id == budget_id, LedgerTransaction.budget_id == budget_id, _is_unspent(), *where)
        .scalar_subquery()
    )


def _balance_after(budget_id: int, effective_on: date, transaction_id: int, *, from_the_top: bool):
    """Money not yet spent just after the given transaction, summing only the postings on its
    shorter side: everything minus what came after it, or what came up to it."""
    if from_the_top:
        everything = (
            select(func.coalesce(func.sum(Posting.amount_pence), 0))
            .where(Posting.budget_id == budget_id, _is_unspent())
            .scalar_subquery()
        )
        return everything - _unspent_change(budget_id, not_(_at_or_before(effective_on, transaction_id)))
    return _unspent_change(budget_id, _at_or_before(effective_on, transaction_id))


def statement(session: Session, budget_id: int, filters: StatementFilters = StatementFilters(), *,
              page: int = 1) -> tuple[list[StatementRow], int]:
    """One page of rows, newest first, and how many rows match.

    The balance on each row is the true balance after it, even when filters hide other rows:
    it is summed once for the page's newest row and then worked back through every
    transaction (shown or not) between the page's newest and oldest rows."""
    total = session.exec(_filtered(
        select(func.count()).select_from(LedgerTransaction).where(LedgerTransaction.budget_id == budget_id),
        filters)).one()
    offset = (page - 1) * STATEMENT_PAGE_SIZE
    page_ids = (_filtered(select(LedgerTransaction.id).where(LedgerTransaction.budget_id == budget_id), filters)
                .order_by(*_newest_first()).limit(STATEMENT_PAGE_SIZE).offset(offset))
    shown = session.exec(_statement_rows(budget_id, _page_sums(budget_id, page_ids.scalar_subquery()))
                         .order_by(*_newest_first())).all()
    if not shown:
        return [], total
    newest, oldest = shown[0], shown[-1]
    balance_after_newest = _balance_after(budget_id, newest.effective_on, newest.id,
                                          from_the_top=offset * 2 <= total)
    changes = session.exec(
        select(LedgerTransaction.id, _change_and_moved()[0], balance_after_newest)
        .join(Posting, Posting.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.budget_id == budget_id,
               _at_or_before(newest.effective_on, newest.id),
               _at_or_after(oldest.effective_on, oldest.id))
        .group_by(LedgerTransaction.id, LedgerTransaction.effective_on)
        .order_by(*_newest_first())
    ).all()
    balances = {}
    balance = int(changes[0][2]) if changes else 0
    for transaction_id, change, _balance_after_newest in changes:
        balances[transaction_id] = balance
        balance -= int(change)
    return [_statement_row(row, balances[row.id]) for row in shown], total


def statement_rows(session: Session, budget_id: int, filters: StatementFilters = StatementFilters(),
                   *, chunk_size: int = 1000) -> Iterator[StatementRow]:
    """Every row of the statement, newest first, fetched from the database a chunk at a time.
    One query: the running balance is a window over the whole budget, which is what this needs."""
    change, moved = _change_and_moved()
    per_transaction = (
        select(Posting.transaction_id.label("transaction_id"), change, moved)
        .where(Posting.budget_id == budget_id)
        .group_by(Posting.transaction_id)
        .subquery()
    )
    with_balance = (
        select(
            per_transaction,
            func.sum(per_transaction.c.change).over(
                order_by=(LedgerTransaction.effective_on, LedgerTransaction.id)).label("balance"),
        )
        .join(LedgerTransaction, LedgerTransaction.id == per_transaction.c.transaction_id)
        .where(LedgerTransaction.budget_id == budget_id)
        .subquery()
    )
    query = (
        _filtered(_statement_rows(budget_id, with_balance).add_columns(with_balance.c.balance), filters)
        .order_by(*_newest_first())
        .execution_options(yield_per=chunk_size)
    )
    for row in session.exec(query):
        yield _statement_row(row, int(row.balance))


def _page_sums(budget_id: int, transaction_ids):
    """change and moved for the given transactions only."""
    return (
        select(Posting.transaction_id.label("transaction_id"), *_change_and_moved())
        .where(Posting.budget_id == budget_id, col(Posting.transaction_id).in_(transaction_ids))
        .group_by(Posting.transaction_id)
        .subquery()
    )


def _statement_rows(budget_id: int, sums):
    """A statement's rows without their balances: transactions with names, joined to `sums`
    (a subquery of transaction_id, change and moved) so only the rows it has are listed."""
    on_behalf_of = Person.__table__.alias("on_behalf_of")
    return (
        select(
            LedgerTransaction.id, LedgerTransaction.effective_on, LedgerTransaction.kind,
            LedgerTransaction.memo, LedgerTransaction.reason, User.name.label("by"),
            on_behalf_of.c.name.label("on_behalf_of"), BudgetCategory.name.label("category"),
            Provider.name.label("provider"), sums.c.change, sums.c.moved,
        )
        .join(sums, sums.c.transaction_id == LedgerTransaction.id)
        .outerjoin(User, User.id == LedgerTransaction.actor_id)
        .outerjoin(on_behalf_of, on_behalf_of.c.id == LedgerTransaction.on_behalf_of_id)
        .outerjoin(BudgetCategory, BudgetCategory.id == LedgerTransaction.category_id)
        .outerjoin(Provider, Provider.id == LedgerTransaction.provider_id)
        .where(LedgerTransaction.budget_id == budget_id)
    )


def _statement_row(row, balance: int) -> StatementRow:
    return StatementRow(row.id, row.effective_on, row.kind, row.memo, row.reason, row.by, row.on_behalf_of,
                        row.category, row.provider, int(row.change or 0), int(row.moved or 0), balance)


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
    """Each budget's figures summed from its postings; only the given budgets when asked."""
    query = (
        select(
            Posting.budget_id.label("budget_id"),
            func.sum(case((Posting.account == ledger.FUNDING, -Posting.amount_pence), else_=0)).label("allocated"),
            func.sum(case((_is_committed(), Posting.amount_pence), else_=0)).label("committed"),
            func.sum(case((_is_spent(), Posting.amount_pence), else_=0)).label("spent"),
            func.sum(case((Posting.account == AVAILABLE, Posting.amount_pence), else_=0)).label("available"),
        )
        .group_by(Posting.budget_id)
    )
    if budget_ids is not None:
        query = query.where(col(Posting.budget_id).in_(budget_ids))
    return query


def budget_list(session: Session, *, sort: str = "person", descending: bool = False,
                page: int = 1) -> tuple[list[BudgetListRow], int]:
    """One page of budgets in the order asked for, and how many budgets there are in all.

    Sorting by person or start date pages the budgets first and sums only that page's postings;
    sorting by a figure has to sum every budget's postings to know the order."""
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
