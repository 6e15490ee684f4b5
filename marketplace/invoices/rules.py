"""What a package line may bill for a period, and what an invoice costs. Plain Python: no
Flask, no database, so the page, the service and the auto-approval sweep share one rule.

- A weekly line may bill its units per week times the weeks in the period, counted by days
  (8 hours a week over 10 days is 8 × 10/7 = 11.43 hours, rounded down to the hundredth).
- A one-off line may bill up to its quantity.
- The amount is the agreed unit price times the units, rounded once to whole pence, halves up
  (the same rounding the package's costing uses).
- Visits give the units: an hour-priced line bills each visit's length; any other unit bills
  one unit a visit.
"""

from dataclasses import dataclass
from datetime import date, time
from fractions import Fraction

from marketplace.packages.costing import HUNDREDTHS, days_in, round_half_up


@dataclass(frozen=True)
class BillableLine:
    """What the rule needs to know about a line (a PackageLine has all of these)."""

    unit: str
    unit_price_pence: int
    quantity_hundredths: int
    weekly: bool


def units_allowed(line: BillableLine, period_start: date, period_end: date) -> int:
    """The most units (in hundredths) the line may bill for this period, rounded down."""
    if not line.weekly:
        return line.quantity_hundredths
    exact = Fraction(line.quantity_hundredths * days_in(period_start, period_end), 7)
    return int(exact)  # never more than was agreed, so round down


def amount_for(line: BillableLine, units_hundredths: int) -> int:
    """Whole pence for these units at the line's agreed price."""
    return round_half_up(Fraction(line.unit_price_pence * units_hundredths, HUNDREDTHS))


def visit_units(unit: str, starts_at: time, ends_at: time) -> int:
    """A visit's units in hundredths: its length for hourly support, otherwise one unit.

    Raises ValueError when it ends before it starts (a visit past midnight is two visits)."""
    minutes = (ends_at.hour * 60 + ends_at.minute) - (starts_at.hour * 60 + starts_at.minute)
    if minutes <= 0:
        raise ValueError("A visit must end after it starts")
    if unit != "hour":
        return HUNDREDTHS
    return round_half_up(Fraction(minutes * HUNDREDTHS, 60))


def periods_overlap(first: tuple[date, date], second: tuple[date, date]) -> bool:
    return first[0] <= second[1] and second[0] <= first[1]
