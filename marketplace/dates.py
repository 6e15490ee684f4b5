"""Dates as people in the UK count them: today, months and the council's financial year."""

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def today_in_uk() -> date:
    """Today's date in the UK, whatever the server's clock zone: checks expire, instalments fall
    due and budgets start at UK midnight. Every rule and page asks this, never date.today()."""
    return datetime.now(UK).date()


def add_months(day: date, months: int) -> date:
    """The same day some months later, or the month's last day when it is shorter (31 Jan + 1 → 28 Feb)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def financial_year(day: date) -> tuple[date, date]:
    """The council's year (1 April to 31 March) that the day falls in."""
    start_year = day.year if day.month >= 4 else day.year - 1
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)
