"""A budget holder's money pages: overview, forecast, statement, CSV and quarterly return."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from marketplace import ledger
from marketplace.budgets import forecast as forecasts
from marketplace.budgets import overview
from marketplace.budgets import statement as statements
from marketplace.budgets.quarterly_return import quarterly_return
from marketplace.dates import today_in_uk
from marketplace.models import BudgetCategory, Provider, Role, User
from marketplace.templating import MONTH_NAMES
from tests.client_request import date_input, error_messages, field_error, normalised_text
from tests.factories import create_provider, create_user, person_of
from tests.factories_budget import create_budget

PERIOD_START, PERIOD_END = date(2025, 4, 1), date(2026, 3, 31)


@pytest.fixture
def holder(session, client_request):
    return client_request.login(create_user(session, name="Sam Taylor"))


def _spend(session, budget, *, provider, category, weekly_pence, weeks, start=PERIOD_START, tag="care"):
    """Set money aside on `start`, then approve an invoice every week from that day (each paid 2 days later)."""
    commitment = f"package:{tag}"
    ledger.commit(session, budget_id=budget.id, commitment=commitment, amount_pence=weekly_pence * weeks,
                  idempotency_key=f"{budget.id}:{tag}:commit", actor=None, memo="Agreed support",
                  category_id=category.id if category else None, provider_id=provider.id, effective_on=start)
    for week in range(1, weeks + 1):
        day = start + timedelta(weeks=week - 1)
        ledger.approve_invoice(session, budget_id=budget.id, commitment=commitment, provider_id=provider.id,
                               amount_pence=weekly_pence, idempotency_key=f"{budget.id}:{tag}:invoice:{week}",
                               actor=None, memo=f"Week {week}", category_id=category.id if category else None,
                               effective_on=day)
        ledger.record_payment(session, budget_id=budget.id, provider_id=provider.id, amount_pence=weekly_pence,
                              idempotency_key=f"{budget.id}:{tag}:payment:{week}", actor=None,
                              memo=f"Paid week {week}", effective_on=day + timedelta(days=2))
    session.commit()


@pytest.fixture
def sams_budget(session, holder):
    """£18,720 for the year, all 13 instalments paid in, personal care at £300 a week for 20 weeks."""
    budget = create_budget(session, person=person_of(session, holder), allocation_pence=1_872_000,
                           period_start=PERIOD_START, period_end=PERIOD_END, instalments_due_by=PERIOD_END,
                           categories={"personal_care": 1_200_000, "transport": 100_000})
    care = session.exec(select(BudgetCategory).where(BudgetCategory.key == "personal_care")).one()
    _spend(session, budget, provider=create_provider(session, name="Brightpath Home Care"),
           category=care, weekly_pence=30_000, weeks=20)
    ledger.record_contribution(session, budget_id=budget.id, amount_pence=2_500, idempotency_key="c1",
                               actor=holder, memo="Contribution", effective_on=date(2025, 5, 1))
    session.commit()
    return budget


def test_a_person_without_a_budget_is_told_so(holder, client_request):
    page = client_request.get("/budget")
    assert "does not have a personal budget yet" in normalised_text(page.main)


def test_the_overview_shows_the_five_figures_in_plain_english(sams_budget, client_request):
    figures_list = normalised_text(client_request.get("/budget").select_one("#figures"))
    assert "The council has paid £18,720.00 into your budget so far, out of £18,720.00 for the whole period." in figures_list
    assert "You have paid in £25.00 of your own money." in figures_list
    assert "£0.00 is set aside for your agreed support." in figures_list
    assert "£6,000.00 has been spent on support you have had." in figures_list
    assert "£12,745.00 is free to use for new support." in figures_list


def test_the_overview_splits_the_money_by_category(sams_budget, client_request):
    rows = [normalised_text(r) for r in client_request.get("/budget").select("#categories tbody tr")]
    assert rows == [
        "Personal care £12,000.00 £0.00 £6,000.00 £6,000.00",
        "Transport £1,000.00 £0.00 £0.00 £1,000.00",
    ]


def _long(day: date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def test_the_budget_shown_is_the_one_running_else_the_latest_started_else_the_next(session, holder, client_request):
    person = person_of(session, holder)
    today = today_in_uk()
    year = timedelta(days=365)
    next_one = create_budget(session, person=person, period_start=today + year, period_end=today + 2 * year)
    assert overview.current_budget(session, person.id, today).id == next_one.id  # none started yet
    running = create_budget(session, person=person, period_start=today - timedelta(days=30),
                            period_end=today + year - timedelta(days=31), categories={"transport": 50_000})
    old = create_budget(session, person=person, period_start=today - 2 * year, period_end=today - year)
    assert overview.current_budget(session, person.id, today).id == running.id
    assert overview.current_budget(session, person.id, today + 3 * year).id == next_one.id  # the latest started
    assert overview.current_budget(session, person.id, today - 3 * year).id == old.id  # the next to start

    page = client_request.get("/budget")
    assert normalised_text(page.select_one(".govuk-caption-l")) == (
        f"{_long(running.period_start)} to {_long(running.period_end)}")
    assert [normalised_text(r.th) for r in page.select("#categories tbody tr")] == ["Transport"]


def test_the_chart_is_an_accessible_svg_with_the_same_figures_in_a_table(sams_budget, client_request):
    page = client_request.get("/budget")
    chart = page.select_one("svg")
    assert chart["role"] == "img"
    assert chart.title.get_text() == "Bar chart of money spent each month"
    assert len(chart.select("rect")) == 12
    table = {normalised_text(r.th): normalised_text(r.td) for r in page.select("#spending-by-month tbody tr")}
    assert len(table) == 12
    spent = {m.month: m.spent for m in overview.category_and_month_figures(client_request.session, sams_budget, []).months}
    assert table["April 2025"] == f"£{spent[date(2025, 4, 1)] / 100:,.2f}"
    assert sum(spent.values()) == 600_000
    assert page.main.select("script") == []  # drawn on the server: no JavaScript needed


def test_the_forecast_uses_the_last_12_weeks_of_spending(session, sams_budget):
    # 11 weekly invoices of £300 fell in the 12 weeks up to 19 August 2025.
    assert forecasts.forecast(session, sams_budget, today=date(2025, 8, 19)).weekly_spend == 27_500


def test_the_forecast_says_how_much_will_be_left(session, sams_budget):
    outlook = forecasts.forecast(session, sams_budget, today=date(2025, 8, 19), weekly_spend_pence=30_000)
    # £12,745 unspent, less 225 days (19 August to 31 March) at £300 a week.
    assert outlook.left_at_end == 1_274_500 - round(30_000 * 225 / 7)
    assert outlook.runs_out_on is None
    assert outlook.surplus_over_clawback_threshold


def test_a_warning_only_when_the_surplus_is_over_8_weeks_of_spending(session, holder):
    budget = create_budget(session, person=person_of(session, holder), period_start=PERIOD_START,
                           period_end=PERIOD_END, allocation_pence=280_000, schedule="up_front",
                           instalments_due_by=PERIOD_START)
    # 7 January to 31 March is 12 weeks. At £100 a week £1,600 is left: over 8 weeks (£800), so warn.
    outlook = forecasts.forecast(session, budget, today=date(2026, 1, 7), weekly_spend_pence=10_000)
    assert outlook.left_at_end == 160_000 and outlook.surplus_over_clawback_threshold
    tighter = forecasts.forecast(session, budget, today=date(2026, 1, 7), weekly_spend_pence=20_000)
    # At £200 a week £400 is left: under 8 weeks of spending (£1,600), so no warning.
    assert tighter.left_at_end == 40_000 and not tighter.surplus_over_clawback_threshold


def _running_budget(session, holder, *, allocation_pence, weekly_pence):
    """An up-front budget that started 4 weeks ago (today is day 28), ends 48 weeks from now,
    with 4 weekly invoices so far."""
    today = today_in_uk()
    budget = create_budget(session, person=person_of(session, holder), period_start=today - timedelta(days=27),
                           period_end=today + timedelta(weeks=48, days=-1), allocation_pence=allocation_pence,
                           schedule="up_front", instalments_due_by=today)
    _spend(session, budget, provider=create_provider(session), category=None, weekly_pence=weekly_pence,
           weeks=4, start=today - timedelta(days=21))
    return budget, today


def test_the_forecast_says_when_money_runs_out(session, holder, client_request):
    budget, today = _running_budget(session, holder, allocation_pence=520_000, weekly_pence=25_000)
    # £5,200 less £1,000 spent leaves £4,200; at £250 a week that is gone in the 17th week.
    outlook = forecasts.forecast(session, budget, today=today)
    assert outlook.weekly_spend == 25_000
    assert outlook.runs_out_on == today + timedelta(weeks=16, days=6)
    forecast = normalised_text(client_request.get("/budget").select_one("#forecast"))
    assert forecast == ("You are spending about £250.00 a week. At this rate you will run out of money around "
                        f"{figures_long_date(outlook.runs_out_on)}, before your budget ends on "
                        f"{figures_long_date(budget.period_end)}.")


def test_the_overview_forecast_sentence_and_clawback_warning(session, holder, client_request):
    budget, _today = _running_budget(session, holder, allocation_pence=2_000_000, weekly_pence=10_000)
    page = client_request.get("/budget")
    forecast = normalised_text(page.select_one("#forecast"))
    # £20,000 − £400 spent − 48 weeks × £100 = £14,800.
    assert f"At this rate you will have about £14,800 left on {figures_long_date(budget.period_end)}." in forecast
    assert "more than 8 weeks of spending (£800.00)" in normalised_text(page.select_one(".govuk-warning-text"))


def figures_long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.PROFESSIONAL, Role.COMMISSIONER])
def test_only_budget_holders_see_budget_pages(session, client_request, role):
    client_request.login(create_user(session, role=role))
    for url in ["/budget", "/budget/statement", "/budget/statement.csv", "/budget/quarterly-return"]:
        client_request.get(url, expected_status=403)


def test_a_person_sees_only_their_own_budget(session, sams_budget, client_request):
    other = create_user(session, name="Jo Khan")
    create_budget(session, person=person_of(session, other), paid_in_pence=99_900,
                  period_start=PERIOD_START, period_end=PERIOD_END)
    client_request.login(other)
    assert "£999.00 is free to use" in normalised_text(client_request.get("/budget").main)
    statement = normalised_text(client_request.get("/budget/statement").main)
    assert "Brightpath" not in statement
    client_request.get(f"/admin/budgets/{sams_budget.id}", expected_status=403)


# --- statement ---------------------------------------------------------------------------------


def _statement_rows(page) -> list[list[str]]:
    return [[normalised_text(cell) for cell in row.select("td")] for row in page.select("#statement tbody tr")]


def test_the_statement_lists_transactions_newest_first_with_a_running_balance(sams_budget, client_request):
    page = client_request.get("/budget/statement")
    rows = _statement_rows(page)
    # 13 instalments, 1 commitment, 20 invoices, 20 payments and a contribution.
    assert "55 transactions, newest first" in normalised_text(page.select_one("#statement caption"))
    assert len(rows) == 25
    assert rows[0][0] == "3 March 2026" and rows[0][-1] == "£12,745.00"  # the last instalment
    assert rows[8][0] == "14 August 2025" and rows[8][-2] == ""  # a payment: spent already, no change
    assert rows[9][0] == "12 August 2025" and rows[9][-2] == "£300.00"  # an invoice approved
    assert page.select_one(".govuk-pagination")


def _every_page(client_request, **query) -> list:
    """The statement's pages, following "Older transactions" from the newest."""
    pages = [client_request.get("/budget/statement", **query)]
    while older := pages[-1].select_one(".govuk-pagination__next a"):
        pages.append(client_request.get(older["href"]))
    return pages


