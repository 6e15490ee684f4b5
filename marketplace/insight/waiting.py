"""Who is waiting, and how long answers take, in working days (marketplace/workdays.py):
packages from reaching their reviewer to the decision, providers from a package being sent to
their answer on its line, invoices from arriving to approval, and
payments from the invoice's approval to the money being paid. Read from the package, invoice
and payment records' own timestamps; every query lives here."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, bindparam, func, literal, union_all
from sqlmodel import Session, col, select

from marketplace.insight.filters import InsightFilters, in_period, uk_midnight
from marketplace.models import (
    Budget,
    CarePackage,
    Invoice,
    InvoiceStatus,
    LineResponse,
    PackageLine,
    PackageStatus,
    Payment,
    PaymentStatus,
    Person,
    Provider,
    User,
)
from marketplace.packages import clock
from marketplace.packages.clock import LATE_AFTER, started_at_sql, uk_date
from marketplace.workdays import working_days_between

TARGET_WORKING_DAYS = LATE_AFTER  # the promise: an answer within 5 working days
WAITING_LIST_LIMIT = 10  # the oldest this many are shown; the page says how many in all and links to them all
NOBODY = "Not recorded"
# The four measures, in the order the page shows them; each list of what waits now has the same key.
KEYS = ("packages", "lines", "invoices", "payments")


@dataclass(frozen=True)
class Summary:
    """How long a set of answers took, in working days."""

    count: int
    median: float | None
    ninetieth: int | None  # 9 in 10 took this long or less (nearest rank)
    within_target: int

    @property
    def share_within_target(self) -> int | None:
        """Whole per cent, halves up."""
        return None if not self.count else (200 * self.within_target + self.count) // (2 * self.count)


def summarise(days: Iterable[int]) -> Summary:
    ordered = sorted(days)
    count = len(ordered)
    if not count:
        return Summary(0, None, None, 0)
    middle = count // 2
    median = ordered[middle] if count % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    ninetieth = ordered[-(-9 * count // 10) - 1]  # nearest rank: ceil(0.9 n)
    return Summary(count, median, ninetieth, sum(1 for d in ordered if d <= TARGET_WORKING_DAYS))


@dataclass(frozen=True)
class Answered:
    started: datetime
    finished: datetime
    by: str  # the professional (packages) or the provider (invoices, payments)

    @property
    def working_days(self) -> int:
        return working_days_between(uk_date(self.started), uk_date(self.finished))


class Waiting(NamedTuple):
    started: datetime
    what: str
    who: str
    budget_id: int
    working_days: int  # from the day it started waiting to today


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    by_label: str  # whose answers the "by" rows are
    overall: Summary
    by_month: list[tuple[date, Summary]]
    by_whom: list[tuple[str, Summary]]
    waiting: list[Waiting]
    waiting_count: int


# What each measure is called and whose answers its "by" rows are, in KEYS order.
MEASURE_NAMES = {
    "packages": ("Care packages: sent to the reviewer until decided", "Professional"),
    "lines": ("Provider answers: package sent until the provider accepted or declined", "Provider"),
    "invoices": ("Invoices: arrived until approved", "Provider"),
    "payments": ("Payments: invoice approved until paid", "Provider"),
}


def measure(key: str, answered: list[tuple[datetime, datetime, str]], waiting: list[Waiting],
            waiting_count: int, filters: InsightFilters) -> Measure:
    """One measure's figures from its (started, answered, by whom) rows."""
    # Many answers start and end on the same days: each pair of days is counted once.
    days_between = cache(working_days_between)
    every, per_month, per_whom = [], defaultdict(list), defaultdict(list)
    for started, finished, by in answered:
        finished_on = uk_date(finished)
        days = days_between(uk_date(started), finished_on)
        every.append(days)
        per_month[finished_on.replace(day=1)].append(days)
        per_whom[by].append(days)
    name, by_label = MEASURE_NAMES[key]
    return Measure(key, name, by_label, summarise(every),
                   [(month, summarise(per_month[month])) for month in filters.months()],
                   sorted(((who, summarise(days)) for who, days in per_whom.items()),
                          key=lambda row: row[0].casefold()),
                   waiting, waiting_count)


