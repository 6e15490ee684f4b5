"""The statement: every money movement of a budget, newest first, with the balance after
each. A page's balances start from the balances and month totals the ledger keeps, so a page
sums at most one month's postings whatever its depth."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, and_, case, cast, func, literal, not_, or_, text, true
from sqlmodel import Session, col, select

from marketplace import ledger
from marketplace.dates import add_months
from marketplace.ledger import Balances
from marketplace.models import (
    BudgetCategory,
    LedgerBalance,
    LedgerMonthTotal,
    LedgerTransaction,
    Person,
    Provider,
    User,
)
from marketplace.money import decimal_pounds_sql

STATEMENT_PAGE_SIZE = 25
# Counting a long statement costs as much as reading it: past this, the page says "more than".
COUNT_LIMIT = 1000
# Not spent yet: free to use plus set aside, the kinds of account in Balances' "unspent".
UNSPENT_KINDS = ("available", "committed")


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


def _newest_first():
    return col(LedgerTransaction.effective_on).desc(), col(LedgerTransaction.id).desc()


def _conditions(filters: StatementFilters) -> list:
    conditions = []
    if filters.from_date is not None:
        conditions.append(LedgerTransaction.effective_on >= filters.from_date)
    if filters.to_date is not None:
        conditions.append(LedgerTransaction.effective_on <= filters.to_date)
    if filters.category_id is not None:
        conditions.append(LedgerTransaction.category_id == filters.category_id)
    if filters.provider_id is not None:
        conditions.append(LedgerTransaction.provider_id == filters.provider_id)
    return conditions


def _filtered(query, filters: StatementFilters):
    return query.where(*_conditions(filters))


def _at_or_before(effective_on: date, transaction_id: int):
    """Transactions no newer than the given one, in statement order (date, then id)."""
    return and_(LedgerTransaction.effective_on <= effective_on,
                or_(LedgerTransaction.effective_on < effective_on, LedgerTransaction.id <= transaction_id))


def _at_or_after(effective_on: date, transaction_id: int):
    return and_(LedgerTransaction.effective_on >= effective_on,
                or_(LedgerTransaction.effective_on > effective_on, LedgerTransaction.id >= transaction_id))


def _unspent_change(budget_id: int, *where):
    return (
        select(func.coalesce(func.sum(LedgerTransaction.unspent_change_pence), 0))
        .where(LedgerTransaction.budget_id == budget_id, *where)
        .scalar_subquery()
    )


def _balance_after(budget_id: int, effective_on: date, transaction_id: int):
    """Money not yet spent just after the given transaction: the kept balance now, less the
    kept totals of the months after its month, less the kept changes of the transactions
    later in its own month (read from the statement index alone)."""
    next_month = add_months(effective_on.replace(day=1), 1)
    now = (
        select(func.coalesce(func.sum(LedgerBalance.balance_pence), 0))
        .where(LedgerBalance.budget_id == budget_id, Balances.where("unspent", LedgerBalance.account))
        .scalar_subquery()
    )
    later_months = (
        select(func.coalesce(func.sum(LedgerMonthTotal.amount_pence), 0))
        .where(LedgerMonthTotal.budget_id == budget_id, LedgerMonthTotal.month >= next_month,
               LedgerMonthTotal.kind.in_(UNSPENT_KINDS))
        .scalar_subquery()
    )
    later_this_month = _unspent_change(budget_id, LedgerTransaction.effective_on < next_month,
                                       not_(_at_or_before(effective_on, transaction_id)))
    return now - later_months - later_this_month


@dataclass(frozen=True)
class Position:
    """Where a page starts or ends: a transaction's place in statement order (date, then id).
    Pages are found from a position through the (budget, date, id) index, never by skipping
    rows, so a page far back costs what the first page costs."""

    effective_on: date
    transaction_id: int

    def __str__(self) -> str:
        return f"{self.effective_on.isoformat()}.{self.transaction_id}"

    @classmethod
    def parse(cls, text: str) -> "Position | None":
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.(\d{1,12})", text, re.ASCII)
        if match is None:
            return None
        try:
            return cls(date.fromisoformat(match.group(1)), int(match.group(2)))
        except ValueError:
            return None


@dataclass(frozen=True)
class StatementPage:
    rows: list[StatementRow]
    total: int  # exact up to COUNT_LIMIT
    newer: Position | None  # where the page of newer rows starts, if there are any
    older: Position | None  # likewise for older rows
    more_than_limit: bool = False


def _before(position: Position):
    """Transactions older than the position. The plain bound on the date comes first so the
    database starts the index scan at the position, rather than reading every newer row."""
    return and_(LedgerTransaction.effective_on <= position.effective_on,
                or_(LedgerTransaction.effective_on < position.effective_on,
                    LedgerTransaction.id < position.transaction_id))


def _after(position: Position):
    return and_(LedgerTransaction.effective_on >= position.effective_on,
                or_(LedgerTransaction.effective_on > position.effective_on,
                    LedgerTransaction.id > position.transaction_id))


def statement(session: Session, budget_id: int, filters: StatementFilters = StatementFilters(), *,
              before: Position | None = None, after: Position | None = None) -> StatementPage:
    """One page of rows, newest first: the newest, or those just older than `before`, or
    those just newer than `after`; with how many rows match and where the pages either side
    start.

    The balance on each row is the true balance after it, even when filters hide other rows:
    it is worked out once for the page's newest row and then worked back through every
    transaction (shown or not) between the page's newest and oldest rows."""
    counted = session.exec(select(func.count()).select_from(
        _filtered(select(LedgerTransaction.id).where(LedgerTransaction.budget_id == budget_id), filters)
        .limit(COUNT_LIMIT + 1).subquery())).one()
    total, more_than_limit = min(counted, COUNT_LIMIT), counted > COUNT_LIMIT
    ids = _filtered(select(LedgerTransaction.id).where(LedgerTransaction.budget_id == budget_id), filters)
    if after is not None:
        ids = ids.where(_after(after)).order_by(LedgerTransaction.effective_on, LedgerTransaction.id)
    else:
        ids = ids.where(*([_before(before)] if before is not None else [])).order_by(*_newest_first())
    # One row more than a page tells whether there is another page that way.
    page_ids = ids.limit(STATEMENT_PAGE_SIZE + 1).subquery()
    shown = session.exec(_statement_rows(budget_id).where(col(LedgerTransaction.id).in_(select(page_ids.c.id)))
                         .order_by(*_newest_first())).all()
    more = len(shown) > STATEMENT_PAGE_SIZE
    shown = shown[1:] if more and after is not None else shown[:STATEMENT_PAGE_SIZE]
    if not shown:
        return StatementPage([], total, None, None, more_than_limit)
    newest, oldest = shown[0], shown[-1]
    newer = Position(newest.effective_on, newest.id) if (after is not None and more) or before is not None else None
    older = Position(oldest.effective_on, oldest.id) if (after is None and more) or after is not None else None
    balance_after_newest = _balance_after(budget_id, newest.effective_on, newest.id)
    changes = session.exec(
        select(LedgerTransaction.id, LedgerTransaction.unspent_change_pence, balance_after_newest)
        .where(LedgerTransaction.budget_id == budget_id,
               _at_or_before(newest.effective_on, newest.id),
               _at_or_after(oldest.effective_on, oldest.id))
        .order_by(*_newest_first())
    ).all()
    balances = {}
    balance = int(changes[0][2]) if changes else 0
    for transaction_id, change, _balance_after_newest in changes:
        balances[transaction_id] = balance
        balance -= int(change)
    return StatementPage([_statement_row(row, balances[row.id]) for row in shown], total, newer, older,
                         more_than_limit)