def test_a_long_statement_counts_only_up_to_the_limit(sams_budget, client_request, monkeypatch):
    monkeypatch.setattr("marketplace.budgets.statement.COUNT_LIMIT", 50)
    page = client_request.get("/budget/statement")
    assert "More than 50 transactions, newest first" in normalised_text(page.select_one("#statement caption"))
    assert len(_statement_rows(page)) == 25


def test_the_statement_pages_through_every_row(sams_budget, client_request):
    first, second, third = _every_page(client_request)
    rows = [_statement_rows(page) for page in (first, second, third)]
    assert [len(page_rows) for page_rows in rows] == [25, 25, 5]
    assert len({tuple(row) for page_rows in rows for row in page_rows}) == 55
    assert not first.select_one(".govuk-pagination__prev")
    # Newer transactions leads back, page by page, to the same rows.
    back_to_second = client_request.get(third.select_one(".govuk-pagination__prev a")["href"])
    assert _statement_rows(back_to_second) == rows[1]
    back_to_first = client_request.get(back_to_second.select_one(".govuk-pagination__prev a")["href"])
    assert _statement_rows(back_to_first) == rows[0]
    assert not back_to_first.select_one(".govuk-pagination__prev")
    for position in ("2020-01-01.1", "soon", "2025-13-01.5", "2025-01-01.x", "1" * 40):
        client_request.get("/budget/statement", before=position, expected_status=404)
    client_request.get("/budget/statement", after="2099-01-01.1", expected_status=404)


