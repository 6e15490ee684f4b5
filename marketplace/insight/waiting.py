"""Who is waiting, and how long answers take, in working days (marketplace/workdays.py):
packages from reaching their reviewer to the decision, providers from a package being sent to
their answer on its line, invoices from arriving to approval, and
payments from the invoice's approval to the money being paid. Read from the package, invoice
and payment records' own timestamps; every query lives here."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, literal, union_all
from sqlmodel import Session, col, select

from marketplace.insight.filters import InsightFilters, uk_midnight
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
WAITING_LIST_LIMIT = 50  # the oldest this many are listed; the count says how many in all
NOBODY = "Not recorded"


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


@dataclass(frozen=True)
class Waiting:
    started: datetime
    what: str
    who: str
    budget_id: int

    def working_days(self, today: date) -> int:
        return working_days_between(uk_date(self.started), today)


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


def measure(key: str, name: str, by_label: str, answered: list[Answered], waiting: list[Waiting],
            waiting_count: int, filters: InsightFilters) -> Measure:
    every, per_month, per_whom = [], defaultdict(list), defaultdict(list)
    for answer in answered:
        days = answer.working_days
        every.append(days)
        per_month[uk_date(answer.finished).replace(day=1)].append(days)
        per_whom[answer.by].append(days)
    return Measure(key, name, by_label, summarise(every),
                   [(month, summarise(per_month[month])) for month in filters.months()],
                   sorted(((who, summarise(days)) for who, days in per_whom.items()),
                          key=lambda row: row[0].casefold()),
                   waiting, waiting_count)


def _funded(query, budget_id_column, filters: InsightFilters):
    if filters.funding_source:
        query = query.join(Budget, Budget.id == budget_id_column).where(
            Budget.funding_source == filters.funding_source)
    return query


# The lists of what waits now, each as (started, what, who, budget, id) in the order shown.
_WaitingLists = dict[str, tuple[list[Waiting], int]]


def _oldest_of_each(session: Session, lists: dict[str, Select]) -> _WaitingLists:
    """The first WAITING_LIST_LIMIT rows of each list, longest waiting first, and how many each
    has in all: one statement for every list, as each is only a few rows."""
    firsts = [query.add_columns(literal(key).label("list"), func.count().over().label("total"))
              .limit(WAITING_LIST_LIMIT).subquery() for key, query in lists.items()]
    rows = session.exec(union_all(*(select(first) for first in firsts))).all()
    shown: dict[str, list[Waiting]] = {key: [] for key in lists}
    totals = dict.fromkeys(lists, 0)
    # Each list's own order, (started, id), is put back here: a union keeps no order.
    for started, what, who, budget_id, _id, key, total in sorted(rows, key=lambda row: (row[0], row[4])):
        shown[key].append(Waiting(started, what, who, budget_id))
        totals[key] = total
    return {key: (shown[key], totals[key]) for key in lists}


def measures(session: Session, filters: InsightFilters) -> list[Measure]:
    """Packages, provider answers, invoices and payments, in that order."""
    started = started_at_sql()
    waiting = _oldest_of_each(session, {
        "packages": _funded(
            select(started, CarePackage.title, Person.name, CarePackage.budget_id, CarePackage.id)
            .join(Person, Person.id == CarePackage.person_id)
            .where(CarePackage.status == PackageStatus.AWAITING_REVIEW.value, started.is_not(None)),
            CarePackage.budget_id, filters).order_by(started, CarePackage.id),
        "lines": _funded(
            select(CarePackage.submitted_at, PackageLine.title, PackageLine.provider_name, CarePackage.budget_id,
                   PackageLine.id)
            .join(CarePackage, CarePackage.id == PackageLine.package_id)
            .where(PackageLine.response == LineResponse.REQUESTED.value, col(CarePackage.submitted_at).is_not(None)),
            CarePackage.budget_id, filters).order_by(CarePackage.submitted_at, PackageLine.id),
        "invoices": _funded(
            select(Invoice.submitted_at, literal("Invoice from ") + Provider.name, Person.name, Invoice.budget_id,
                   Invoice.id)
            .join(Provider, Provider.id == Invoice.provider_id).join(Person, Person.id == Invoice.person_id)
            .where(Invoice.status == InvoiceStatus.SUBMITTED.value), Invoice.budget_id, filters)
        .order_by(Invoice.submitted_at, Invoice.id),
        "payments": _funded(
            select(Payment.created_at, Payment.description, Provider.name, Payment.budget_id, Payment.id)
            .join(Provider, Provider.id == Payment.provider_id)
            .where(Payment.status != PaymentStatus.PAID.value), Payment.budget_id, filters)
        .order_by(Payment.created_at, Payment.id),
    })
    return [_packages(session, filters, *waiting["packages"]), _line_responses(session, filters, *waiting["lines"]),
            _invoices(session, filters, *waiting["invoices"]), _payments(session, filters, *waiting["payments"])]


def _packages(session: Session, filters: InsightFilters, waiting: list[Waiting], count: int) -> Measure:
    """Every decision in the period counts, a package sent back and then agreed twice (from the
    package's timeline: see clock.decisions_sql)."""
    decisions = clock.decisions_sql().subquery()
    decided = session.exec(_funded(
        select(decisions.c.started, decisions.c.at, User.name)
        .outerjoin(User, User.id == decisions.c.actor_id)
        .where(decisions.c.started.is_not(None), filters.moment_in_period(decisions.c.at)),
        decisions.c.budget_id, filters)).all()
    return measure("packages", "Care packages: sent to the reviewer until decided", "Professional",
                   [Answered(s, d, who or NOBODY) for s, d, who in decided], waiting, count, filters)


def _line_responses(session: Session, filters: InsightFilters, waiting: list[Waiting], count: int) -> Measure:
    """Providers answering a request to provide a line: from the package being sent until the
    provider accepted or declined."""
    answered = session.exec(_funded(
        select(CarePackage.submitted_at, PackageLine.responded_at, PackageLine.provider_name)
        .join(CarePackage, CarePackage.id == PackageLine.package_id)
        .where(col(CarePackage.submitted_at).is_not(None), col(PackageLine.responded_at).is_not(None),
               filters.moment_in_period(PackageLine.responded_at)), CarePackage.budget_id, filters)).all()
    return measure("lines", "Provider answers: package sent until the provider accepted or declined", "Provider",
                   [Answered(s, d, who) for s, d, who in answered], waiting, count, filters)


def _invoices(session: Session, filters: InsightFilters, waiting: list[Waiting], count: int) -> Measure:
    approved = session.exec(_funded(
        select(Invoice.submitted_at, Invoice.decided_at, Provider.name)
        .join(Provider, Provider.id == Invoice.provider_id)
        .where(Invoice.status == InvoiceStatus.APPROVED.value, col(Invoice.decided_at).is_not(None),
               filters.moment_in_period(Invoice.decided_at)), Invoice.budget_id, filters)).all()
    return measure("invoices", "Invoices: arrived until approved", "Provider",
                   [Answered(s, d, who) for s, d, who in approved], waiting, count, filters)


def _payments(session: Session, filters: InsightFilters, waiting: list[Waiting], count: int) -> Measure:
    """From the invoice's approval (when the payment is created) until the provider is paid."""
    paid = session.exec(_funded(
        select(Payment.created_at, Payment.paid_at, Provider.name)
        .join(Provider, Provider.id == Payment.provider_id)
        .where(Payment.status == PaymentStatus.PAID.value, col(Payment.paid_at).is_not(None),
               filters.moment_in_period(Payment.paid_at)), Payment.budget_id, filters)).all()
    return measure("payments", "Payments: invoice approved until paid", "Provider",
                   [Answered(s, d, who) for s, d, who in paid], waiting, count, filters)


def professional_against_council(session: Session, professional_id: int, *,
                                 since: date) -> tuple[Summary, Summary]:
    """How long this professional's package decisions took since the day given, and everyone's."""
    decisions = clock.decisions_sql().subquery()
    rows = session.exec(select(decisions.c.started, decisions.c.at, decisions.c.actor_id).where(
        decisions.c.started.is_not(None), decisions.c.at >= uk_midnight(since))).all()
    days = [(Answered(s, d, "").working_days, by) for s, d, by in rows]
    return summarise(d for d, by in days if by == professional_id), summarise(d for d, _by in days)
