"""Money is integer pence everywhere; this turns it into words people read."""

from decimal import Decimal

from sqlalchemy import ColumnElement, String, cast, func


def pence_to_pounds(pence: int) -> Decimal:
    return Decimal(pence) / 100


def format_money(pence: int, *, whole_pounds: bool = False) -> str:
    """£1,234.50 (or £1,235 when whole_pounds), as Babel formats pounds for en_GB.

    Pounds and pence are written here directly (tests hold both to Babel's answer): a
    statement or list formats hundreds of amounts, and Babel's pattern machinery costs about
    25 µs a call."""
    if not isinstance(pence, int):
        raise TypeError("money is integer pence")
    pounds, pence_left = divmod(abs(pence), 100)
    sign = "-" if pence < 0 else ""
    if whole_pounds:  # to the nearest pound, and halves to the even pound, as Babel rounds
        if pence_left > 50 or (pence_left == 50 and pounds % 2):
            pounds += 1
        return f"{sign}£{pounds:,}"
    return f"{sign}£{pounds:,}.{pence_left:02d}"


def decimal_pounds_sql(pence: ColumnElement[int]) -> ColumnElement[str]:
    """SQL for whole pence (not negative) as decimal pounds, like 1234.50: for a CSV the
    database formats, tens of thousands of amounts at a time."""
    return cast(pence // 100, String) + "." + func.substr(cast(pence % 100 + 100, String), 2)
