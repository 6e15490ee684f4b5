"""Voice: what budget holders tell the council through the service. Challenges to decisions and
how each ended (from the package events), invoices disputed, by provider (from the invoices'
audit entries, so an invoice disputed twice counts twice), and review ratings, by provider and
month. Every figure is counted by GROUP BY in SQL, so the page costs the same however many
providers there are."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from marketplace.insight.filters import InsightFilters
from marketplace.models import (
    AuditLog,
    Budget,
    CarePackage,
    Invoice,
    PackageEvent,
    PackageLine,
    Provider,
    Review,
)

# The decisions a challenge can end in (PackageEvent kinds), in the order the page shows them.
OUTCOMES = {"approved": "Agreed", "changes_requested": "Changes asked for", "rejected": "Turned down again"}
NOT_DECIDED = "Waiting for a decision"
DISPUTED, QUERIED = "invoice.disputed", "invoice.queried"
MOST_PROVIDERS = 20  # the providers listed; the page says how many there are in all


def _funded(query, budget_id_column, filters: InsightFilters):
    if filters.funding_source:
        query = query.join(Budget, Budget.id == budget_id_column).where(
            Budget.funding_source == filters.funding_source)
    return query


@dataclass(frozen=True)
class Challenges:
    by_month: list[tuple[date, dict[str, int]]]  # each month: outcome label -> challenges

    @property
    def outcomes(self) -> list[str]:
        return [*OUTCOMES.values(), NOT_DECIDED]

    @property
    def totals(self) -> dict[str, int]:
        return {outcome: sum(counts.get(outcome, 0) for _month, counts in self.by_month)
                for outcome in self.outcomes}


def challenges(session: Session, filters: InsightFilters) -> Challenges:
    """Challenges raised in each month of the period, by how they ended: the first decision
    after the challenge (by another professional or the council)."""
    first_decision = (select(PackageEvent.kind)
                      .where(PackageEvent.package_id == CarePackage.id, col(PackageEvent.kind).in_(OUTCOMES),
                             PackageEvent.at >= CarePackage.challenged_at)
                      .order_by(PackageEvent.at, PackageEvent.id).limit(1).correlate(CarePackage).scalar_subquery())
    raised = _funded(select(filters.month_of(CarePackage.challenged_at).label("month"),
                            first_decision.label("outcome"))
                     .where(filters.moment_in_period(CarePackage.challenged_at)),
                     CarePackage.budget_id, filters).subquery()
    counts: dict[date, dict[str, int]] = defaultdict(dict)
    for month, outcome, count in session.exec(
            select(raised.c.month, raised.c.outcome, func.count()).group_by(raised.c.month, raised.c.outcome)):
        counts[date.fromisoformat(month)][OUTCOMES.get(outcome, NOT_DECIDED)] = int(count)
    return Challenges([(month, counts.get(month, {})) for month in filters.months()])


@dataclass(frozen=True)
class ProviderDisputes:
    provider_id: int
    name: str
    invoices: int  # sent in the period
    disputed: int  # sent back to the provider before approval
    queried: int  # disputed after approval, so the council looks into it


# Each provider's invoices sent in the period. Made once: building an alias's columns costs more
# than the rest of the query on each call.
_BILLED = aliased(Invoice)


def _chosen_invoices(query, invoice, filters: InsightFilters):
    """Invoices for the funding source and kind of support the filters choose."""
    if filters.category:
        query = query.join(PackageLine, PackageLine.id == invoice.line_id).where(
            PackageLine.category == filters.category)
    return _funded(query, invoice.budget_id, filters)


def disputes(session: Session, filters: InsightFilters) -> tuple[list[ProviderDisputes], int]:
    """The providers whose invoices were disputed most in the period, and how many providers had any."""
    disputed = func.sum(case((AuditLog.action == DISPUTED, 1), else_=0))
    queried = func.sum(case((AuditLog.action == QUERIED, 1), else_=0))
    sent = _chosen_invoices(select(func.count()).select_from(_BILLED).where(
        _BILLED.provider_id == Provider.id, filters.moment_in_period(_BILLED.created_at)), _BILLED, filters)
    query = _chosen_invoices(
        select(Provider.id, Provider.name, sent.correlate(Provider).scalar_subquery(), disputed, queried,
               func.count().over())
        .select_from(AuditLog)
        .join(Invoice, Invoice.id == AuditLog.object_id)
        .join(Provider, Provider.id == Invoice.provider_id)
        .where(AuditLog.object_type == "invoice", col(AuditLog.action).in_((DISPUTED, QUERIED)),
               filters.moment_in_period(AuditLog.at)), Invoice, filters)
    rows = session.exec(query.group_by(Provider.id, Provider.name)
                        .order_by(func.count().desc(), Provider.name, Provider.id).limit(MOST_PROVIDERS)).all()
    return ([ProviderDisputes(pid, name, int(sent), int(d), int(q)) for pid, name, sent, d, q, _all in rows],
            rows[0][-1] if rows else 0)


@dataclass(frozen=True)
class Ratings:
    reviews: int
    average: float | None  # out of 5


@dataclass(frozen=True)
class ProviderRatings:
    provider_id: int
    name: str
    overall: Ratings
    by_month: list[tuple[date, Ratings]]  # only the months with reviews


@dataclass(frozen=True)
class Reviews:
    by_month: list[tuple[date, Ratings]]  # every provider together, every month of the period
    providers: list[ProviderRatings]  # the lowest rated first
    provider_count: int


def _ratings(count, average) -> Ratings:
    return Ratings(int(count), None if average is None else round(float(average), 1))


def reviews(session: Session, filters: InsightFilters) -> Reviews:
    """Review ratings each month, for every provider together and for the providers rated
    lowest in the period (where the council may need to act). A review counts in the month it
    was written or last changed; reviews the council hid are left out."""
    shown = (Review.hidden_at.is_(None), filters.moment_in_period(Review.updated_at))
    months = select(filters.month_of(Review.updated_at).label("month"), Review.provider_id, Review.rating) \
        .where(*shown).subquery()
    everyone = {date.fromisoformat(month): _ratings(count, average) for month, count, average in session.exec(
        select(months.c.month, func.count(), func.avg(months.c.rating)).group_by(months.c.month))}
    average = func.avg(Review.rating)
    lowest = session.exec(
        select(Review.provider_id, Provider.name, func.count(), average, func.count().over())
        .join(Provider, Provider.id == Review.provider_id).where(*shown)
        .group_by(Review.provider_id, Provider.name)
        .order_by(average, func.count().desc(), Provider.name).limit(MOST_PROVIDERS)).all()
    per_month: dict[int, list[tuple[date, Ratings]]] = defaultdict(list)
    if lowest:
        for provider_id, month, count, mean in session.exec(
                select(months.c.provider_id, months.c.month, func.count(), func.avg(months.c.rating))
                .where(months.c.provider_id.in_([row[0] for row in lowest]))
                .group_by(months.c.provider_id, months.c.month).order_by(months.c.month)):
            per_month[provider_id].append((date.fromisoformat(month), _ratings(count, mean)))
    return Reviews([(month, everyone.get(month, Ratings(0, None))) for month in filters.months()],
                   [ProviderRatings(pid, name, _ratings(count, mean), per_month[pid])
                    for pid, name, count, mean, _all in lowest],
                   lowest[0][-1] if lowest else 0)
