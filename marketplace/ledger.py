"""The money: every change to a budget's money is a balanced ledger transaction posted here.

A budget's money sits in accounts (strings, one set per budget):

    funding                      where the council's (or NHS's) money comes from
    contribution                 where the person's own contributions come from
    available                    free to spend or commit
    committed:<reference>        set aside for agreed support, e.g. committed:package:12
    payable:provider:<id>        approved invoices not paid yet
    paid                         money that has reached providers

A posting is the change to one account's balance; the postings of a transaction sum to zero,
so `funding` and `contribution` run negative as money flows in. `available`, every
`committed:…` and every `payable:…` account may never go below zero.

post() is the only writer. It locks the budget row, checks, and adds the rows, all in the
caller's database transaction: the caller commits (and the lock is held until it does), so
the money and whatever caused it (a package approval, an audit entry) are saved together.
"""

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import ClassVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    update,
)
from sqlalchemy import Date as SQLDate
from sqlmodel import Session, select

from marketplace.dates import add_months, today_in_uk
from marketplace.errors import ServiceError
from marketplace.models import (
    Budget,
    LedgerBalance,
    LedgerMonthTotal,
    LedgerTransaction,
    Posting,
    User,
)
from marketplace.money import format_money
from marketplace.storage import lock_row

FUNDING = "funding"
CONTRIBUTION = "contribution"
AVAILABLE = "available"
PAID = "paid"
COMMITTED_PREFIX = "committed:"
PAYABLE_PREFIX = "payable:provider:"

KINDS = {
    "allocation": "Budget paid in",
    "instalment": "Instalment paid in",
    "contribution": "Your contribution",
    "commitment": "Money set aside for support",
    "release": "Set-aside money returned",
    "invoice_approved": "Invoice approved",
    "payment": "Payment to provider",
    "adjustment": "Adjustment by the council",
    "clawback": "Unspent money returned to the council",
    "reversal": "Correction",
}
KINDS_NEEDING_A_REASON = frozenset({"adjustment", "clawback", "reversal"})

_REFERENCE = r"[a-z0-9_-]+(?::[a-z0-9_-]+)*"
_ACCOUNT = re.compile(
    rf"^(?:{FUNDING}|{CONTRIBUTION}|{AVAILABLE}|{PAID}|committed:{_REFERENCE}|payable:provider:[0-9]+)$"
)


class LedgerError(ServiceError):
    """A money movement was refused. The message is a plain sentence fit to show a user."""


class NotEnoughMoney(LedgerError):
    pass


class UnbalancedTransaction(LedgerError):
    pass


class IdempotencyConflict(LedgerError):
    pass


class UnknownBudget(LedgerError):
    pass


def committed_account(reference: str) -> str:
    """committed_account("package:12") → "committed:package:12"."""
    return COMMITTED_PREFIX + reference


def payable_account(provider_id: int) -> str:
    return f"{PAYABLE_PREFIX}{provider_id}"


def account_kind(account: str) -> str:
    """The kind of account month totals are kept for (LedgerMonthTotal.kind): the account's
    own name, but "committed" for every committed:… and "payable" for every payable:…."""
    if account.startswith(COMMITTED_PREFIX):
        return "committed"
    if account.startswith(PAYABLE_PREFIX):
        return "payable"
    return account


def _account_kind_sql(account: ColumnElement[str]) -> ColumnElement[str]:
    return case((account.startswith(COMMITTED_PREFIX), literal("committed")),
                (account.startswith(PAYABLE_PREFIX), literal("payable")), else_=account)


def month_of(day: ColumnElement[date], dialect: str) -> ColumnElement[date]:
    """SQL: the first day of the month `day` falls in."""
    if dialect == "postgresql":
        return cast(func.date_trunc("month", day), SQLDate)
    return func.date(day, "start of month", type_=SQLDate)


def _must_not_go_negative(account: str) -> bool:
    return account == AVAILABLE or account.startswith((COMMITTED_PREFIX, PAYABLE_PREFIX))