def statement_rows(session: Session, budget_id: int, filters: StatementFilters = StatementFilters(),
                   *, chunk_size: int = 2000) -> Iterator[StatementRow]:
    """Every row of the statement, newest first, fetched from the database a chunk at a time.

    The running balance starts from the kept balance now and is worked back row by row from
    each transaction's kept change (no postings read, no window over the whole budget). Rows
    the filters hide are still read, for their part in the balance, but not returned."""
    balance = int(session.exec(
        select(func.coalesce(func.sum(LedgerBalance.balance_pence), 0))
        .where(LedgerBalance.budget_id == budget_id, Balances.where("unspent", LedgerBalance.account))).one())
    conditions = _conditions(filters)
    shown = and_(*conditions) if conditions else true()
    query = (
        _statement_rows(budget_id).add_columns(shown.label("shown"))
        .order_by(*_newest_first())
        .execution_options(yield_per=chunk_size)
    )
    for *columns, change, moved, is_shown in session.exec(query):
        if is_shown:
            yield StatementRow(*columns, change, moved, balance)
        balance -= change


def statement_csv_chunks(session: Session, budget_id: int, filters: StatementFilters = StatementFilters(),
                         *, chunk_size: int = 2000) -> Iterator[list[tuple[str, ...]]]:
    """Every row of the statement as the CSV's cells (all text, money in decimal pounds),
    newest first, a list of rows at a time.

    The database does the per-row work: it formats every cell and works out the running
    balance (the kept balance now, less a running sum of the kept changes of the newer
    transactions, in one pass over this budget's transactions), so a CSV of tens of thousands
    of rows costs Python a few steps per chunk rather than per row."""
    dialect = session.get_bind().dialect.name
    now = (select(func.coalesce(func.sum(LedgerBalance.balance_pence), 0))
           .where(LedgerBalance.budget_id == budget_id, Balances.where("unspent", LedgerBalance.account))
           .scalar_subquery())
    conditions = _conditions(filters)
    newer_changes = func.sum(LedgerTransaction.unspent_change_pence).over(order_by=_newest_first(), rows=(None, -1))
    every_row = _statement_rows(budget_id).add_columns(
        (now - func.coalesce(newer_changes, 0)).label("balance"),
        (and_(*conditions) if conditions else true()).label("shown"),
    ).subquery()
    row = every_row.c
    query = select(
        _iso_date(row.effective_on, dialect), case(ledger.KINDS, value=row.kind, else_=row.kind), row.memo,
        *(func.coalesce(words, "") for words in (row.reason, row.by, row.on_behalf_of, row.category, row.provider)),
        case((row.change > 0, decimal_pounds_sql(row.change)), else_=""),
        case((row.change < 0, decimal_pounds_sql(-row.change)), else_=""),
        case((row.balance < 0, "-" + decimal_pounds_sql(-row.balance)), else_=decimal_pounds_sql(row.balance)),
        literal("GBP"),
    ).where(row.shown).order_by(row.effective_on.desc(), row.id.desc())
    if dialect == "postgresql":
        # The whole budget's rows are sorted for the running balance: with the default 4 MB a
        # long statement spilled to disk. SET LOCAL ends with this transaction.
        session.execute(text("SET LOCAL work_mem = '32MB'"))
    # Options on this statement only: set on the connection they would outlive it.
    yield from session.connection().execute(
        query.execution_options(stream_results=True, max_row_buffer=chunk_size)).partitions(chunk_size)


