"""The forecast works in whole pence: any spending history in, whole pence out, and the money
left at the end is exactly what is free to use and set aside, less the forecast spending."""

from datetime import date, timedelta
from fractions import Fraction
from math import floor

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from marketplace import ledger
from marketplace.budgets.forecast import Forecast, forecast, project, share, spend_over, weekly_rate
from marketplace.budgets.kept_forecasts import keep_forecasts, kept_forecast
from marketplace.models import Budget, BudgetForecast
from tests.factories import create_provider
from tests.factories_budget import create_budget

PERIOD_START, PERIOD_END = date(2025, 4, 1), date(2026, 3, 31)
pence = st.integers(min_value=0, max_value=10_000_000 * 100)


def half_up(value: Fraction) -> int:
    return floor(value + Fraction(1, 2))


@given(amount=st.integers(min_value=-10**12, max_value=10**12), numerator=st.integers(0, 2_000),
       denominator=st.integers(1, 2_000))
def test_a_share_is_rounded_to_the_nearest_penny_with_halves_up(amount, numerator, denominator):
    assert share(amount, numerator, denominator) == half_up(Fraction(amount * numerator, denominator))


def test_halves_go_up_not_to_even():
    assert [share(pence, 1, 2) for pence in (1, 3, 5, -1)] == [1, 2, 3, 0]
    assert Forecast(0, 0, 2_500, None, PERIOD_END).about_left_at_end == 3_000
    assert Forecast(0, 0, 3_500, None, PERIOD_END).about_left_at_end == 4_000


@given(spent=pence, days=st.integers(1, 84))
def test_the_weekly_rate_is_whole_pence(spent, days):
    rate = weekly_rate(spent, days)
    assert type(rate) is int
    assert rate == half_up(Fraction(spent * 7, max(days, 7)))


@given(weekly=pence, days=st.lists(st.integers(1, 7), max_size=60))
def test_no_penny_drifts_when_spending_is_added_up_week_by_week(weekly, days):
    assert sum(spend_over(weekly, sum(days[:n + 1])) - spend_over(weekly, sum(days[:n]))
               for n in range(len(days))) == spend_over(weekly, sum(days))


@given(unspent=st.integers(-10**10, 10**10), weekly=pence, today=st.dates(PERIOD_START, PERIOD_END))
def test_left_at_the_end_is_unspent_less_forecast_spending(unspent, weekly, today):
    outlook = project(unspent=unspent, to_come=[], weekly_spend_pence=weekly, today=today, period_end=PERIOD_END)
    days = (PERIOD_END - today).days + 1
    assert outlook.spend_to_come == half_up(Fraction(weekly * days, 7))
    assert outlook.left_at_end == unspent - outlook.spend_to_come
    assert all(type(v) is int for v in (outlook.weekly_spend, outlook.spend_to_come, outlook.left_at_end,
                                         outlook.about_left_at_end, outlook.clawback_threshold))
    # Nothing comes in, so the money only goes down: it runs out on the way exactly when it ends below zero.
    assert (outlook.runs_out_on is not None) == (outlook.left_at_end < 0)


invoices = st.lists(st.tuples(st.integers(0, 364), st.integers(1, 300_000)), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=invoices, set_aside=st.integers(0, 500_000), today=st.dates(PERIOD_START, PERIOD_END))
def test_any_spending_history_gives_a_forecast_in_whole_pence(session, history, set_aside, today):
    spent_before_today = [(PERIOD_START + timedelta(days=day), amount) for day, amount in history
                          if PERIOD_START + timedelta(days=day) <= today]
    budget = create_budget(session, schedule="up_front", period_start=PERIOD_START, period_end=PERIOD_END,
                           allocation_pence=sum(a for _d, a in spent_before_today) + set_aside + 100,
                           instalments_due_by=PERIOD_START)
    provider = create_provider(session)
    for number, (day, amount) in enumerate(spent_before_today):
        key = f"test:{budget.id}:{number}"
        ledger.commit(session, budget_id=budget.id, commitment=f"test:{number}", amount_pence=amount,
                      idempotency_key=f"{key}:set-aside", actor=None, memo="Support", effective_on=day)
        ledger.approve_invoice(session, budget_id=budget.id, commitment=f"test:{number}", provider_id=provider.id,
                               amount_pence=amount, idempotency_key=f"{key}:invoice", actor=None,
                               memo="Invoice", effective_on=day)
    if set_aside:
        ledger.commit(session, budget_id=budget.id, commitment="test:later", amount_pence=set_aside,
                      idempotency_key=f"test:{budget.id}:later", actor=None, memo="Later", effective_on=today)
    session.commit()

    outlook = forecast(session, budget, today=today)
    figures = ledger.balances(session, budget.id)
    assert all(type(v) is int for v in (outlook.weekly_spend, outlook.spend_to_come, outlook.left_at_end,
                                         outlook.about_left_at_end))
    assert outlook.left_at_end == figures.available + figures.committed - outlook.spend_to_come


budget_histories = st.lists(st.tuples(st.sampled_from(["up_front", "four_weekly"]), invoices,
                                      st.integers(0, 200_000)), min_size=1, max_size=4)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(budgets=budget_histories, today=st.dates(PERIOD_START, PERIOD_END + timedelta(days=30)))
def test_the_forecasts_the_morning_sweep_keeps_are_each_budgets_own_forecast(session, budgets, today):
    provider = create_provider(session)
    for schedule, history, set_aside in budgets:
        budget = create_budget(session, schedule=schedule, period_start=PERIOD_START, period_end=PERIOD_END,
                               allocation_pence=4_000_000, instalments_due_by=min(today, PERIOD_END))
        for number, (day, amount) in enumerate(history):
            day = PERIOD_START + timedelta(days=day)
            if day > today or amount > ledger.balances(session, budget.id).available:
                continue
            key = f"test:{budget.id}:{number}"
            ledger.commit(session, budget_id=budget.id, commitment=f"test:{number}", amount_pence=amount,
                          idempotency_key=f"{key}:set-aside", actor=None, memo="Support", effective_on=day)
            ledger.approve_invoice(session, budget_id=budget.id, commitment=f"test:{number}",
                                   provider_id=provider.id, amount_pence=amount, idempotency_key=f"{key}:invoice",
                                   actor=None, memo="Invoice", effective_on=day)
        if 0 < set_aside <= ledger.balances(session, budget.id).available:
            ledger.commit(session, budget_id=budget.id, commitment="test:later", amount_pence=set_aside,
                          idempotency_key=f"test:{budget.id}:later", actor=None, memo="Later",
                          effective_on=min(today, PERIOD_END))
    session.commit()

    keep_forecasts(session, today=today)
    keep_forecasts(session, today=today)  # the sweep may run twice
    session.commit()

    kept = {row.budget_id: row for row in session.exec(select(BudgetForecast)).all()}
    running = session.exec(select(Budget).where(Budget.period_start <= today, Budget.period_end >= today)).all()
    assert kept.keys() == {budget.id for budget in running}
    for budget in running:
        own = forecast(session, budget, today=today)
        assert kept_forecast(kept[budget.id], budget.period_end) == own
        assert kept[budget.id].money_left_over == own.surplus_over_clawback_threshold