# ---------------------------------------------------------------------------------------------
# Reading balances
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountGroup:
    """Accounts that together make up one figure people read, by exact name or by prefix."""

    names: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    def holds(self, account: str) -> bool:
        return account in self.names or account.startswith(self.prefixes)

    def holds_sql(self, account: ColumnElement[str]) -> ColumnElement[bool]:
        """The same test in SQL, for figures summed in the database."""
        return or_(*(account == name for name in sorted(self.names)),
                   *(account.startswith(prefix) for prefix in self.prefixes))


@dataclass(frozen=True)
class Balances:
    """A budget's account balances, and the figures people read, each defined once here.

    Pages that sum in SQL use `Balances.where(figure, Posting.account)`, so a figure on the
    statement, the quarterly return or the council's list means the same as on the overview.
    """

    FIGURES: ClassVar[dict[str, AccountGroup]] = {
        # Free to use: not yet set aside for anything.
        "available": AccountGroup(names=frozenset({AVAILABLE})),
        # Set aside for agreed support, not yet spent.
        "committed": AccountGroup(prefixes=(COMMITTED_PREFIX,)),
        # Approved invoices, paid or waiting to be paid.
        "spent": AccountGroup(names=frozenset({PAID}), prefixes=(PAYABLE_PREFIX,)),
        # Not yet spent: free to use plus set aside.
        "unspent": AccountGroup(names=frozenset({AVAILABLE}), prefixes=(COMMITTED_PREFIX,)),
    }

    accounts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def where(cls, figure: str, account: ColumnElement[str]) -> ColumnElement[bool]:
        """SQL: the posting's account counts towards this figure."""
        return cls.FIGURES[figure].holds_sql(account)

    def total(self, figure: str) -> int:
        group = self.FIGURES[figure]
        return sum(amount for account, amount in self.accounts.items() if group.holds(account))

    def _sum(self, prefix: str) -> int:
        return sum(v for k, v in self.accounts.items() if k.startswith(prefix))

    @property
    def allocated(self) -> int:
        """Paid in by the council so far, less anything taken back."""
        return -self.accounts.get(FUNDING, 0)

    @property
    def contributions(self) -> int:
        return -self.accounts.get(CONTRIBUTION, 0)

    @property
    def available(self) -> int:
        """Free to use."""
        return self.total("available")

    @property
    def committed(self) -> int:
        """Set aside for agreed support."""
        return self.total("committed")

    @property
    def payable(self) -> int:
        return self._sum(PAYABLE_PREFIX)

    @property
    def paid(self) -> int:
        return self.accounts.get(PAID, 0)

    @property
    def spent(self) -> int:
        """Approved invoices, paid or waiting to be paid."""
        return self.total("spent")

    @property
    def unspent(self) -> int:
        """Free to use plus set aside."""
        return self.total("unspent")

    def committed_to(self, reference: str) -> int:
        return self.accounts.get(committed_account(reference), 0)

    def payable_to(self, provider_id: int) -> int:
        return self.accounts.get(payable_account(provider_id), 0)


@cache
def _kept_balances_statement():
    """A budget's kept balances (those not zero): built once, as most pages read them."""
    return (select(LedgerBalance.account, LedgerBalance.balance_pence)
            .where(LedgerBalance.budget_id == bindparam("budget_id", type_=Integer),
                   LedgerBalance.balance_pence != 0))


def balances(session: Session, budget_id: int, *, from_date: date | None = None,
             to_date: date | None = None) -> Balances:
    """Each account's balance (the kept balances), or its movement between two dates
    (inclusive, summed from the postings)."""
    if from_date is None and to_date is None:
        return Balances(dict(session.execute(_kept_balances_statement(), {"budget_id": budget_id}).all()))
    query = (
        select(Posting.account, func.sum(Posting.amount_pence))
        .where(Posting.budget_id == budget_id)
        .group_by(Posting.account)
    )
    if from_date is not None or to_date is not None:
        query = query.join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        if from_date is not None:
            query = query.where(LedgerTransaction.effective_on >= from_date)
        if to_date is not None:
            query = query.where(LedgerTransaction.effective_on <= to_date)
    return Balances({account: int(total) for account, total in session.exec(query) if total})


