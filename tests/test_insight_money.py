"""The council's Money page: figures across every budget from a small hand-made history."""

import csv
import io
from datetime import date

import pytest
from sqlmodel import select

from marketplace import ledger
from marketplace.budgets.forecast import forecast
from marketplace.budgets.underspend import warn_about_underspend
from marketplace.insight import money
from marketplace.insight.council_figures import refresh_council_figures
from marketplace.insight.filters import read_filters
from marketplace.models import BudgetCategory, Role
from tests.client_request import error_messages, field_error, normalised_text
from tests.factories import create_provider, create_user, person_of
from tests.factories_budget import create_budget
from tests.test_package_queries import MOST_STATEMENTS, counting

TODAY = date(2026, 6, 15)
PERIOD = {"from": "2026-04", "to": "2026-06"}


@pytest.fixture
def history(session):
    """Ann (council money) has personal care agreed and one invoice paid; Ben (NHS money) has
    support agreed without a category and one bigger invoice approved."""
    home_care = create_provider(session, name="Home Care Ltd")
    gardens = create_provider(session, name="Garden Trips")
    ann = person_of(session, create_user(session, name="Ann Smith"))
    ben = person_of(session, create_user(session, name="Ben Jones"))
    common = {"period_start": date(2026, 4, 1), "period_end": date(2027, 3, 31), "schedule": "up_front",
              "instalments_due_by": date(2026, 4, 1)}
    anns = create_budget(session, person=ann, allocation_pence=100_000, categories={"personal_care": 60_000},
                         funding_source="council", **common)
    bens = create_budget(session, person=ben, allocation_pence=50_000, funding_source="nhs", **common)
    care = session.exec(select(BudgetCategory).where(BudgetCategory.budget_id == anns.id)).one()
    ledger.commit(session, budget_id=anns.id, commitment="test:ann", amount_pence=30_000, idempotency_key="ann:1",
                  actor=None, memo="Agreed", category_id=care.id, provider_id=home_care.id,
                  effective_on=date(2026, 4, 10))
    ledger.approve_invoice(session, budget_id=anns.id, commitment="test:ann", provider_id=home_care.id,
                           amount_pence=10_000, idempotency_key="ann:2", actor=None, memo="Invoice",
                           category_id=care.id, effective_on=date(2026, 5, 5))
    ledger.record_payment(session, budget_id=anns.id, provider_id=home_care.id, amount_pence=10_000,
                          idempotency_key="ann:3", actor=None, memo="Paid", category_id=care.id,
                          effective_on=date(2026, 5, 20))
    ledger.commit(session, budget_id=bens.id, commitment="test:ben", amount_pence=20_000, idempotency_key="ben:1",
                  actor=None, memo="Agreed", provider_id=gardens.id, effective_on=date(2026, 5, 2))
    ledger.approve_invoice(session, budget_id=bens.id, commitment="test:ben", provider_id=gardens.id,
                           amount_pence=20_000, idempotency_key="ben:2", actor=None, memo="Invoice",
                           effective_on=date(2026, 6, 1))
    session.commit()
    refresh_council_figures(session.connection(), today=TODAY)
    session.commit()
    return {"ann": anns, "ben": bens}


def _filters(**args):
    return read_filters({**PERIOD, **args}, today=TODAY)


def _months(session, **args):
    return [(m.month.month, m.paid_in, m.set_aside, m.spent, m.free_at_end)
            for m in money.money_by_month(session, _filters(**args))]


def test_each_month_shows_paid_in_set_aside_spent_and_free(session, history):
    assert _months(session) == [(4, 150_000, 30_000, 0, 120_000),
                                (5, 0, 20_000, 10_000, 100_000),
                                (6, 0, 0, 20_000, 100_000)]


def test_funding_and_category_filters_choose_the_budgets_and_transactions(session, history):
    assert _months(session, funding="nhs") == [(4, 50_000, 0, 0, 50_000), (5, 0, 20_000, 0, 30_000),
                                               (6, 0, 0, 20_000, 30_000)]
    assert [m[:4] for m in _months(session, category="personal_care")] == [
        (4, 0, 30_000, 0), (5, 0, 0, 10_000), (6, 0, 0, 0)]


def test_a_later_period_starts_from_the_money_free_before_it(session, history):
    assert _months(session, **{"from": "2026-06"}) == [(6, 0, 0, 20_000, 100_000)]


def test_categories_and_providers_are_ranked_by_spend(session, history):
    assert [(c.name, c.set_aside, c.spent) for c in money.money_by_category(session, _filters())] == [
        ("Personal care", 30_000, 10_000)]
    assert [(p.name, p.spent) for p in money.top_providers(session, _filters())] == [
        ("Garden Trips", 20_000), ("Home Care Ltd", 10_000)]


def test_people_at_risk_come_from_the_forecasts_the_morning_sweep_kept(session, history):
    assert money.at_risk(session, _filters(), today=TODAY).worked_out_on is None
    warn_about_underspend(session, TODAY)
    session.commit()
    at_risk = money.at_risk(session, _filters(), today=TODAY)
    assert at_risk.worked_out_on == TODAY
    assert ([b.person_name for b in at_risk.unused], at_risk.unused_count) == (["Ann Smith"], 1)
    assert ([b.person_name for b in at_risk.running_out], at_risk.running_out_count) == (["Ben Jones"], 1)
    for row in at_risk.unused + at_risk.running_out:
        budget = history["ann"] if row.person_name == "Ann Smith" else history["ben"]
        assert row.forecast == forecast(session, budget, today=TODAY)
    assert money.at_risk(session, _filters(funding="council"), today=TODAY).running_out == []


