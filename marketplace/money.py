"""Money is integer pence everywhere; this turns it into words people read."""

from decimal import Decimal

from babel.numbers import format_currency


def pence_to_pounds(pence: int) -> Decimal:
    return Decimal(pence) / 100


def format_money(pence: int, *, whole_pounds: bool = False) -> str:
    """£1,234.50 (or £1,235 when whole_pounds), formatted for en_GB by Babel."""
    if not isinstance(pence, int):
        raise TypeError("money is integer pence")
    amount = pence_to_pounds(pence)
    if whole_pounds:
        return format_currency(amount, "GBP", locale="en_GB", format="¤#,##0", currency_digits=False)
    return format_currency(amount, "GBP", locale="en_GB")