# The statements below are built once, with the period, funding source and list length as
# parameters (see _parameters): putting together their joins and conditions on every request
# cost more than the database took to answer them.
_FUNDING = bindparam("funding")


def _parameters(filters: InsightFilters, **more) -> dict:
    return {**filters.period_parameters(), "funding": filters.funding_source, **more}


def _funded(query: Select, budget_id_column, funded: bool) -> Select:
    if funded:
        query = query.join(Budget, Budget.id == budget_id_column).where(Budget.funding_source == _FUNDING)
    return query


def _waiting_queries(funded: bool) -> dict[str, Select]:
    """What waits now in each list as (started, what, who, budget, id), longest waiting first."""
    started = started_at_sql()
    return {
        "packages": _funded(
            select(started, CarePackage.title, Person.name, CarePackage.budget_id, CarePackage.id)
            .join(Person, Person.id == CarePackage.person_id)
            .where(CarePackage.status == PackageStatus.AWAITING_REVIEW.value, started.is_not(None)),
            CarePackage.budget_id, funded).order_by(started, CarePackage.id),
        "lines": _funded(
            select(CarePackage.submitted_at, PackageLine.title, PackageLine.provider_name, CarePackage.budget_id,
                   PackageLine.id)
            .join(CarePackage, CarePackage.id == PackageLine.package_id)
            .where(PackageLine.response == LineResponse.REQUESTED.value, col(CarePackage.submitted_at).is_not(None)),
            CarePackage.budget_id, funded).order_by(CarePackage.submitted_at, PackageLine.id),
        "invoices": _funded(
            select(Invoice.submitted_at, literal("Invoice from ") + Provider.name, Person.name, Invoice.budget_id,
                   Invoice.id)
            .join(Provider, Provider.id == Invoice.provider_id).join(Person, Person.id == Invoice.person_id)
            .where(Invoice.status == InvoiceStatus.SUBMITTED.value), Invoice.budget_id, funded)
        .order_by(Invoice.submitted_at, Invoice.id),
        "payments": _funded(
            select(Payment.created_at, Payment.description, Provider.name, Payment.budget_id, Payment.id)
            .join(Provider, Provider.id == Payment.provider_id)
            .where(Payment.status != PaymentStatus.PAID.value), Payment.budget_id, funded)
        .order_by(Payment.created_at, Payment.id),
    }


@cache
def _oldest_of_each_query(funded: bool):
    """The first `limit` rows of every list, with the list's key and how many it has in all: one
    statement for the four lists, as each is only a few rows."""
    firsts = [query.add_columns(literal(key).label("list"), func.count().over().label("total"))
              .limit(bindparam("limit")).subquery() for key, query in _waiting_queries(funded).items()]
    return union_all(*(select(first) for first in firsts))


@cache
def _everything_waiting_query(funded: bool):
    # Unordered: a union takes no order in its parts on every database, and _by_list sorts.
    return union_all(*(query.add_columns(literal(key).label("list")).order_by(None)
                       for key, query in _waiting_queries(funded).items()))


def _by_list(rows, today: date) -> dict[str, list[Waiting]]:
    """Rows of the statements above, sorted back into their lists in each list's own order,
    (started, id): a union keeps no order."""
    days_waiting = cache(lambda day: working_days_between(day, today))
    lists: dict[str, list[Waiting]] = {key: [] for key in KEYS}
    for started, what, who, budget_id, _id, key, *_total in sorted(rows, key=lambda row: (row[0], row[4])):
        lists[key].append(Waiting(started, what, who, budget_id, days_waiting(uk_date(started))))
    return lists