def spent_between(session: Session, budget_id: int, from_date: date, to_date: date) -> int:
    """Money spent (Balances' "spent") between two dates, inclusive, in one statement: whole
    months from the kept month totals, only the days of a month cut by either date from the
    postings."""
    first_whole = from_date if from_date.day == 1 else add_months(from_date.replace(day=1), 1)
    after_whole = add_months(to_date.replace(day=1), 1) if to_date == _month_end(to_date) else to_date.replace(day=1)
    if first_whole >= after_whole:  # no whole month between: the postings only
        first_whole = after_whole = to_date + timedelta(days=1)
    whole_months = (
        select(func.coalesce(func.sum(LedgerMonthTotal.amount_pence), 0))
        .where(LedgerMonthTotal.budget_id == budget_id, LedgerMonthTotal.month >= first_whole,
               LedgerMonthTotal.month < after_whole, LedgerMonthTotal.kind.in_(("payable", PAID)))
        .scalar_subquery())
    day = LedgerTransaction.effective_on
    edges = (
        select(func.coalesce(func.sum(Posting.amount_pence), 0))
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .where(Posting.budget_id == budget_id, Balances.where("spent", Posting.account),
               or_(and_(day >= from_date, day < first_whole), and_(day >= after_whole, day <= to_date)))
        .scalar_subquery())
    return int(session.exec(select(whole_months + edges)).one())


def _month_end(day: date) -> date:
    return add_months(day.replace(day=1), 1) - timedelta(days=1)


def summed_balances(session: Session, budget_id: int) -> dict[str, int]:
    """Each account's balance summed from the postings, the truth the kept balances must equal."""
    return {account: int(total) for account, total in session.exec(
        select(Posting.account, func.sum(Posting.amount_pence))
        .where(Posting.budget_id == budget_id).group_by(Posting.account)) if total}


def _kept_balances(session: Session, budget_id: int, accounts: Iterable[str]) -> dict[str, LedgerBalance]:
    return {row.account: row for row in session.exec(
        select(LedgerBalance).where(LedgerBalance.budget_id == budget_id,
                                    LedgerBalance.account.in_(list(accounts))))}


def summed_month_totals(session: Session, budget_id: int) -> dict[tuple[date, int | None, str], tuple[int, int]]:
    """(month, category, kind of account) → (movement, moved in), summed from the postings."""
    by_transaction: dict[tuple[int, date, int | None, str], int] = {}
    for transaction_id, effective_on, category_id, account, amount in session.exec(
            select(LedgerTransaction.id, LedgerTransaction.effective_on, LedgerTransaction.category_id,
                   Posting.account, Posting.amount_pence)
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
            .where(Posting.budget_id == budget_id)):
        key = (transaction_id, effective_on.replace(day=1), category_id, account_kind(account))
        by_transaction[key] = by_transaction.get(key, 0) + amount
    totals: dict[tuple[date, int | None, str], tuple[int, int]] = {}
    for (_, *key), moved in by_transaction.items():
        amount, moved_in = totals.get(tuple(key), (0, 0))
        totals[tuple(key)] = (amount + moved, moved_in + max(moved, 0))
    return {key: total for key, total in totals.items() if total != (0, 0)}


def kept_month_totals(session: Session, budget_id: int) -> dict[tuple[date, int | None, str], tuple[int, int]]:
    return {(month, category_id, kind): (amount, moved_in)
            for month, category_id, kind, amount, moved_in in session.exec(
                select(LedgerMonthTotal.month, LedgerMonthTotal.category_id, LedgerMonthTotal.kind,
                       LedgerMonthTotal.amount_pence, LedgerMonthTotal.moved_in_pence)
                .where(LedgerMonthTotal.budget_id == budget_id,
                       or_(LedgerMonthTotal.amount_pence != 0, LedgerMonthTotal.moved_in_pence != 0)))}


