"""Voice: what budget holders tell the council through the service. Challenges to decisions and
how each ended (from the package events), invoices disputed, by provider (from the invoices'
audit entries, so an invoice disputed twice counts twice), and review ratings, by provider and
month. Every figure is counted by GROUP BY in SQL, so the page costs the same however many
providers there are."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import bindparam, case, func, null, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from marketplace.insight.filters import InsightFilters, in_period, month_number
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


def _funded(query, budget_id_column, by_funding: bool):
    if by_funding:
        query = query.join(Budget, Budget.id == budget_id_column).where(
            Budget.funding_source == bindparam("funding_source"))
    return query


def _parameters(filters: InsightFilters) -> dict:
    """The filters as the parameters of the page's statements. Each statement is built once for
    each way of filtering (and length of period), as putting one together cost more than the
    database took to answer it."""
    return {**filters.period_parameters(), "funding_source": filters.funding_source, "category": filters.category}


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


@cache
def _challenges_query(months: int, by_funding: bool):
    first_decision = (select(PackageEvent.kind)
                      .where(PackageEvent.package_id == CarePackage.id, col(PackageEvent.kind).in_(OUTCOMES),
                             PackageEvent.at >= CarePackage.challenged_at)
                      .order_by(PackageEvent.at, PackageEvent.id).limit(1).correlate(CarePackage).scalar_subquery())
    raised = _funded(select(month_number(CarePackage.challenged_at, months).label("month"),
                            first_decision.label("outcome"))
                     .where(in_period(CarePackage.challenged_at)),
                     CarePackage.budget_id, by_funding).subquery()
    return select(raised.c.month, raised.c.outcome, func.count()).group_by(raised.c.month, raised.c.outcome)


def challenges(session: Session, filters: InsightFilters) -> Challenges:
    """Challenges raised in each month of the period, by how they ended: the first decision
    after the challenge (by another professional or the council)."""
    months = filters.months()
    counts: dict[date, dict[str, int]] = defaultdict(dict)
    for number, outcome, count in session.exec(_challenges_query(len(months), filters.funding_source is not None),
                                               params=_parameters(filters)):
        counts[months[number]][OUTCOMES.get(outcome, NOT_DECIDED)] = int(count)
    return Challenges([(month, counts.get(month, {})) for month in months])


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


def _chosen_invoices(query, invoice, by_funding: bool, by_category: bool):
    """Invoices for the funding source and kind of support the filters choose."""
    if by_category:
        query = query.join(PackageLine, PackageLine.id == invoice.line_id).where(
            PackageLine.category == bindparam("category"))
    return _funded(query, invoice.budget_id, by_funding)


@cache
def _disputes_query(by_funding: bool, by_category: bool):
    disputed = func.sum(case((AuditLog.action == DISPUTED, 1), else_=0))
    queried = func.sum(case((AuditLog.action == QUERIED, 1), else_=0))
    sent = _chosen_invoices(select(func.count()).select_from(_BILLED).where(
        _BILLED.provider_id == Provider.id, in_period(_BILLED.created_at)), _BILLED, by_funding, by_category)
    query = _chosen_invoices(
        select(Provider.id, Provider.name, sent.correlate(Provider).scalar_subquery(), disputed, queried,
               func.count().over())
        .select_from(AuditLog)
        .join(Invoice, Invoice.id == AuditLog.object_id)
        .join(Provider, Provider.id == Invoice.provider_id)
        .where(AuditLog.object_type == "invoice", col(AuditLog.action).in_((DISPUTED, QUERIED)),
               in_period(AuditLog.at)), Invoice, by_funding, by_category)
    return (query.group_by(Provider.id, Provider.name)
            .order_by(func.count().desc(), Provider.name, Provider.id).limit(MOST_PROVIDERS))


def disputes(session: Session, filters: InsightFilters) -> tuple[list[ProviderDisputes], int]:
    """The providers whose invoices were disputed most in the period, and how many providers had any."""
    rows = session.exec(_disputes_query(filters.funding_source is not None, filters.category is not None),
                        params=_parameters(filters)).all()
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


@cache
def _reviews_query(months: int):
    """Reviews each month for every provider together (rows with no provider), then for each of
    the lowest rated providers, lowest first, with its reviews in the whole period: one
    statement, as both count the same reviews."""
    shown = (Review.hidden_at.is_(None), in_period(Review.updated_at))
    in_months = (select(month_number(Review.updated_at, months).label("month"), Review.provider_id, Review.rating)
                 .where(*shown).subquery())
    average = func.avg(Review.rating)
    rank = (average, func.count().desc(), Provider.name, Review.provider_id)
    lowest = (select(Review.provider_id, Provider.name, func.count().label("reviews"), average.label("average"),
                     func.count().over().label("providers"), func.row_number().over(order_by=rank).label("place"))
              .join(Provider, Provider.id == Review.provider_id).where(*shown)
              .group_by(Review.provider_id, Provider.name)
              .order_by(*rank).limit(MOST_PROVIDERS).cte("lowest"))
    each_month = (func.count(), func.avg(in_months.c.rating))
    everyone = (select(*(null().label(column.name) for column in lowest.c), in_months.c.month, *each_month)
                .group_by(in_months.c.month))
    lowest_by_month = (select(*lowest.c, in_months.c.month, *each_month)
                       .join(in_months, in_months.c.provider_id == lowest.c.provider_id)
                       .group_by(*lowest.c, in_months.c.month))
    both = union_all(everyone, lowest_by_month)
    return both.order_by(both.selected_columns.place, both.selected_columns.month)


def reviews(session: Session, filters: InsightFilters) -> Reviews:
    """Review ratings each month, for every provider together and for the providers rated
    lowest in the period (where the council may need to act). A review counts in the month it
    was written or last changed; reviews the council hid are left out."""
    months = filters.months()
    everyone: dict[date, Ratings] = {}
    lowest: dict[int, ProviderRatings] = {}
    provider_count = 0
    for provider_id, name, count, mean, providers, _place, number, month_count, month_mean in session.exec(
            _reviews_query(len(months)), params=filters.period_parameters()):
        month, ratings = months[number], _ratings(month_count, month_mean)
        if provider_id is None:
            everyone[month] = ratings
            continue
        if provider_id not in lowest:
            lowest[provider_id] = ProviderRatings(provider_id, name, _ratings(count, mean), [])
            provider_count = providers
        lowest[provider_id].by_month.append((month, ratings))
    return Reviews([(month, everyone.get(month, Ratings(0, None))) for month in months],
                   list(lowest.values()), provider_count)
