"""What a care package costs, to the penny. Plain Python: no Flask, no database.

The rule (shown to people on the package page as ROUNDING_RULE):
- a line's quantity is kept in hundredths of a unit (7.5 hours = 750), so nothing is a float;
- part weeks count by days: a package of 10 days is 10/7 weeks;
- each line's cost is worked out exactly as a fraction, then rounded once to whole pence,
  halves rounding up; a package costs the sum of its lines' rounded costs.
So the lines always add up to the package total, and approval sets aside exactly that total.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

ROUNDING_RULE = (
    "Part weeks are counted by days (10 days is 1 and 3 sevenths of a week). Each line is "
    "worked out exactly and then rounded to the nearest penny, with half a penny rounded up. "
    "The total is the lines added together."
)

HUNDREDTHS = 100


@dataclass(frozen=True)
class CostedLine:
    """What costing needs to know about a line (a PackageLine has all of these)."""

    unit_price_pence: int
    quantity_hundredths: int
    weekly: bool
    category: str


def days_in(start_on: date, end_on: date) -> int:
    """Days from start to end, counting both."""
    return (end_on - start_on).days + 1


def round_half_up(amount: Fraction) -> int:
    """Whole pence: halves go up (amounts here are never negative)."""
    if amount < 0:
        raise ValueError("costs are never negative")
    return int(amount + Fraction(1, 2))


def _whole_pence(numerator: int, denominator: int) -> int:
    """round_half_up(Fraction(numerator, denominator)) in integers: exactly the same pence,
    without building fractions (a package page costs every line several times)."""
    if numerator < 0:
        raise ValueError("costs are never negative")
    return (2 * numerator + denominator) // (2 * denominator)


def weekly_cost(line: CostedLine) -> int:
    """What a weekly line costs for one whole week; one-off lines cost nothing weekly."""
    if not line.weekly:
        return 0
    return _whole_pence(line.unit_price_pence * line.quantity_hundredths, HUNDREDTHS)


def line_total(line: CostedLine, days: int) -> int:
    """The line's cost over a package of `days` days (a one-off line costs the same however
    long): price × quantity, × days ÷ 7 for a weekly line, rounded once."""
    exact = line.unit_price_pence * line.quantity_hundredths
    if line.weekly:
        return _whole_pence(exact * days, HUNDREDTHS * 7)
    return _whole_pence(exact, HUNDREDTHS)


@dataclass(frozen=True)
class PackageCost:
    weekly_pence: int
    total_pence: int
    line_totals: tuple[int, ...]
    by_category: dict[str, int]


def cost_package(lines: Iterable[CostedLine], start_on: date, end_on: date) -> PackageCost:
    lines = list(lines)
    days = days_in(start_on, end_on)
    totals = tuple(line_total(line, days) for line in lines)
    by_category: dict[str, int] = {}
    for line, total in zip(lines, totals, strict=True):
        by_category[line.category] = by_category.get(line.category, 0) + total
    return PackageCost(
        weekly_pence=sum(weekly_cost(line) for line in lines),
        total_pence=sum(totals),
        line_totals=totals,
        by_category=by_category,
    )


# --- quantities typed by people -----------------------------------------------------------------

# Units that may be split: half an hour is fine, half a night is not.
FRACTIONAL_UNITS = frozenset({"hour"})
# A sane ceiling per line: more than this is a typing slip, not a plan.
MAXIMUM_QUANTITY = {"hour": 168, "session": 50, "day": 7, "night": 7, "week": 1, "item": 100}
MAXIMUM_ONE_OFF = {"hour": 500, "session": 200, "day": 366, "night": 366, "week": 53, "item": 100}


class QuantityError(ValueError):
    """str(error) is a sentence to show by the field."""


def parse_quantity(text: str, *, unit: str, weekly: bool) -> int:
    """'7.5' hours → 750 hundredths. Refuses blanks, other scripts' digits, signs, zero,
    fractions of units that cannot be split, more than 2 decimal places and silly sizes."""
    cleaned = (text or "").strip()
    plural = "hours" if unit == "hour" else f"{unit}s"
    if not cleaned:
        raise QuantityError(f"Enter the number of {plural}")
    whole, _, part = cleaned.partition(".")
    if not (whole.isascii() and whole.isdigit()) or (part and not (part.isascii() and part.isdigit())) \
            or len(whole) > 6:
        raise QuantityError(f"Enter the number of {plural} as a number, like 8")
    if part and unit not in FRACTIONAL_UNITS:
        raise QuantityError(f"Enter a whole number of {plural}")
    if len(part) > 2:
        raise QuantityError(f"Enter the number of {plural} with no more than 2 numbers after the point")
    hundredths = int(whole) * HUNDREDTHS + int(part.ljust(2, "0") or 0)
    if hundredths == 0:
        raise QuantityError(f"The number of {plural} must be more than 0")
    maximum = (MAXIMUM_QUANTITY if weekly else MAXIMUM_ONE_OFF)[unit]
    if hundredths > maximum * HUNDREDTHS:
        per = " a week" if weekly else ""
        raise QuantityError(f"The number of {plural} must be {maximum}{per} or fewer")
    return hundredths


def format_quantity(hundredths: int) -> str:
    """750 → '7.5', 800 → '8', 725 → '7.25'."""
    whole, part = divmod(hundredths, HUNDREDTHS)
    return str(whole) if not part else f"{whole}.{part:02d}".rstrip("0")
