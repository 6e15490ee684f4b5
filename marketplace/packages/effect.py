"""What a package does to the budget: the figures the package page shows beside its lines."""

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Date, Integer, bindparam
from sqlmodel import Session, select

from marketplace import ledger
from marketplace.budgets.forecast import ABOUT, share
from marketplace.budgets.forecast import forecast as budget_forecast
from marketplace.categories import category_label
from marketplace.models import (
    Budget,
    BudgetCategory,
    CarePackage,
    Outcome,
    PackageLine,
    PackageStatus,
)
from marketplace.packages import costing


@dataclass(frozen=True)
class CategoryEffect:
    name: str
    this_package: int
    planned: int | None  # the category's share of the budget, when the council split it


@dataclass(frozen=True)
class BudgetEffect:
    cost: costing.PackageCost
    free_now: int
    free_after: int  # negative when the package costs more than is free
    left_at_end_about: int  # forecast for the end of the period, to the nearest £10
    period_end: date
    categories: list[CategoryEffect]
    outcomes_without_support: list[Outcome]


@cache
def _running_weekly_lines_statement():
    """What costing.weekly_cost needs of each weekly line of the packages agreed and running
    on the `today` parameter: built once, read as plain rows."""
    today = bindparam("today", type_=Date)
    return (
        select(PackageLine.unit_price_pence, PackageLine.quantity_hundredths, PackageLine.weekly)
        .join(CarePackage, CarePackage.id == PackageLine.package_id)
        .where(CarePackage.budget_id == bindparam("budget_id", type_=Integer),
               CarePackage.status == PackageStatus.ACTIVE.value,
               CarePackage.start_on <= today, CarePackage.end_on >= today, PackageLine.weekly)
    )


def active_weekly_spend(session: Session, budget_id: int, today: date) -> int:
    """The weekly cost of the packages agreed and running today (line by line rounded by
    costing.weekly_cost, so page and forecast agree to the penny)."""
    return sum(costing.weekly_cost(line) for line in session.execute(
        _running_weekly_lines_statement(), {"budget_id": budget_id, "today": today}))


def runs_today(package: CarePackage, today: date) -> bool:
    """The packages active_weekly_spend counts, for lines already read."""
    return package.status_enum == PackageStatus.ACTIVE and package.start_on <= today <= package.end_on


def planned_weekly_spend(session: Session, budget_id: int, today: date) -> int | None:
    """For the budget's forecast: the agreed packages' weekly cost once there are any running
    (None before, so the forecast falls back to recent spending)."""
    weekly = active_weekly_spend(session, budget_id, today)
    return weekly or None


@cache
def _planned_by_category_statement():
    """Each category's share of the budget, by key: built once."""
    return (select(BudgetCategory.key, BudgetCategory.allocation_pence)
            .where(BudgetCategory.budget_id == bindparam("budget_id", type_=Integer)))


def budget_effect(session: Session, package: CarePackage, budget: Budget, lines: list[PackageLine],
                  outcomes: list[Outcome], today: date, *, current: ledger.Balances, weekly_spend_pence: int,
                  given_back: int = 0) -> BudgetEffect:
    """`current`: the budget's balances; `weekly_spend_pence`: what its agreed packages running
    today cost a week (as active_weekly_spend sums it); `given_back`: for a new version, what
    the agreed version it replaces would give back when it is agreed (so "free to use after"
    moves by the difference, as the money will)."""
    cost = costing.cost_package(lines, package.start_on, package.end_on)
    free_now = current.available
    # Agreed once (even if replaced or ended since): its money was set aside then.
    already_counted = package.status_enum in (PackageStatus.ACTIVE, PackageStatus.SUPERSEDED, PackageStatus.ENDED)
    forecast = budget_forecast(session, budget, today=today,
                                weekly_spend_pence=weekly_spend_pence,
                                balances=current)
    still_to_set_aside = 0 if already_counted else cost.total_pence - given_back
    left_at_end = forecast.left_at_end - still_to_set_aside
    planned = dict(session.execute(_planned_by_category_statement(), {"budget_id": budget.id}).all())
    categories = [CategoryEffect(category_label(key), amount, planned.get(key))
                  for key, amount in sorted(cost.by_category.items())]
    supported = {line.outcome_id for line in lines}
    return BudgetEffect(
        cost=cost, free_now=free_now,
        free_after=free_now - still_to_set_aside,
        left_at_end_about=share(left_at_end, 1, ABOUT) * ABOUT,  # halves up, in integers
        period_end=budget.period_end,
        categories=categories,
        outcomes_without_support=[o for o in outcomes if o.id not in supported and o.achieved_on is None],
    )
