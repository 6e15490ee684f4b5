"""The statement: every money movement of a budget, newest first, with the balance after
each. A page's balances start from the balances and month totals the ledger keeps, so a page
sums at most one month's postings whatever its depth."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    not_,
    or_,
    text,
    true,
)
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


# Each filter's condition, its value a parameter of the same name: statements are built once
# for the filters in use and reused, whatever the values.
_FILTER_CONDITIONS = {
    "from_date": lambda: LedgerTransaction.effective_on >= bindparam("from_date"),
    "to_date": lambda: LedgerTransaction.effective_on <= bindparam("to_date"),
    "category_id": lambda: LedgerTransaction.category_id == bindparam("category_id"),
    "provider_id": lambda: LedgerTransaction.provider_id == bindparam("provider_id"),
}


def _filter_values(filters: StatementFilters) -> dict:
    """The filters in use and their values, the parameters of _conditions."""
    return {name: value for name, value in asdict(filters).items() if value is not None}


def _conditions(filter_names: Iterable[str]) -> list:
    return [_FILTER_CONDITIONS[name]() for name in filter_names]


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


def _balance_after(budget_id, effective_on, transaction_id, next_month):
    """Money not yet spent just after the given transaction: the kept balance now, less the
    kept totals of the months after its month (from `next_month`, the first day of the month
    after), less the kept changes of the transactions later in its own month (read from the
    statement index alone)."""
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


def _before(effective_on, transaction_id):
    """Transactions older than the position. The plain bound on the date comes first so the
    database starts the index scan at the position, rather than reading every newer row."""
    return and_(LedgerTransaction.effective_on <= effective_on,
                or_(LedgerTransaction.effective_on < effective_on, LedgerTransaction.id < transaction_id))


def _after(effective_on, transaction_id):
    return and_(LedgerTransaction.effective_on >= effective_on,
                or_(LedgerTransaction.effective_on > effective_on, LedgerTransaction.id > transaction_id))


@cache
def _page_statements(filter_names: tuple[str, ...], paging: str):
    """The count and the rows of a page, for the filters in use and the way it pages
    ("newest", or "before" or "after" the `position_on`/`position_id` parameters).

    Built once for each, with the budget, the filter values and the position as parameters:
    putting these statements together took as long as the database took to answer them."""
    in_budget = LedgerTransaction.budget_id == bindparam("budget_id")
    matching = select(LedgerTransaction.id).where(in_budget, *_conditions(filter_names))
    count = select(func.count()).select_from(matching.limit(COUNT_LIMIT + 1).subquery())
    position = bindparam("position_on", type_=Date), bindparam("position_id", type_=Integer)
    if paging == "after":
        ids = matching.where(_after(*position)).order_by(LedgerTransaction.effective_on, LedgerTransaction.id)
    else:
        ids = matching.where(*([_before(*position)] if paging == "before" else [])).order_by(*_newest_first())
    # One row more than a page tells whether there is another page that way.
    page_ids = ids.limit(STATEMENT_PAGE_SIZE + 1).subquery()
    rows = (_statement_rows(bindparam("budget_id")).where(col(LedgerTransaction.id).in_(select(page_ids.c.id)))
            .order_by(*_newest_first()))
    return count, rows


@cache
def _balances_statement():
    """Each transaction's kept change from the page's newest row (the `newest_on`/`newest_id`
    parameters) back to its oldest (`oldest_on`/`oldest_id`), shown or not, with the balance
    just after the newest; `next_month` is the first day of the month after the newest's.
    Built once, like _page_statements."""
    budget_id = bindparam("budget_id", type_=Integer)
    newest = bindparam("newest_on", type_=Date), bindparam("newest_id", type_=Integer)
    oldest = bindparam("oldest_on", type_=Date), bindparam("oldest_id", type_=Integer)
    balance_after_newest = _balance_after(budget_id, *newest, bindparam("next_month", type_=Date))
    return (
        select(LedgerTransaction.id, LedgerTransaction.unspent_change_pence, balance_after_newest)
        .where(LedgerTransaction.budget_id == budget_id, _at_or_before(*newest), _at_or_after(*oldest))
        .order_by(*_newest_first())
    )


def statement(session: Session, budget_id: int, filters: StatementFilters = StatementFilters(), *,
              before: Position | None = None, after: Position | None = None) -> StatementPage:
    """One page of rows, newest first: the newest, or those just older than `before`, or
    those just newer than `after`; with how many rows match and where the pages either side
    start.

    The balance on each row is the true balance after it, even when filters hide other rows:
    it is worked out once for the page's newest row and then worked back through every
    transaction (shown or not) between the page's newest and oldest rows."""
    values = _filter_values(filters)
    paging = "after" if after is not None else "before" if before is not None else "newest"
    count, rows = _page_statements(tuple(values), paging)
    position = after or before
    parameters = {"budget_id": budget_id, **values,
                  **({"position_on": position.effective_on, "position_id": position.transaction_id}
                     if position is not None else {})}
    counted = session.exec(count, params=parameters).one()
    total, more_than_limit = min(counted, COUNT_LIMIT), counted > COUNT_LIMIT
    shown = session.exec(rows, params=parameters).all()
    more = len(shown) > STATEMENT_PAGE_SIZE
    shown = shown[1:] if more and after is not None else shown[:STATEMENT_PAGE_SIZE]
    if not shown:
        return StatementPage([], total, None, None, more_than_limit)
    newest, oldest = shown[0], shown[-1]
    newer = Position(newest.effective_on, newest.id) if (after is not None and more) or before is not None else None
    older = Position(oldest.effective_on, oldest.id) if (after is None and more) or after is not None else None
    changes = session.exec(_balances_statement(), params={
        "budget_id": budget_id, "newest_on": newest.effective_on, "newest_id": newest.id,
        "oldest_on": oldest.effective_on, "oldest_id": oldest.id,
        "next_month": add_months(newest.effective_on.replace(day=1), 1)}).all()
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
    values = _filter_values(filters)
    conditions = _conditions(values)
    shown = and_(*conditions) if conditions else true()
    query = (
        _statement_rows(budget_id).add_columns(shown.label("shown"))
        .order_by(*_newest_first())
        .execution_options(yield_per=chunk_size)
    )
    for *columns, change, moved, is_shown in session.exec(query, params=values):
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
    values = _filter_values(filters)
    conditions = _conditions(values)
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
        query.execution_options(stream_results=True, max_row_buffer=chunk_size), values).partitions(chunk_size)


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


