"""Where the money goes, across every budget: the council's totals rolled up from the ledger
every 15 minutes (council_figures.py), and the people at risk from the forecasts the morning
sweep keeps (budgets/kept_forecasts.py). Tests prove both equal the ledger."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import bindparam, case, func, literal, true, union_all
from sqlmodel import Session, col, select

from marketplace.budgets.forecast import Forecast
from marketplace.budgets.kept_forecasts import kept_forecast
from marketplace.categories import category_label
from marketplace.insight.filters import InsightFilters
from marketplace.ledger import AVAILABLE, CONTRIBUTION, FUNDING, PAID
from marketplace.models import (
    Budget,
    BudgetForecast,
    CouncilMonthTotal,
    CouncilProviderMonth,
    CouncilTopProvider,
    Person,
    Provider,
)

TOP_PROVIDERS = 10
AT_RISK_SHOWN = 50  # per list; the page says how many more there are


@dataclass(frozen=True)
class MonthMoney:
    month: date  # the first day of the month
    paid_in: int  # by the council and by people's contributions, less anything taken back
    set_aside: int  # newly set aside for agreed support, less any given back
    spent: int  # invoices approved
    free_at_end: int  # free to use across the budgets at the end of the month


@dataclass(frozen=True)
class CategoryMoney:
    name: str
    set_aside: int
    spent: int


@dataclass(frozen=True)
class ProviderMoney:
    provider_id: int
    name: str
    spent: int


def _total(kinds: tuple[str, ...], *, sign: int = 1, moved_in: bool = False):
    amount = CouncilMonthTotal.moved_in_pence if moved_in else CouncilMonthTotal.amount_pence
    return func.coalesce(func.sum(case((col(CouncilMonthTotal.kind).in_(kinds), sign * amount), else_=0)), 0)


PAID_IN = _total((FUNDING, CONTRIBUTION), sign=-1)  # they run negative as money comes in
NEWLY_SET_ASIDE = _total(("committed",), moved_in=True)
SPENT = _total(("payable", PAID))
FREE_CHANGE = _total((AVAILABLE,))


def _chosen(query, table, by_funding: bool, by_category: bool, *, period: bool = True):
    """The rolled-up rows the filters choose: by funding source, category and (unless asked
    not to) the months shown, each a parameter (_parameters gives them)."""
    if by_funding:
        query = query.where(table.funding_source == bindparam("funding_source"))
    if by_category:
        query = query.where(table.category_key == bindparam("category"))
    if period:
        query = query.where(table.month >= bindparam("first_month"), table.month <= bindparam("last_month"))
    return query


def _parameters(filters: InsightFilters) -> dict:
    return {"funding_source": filters.funding_source, "category": filters.category,
            "first_month": filters.first_month, "last_month": filters.last_month}


def _shape(filters: InsightFilters) -> tuple[bool, bool]:
    """Which filters are chosen: each way has its own statement, built once (putting a
    statement together cost more than the database took to answer it)."""
    return filters.funding_source is not None, filters.category is not None


_WORKED_OUT_AT = select(func.max(CouncilMonthTotal.worked_out_at))


def worked_out_at(session: Session) -> datetime | None:
    """When the council's figures were last worked out from the ledger; None if never."""
    return session.exec(_WORKED_OUT_AT).one()


@cache
def _money_by_month_query(by_funding: bool, by_category: bool):
    return (_chosen(select(CouncilMonthTotal.month, PAID_IN, NEWLY_SET_ASIDE, SPENT, FREE_CHANGE),
                    CouncilMonthTotal, by_funding, by_category, period=False)
            .where(CouncilMonthTotal.month <= bindparam("last_month")).group_by(CouncilMonthTotal.month))


def money_by_month(session: Session, filters: InsightFilters) -> list[MonthMoney]:
    """Each month of the period, the money free at the end of it carried on from every month
    before (read in the same statement: a few rows a month)."""
    sums, free = {}, 0
    for month, paid_in, set_aside, spent, free_change in session.exec(
            _money_by_month_query(*_shape(filters)), params=_parameters(filters)):
        if month < filters.first_month:
            free += int(free_change)
        else:
            sums[month] = (int(paid_in), int(set_aside), int(spent), int(free_change))
    rows = []
    for first_day in filters.months():
        paid_in, set_aside, spent, free_change = sums.get(first_day, (0, 0, 0, 0))
        free += free_change
        rows.append(MonthMoney(first_day, paid_in, set_aside, spent, free))
    return rows


@cache
def _money_by_category_query(by_funding: bool, by_category: bool):
    return (_chosen(select(CouncilMonthTotal.category_key, NEWLY_SET_ASIDE, SPENT),
                    CouncilMonthTotal, by_funding, by_category)
            .where(col(CouncilMonthTotal.category_key).is_not(None))
            .group_by(CouncilMonthTotal.category_key))


def money_by_category(session: Session, filters: InsightFilters) -> list[CategoryMoney]:
    """Set aside and spent per kind of support in the period, largest spend first. Money that
    moved without a category (paying in, for one) is left out: it is not spending on anything."""
    by_name: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, set_aside, spent in session.exec(_money_by_category_query(*_shape(filters)),
                                              params=_parameters(filters)):
        sums = by_name[category_label(key)]
        sums[0] += int(set_aside)
        sums[1] += int(spent)
    return sorted((CategoryMoney(name, s, p) for name, (s, p) in by_name.items() if s or p),
                  key=lambda row: (-row.spent, row.name))