def transaction_figures(legs: Mapping[str, int]) -> dict[str, int]:
    """What a transaction keeps beside its legs for the statement: its change to the money not
    yet spent, and the size of the move."""
    unspent = Balances.FIGURES["unspent"]
    return {"unspent_change_pence": sum(amount for account, amount in legs.items() if unspent.holds(account)),
            "moved_pence": sum(amount for amount in legs.values() if amount > 0)}


def _transaction_figures_sql(postings):
    return (func.coalesce(func.sum(case((Balances.where("unspent", postings.c.account), postings.c.amount_pence),
                                        else_=0)), 0),
            func.coalesce(func.sum(case((postings.c.amount_pence > 0, postings.c.amount_pence), else_=0)), 0))


def transaction_figures_from_postings():
    """(budget_id, transaction_id, unspent_change_pence, moved_pence) summed from the postings."""
    postings = Posting.__table__
    change, moved = _transaction_figures_sql(postings)
    return (select(postings.c.budget_id, postings.c.transaction_id, change.label("unspent_change_pence"),
                   moved.label("moved_pence"))
            .group_by(postings.c.budget_id, postings.c.transaction_id))


def rebuild_transaction_figures(connection: Connection) -> None:
    """Every transaction's kept figures summed again from its postings (a migration)."""
    transactions, postings = LedgerTransaction.__table__, Posting.__table__
    unspent_change, moved = (
        select(figure).where(postings.c.transaction_id == transactions.c.id).scalar_subquery()
        for figure in _transaction_figures_sql(postings))
    connection.execute(update(transactions).values(unspent_change_pence=unspent_change, moved_pence=moved))


def rebuild_kept_balances(connection: Connection) -> None:
    """Every kept balance and month total summed again from the postings: for postings
    written in bulk, past post() (a migration, the benchmark's data)."""
    postings = Posting.__table__
    connection.execute(delete(LedgerBalance.__table__))
    connection.execute(insert(LedgerBalance.__table__).from_select(
        ["budget_id", "account", "balance_pence"],
        select(postings.c.budget_id, postings.c.account, func.sum(postings.c.amount_pence))
        .group_by(postings.c.budget_id, postings.c.account)))
    connection.execute(delete(LedgerMonthTotal.__table__))
    connection.execute(insert(LedgerMonthTotal.__table__).from_select(
        ["budget_id", "month", "category_id", "kind", "amount_pence", "moved_in_pence"],
        month_totals_from_postings(connection.dialect.name)))


def month_totals_from_postings(dialect: str):
    """(budget_id, month, category_id, kind, amount, moved in) for every budget, summed from
    the postings: first each transaction's net movement of each kind, then those by month."""
    postings, transactions = Posting.__table__, LedgerTransaction.__table__
    kind = _account_kind_sql(postings.c.account)
    per_transaction = (
        select(postings.c.budget_id, month_of(transactions.c.effective_on, dialect).label("month"),
               transactions.c.category_id, kind.label("kind"), func.sum(postings.c.amount_pence).label("moved"))
        .join(transactions, transactions.c.id == postings.c.transaction_id)
        .group_by(postings.c.transaction_id, postings.c.budget_id, transactions.c.effective_on,
                  transactions.c.category_id, kind)
        .subquery())
    moved = per_transaction.c.moved
    return (select(per_transaction.c.budget_id, per_transaction.c.month, per_transaction.c.category_id,
                   per_transaction.c.kind, func.sum(moved).label("amount_pence"),
                   func.sum(case((moved > 0, moved), else_=0)).label("moved_in_pence"))
            .group_by(per_transaction.c.budget_id, per_transaction.c.month, per_transaction.c.category_id,
                      per_transaction.c.kind))