def _iso_date(day, dialect: str):
    if dialect == "postgresql":
        return func.to_char(day, "YYYY-MM-DD")
    return cast(day, String)  # SQLite keeps dates as YYYY-MM-DD text


def _statement_rows(budget_id: int):
    """A statement's rows without their balances: transactions with names. Names are looked up
    among the budget's own categories and providers, so a whole statement reads those few
    rather than every budget's categories and every provider."""
    on_behalf_of = Person.__table__.alias("on_behalf_of")
    providers = (select(Provider.id, Provider.name)
                 .where(col(Provider.id).in_(_statement_provider_ids(budget_id))).subquery("statement_provider_name"))
    return (
        select(
            LedgerTransaction.id, LedgerTransaction.effective_on, LedgerTransaction.kind,
            LedgerTransaction.memo, LedgerTransaction.reason, User.name.label("by"),
            on_behalf_of.c.name.label("on_behalf_of"), BudgetCategory.name.label("category"),
            providers.c.name.label("provider"), LedgerTransaction.unspent_change_pence.label("change"),
            LedgerTransaction.moved_pence.label("moved"),
        )
        .outerjoin(User, User.id == LedgerTransaction.actor_id)
        .outerjoin(on_behalf_of, on_behalf_of.c.id == LedgerTransaction.on_behalf_of_id)
        .outerjoin(BudgetCategory, and_(BudgetCategory.id == LedgerTransaction.category_id,
                                        BudgetCategory.budget_id == budget_id))
        .outerjoin(providers, providers.c.id == LedgerTransaction.provider_id)
        .where(LedgerTransaction.budget_id == budget_id)
    )


def _statement_row(row, balance: int) -> StatementRow:
    return StatementRow(row.id, row.effective_on, row.kind, row.memo, row.reason, row.by, row.on_behalf_of,
                        row.category, row.provider, row.change, row.moved, balance)


def statement_providers(session: Session, budget_id: int) -> list[Provider]:
    """The providers that appear in this budget's statement, for the filter."""
    return list(session.exec(
        select(Provider).where(col(Provider.id).in_(_statement_provider_ids(budget_id))).order_by(Provider.name)
    ).all())


def _statement_provider_ids(budget_id: int):
    """The ids of the providers in this budget's statement, found by stepping through the
    (budget, provider) index from each provider to the next (a recursive query), so a budget
    with 50,000 transactions and four providers costs five index look-ups."""
    transactions = LedgerTransaction.__table__
    in_budget = transactions.c.budget_id == budget_id
    found = select(func.min(transactions.c.provider_id).label("provider_id")).where(in_budget).cte(
        "statement_provider", recursive=True)
    following = select(func.min(transactions.c.provider_id)).where(
        in_budget, transactions.c.provider_id > found.c.provider_id).scalar_subquery()
    found = found.union_all(select(following).where(found.c.provider_id.is_not(None)))
    return select(found.c.provider_id)