@cache
def _kept_top_providers_query(by_funding: bool, by_category: bool):
    kept = CouncilTopProvider
    return (select(Provider.id, Provider.name, kept.spent_pence).join(kept, kept.provider_id == Provider.id)
            .where(kept.first_month == bindparam("first_month"), kept.last_month == bindparam("last_month"),
                   _all_or(kept.funding_source, by_funding, "funding_source"),
                   _all_or(kept.category_key, by_category, "category"))
            .order_by(col(kept.spent_pence).desc(), Provider.name))


_KEPT_FOR_PERIOD = select(func.count()).where(CouncilTopProvider.first_month == bindparam("first_month"),
                                              CouncilTopProvider.last_month == bindparam("last_month"))


@cache
def _summed_top_providers_query(by_funding: bool, by_category: bool):
    spent = func.sum(CouncilProviderMonth.spent_pence).label("spent")
    top = (_chosen(select(CouncilProviderMonth.provider_id, spent), CouncilProviderMonth, by_funding, by_category)
           .group_by(CouncilProviderMonth.provider_id).having(spent > 0)
           .order_by(spent.desc(), CouncilProviderMonth.provider_id).limit(TOP_PROVIDERS).subquery())
    return (select(Provider.id, Provider.name, top.c.spent)
            .join(top, top.c.provider_id == Provider.id)
            .order_by(top.c.spent.desc(), Provider.name))


def top_providers(session: Session, filters: InsightFilters) -> list[ProviderMoney]:
    """Spending (invoices approved, less any corrected) per provider in the period. For the
    usual period the sweep keeps the ranking (council_figures.py); for any other the sums are
    ranked before providers' names are looked up, so only ten names are read."""
    shape, parameters = _shape(filters), _parameters(filters)
    rows = session.exec(_kept_top_providers_query(*shape), params=parameters).all()
    if not rows and not session.exec(_KEPT_FOR_PERIOD, params=parameters).one():
        rows = session.exec(_summed_top_providers_query(*shape), params=parameters).all()
    return [ProviderMoney(provider_id, name, int(total)) for provider_id, name, total in rows]


def _all_or(column, chosen: bool, parameter: str):
    """A kept ranking's funding source or category: None where the filter chose all of them."""
    return column == bindparam(parameter) if chosen else column.is_(None)


@dataclass(frozen=True)
class BudgetAtRisk:
    budget_id: int
    person_name: str
    forecast: Forecast


@dataclass(frozen=True)
class AtRisk:
    worked_out_on: date | None  # when the morning sweep last forecast the budgets; None if never
    unused: list[BudgetAtRisk]  # more than 8 weeks' worth forecast to go unused, largest first
    unused_count: int
    running_out: list[BudgetAtRisk]  # forecast to run out before the period ends, soonest first
    running_out_count: int


# Each list's order, the most urgent first: the largest amount left over, the soonest to run out.
_AT_RISK = {"unused": (col(BudgetForecast.money_left_over), (BudgetForecast.left_at_end_pence.desc(),)),
            "running_out": (col(BudgetForecast.runs_out_on).is_not(None), (BudgetForecast.runs_out_on,))}


def _kept_at_risk(kind: str, by_funding: bool):
    """A list of budgets at risk as plain figures (not whole forecast rows), with how many
    there are in all and each one's place in the list."""
    at_risk, order = _AT_RISK[kind]
    order = (*order, Person.name, Budget.id)
    today = bindparam("today")
    chosen = (select(literal(kind).label("kind"), BudgetForecast.budget_id, Person.name,
                     BudgetForecast.weekly_spend_pence, BudgetForecast.spend_to_come_pence,
                     BudgetForecast.left_at_end_pence, BudgetForecast.runs_out_on, Budget.period_end,
                     func.count().over().label("listed"), func.row_number().over(order_by=order).label("place"))
              .join(Budget, Budget.id == BudgetForecast.budget_id)
              .join(Person, Person.id == Budget.person_id)
              .where(at_risk, Budget.period_start <= today, Budget.period_end >= today))
    if by_funding:
        chosen = chosen.where(Budget.funding_source == bindparam("funding_source"))
    return select(chosen.order_by(*order).limit(bindparam("shown")).subquery())


@cache
def _at_risk_query(by_funding: bool):
    """Both lists, and the day the morning sweep last forecast the budgets, in one statement:
    the day's single row is joined to the lists' rows, so it is read even when both are empty."""
    lists = union_all(_kept_at_risk("unused", by_funding), _kept_at_risk("running_out", by_funding)).subquery()
    latest = select(func.max(BudgetForecast.worked_out_on).label("worked_out_on")).subquery()
    return (select(latest.c.worked_out_on, lists).select_from(latest).outerjoin(lists, true())
            .order_by(lists.c.kind, lists.c.place))


def at_risk(session: Session, filters: InsightFilters, *, today: date) -> AtRisk:
    """The people whose budget the morning sweep forecast to leave more than 8 weeks' worth
    unused, or to run out, among budgets running today (the funding filter applies)."""
    rows = session.exec(_at_risk_query(filters.funding_source is not None),
                        params={"today": today, "funding_source": filters.funding_source,
                                "shown": AT_RISK_SHOWN}).all()
    lists: dict[str, list[BudgetAtRisk]] = {kind: [] for kind in _AT_RISK}
    counts = dict.fromkeys(_AT_RISK, 0)
    for row in rows:
        if row.kind is not None:
            lists[row.kind].append(BudgetAtRisk(row.budget_id, row.name, kept_forecast(row, row.period_end)))
            counts[row.kind] = row.listed
    return AtRisk(rows[0].worked_out_on, lists["unused"], counts["unused"], lists["running_out"],
                  counts["running_out"])
