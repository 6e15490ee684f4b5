"""Commissioners allocate budgets, adjust them with a reason, and read any budget."""

from datetime import date

import pytest
from sqlmodel import func, select

from marketplace import ledger
from marketplace.budgets import service
from marketplace.models import AuditLog, Budget, BudgetCategory, LedgerTransaction, Role, User
from tests.client_request import date_input, error_messages, field_error, normalised_text
from tests.factories import create_user, person_of
from tests.factories_budget import create_budget


@pytest.fixture
def commissioner(session, client_request):
    return client_request.login(create_user(session, role=Role.COMMISSIONER, name="Casey Council"))


@pytest.fixture
def person(session):
    return person_of(session, create_user(session, name="Sam Taylor"))


def _form(person, **changes) -> dict:
    data = {
        "person_id": str(person.id),
        **date_input("period_start", "1", "4", "2025"), **date_input("period_end", "31", "3", "2026"),
        "allocation": "18,720.00", "funding_source": "council", "schedule": "four_weekly",
        "category_personal_care": "11700", "category_short_breaks": "",
    }
    data.update(changes)
    return data


def _budget_count(session) -> int:
    return session.exec(select(func.count()).select_from(Budget)).one()


def test_a_commissioner_allocates_a_budget_and_due_instalments_are_paid_in(commissioner, client_request, session, person):
    client_request.post("/admin/budgets/new", _form(person))
    budget = session.exec(select(Budget)).one()
    assert (budget.period_start, budget.period_end, budget.allocation_pence) == (date(2025, 4, 1), date(2026, 3, 31), 1_872_000)
    assert [(c.key, c.allocation_pence) for c in session.exec(select(BudgetCategory))] == [("personal_care", 1_170_000)]
    # The whole period is in the past, so all 13 four-weekly instalments of £1,440 are in.
    assert ledger.balances(session, budget.id).allocated == 1_872_000
    assert session.exec(select(AuditLog.action).where(AuditLog.action == "budget.allocated")).one()
    page = client_request.get(f"/admin/budgets/{budget.id}")
    assert "Budget allocated" in normalised_text(page.select_one(".govuk-notification-banner"))
    assert "Instalment 13 of 13" in normalised_text(page.select_one("#statement"))


@pytest.mark.parametrize("amount, message", [
    ("-5", "Amount must be £0.01 or more"),
    ("0", "Amount must be £0.01 or more"),
    ("abc", "Enter an amount in pounds and pence, like 25.50"),
    ("12.345", "Enter an amount with no more than 2 numbers after the decimal point"),
    ("10000000.01", "Amount must be £10,000,000 or less"),
    ("£1e9", "Enter an amount in pounds and pence, like 25.50"),
    ("", "Enter amount for the whole period"),
    ("<script>alert(1)</script>", "Enter an amount in pounds and pence, like 25.50"),
])
def test_bad_amounts_are_refused_next_to_the_field_and_nothing_is_written(commissioner, client_request, session, person, amount, message):
    page = client_request.post("/admin/budgets/new", _form(person, allocation=amount), expected_status=400)
    assert field_error(page, "allocation") == message
    assert message in error_messages(page)
    assert _budget_count(session) == 0


@pytest.mark.parametrize("changes, field, message", [
    (date_input("period_end", "31", "3", "2025"), "period_end", "The end date must be after the start date"),
    (date_input("period_end", "1", "4", "2025"), "period_end", "The end date must be after the start date"),
    (date_input("period_start", "31", "2", "2025"), "period_start", "Start date must be a real date"),
    (date_input("period_start", "", "", ""), "period_start", "Enter the start date"),
    (date_input("period_start", "1", "", "2025"), "period_start", "Start date must include a month"),
    (date_input("period_start", "1", "4", "२०२५"), "period_start", "Start date must be a real date"),
    (date_input("period_start", "1", "4", "1999"), "period_start",
     "Start date must be between 1 January 2000 and 31 December 2100"),
    ({"person_id": ""}, "person_id", "Select the person the budget is for"),
    ({"category_personal_care": "20000"}, "allocation",
     "The categories add up to £20,000.00, which is more than the budget of £18,720.00"),
    ({"category_transport": "-1"}, "category_transport", "Amount must be £0.01 or more"),
])
def test_bad_dates_and_splits_are_refused(commissioner, client_request, session, person, changes, field, message):
    page = client_request.post("/admin/budgets/new", _form(person, **changes), expected_status=400)
    assert field_error(page, field) == message
    assert _budget_count(session) == 0


def test_missing_date_fields_do_not_break_the_page(commissioner, client_request, session, person):
    data = {key: value for key, value in _form(person).items() if not key.startswith("period_start")}
    page = client_request.post("/admin/budgets/new", data, expected_status=400)
    assert field_error(page, "period_start") == "Enter the start date"


