"""Working days in England and Wales: Monday to Friday, less the bank holidays (from the
maintained `holidays` calendar, never a list of our own). The response clock counts these."""

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share one list of bank holidays ("ENG" in the library's calendar).
    return frozenset(holidays.UnitedKingdom(subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start`, up to and including `end` (0 when end is not after start):
    sent on a Friday, the next Monday is 1 working day later."""
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start` (before it, for a negative number)."""
    day, step, left = start, timedelta(days=1 if days >= 0 else -1), abs(days)
    while left > 0:
        day += step
        left -= is_working_day(day)
    return day