def test_the_statement_filters_by_category_provider_and_date(session, sams_budget, client_request):
    care = session.exec(select(BudgetCategory).where(BudgetCategory.key == "personal_care")).one()
    transport = session.exec(select(BudgetCategory).where(BudgetCategory.key == "transport")).one()
    by_category = client_request.get("/budget/statement", category=str(care.id))
    assert "21 transactions" in normalised_text(by_category.select_one("#statement caption"))
    assert "no transactions that match" in normalised_text(
        client_request.get("/budget/statement", category=str(transport.id)).main)
    provider = session.exec(select(Provider).where(Provider.name == "Brightpath Home Care")).one()
    by_provider = client_request.get("/budget/statement", provider=str(provider.id))
    # The commitment, 20 invoices and 20 payments.
    assert "41 transactions" in normalised_text(by_provider.select_one("#statement caption"))
    april = _statement_rows(client_request.get(
        "/budget/statement", **date_input("from_date", "1", "4", "2025"), **date_input("to_date", "30", "4", "2025")))
    assert {row[0].split(" ", 1)[1] for row in april} == {"April 2025"}


def test_page_and_download_links_keep_the_dates_chosen(sams_budget, client_request):
    page = client_request.get("/budget/statement", **date_input("from_date", "1", "4", "2025"))
    chosen = "from_date-day=1&from_date-month=4&from_date-year=2025"
    assert chosen in page.select_one(".govuk-pagination__next a")["href"]
    assert chosen in page.find("a", string=re.compile("Download these transactions"))["href"]
    assert [box["value"] for box in page.select("#from_date input")] == ["1", "4", "2025"]