@pytest.mark.parametrize("start, end", [
    (["1", "10", "2025"], ["30", "9", "2026"]),  # starts inside the existing budget
    (["1", "1", "2025"], ["1", "4", "2025"]),  # ends on its first day
    (["1", "1", "2025"], ["1", "1", "2027"]),  # covers it completely
])
def test_overlapping_periods_for_the_same_person_are_refused(commissioner, client_request, session, person, start, end):
    create_budget(session, person=person, period_start=date(2025, 4, 1), period_end=date(2026, 3, 31))
    page = client_request.post("/admin/budgets/new", _form(
        person, **date_input("period_start", *start), **date_input("period_end", *end)), expected_status=400)
    assert field_error(page, "period_start") == (
        "Sam Taylor already has a budget from 1 April 2025 to 31 March 2026. Choose dates that do not overlap it")
    assert _budget_count(session) == 1


def test_the_next_period_straight_after_is_fine(commissioner, client_request, session, person):
    create_budget(session, person=person, period_start=date(2025, 4, 1), period_end=date(2026, 3, 31))
    client_request.post("/admin/budgets/new", _form(
        person, **date_input("period_start", "1", "4", "2026"), **date_input("period_end", "31", "3", "2027")))
    assert _budget_count(session) == 2


@pytest.mark.parametrize("role", [Role.PERSON, Role.ADVOCATE, Role.PROVIDER, Role.PROFESSIONAL])
def test_only_a_commissioner_can_allocate(client_request, session, person, role):
    client_request.login(create_user(session, role=role))
    client_request.post("/admin/budgets/new", _form(person), expected_status=403)
    assert _budget_count(session) == 0


def test_four_weekly_instalments_split_the_year_into_13_with_odd_pence_last():
    budget = Budget(person_id=1, period_start=date(2026, 4, 1), period_end=date(2027, 3, 31),
                    allocation_pence=1_000_000, funding_source="council", schedule="four_weekly")
    planned = service.instalments(budget)
    assert len(planned) == 13
    assert planned[0].due_on == date(2026, 4, 1) and planned[1].due_on == date(2026, 4, 29)
    assert planned[-1].due_on == date(2027, 3, 3)
    assert {i.amount_pence for i in planned[:-1]} == {76_923}
    assert sum(i.amount_pence for i in planned) == 1_000_000


def test_posting_instalments_twice_posts_nothing_new(runner, session):
    budget = create_budget(session, period_start=date(2026, 4, 1), period_end=date(2027, 3, 31))
    first = runner.invoke(args=["budgets", "post-instalments", "--date", "2026-06-01"])
    assert "Paid in 3 instalments due by 1 June 2026." in first.output
    again = runner.invoke(args=["budgets", "post-instalments", "--date", "2026-06-01"])
    assert "Paid in 0 instalments" in again.output
    assert ledger.balances(session, budget.id).allocated == 3 * 144_000


def test_an_up_front_budget_is_paid_in_whole_on_its_first_day(session):
    budget = create_budget(session, schedule="up_front", allocation_pence=650_000)
    assert service.post_due_instalments(session, today=date(2026, 3, 31)) == 0
    assert service.post_due_instalments(session, today=date(2026, 4, 1)) == 1
    session.commit()
    assert ledger.balances(session, budget.id).available == 650_000


# --- adjustments and clawbacks -----------------------------------------------------------------


def _adjust(client_request, budget, expected_status=302, **data):
    return client_request.post(f"/admin/budgets/{budget.id}/adjust",
                               {"request_key": "k1", **data}, expected_status=expected_status)


def test_a_clawback_with_a_reason_shows_on_the_statement(commissioner, client_request, session, person):
    budget = create_budget(session, person=person, paid_in_pence=500_000)
    _adjust(client_request, budget, change="clawback", amount="1200", reason="Unspent for 12 weeks <b>")
    assert ledger.balances(session, budget.id).available == 380_000
    page = client_request.get(f"/admin/budgets/{budget.id}")
    latest = normalised_text(page.select_one("#statement tbody tr"))
    assert "Unspent money returned to the council" in latest
    assert "Reason: Unspent for 12 weeks <b>" in latest  # shown as typed, not as HTML
    assert "£1,200.00" in latest
    client_request.login(session.get(User, person.user_id))
    statement = normalised_text(client_request.get("/budget/statement").select_one("#statement"))
    assert "Reason: Unspent for 12 weeks" in statement


@pytest.mark.parametrize("change, amount, expected_available", [
    ("add", "150.50", 515_050),
    ("remove", "150", 485_000),
])
def test_adjustments_move_money_in_or_out(commissioner, client_request, session, change, amount, expected_available):
    budget = create_budget(session, paid_in_pence=500_000)
    _adjust(client_request, budget, change=change, amount=amount, reason="Needs reassessed 💬")
    assert ledger.balances(session, budget.id).available == expected_available
    assert session.exec(select(AuditLog).where(AuditLog.action == f"budget.{change}")).one()


