"""Money, dates and times are written without a Babel call per value, exactly as Babel writes them."""

from datetime import UTC, date, datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Integer, create_engine, literal, select

from marketplace.budgets.views import _month_short, _month_year
from marketplace.dates import UK
from marketplace.money import decimal_pounds_sql, format_money
from marketplace.templating import _long_date, date_time


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_money_reads_as_babel_writes_pounds_for_en_gb(pence):
    assert format_money(pence) == format_currency(Decimal(pence) / 100, "GBP", locale="en_GB")


@given(st.integers(min_value=-10**15, max_value=10**15) | st.sampled_from([50, 150, 250, -50, -150, 99_950]))
def test_money_in_whole_pounds_reads_as_babel_rounds_it_for_en_gb(pence):
    assert format_money(pence, whole_pounds=True) == format_currency(
        Decimal(pence) / 100, "GBP", locale="en_GB", format="¤#,##0", currency_digits=False)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_long_dates_read_as_babel_writes_them_for_en_gb(day):
    assert _long_date(day) == format_date(day, format="d MMMM y", locale="en_GB")


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31),
                    timezones=st.sampled_from([UTC, UK]) | st.none()))
def test_dates_with_times_read_as_babel_writes_them_in_uk_time(moment):
    expected = format_datetime(moment, format="d MMMM y 'at' h:mma", tzinfo="Europe/London", locale="en_GB")
    assert date_time(moment) == expected.replace("AM", "am").replace("PM", "pm")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_months_read_as_babel_writes_them_for_en_gb(day):
    assert _month_short(day) == format_date(day, format="MMM", locale="en_GB")
    assert _month_year(day) == format_date(day, format="MMMM y", locale="en_GB")


@given(st.integers(min_value=0, max_value=10**15))
def test_pounds_written_by_the_database_read_as_babel_writes_them(pence):
    with create_engine("sqlite://").connect() as connection:
        written = connection.execute(select(decimal_pounds_sql(literal(pence, Integer)))).scalar_one()
    assert written == format_currency(Decimal(pence) / 100, "GBP", locale="en_GB").removeprefix("£").replace(",", "")