@pytest.mark.parametrize("query, field, message", [
    (date_input("from_date", "1", "13", "2025"), "from_date", "From date must be a real date"),
    (date_input("from_date", "1", "", "2025"), "from_date", "From date must include a month"),
    (date_input("to_date", "<b>soon</b>", "", ""), "to_date", "To date must include a month and year"),
    (date_input("to_date", "1", "6", "25"), "to_date", "Year must include 4 numbers"),
    ({**date_input("from_date", "1", "6", "2025"), **date_input("to_date", "1", "5", "2025")}, "to_date",
     "To date must be the same as or after the from date"),
    ({"category": "99999"}, "category", "Not a valid choice."),
])
def test_bad_filters_are_explained(sams_budget, client_request, query, field, message):
    page = client_request.get("/budget/statement", expected_status=400, **query)
    assert field_error(page, field) == message
    assert message in error_messages(page)


@pytest.mark.parametrize("from_date, to_date", [(None, None), (date(2025, 5, 1), None),
                                                (date(2025, 4, 10), date(2025, 6, 30))])
def test_the_csv_has_exactly_the_statement_rows(session, sams_budget, client_request, from_date, to_date):
    query = {}
    for name, chosen in (("from_date", from_date), ("to_date", to_date)):
        if chosen:
            query |= date_input(name, str(chosen.day), str(chosen.month), str(chosen.year))
    response = client_request.get_response("/budget/statement.csv", **query)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    header, *lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header[-1] == "Currency" and {line[-1] for line in lines} == {"GBP"}
    selected = statements.StatementFilters(from_date=from_date, to_date=to_date)
    rows = list(statements.statement_rows(session, sams_budget.id, selected))
    total = statements.statement(session, sams_budget.id, selected).total
    assert len(lines) == total == len(rows)
    assert lines == [
        [row.effective_on.isoformat(), row.what, row.memo, row.reason or "", row.by or "", row.on_behalf_of or "",
         row.category or "", row.provider or "",
         f"{row.money_in / 100:.2f}" if row.money_in else "",
         f"{row.money_out / 100:.2f}" if row.money_out else "",
         f"{row.balance / 100:.2f}", "GBP"] for row in rows]
    pages = [row for page in _every_page(client_request, **query) for row in _statement_rows(page)]
    assert [row[0] for row in pages] == [figures_long_date(date.fromisoformat(line[0])) for line in lines]
    assert [row[-1] for row in pages] == [f"£{float(line[10]):,.2f}" for line in lines]


