"""Costing a care package is exact to the penny: part weeks by days, one rounding per line."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.packages.costing import (
    CostedLine,
    QuantityError,
    cost_package,
    format_quantity,
    line_total,
    parse_quantity,
    weekly_cost,
)


def hours(price_pence, quantity_hundredths, *, weekly=True, category="personal_care"):
    return CostedLine(unit_price_pence=price_pence, quantity_hundredths=quantity_hundredths,
                      weekly=weekly, category=category)


def test_ten_hours_a_week_for_four_whole_weeks():
    cost = cost_package([hours(2200, 1000)], date(2026, 12, 1), date(2026, 12, 28))
    assert cost.weekly_pence == 22_000
    assert cost.total_pence == 88_000


def test_part_weeks_are_counted_by_days_and_rounded_half_up_once_per_line():
    # 7.5 hours at £22.33 is £167.475 a week; 10 days is 10/7 weeks: £239.25 exactly.
    assert line_total(hours(2233, 750), 10) == 23_925
    # 1 hour at £0.01 for 4 days is 4/7 of a penny: rounds up to 1p; 3 days (3/7) rounds down.
    assert line_total(hours(1, 100), 4) == 1
    assert line_total(hours(1, 100), 3) == 0
    # Exactly half a penny rounds up.
    assert line_total(hours(1, 50, weekly=False), 1) == 1


def test_one_off_lines_cost_the_same_however_long_the_package_and_nothing_weekly():
    bath_lift = hours(45_000, 100, weekly=False, category="equipment")
    assert line_total(bath_lift, 3) == line_total(bath_lift, 300) == 45_000
    assert weekly_cost(bath_lift) == 0


def test_costs_are_split_by_budget_category():
    cost = cost_package([hours(2000, 1000), hours(3000, 100, category="community_activities"),
                         hours(1000, 100, weekly=False, category="equipment")],
                        date(2027, 1, 4), date(2027, 1, 17))
    assert cost.by_category == {"personal_care": 40_000, "community_activities": 6_000, "equipment": 1_000}


lines = st.lists(st.builds(
    CostedLine, unit_price_pence=st.integers(1, 500_000), quantity_hundredths=st.integers(1, 16_800),
    weekly=st.booleans(), category=st.sampled_from(["personal_care", "equipment", "transport"]),
), max_size=12)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=lines, start=st.dates(date(2026, 4, 1), date(2027, 3, 31)), days=st.integers(1, 365))
def test_the_lines_add_up_to_the_package_total_and_the_categories_too(lines, start, days):
    cost = cost_package(lines, start, start + timedelta(days=days - 1))
    assert sum(cost.line_totals) == cost.total_pence == sum(cost.by_category.values())
    for line, total in zip(lines, cost.line_totals, strict=True):
        exact = line.unit_price_pence * line.quantity_hundredths * (days if line.weekly else 7)
        # Never more than half a penny from the exact cost (exact is in 1/700ths of a penny).
        assert abs(total * 700 - exact) <= 350


@pytest.mark.parametrize("text, unit, weekly, expected", [
    ("8", "hour", True, 800), ("7.5", "hour", True, 750), ("0.25", "hour", True, 25),
    (" 3 ", "session", True, 300), ("1", "item", False, 100), ("168", "hour", True, 16_800),
])
def test_quantities_people_type(text, unit, weekly, expected):
    assert parse_quantity(text, unit=unit, weekly=weekly) == expected


@pytest.mark.parametrize("text, unit, message", [
    ("", "hour", "Enter the number of hours"),
    ("0", "hour", "The number of hours must be more than 0"),
    ("0.00", "hour", "The number of hours must be more than 0"),
    ("-2", "hour", "Enter the number of hours as a number, like 8"),
    ("1.5", "night", "Enter a whole number of nights"),
    ("1.255", "hour", "Enter the number of hours with no more than 2 numbers after the point"),
    ("169", "hour", "The number of hours must be 168 a week or fewer"),
    ("1" * 30, "hour", "Enter the number of hours as a number, like 8"),
    ("²", "hour", "Enter the number of hours as a number, like 8"),
    ("٣", "session", "Enter the number of sessions as a number, like 8"),
    ("1e3", "hour", "Enter the number of hours as a number, like 8"),
    ("8 hours", "hour", "Enter the number of hours as a number, like 8"),
])
def test_bad_quantities_are_refused_with_a_message(text, unit, message):
    with pytest.raises(QuantityError, match=f"^{message}$"):
        parse_quantity(text, unit=unit, weekly=True)


def test_quantities_are_shown_without_needless_decimals():
    assert [format_quantity(q) for q in (800, 750, 725, 5)] == ["8", "7.5", "7.25", "0.05"]
