"""The filters every insight page reads from its address: a period of whole months, a funding
source and a category. A value that is not one of ours is dropped with a message, never a 500."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import and_, bindparam, case

from marketplace.categories import SUPPORT_CATEGORIES
from marketplace.dates import UK, add_months
from marketplace.models import FundingSource
from marketplace.query import whole_number

DEFAULT_MONTHS = 12  # with no period asked for: the last 12 months, this one included
LONGEST_PERIOD_MONTHS = 60
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)


@dataclass(frozen=True)
class InsightFilters:
    first_month: date  # the first day of the first month shown
    last_month: date  # the first day of the last month shown
    funding_source: str | None = None
    category: str | None = None
    # (field, message) for each value that was not understood and so is not applied
    problems: list[tuple[str, str]] = field(default_factory=list, compare=False)

    @property
    def from_date(self) -> date:
        return self.first_month

    @property
    def to_date(self) -> date:
        return add_months(self.last_month, 1) - timedelta(days=1)

    @property
    def error_list(self) -> list[dict[str, str]]:
        return [{"text": message, "href": f"#{name}"} for name, message in self.problems]

    def problem_for(self, name: str) -> str | None:
        return next((message for field_name, message in self.problems if field_name == name), None)

    def months(self) -> list[date]:
        return list(_months_from(self.first_month, self.last_month))

    def period_parameters(self) -> dict[str, datetime]:
        """The moments in_period() and month_number() compare with, for a statement built once
        with them as parameters: the period's start and end, and the end of each of its months."""
        return dict(_period_parameters(self.first_month, self.last_month))

    def arguments(self) -> dict[str, str]:
        """The filters as address arguments, for links (the CSV download) that keep them."""
        values = {"from": f"{self.first_month:%Y-%m}", "to": f"{self.last_month:%Y-%m}"}
        if self.funding_source:
            values["funding"] = self.funding_source
        if self.category:
            values["category"] = self.category
        return values


@lru_cache(maxsize=256)
def _months_from(first_month: date, last_month: date) -> tuple[date, ...]:
    """Kept for the periods asked for lately: a page asks for its months several times."""
    months, month = [], first_month
    while month <= last_month:
        months.append(month)
        month = add_months(month, 1)
    return tuple(months)


@lru_cache(maxsize=256)
def _period_parameters(first_month: date, last_month: date) -> dict[str, datetime]:
    ends = {f"month_end_{number}": uk_midnight(add_months(month, 1))
            for number, month in enumerate(_months_from(first_month, last_month))}
    return {"period_start": uk_midnight(first_month), "period_end": uk_midnight(add_months(last_month, 1)), **ends}


def in_period(column):
    """A stored moment (UTC) falls on a UK day in the period, given as parameters
    (period_parameters gives them)."""
    return and_(column >= bindparam("period_start"), column < bindparam("period_end"))


def month_number(column, months: int):
    """Which month of a period of `months` months a stored moment in it falls on (0 for the
    first) in the UK, worked out in SQL so rows are counted by GROUP BY there (use with
    in_period; period_parameters gives the months' ends)."""
    return case(*[(column < bindparam(f"month_end_{number}"), number) for number in range(months)])


def uk_midnight(day: date) -> datetime:
    """The start of a UK day as a moment, for comparing with stored timestamps."""
    return datetime.combine(day, time(0), tzinfo=UK)


def month_from(text: str | None) -> date | None:
    """"2026-04" as the first day of that month; None for anything else."""
    found = _MONTH.fullmatch(text or "")
    if not found:
        return None
    year = whole_number(found.group(1), minimum=2000, maximum=2100)
    month = whole_number(found.group(2), minimum=1, maximum=12)
    return date(year, month, 1) if year and month else None


def read_filters(args, *, today: date) -> InsightFilters:
    problems = []
    this_month = today.replace(day=1)
    last = this_month
    if args.get("to"):
        last = month_from(args.get("to")) or last
        if month_from(args.get("to")) is None:
            problems.append(("to", "Enter the last month like 2026-03"))
    first = add_months(last, 1 - DEFAULT_MONTHS)
    if args.get("from"):
        asked = month_from(args.get("from"))
        if asked is None:
            problems.append(("from", "Enter the first month like 2025-04"))
        elif asked > last:
            problems.append(("from", "The first month must be the same as or before the last month"))
        elif add_months(asked, LONGEST_PERIOD_MONTHS) <= last:
            problems.append(("from", f"Choose a period of {LONGEST_PERIOD_MONTHS} months or less"))
        else:
            first = asked
    funding = args.get("funding") or None
    if funding is not None and funding not in {source.value for source in FundingSource}:
        problems.append(("funding", "Choose a funding source from the list"))
        funding = None
    category = args.get("category") or None
    if category is not None and category not in SUPPORT_CATEGORIES:
        problems.append(("category", "Choose a category from the list"))
        category = None
    return InsightFilters(first, last, funding, category, problems)
