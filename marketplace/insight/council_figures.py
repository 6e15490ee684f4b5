"""The council's figures across every budget and provider, rolled up every 15 minutes: money
from the ledger, and the choice of vetted providers in each district by browse's rule.

Summing 10,000 budgets' month totals (half a million rows), or counting 200,000 services by
district, for every page view is too slow, and keeping council-wide totals inside ledger.post()
would make every budget's money wait on the same few rows. So a sweep works the totals out again,
all at once, from the ledger's own month totals and postings (which `flask ledger check` proves)
and from browse's own vetting rule. The pages say when they were worked out; tests prove the
money equals the ledger after any history and the choice equals browse.
"""

from datetime import date, datetime
from itertools import product

from sqlalchemy import Connection, delete, func, insert, literal, null, select, text

from marketplace.insight.filters import read_filters
from marketplace.insight.money import TOP_PROVIDERS
from marketplace.ledger import Balances, month_of
from marketplace.models import (
    Budget,
    BudgetCategory,
    CouncilChoice,
    CouncilDistrict,
    CouncilMonthTotal,
    CouncilProviderMonth,
    CouncilTopProvider,
    LedgerMonthTotal,
    LedgerTransaction,
    Person,
    Posting,
    Provider,
    ProviderArea,
    Service,
)
from marketplace.models.types import UTCDateTime, utcnow
from marketplace.providers.vetting import is_listed, service_is_shown

# Any number will do, as long as nothing else in the database takes the same advisory lock.
REFRESH_LOCK = 17_002


def refresh_council_figures(connection: Connection, *, today: date, now: datetime | None = None) -> int:
    """Work every council total out again, in the caller's transaction. Safe to run twice or on
    two workers at once: on PostgreSQL the second waits for the first (SQLite lets only one
    writer in at a time anyway). Returns how many rows were written."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFRESH_LOCK})
    worked_out_at = now or utcnow()
    totals, budgets, categories = LedgerMonthTotal.__table__, Budget.__table__, BudgetCategory.__table__
    connection.execute(delete(CouncilMonthTotal.__table__))
    connection.execute(insert(CouncilMonthTotal.__table__).from_select(
        ["month", "funding_source", "category_key", "kind", "amount_pence", "moved_in_pence", "worked_out_at"],
        select(totals.c.month, budgets.c.funding_source, categories.c.key, totals.c.kind,
               func.sum(totals.c.amount_pence), func.sum(totals.c.moved_in_pence),
               literal(worked_out_at, UTCDateTime(timezone=True)))
        .join(budgets, budgets.c.id == totals.c.budget_id)
        .outerjoin(categories, categories.c.id == totals.c.category_id)
        .group_by(totals.c.month, budgets.c.funding_source, categories.c.key, totals.c.kind)))

    postings, transactions = Posting.__table__, LedgerTransaction.__table__
    month = month_of(transactions.c.effective_on, connection.dialect.name)
    spent = func.sum(postings.c.amount_pence)
    connection.execute(delete(CouncilProviderMonth.__table__))
    connection.execute(insert(CouncilProviderMonth.__table__).from_select(
        ["month", "funding_source", "category_key", "provider_id", "spent_pence"],
        select(month, budgets.c.funding_source, categories.c.key, transactions.c.provider_id, spent)
        .select_from(postings)
        .join(transactions, transactions.c.id == postings.c.transaction_id)
        .join(budgets, budgets.c.id == postings.c.budget_id)
        .outerjoin(categories, categories.c.id == transactions.c.category_id)
        .where(transactions.c.provider_id.is_not(None), Balances.where("spent", postings.c.account))
        .group_by(month, budgets.c.funding_source, categories.c.key, transactions.c.provider_id)
        .having(spent != 0)))
    _keep_top_providers(connection, today)

    _refresh_choice(connection, today, worked_out_at)
    return sum(connection.execute(select(func.count()).select_from(table)).scalar_one()
               for table in (CouncilMonthTotal.__table__, CouncilProviderMonth.__table__, CouncilTopProvider.__table__,
                             CouncilChoice.__table__, CouncilDistrict.__table__))


def _keep_top_providers(connection: Connection, today: date) -> None:
    """The providers paid most in the period the money page shows when none is asked for, for
    each funding source and category and for all of them, ranked as money.top_providers ranks
    them from the provider months just written."""
    usual = read_filters({}, today=today)
    months = CouncilProviderMonth.__table__
    connection.execute(delete(CouncilTopProvider.__table__))
    for by_funding, by_category in product((False, True), repeat=2):
        keys = [months.c.funding_source] if by_funding else []
        keys += [months.c.category_key] if by_category else []
        spent = func.sum(months.c.spent_pence)
        sums = (select(months.c.funding_source if by_funding else null().label("funding_source"),
                       months.c.category_key if by_category else null().label("category_key"),
                       months.c.provider_id, spent.label("spent"))
                .where(months.c.month >= usual.first_month, months.c.month <= usual.last_month)
                .group_by(*keys, months.c.provider_id).having(spent > 0))
        if by_category:  # money spent on no category is only in "all categories"
            sums = sums.where(months.c.category_key.is_not(None))
        sums = sums.subquery()
        ranked = select(sums, func.row_number().over(
            partition_by=[sums.c[key.name] for key in keys] or None, order_by=(sums.c.spent.desc(), sums.c.provider_id)).label("rank")).subquery()
        connection.execute(insert(CouncilTopProvider.__table__).from_select(
            ["first_month", "last_month", "funding_source", "category_key", "provider_id", "spent_pence"],
            select(literal(usual.first_month), literal(usual.last_month), ranked.c.funding_source,
                   ranked.c.category_key, ranked.c.provider_id, ranked.c.spent)
            .where(ranked.c.rank <= TOP_PROVIDERS)))


def _refresh_choice(connection: Connection, today: date, worked_out_at: datetime) -> None:
    """Vetted providers per district and kind of support, by browse's rule for `today`: each
    provider once per kind of support it offers (with its price range), then counted in each
    district it serves, a plain count in a hashed GROUP BY."""
    offered = (select(Service.provider_id, Service.category, func.min(Service.price_pence).label("lowest"),
                      func.max(Service.price_pence).label("highest"))
               .join(Provider, Provider.id == Service.provider_id)
               .where(is_listed(today), service_is_shown(today))
               .group_by(Service.provider_id, Service.category).subquery())
    connection.execute(delete(CouncilChoice.__table__))
    connection.execute(insert(CouncilChoice.__table__).from_select(
        ["district", "category", "providers", "lowest_pence", "highest_pence", "worked_out_at"],
        select(ProviderArea.district, offered.c.category, func.count(), func.min(offered.c.lowest),
               func.max(offered.c.highest), literal(worked_out_at, UTCDateTime(timezone=True)))
        .join(offered, offered.c.provider_id == ProviderArea.provider_id)
        .group_by(ProviderArea.district, offered.c.category)))
    connection.execute(delete(CouncilDistrict.__table__))
    connection.execute(insert(CouncilDistrict.__table__).from_select(
        ["district", "people"],
        select(Person.postcode_district, func.count()).where(Person.postcode_district.is_not(None))
        .group_by(Person.postcode_district)))