def _keep_month_totals(session: Session, transaction: LedgerTransaction, legs: dict[str, int]) -> None:
    month = transaction.effective_on.replace(day=1)
    moved: dict[str, int] = {}
    for account, amount in legs.items():
        moved[account_kind(account)] = moved.get(account_kind(account), 0) + amount
    rows = {row.kind: row for row in session.exec(
        select(LedgerMonthTotal).where(
            LedgerMonthTotal.budget_id == transaction.budget_id, LedgerMonthTotal.month == month,
            LedgerMonthTotal.category_id.is_not_distinct_from(transaction.category_id),
            LedgerMonthTotal.kind.in_(list(moved))))}
    for kind, amount in moved.items():
        if amount == 0:  # e.g. set-aside money moved from one commitment to another
            continue
        row = rows.get(kind) or LedgerMonthTotal(budget_id=transaction.budget_id, month=month,
                                                 category_id=transaction.category_id, kind=kind)
        row.amount_pence = (row.amount_pence or 0) + amount
        row.moved_in_pence = (row.moved_in_pence or 0) + max(amount, 0)
        session.add(row)


# ---------------------------------------------------------------------------------------------
# Writing: the one entry point
# ---------------------------------------------------------------------------------------------


def _normalise_legs(legs: Mapping[str, int] | Iterable[tuple[str, int]]) -> dict[str, int]:
    pairs = list(legs.items()) if isinstance(legs, Mapping) else list(legs)
    normalised: dict[str, int] = {}
    for account, amount in pairs:
        if not isinstance(account, str) or not _ACCOUNT.match(account):
            raise UnbalancedTransaction(f"{account!r} is not a ledger account.")
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise UnbalancedTransaction("Amounts must be whole pence.")
        if amount == 0:
            raise UnbalancedTransaction("A leg of a transaction cannot be zero.")
        if account in normalised:
            raise UnbalancedTransaction(f"The account {account} appears twice.")
        normalised[account] = amount
    if len(normalised) < 2:
        raise UnbalancedTransaction("A transaction needs at least two legs.")
    if sum(normalised.values()) != 0:
        raise UnbalancedTransaction("The legs of a transaction must add up to zero.")
    return normalised


def _content_hash(**content) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _shortfall_message(account: str, balance: int, change: int) -> str:
    needed = format_money(-change)
    if account == AVAILABLE:
        return (f"There is not enough money in the budget: {format_money(balance)} is free to use "
                f"and this needs {needed}.")
    if account.startswith(COMMITTED_PREFIX):
        return (f"Only {format_money(balance)} is set aside for this support, "
                f"so {needed} cannot be taken from it.")
    return f"Only {format_money(balance)} is owed to this provider, so {needed} cannot be paid."


def existing_transaction(session: Session, idempotency_key: str) -> LedgerTransaction | None:
    return session.exec(
        select(LedgerTransaction).where(LedgerTransaction.idempotency_key == idempotency_key)
    ).first()


def post(
    session: Session,
    *,
    budget_id: int,
    kind: str,
    legs: Mapping[str, int] | Iterable[tuple[str, int]],
    idempotency_key: str,
    actor: User | None,
    memo: str,
    reason: str | None = None,
    on_behalf_of_id: int | None = None,
    category_id: int | None = None,
    provider_id: int | None = None,
    effective_on: date | None = None,
) -> LedgerTransaction:
    """Record one balanced money movement, or return the one already recorded under this key.

    Raises NotEnoughMoney if it would take `available`, a `committed:…` or a `payable:…`
    account below zero; UnbalancedTransaction for malformed legs; IdempotencyConflict if the
    key was used before for different content. Flushes but does not commit.
    """
    if kind not in KINDS:
        raise LedgerError(f"Unknown kind of transaction: {kind}.")
    if not idempotency_key or len(idempotency_key) > 200:
        raise LedgerError("Every transaction needs an idempotency key of up to 200 characters.")
    if kind in KINDS_NEEDING_A_REASON and not (reason and reason.strip()):
        raise LedgerError("Give a reason for this change.")
    normalised = _normalise_legs(legs)
    content_hash = _content_hash(
        budget_id=budget_id, kind=kind, legs=sorted(normalised.items()), memo=memo, reason=reason,
        category_id=category_id, provider_id=provider_id,
    )

    # The lock comes first, so the replay check and the balance check see every earlier writer.
    if lock_row(session, Budget, budget_id) is None:
        raise UnknownBudget("There is no such budget.")
    existing = existing_transaction(session, idempotency_key)
    if existing is not None:
        if existing.content_hash != content_hash:
            raise IdempotencyConflict(
                f"The key {idempotency_key} was already used for a different transaction.")
        return existing

    kept = _kept_balances(session, budget_id, normalised)
    for account, change in normalised.items():
        balance = kept[account].balance_pence if account in kept else 0
        if change < 0 and _must_not_go_negative(account) and balance + change < 0:
            raise NotEnoughMoney(_shortfall_message(account, balance, change))

    transaction = LedgerTransaction(
        budget_id=budget_id, kind=kind, idempotency_key=idempotency_key,
        content_hash=content_hash, effective_on=effective_on or today_in_uk(),
        actor_id=actor.id if actor else None, on_behalf_of_id=on_behalf_of_id,
        category_id=category_id, provider_id=provider_id, memo=memo,
        reason=reason.strip() if reason else None, **transaction_figures(normalised),
    )
    session.add(transaction)
    session.flush()
    session.add_all(
        Posting(transaction_id=transaction.id, budget_id=budget_id, account=account, amount_pence=amount)
        for account, amount in normalised.items()
    )
    for account, amount in normalised.items():
        row = kept.get(account) or LedgerBalance(budget_id=budget_id, account=account, balance_pence=0)
        row.balance_pence += amount
        session.add(row)
    _keep_month_totals(session, transaction, normalised)
    session.flush()
    return transaction