def test_quarterly_returns_add_up_to_the_balances(session, sams_budget, client_request):
    balances = ledger.balances(session, sams_budget.id)
    reports = [quarterly_return(session, sams_budget, n) for n in range(1, 5)]
    assert sum(r.allocated for r in reports) == balances.allocated
    assert sum(r.contributions for r in reports) == balances.contributions
    assert sum(r.spent for r in reports) == balances.spent
    assert sum(amount for r in reports for _name, amount in r.spent_by_category) == balances.spent
    assert reports[-1].unspent_at_end == balances.unspent

    page = client_request.get("/budget/quarterly-return", quarter="2")
    summary = normalised_text(page.select_one("#return"))
    assert f"Spent £{reports[1].spent / 100:,.2f}" in summary
    assert "Not spent at 30 September 2025" in summary
    assert "Personal care" in normalised_text(page.select_one("#spent-by-category"))
    client_request.get("/budget/quarterly-return", quarter="5", expected_status=404)


def test_sams_demo_budget_has_history_a_chart_and_a_forecast(runner, session, client_request):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    client_request.login(session.exec(select(User).where(User.email == "sam@example.org")).one())
    page = client_request.get("/budget")
    assert "Your personal budget for this period is £18,720.00" in normalised_text(page.main)
    assert len(page.select("#figures .govuk-summary-list__row")) == 5
    assert normalised_text(page.select_one("#forecast")).startswith("You are spending about")
    assert page.select_one("svg[role=img] title")
    # The real package's weeks come first, newest first; the example history is further back,
    # a page or more depending on today's date.
    statement = client_request.get("/budget/statement")
    pages_read = [normalised_text(statement.main)]
    while (older := statement.select_one(".govuk-pagination__next a")) and len(pages_read) < 5:
        statement = client_request.get(older["href"])
        pages_read.append(normalised_text(statement.main))
    assert any("example history" in text for text in pages_read)


@pytest.mark.parametrize("filters", ["none", "category", "provider", "dates"])
def test_every_statement_page_shows_the_true_balance_even_when_filters_hide_rows(session, sams_budget, filters):
    care = session.exec(select(BudgetCategory).where(BudgetCategory.key == "personal_care")).one()
    brightpath = session.exec(select(Provider).where(Provider.name == "Brightpath Home Care")).one()
    selected = {
        "none": statements.StatementFilters(),
        "category": statements.StatementFilters(category_id=care.id),
        "provider": statements.StatementFilters(provider_id=brightpath.id),
        "dates": statements.StatementFilters(from_date=date(2025, 5, 1), to_date=date(2025, 7, 31)),
    }[filters]
    every_row = list(statements.statement_rows(session, sams_budget.id, selected))
    page = statements.statement(session, sams_budget.id, selected)
    assert page.total == len(every_row) > 0
    total, paged, pages = page.total, list(page.rows), [page]
    while pages[-1].older:
        pages.append(statements.statement(session, sams_budget.id, selected, before=pages[-1].older))
        paged += pages[-1].rows
    assert paged == every_row
    # And back again, newer page by newer page.
    for newer_page, page in zip(reversed(pages[:-1]), reversed(pages[1:]), strict=True):
        assert statements.statement(session, sams_budget.id, selected, after=page.newer).rows == newer_page.rows
    if filters == "none":
        assert total > statements.STATEMENT_PAGE_SIZE
        assert every_row[0].balance == ledger.balances(session, sams_budget.id).unspent