@pytest.mark.parametrize("data, field, message", [
    ({"change": "clawback", "amount": "5000.01", "reason": "Unspent"}, "amount",
     "There is not enough money in the budget: £5,000.00 is free to use and this needs £5,000.01."),
    ({"change": "clawback", "amount": "10", "reason": "   "}, "reason", "Enter the reason for this change"),
    ({"change": "add", "amount": "10", "reason": "x" * 1001}, "reason", "Reason must be 1,000 characters or fewer"),
    ({"amount": "10", "reason": "Because"}, "change", "Select what you want to do"),
    ({"change": "steal", "amount": "10", "reason": "Because"}, "change", "Not a valid choice."),
])
def test_bad_adjustments_are_refused_and_nothing_is_written(commissioner, client_request, session, data, field, message):
    budget = create_budget(session, paid_in_pence=500_000)
    page = _adjust(client_request, budget, expected_status=400, **data)
    assert field_error(page, field) == message
    assert session.exec(select(func.count()).select_from(LedgerTransaction)).one() == 1


def test_submitting_the_same_adjustment_twice_records_it_once(commissioner, client_request, session):
    budget = create_budget(session, paid_in_pence=500_000)
    for _ in range(2):
        _adjust(client_request, budget, change="add", amount="100", reason="Extra support")
    assert ledger.balances(session, budget.id).available == 510_000


def test_an_unknown_budget_is_not_found(commissioner, client_request):
    client_request.get("/admin/budgets/999", expected_status=404)
    client_request.get("/admin/budgets/999/adjust", expected_status=404)
    client_request.get("/admin/budgets/999/statement.csv", expected_status=404)


# --- the list ----------------------------------------------------------------------------------


def test_the_budget_list_shows_each_budgets_figures_and_sorts(commissioner, client_request, session):
    for name, paid_in in [("Ann", 300_000), ("Bob", 100_000), ("Cat", 200_000)]:
        create_budget(session, person=person_of(session, create_user(session, name=name)), paid_in_pence=paid_in)

    def names(page):
        return [normalised_text(row.th).split(",")[0].strip() for row in page.select("#budgets tbody tr")]

    assert names(client_request.get("/admin/budgets")) == ["Ann", "Bob", "Cat"]
    page = client_request.get("/admin/budgets", sort="available", order="descending")
    assert names(page) == ["Ann", "Cat", "Bob"]
    assert page.select_one("th[aria-sort]").get("aria-sort") == "descending"
    assert "£3,000.00" in normalised_text(page.select_one("#budgets tbody tr"))
    assert names(client_request.get("/admin/budgets", sort="nonsense")) == ["Ann", "Bob", "Cat"]


@pytest.mark.parametrize("sort, order", [("person", "ascending"), ("available", "descending")])
def test_the_budget_list_shows_50_budgets_a_page_and_keeps_the_sort_on_every_page(
        commissioner, client_request, session, sort, order):
    # 51 people; the later the name, the more money, so both sorts have a known order.
    names = [f"Person {number:02}" for number in range(51)]
    for number, name in enumerate(names):
        create_budget(session, person=person_of(session, create_user(session, name=name)),
                      paid_in_pence=1_000 * (number + 1) if number % 10 == 0 else 0)
    expected = names if sort == "person" else (
        [f"Person {n:02}" for n in (50, 40, 30, 20, 10, 0)]
        + [name for name in names if int(name.split()[1]) % 10])

    def listed(page):
        return [normalised_text(row.th).split(",")[0].strip() for row in page.select("#budgets tbody tr")]

    first = client_request.get("/admin/budgets", sort=sort, order=order)
    assert listed(first) == expected[:50]
    next_link = first.select_one(".govuk-pagination__next a")["href"]
    assert f"sort={sort}" in next_link and "page=2" in next_link
    assert ("order=descending" in next_link) == (order == "descending")
    second = client_request.get(next_link)
    assert listed(second) == expected[50:]
    assert second.select_one(".govuk-pagination__next") is None
    assert second.select_one(".govuk-pagination__prev a")["href"].count("page=1") == 1


@pytest.mark.parametrize("page", ["0", "3"])
def test_a_budget_list_page_that_does_not_exist_is_not_found(commissioner, client_request, session, page):
    for number in range(51):
        create_budget(session, person=person_of(session, create_user(session, name=f"Person {number:02}")))
    client_request.get("/admin/budgets", page=page, expected_status=404)


def test_a_short_budget_list_has_no_page_links(commissioner, client_request, session):
    create_budget(session, person=person_of(session, create_user(session, name="Ann")))
    assert client_request.get("/admin/budgets").select_one(".govuk-pagination") is None