def _spending_fast(session, name: str, spent_pence: int):
    """A budget of £1,000 paid up front, `spent_pence` of it spent in the first week of June."""
    budget = create_budget(session, person=person_of(session, create_user(session, name=name)),
                           allocation_pence=100_000, schedule="up_front", instalments_due_by=date(2026, 4, 1))
    provider = create_provider(session)
    ledger.commit(session, budget_id=budget.id, commitment=f"test:{name.lower()}", amount_pence=spent_pence,
                  idempotency_key=f"{name.lower()}:1", actor=None, memo="Agreed", provider_id=provider.id,
                  effective_on=date(2026, 6, 1))
    ledger.approve_invoice(session, budget_id=budget.id, commitment=f"test:{name.lower()}", provider_id=provider.id,
                           amount_pence=spent_pence, idempotency_key=f"{name.lower()}:2", actor=None, memo="Invoice",
                           effective_on=date(2026, 6, 1))
    return budget


def test_each_list_of_people_at_risk_shows_the_most_urgent_first_and_counts_them_all(session, monkeypatch):
    for name, spent in [("Cat", 30_000), ("Dan", 60_000), ("Eve", 45_000)]:
        _spending_fast(session, name, spent)
    session.commit()
    monkeypatch.setattr(money, "AT_RISK_SHOWN", 2)
    warn_about_underspend(session, TODAY)
    at_risk = money.at_risk(session, _filters(), today=TODAY)
    assert [b.person_name for b in at_risk.running_out] == ["Dan", "Eve"]
    assert at_risk.running_out_count == 3
    assert at_risk.running_out[0].forecast.runs_out_on < at_risk.running_out[1].forecast.runs_out_on


@pytest.fixture
def council(session, client_request, monkeypatch):
    monkeypatch.setattr("marketplace.admin.insight_views.today_in_uk", lambda: TODAY)
    return client_request.login(create_user(session, role=Role.COMMISSIONER))


def _table(page, table_id):
    return [[normalised_text(cell) for cell in row.select("th, td")] for row in page.select(f"#{table_id} tr")]


def test_the_page_and_its_csv_show_the_same_figures(session, council, client_request, history):
    warn_about_underspend(session, TODAY)
    session.commit()
    page = client_request.get("/admin/insight/money", **PERIOD)
    assert "They were last worked out on" in normalised_text(page.select_one("main"))
    table = _table(page, "money-by-month")
    assert table[1:] == [["April 2026", "£1,500.00", "£300.00", "£0.00", "£1,200.00"],
                         ["May 2026", "£0.00", "£200.00", "£100.00", "£1,000.00"],
                         ["June 2026", "£0.00", "£0.00", "£200.00", "£1,000.00"]]
    link = page.select_one("a[download]")["href"]
    response = client_request.get_response(link)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == table[0]
    assert [[row[0]] + [f"£{float(v):,.2f}" for v in row[1:]] for row in rows[1:]] == table[1:]
    assert page.select_one("svg title").get_text() == "Bar chart of money spent each month"
    assert [a["href"] for a in page.select("#unused a")] == [f"/admin/budgets/{history['ann'].id}"]
    assert [a["href"] for a in page.select("#running-out a")] == [f"/admin/budgets/{history['ben'].id}"]


@pytest.mark.parametrize("args, field, message", [
    ({"from": "٢٠٢٦-٠٤"}, "from", "Enter the first month like 2025-04"),
    ({"to": "2026-13"}, "to", "Enter the last month like 2026-03"),
    ({"from": "2026-07", "to": "2026-06"}, "from", "The first month must be the same as or before the last month"),
    ({"from": "2000-01", "to": "2026-06"}, "from", "Choose a period of 60 months or less"),
    ({"funding": "lottery"}, "funding", "Choose a funding source from the list"),
    ({"category": "x" * 5000}, "category", "Choose a category from the list"),
])
def test_a_filter_that_is_not_understood_is_explained_and_left_out(council, client_request, history, args, field,
                                                                    message):
    page = client_request.get("/admin/insight/money", expected_status=400, **args)
    assert error_messages(page) == [message]
    assert field_error(page, field) == message
    assert len(_table(page, "money-by-month")) > 1
    client_request.get_response("/admin/insight/money.csv", **args)


@pytest.mark.parametrize("role", [Role.PERSON, Role.ADVOCATE, Role.PROVIDER, Role.PROFESSIONAL])
@pytest.mark.parametrize("url", ["/admin/insight", "/admin/insight/money", "/admin/insight/money.csv"])
def test_only_the_council_sees_insight(session, client_request, role, url):
    client_request.login(create_user(session, role=role))
    client_request.get_response(url, expected_status=403)


def test_the_council_reaches_insight_from_its_navigation(council, client_request):
    home = client_request.get("/")
    assert "/admin/insight" in [a["href"] for a in home.select("a")]
    assert "/admin/insight/money" in [a["href"] for a in client_request.get("/admin/insight").select("a")]


def test_until_the_figures_are_first_worked_out_the_page_says_so(council, client_request):
    page = client_request.get("/admin/insight/money")
    assert "They have not been worked out yet" in normalised_text(page.select_one("main"))
    assert "None have been worked out yet" in normalised_text(page.select_one("main"))


def test_the_money_page_keeps_to_ten_sql_statements(app, council, client_request, history):
    with counting(app) as statements:
        client_request.get("/admin/insight/money", category="personal_care", funding="council")
    assert len(statements) <= MOST_STATEMENTS, len(statements)
