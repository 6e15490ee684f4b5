"""Working days with the England and Wales bank holidays from the `holidays` calendar."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.workdays import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(("start", "end", "days"), [
    # A weekend: Friday to Monday is one working day.
    (date(2026, 11, 27), date(2026, 11, 30), 1),
    (date(2026, 11, 28), date(2026, 11, 29), 0),
    # Christmas 2026: Christmas Day (Friday) and Boxing Day observed on Monday 28th.
    (date(2026, 12, 24), date(2026, 12, 29), 1),
    (date(2026, 12, 23), date(2027, 1, 4), 5),  # 24, 29, 30, 31 December and 4 January; New Year's Day is off
    # Easter 2027: Good Friday 26 March and Easter Monday 29 March.
    (date(2027, 3, 25), date(2027, 3, 30), 1),
    (date(2027, 3, 22), date(2027, 4, 2), 7),
    (date(2026, 12, 1), date(2026, 12, 1), 0),
])
def test_working_days_skip_weekends_and_bank_holidays(start, end, days):
    assert working_days_between(start, end) == days


@pytest.mark.parametrize("day", [date(2026, 12, 25), date(2026, 12, 28), date(2027, 3, 26), date(2027, 3, 29),
                                 date(2026, 12, 5)])
def test_bank_holidays_and_weekends_are_not_working_days(day):
    assert not is_working_day(day)


def test_five_working_days_after_christmas_eve_run_into_january():
    assert add_working_days(date(2026, 12, 24), 5) == date(2027, 1, 5)


@given(st.dates(date(2026, 1, 1), date(2028, 12, 31)), st.integers(0, 40))
def test_adding_working_days_and_counting_them_agree(start, days):
    assert working_days_between(start, add_working_days(start, days)) == days


def test_working_days_back_from_the_new_year_skip_the_holidays():
    assert add_working_days(date(2027, 1, 4), -3) == date(2026, 12, 29)  # 30th, 31st, New Year off, 4th