def statement_providers(session: Session, budget_id: int) -> list[tuple[int, str]]:
    """The providers (id and name) that appear in this budget's statement, for the filter."""
    return list(session.exec(_statement_providers_statement(), params={"budget_id": budget_id}).all())


@cache
def _statement_providers_statement():
    """Built once, the budget a parameter."""
    return (select(Provider.id, Provider.name)
            .where(col(Provider.id).in_(_statement_provider_ids(bindparam("budget_id", type_=Integer))))
            .order_by(Provider.name))


def _statement_provider_ids(budget_id):
    """The ids of the providers in this budget's statement (`budget_id` a value or a bound
    parameter), found by stepping through the (budget, provider) index from each provider to
    the next (a recursive query), so a budget with 50,000 transactions and four providers costs
    five index look-ups."""
    transactions = LedgerTransaction.__table__
    in_budget = transactions.c.budget_id == budget_id
    found = select(func.min(transactions.c.provider_id).label("provider_id")).where(in_budget).cte(
        "statement_provider", recursive=True)
    following = select(func.min(transactions.c.provider_id)).where(
        in_budget, transactions.c.provider_id > found.c.provider_id).scalar_subquery()
    found = found.union_all(select(following).where(found.c.provider_id.is_not(None)))
    return select(found.c.provider_id)