# ---------------------------------------------------------------------------------------------
# The money events other areas call (each a thin wrapper round post())
# ---------------------------------------------------------------------------------------------


def _positive(amount_pence: int) -> int:
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or amount_pence <= 0:
        raise LedgerError("The amount must be more than £0.00, in whole pence.")
    return amount_pence


def allocate(session: Session, *, budget_id: int, amount_pence: int, idempotency_key: str,
             actor: User | None, memo: str, effective_on: date | None = None,
             instalment: bool = False, category_id: int | None = None) -> LedgerTransaction:
    """The council pays money into the budget (all at once, or one instalment)."""
    return post(session, budget_id=budget_id, kind="instalment" if instalment else "allocation",
                legs={FUNDING: -_positive(amount_pence), AVAILABLE: amount_pence},
                idempotency_key=idempotency_key, actor=actor, memo=memo,
                effective_on=effective_on, category_id=category_id)


def record_contribution(session: Session, *, budget_id: int, amount_pence: int,
                        idempotency_key: str, actor: User | None, memo: str,
                        on_behalf_of_id: int | None = None,
                        effective_on: date | None = None) -> LedgerTransaction:
    """The person's own contribution has been received."""
    return post(session, budget_id=budget_id, kind="contribution",
                legs={CONTRIBUTION: -_positive(amount_pence), AVAILABLE: amount_pence},
                idempotency_key=idempotency_key, actor=actor, memo=memo,
                on_behalf_of_id=on_behalf_of_id, effective_on=effective_on)


def commit(session: Session, *, budget_id: int, commitment: str, amount_pence: int,
           idempotency_key: str, actor: User | None, memo: str,
           on_behalf_of_id: int | None = None, category_id: int | None = None,
           provider_id: int | None = None, effective_on: date | None = None) -> LedgerTransaction:
    """Set money aside for agreed support (a package approved): available → committed:<commitment>.

    `commitment` names what the money is for, e.g. "package:12".
    """
    return post(session, budget_id=budget_id, kind="commitment",
                legs={AVAILABLE: -_positive(amount_pence),
                      committed_account(commitment): amount_pence},
                idempotency_key=idempotency_key, actor=actor, memo=memo,
                on_behalf_of_id=on_behalf_of_id, category_id=category_id,
                provider_id=provider_id, effective_on=effective_on)