def everything_waiting(session: Session, filters: InsightFilters, *, today: date) -> dict[str, list[Waiting]]:
    """Every item of each list of what waits now, longest waiting first (the page shows the first few)."""
    rows = session.execute(_everything_waiting_query(bool(filters.funding_source)),
                           {"funding": filters.funding_source}).all()
    return _by_list(rows, today)


@cache
def _answered_query(funded: bool):
    """Every answer given in the period, in all four measures, as (measure, started, answered,
    by whom) rows: one statement rather than four."""
    decisions = clock.decisions_sql().subquery()
    return union_all(
        # Every decision in the period counts, a package sent back and then agreed twice (from
        # the package's timeline: see clock.decisions_sql).
        _funded(select(literal("packages"), decisions.c.started, decisions.c.at, User.name)
                .outerjoin(User, User.id == decisions.c.actor_id)
                .where(decisions.c.started.is_not(None), in_period(decisions.c.at)), decisions.c.budget_id, funded),
        # Providers answering a request to provide a line: from the package being sent until
        # the provider accepted or declined.
        _funded(select(literal("lines"), CarePackage.submitted_at, PackageLine.responded_at, PackageLine.provider_name)
                .join(CarePackage, CarePackage.id == PackageLine.package_id)
                .where(col(CarePackage.submitted_at).is_not(None), col(PackageLine.responded_at).is_not(None),
                       in_period(PackageLine.responded_at)), CarePackage.budget_id, funded),
        _funded(select(literal("invoices"), Invoice.submitted_at, Invoice.decided_at, Provider.name)
                .join(Provider, Provider.id == Invoice.provider_id)
                .where(Invoice.status == InvoiceStatus.APPROVED.value, col(Invoice.decided_at).is_not(None),
                       in_period(Invoice.decided_at)), Invoice.budget_id, funded),
        # From the invoice's approval (when the payment is created) until the provider is paid.
        _funded(select(literal("payments"), Payment.created_at, Payment.paid_at, Provider.name)
                .join(Provider, Provider.id == Payment.provider_id)
                .where(Payment.status == PaymentStatus.PAID.value, col(Payment.paid_at).is_not(None),
                       in_period(Payment.paid_at)), Payment.budget_id, funded),
    )


def _answered(session: Session, filters: InsightFilters) -> dict[str, list[tuple[datetime, datetime, str]]]:
    answered: dict[str, list[tuple[datetime, datetime, str]]] = {key: [] for key in KEYS}
    for key, started, finished, by in session.execute(_answered_query(bool(filters.funding_source)),
                                                      _parameters(filters)):
        answered[key].append((started, finished, by or NOBODY))
    return answered


def measures(session: Session, filters: InsightFilters, *, today: date) -> list[Measure]:
    """Packages, provider answers, invoices and payments, in that order, each with the
    WAITING_LIST_LIMIT items waiting longest."""
    rows = session.execute(_oldest_of_each_query(bool(filters.funding_source)),
                           {"funding": filters.funding_source, "limit": WAITING_LIST_LIMIT}).all()
    totals = {row[5]: row[6] for row in rows}
    waiting = _by_list(rows, today)
    answered = _answered(session, filters)
    return [measure(key, answered[key], waiting[key], totals.get(key, 0), filters) for key in KEYS]


def answer_times(session: Session, filters: InsightFilters) -> list[Measure]:
    """The measures' figures alone, without what waits now (for the download of the tables)."""
    answered = _answered(session, filters)
    return [measure(key, answered[key], [], 0, filters) for key in KEYS]


def professional_against_council(session: Session, professional_id: int, *,
                                 since: date) -> tuple[Summary, Summary]:
    """How long this professional's package decisions took since the day given, and everyone's."""
    decisions = clock.decisions_sql().subquery()
    rows = session.exec(select(decisions.c.started, decisions.c.at, decisions.c.actor_id).where(
        decisions.c.started.is_not(None), decisions.c.at >= uk_midnight(since))).all()
    days = [(Answered(s, d, "").working_days, by) for s, d, by in rows]
    return summarise(d for d, by in days if by == professional_id), summarise(d for d, _by in days)