def release(session: Session, *, budget_id: int, commitment: str, idempotency_key: str,
            actor: User | None, memo: str, amount_pence: int | None = None,
            on_behalf_of_id: int | None = None, category_id: int | None = None,
            effective_on: date | None = None) -> LedgerTransaction | None:
    """Return set-aside money to available (a package ended or replaced).

    With no amount, releases whatever is left; returns None when nothing is left.
    """
    if amount_pence is None:
        lock_row(session, Budget, budget_id)
        existing = existing_transaction(session, idempotency_key)
        if existing is not None:
            return existing
        amount_pence = balances(session, budget_id).committed_to(commitment)
        if amount_pence == 0:
            return None
    return post(session, budget_id=budget_id, kind="release",
                legs={committed_account(commitment): -_positive(amount_pence),
                      AVAILABLE: amount_pence},
                idempotency_key=idempotency_key, actor=actor, memo=memo,
                on_behalf_of_id=on_behalf_of_id, category_id=category_id,
                effective_on=effective_on)


def approve_invoice(session: Session, *, budget_id: int, commitment: str, provider_id: int,
                    amount_pence: int, idempotency_key: str, actor: User | None, memo: str,
                    on_behalf_of_id: int | None = None, category_id: int | None = None,
                    effective_on: date | None = None) -> LedgerTransaction:
    """An invoice is approved: committed:<commitment> → payable:provider:<id> (money is spent)."""
    return post(session, budget_id=budget_id, kind="invoice_approved",
                legs={committed_account(commitment): -_positive(amount_pence),
                      payable_account(provider_id): amount_pence},
                idempotency_key=idempotency_key, actor=actor, memo=memo,
                on_behalf_of_id=on_behalf_of_id, category_id=category_id,
                provider_id=provider_id, effective_on=effective_on)


def record_payment(session: Session, *, budget_id: int, provider_id: int, amount_pence: int,
                   idempotency_key: str, actor: User | None, memo: str,
                   category_id: int | None = None,
                   effective_on: date | None = None) -> LedgerTransaction:
    """A provider has been paid: payable:provider:<id> → paid."""
    return post(session, budget_id=budget_id, kind="payment",
                legs={payable_account(provider_id): -_positive(amount_pence), PAID: amount_pence},
                idempotency_key=idempotency_key, actor=actor, memo=memo,
                category_id=category_id, provider_id=provider_id, effective_on=effective_on)


def adjust(session: Session, *, budget_id: int, amount_pence: int, reason: str,
           idempotency_key: str, actor: User | None, memo: str = "Adjustment by the council",
           effective_on: date | None = None) -> LedgerTransaction:
    """The council adds money (positive amount) or takes it back (negative) with a reason."""
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or amount_pence == 0:
        raise LedgerError("The adjustment must be a whole number of pence, not zero.")
    return post(session, budget_id=budget_id, kind="adjustment",
                legs={FUNDING: -amount_pence, AVAILABLE: amount_pence},
                idempotency_key=idempotency_key, actor=actor, memo=memo, reason=reason,
                effective_on=effective_on)


def claw_back(session: Session, *, budget_id: int, amount_pence: int, reason: str,
              idempotency_key: str, actor: User | None,
              memo: str = "Unspent money returned to the council",
              effective_on: date | None = None) -> LedgerTransaction:
    """Unspent money goes back to the council: available → funding."""
    return post(session, budget_id=budget_id, kind="clawback",
                legs={AVAILABLE: -_positive(amount_pence), FUNDING: amount_pence},
                idempotency_key=idempotency_key, actor=actor, memo=memo, reason=reason,
                effective_on=effective_on)


def reverse(session: Session, *, transaction_id: int, reason: str, idempotency_key: str,
            actor: User | None, effective_on: date | None = None) -> LedgerTransaction:
    """Correct a mistake with a new transaction that undoes an earlier one (never an edit)."""
    original = session.get(LedgerTransaction, transaction_id)
    if original is None:
        raise LedgerError("There is no such transaction.")
    legs = session.exec(
        select(Posting.account, Posting.amount_pence).where(Posting.transaction_id == transaction_id)
    ).all()
    return post(session, budget_id=original.budget_id, kind="reversal",
                legs={account: -amount for account, amount in legs},
                idempotency_key=idempotency_key, actor=actor,
                memo=f"Correction of: {original.memo}"[:500], reason=reason,
                category_id=original.category_id, provider_id=original.provider_id,
                effective_on=effective_on)
