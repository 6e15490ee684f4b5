"""The council's Waiting page: how long packages, invoices and payments wait, in working days."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from marketplace.insight.waiting import summarise
from marketplace.models import CarePackage, PackageEvent, Role
from marketplace.packages import lifecycle
from marketplace.packages.access import lines_of
from tests.client_request import error_messages, normalised_text
from tests.factories import assign_case, create_user
from tests.factories_invoices import TODAY, approve, bill, billing_world
from tests.factories_packages import accept_every_line, draft_package, scope_of
from tests.test_package_queries import MOST_STATEMENTS, counting

PERIOD = {"from": "2026-11", "to": "2026-12"}


def at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


def timed(session, package: CarePackage, **moments: datetime | list[datetime]) -> None:
    """Move the package's timeline entries of each kind to the moment given (the nth of a kind to
    the nth moment, when a list), as if they happened then."""
    seen: dict[str, int] = {}
    for event in session.exec(select(PackageEvent).where(PackageEvent.package_id == package.id,
                                                         col(PackageEvent.kind).in_(moments))
                              .order_by(PackageEvent.id)):
        wanted = moments[event.kind]
        event.at = wanted[seen.get(event.kind, 0)] if isinstance(wanted, list) else wanted
        seen[event.kind] = seen.get(event.kind, 0) + 1
        session.add(event)


@pytest.mark.parametrize("days, expected", [
    ([], (0, None, None, 0, None)),
    ([3], (1, 3, 3, 1, 100)),
    ([1, 2, 3, 4, 10], (5, 3, 10, 4, 80)),
    ([2, 4], (2, 3.0, 4, 2, 100)),
    ([6, 1, 9], (3, 6, 9, 1, 33)),
])
def test_median_ninetieth_and_share_within_five_working_days(days, expected):
    summary = summarise(days)
    assert (summary.count, summary.median, summary.ninetieth, summary.within_target,
            summary.share_within_target) == expected


@pytest.fixture
def history(session):
    """Priya agreed Sam's package 6 working days after it reached her (Mon 2 to Tue 10 Nov);
    a second package has waited since Friday 20 November. Brightpath's first invoice was
    approved 2 working days after it arrived and is not paid yet; its second is waiting."""
    world = billing_world(session)
    world.package.review_requested_at, world.package.decided_at = at(2), at(10)
    timed(session, world.package, submitted=at(2), ready_for_review=at(2), approved=at(10))
    world.package.submitted_at, world.line.responded_at = at(2), at(4)
    second = draft_package(session, world.sam, world.person, lines=[(world.service, "2")], title="Weekends")
    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=second.id, today=TODAY)
    session.commit()
    accept_every_line(session, world.provider_user, second)
    second.review_requested_at = at(20)
    second.submitted_at = at(18)
    timed(session, second, submitted=at(18), ready_for_review=at(20))
    for line in lines_of(session, second.id):
        line.responded_at = at(20)
        session.add(line)
    first = bill(session, world)
    payment = approve(session, world, first)
    first.submitted_at, first.decided_at = at(23), at(25)
    payment.created_at = at(25)
    waiting_invoice = bill(session, world, reference="BP-1002", units="4",
                           period=(date(2026, 11, 16), date(2026, 11, 22)))
    waiting_invoice.submitted_at = at(26)
    session.add_all([world.package, world.line, second, first, payment, waiting_invoice])
    session.commit()
    return world


@pytest.fixture
def council(session, client_request, monkeypatch):
    monkeypatch.setattr("marketplace.admin.insight_views.today_in_uk", lambda: TODAY)
    return client_request.login(create_user(session, role=Role.COMMISSIONER))


def _table(page, table_id):
    return [[normalised_text(cell) for cell in row.select("th, td")] for row in page.select(f"#{table_id} tr")]


def test_answers_are_summarised_for_the_council_by_month_and_by_whom(council, client_request, history):
    page = client_request.get("/admin/insight/waiting", **PERIOD)
    assert _table(page, "packages-times")[1:] == [
        ["Whole council", "Everyone", "1", "6", "6", "0%"],
        ["November 2026", "Month", "1", "6", "6", "0%"],
        ["December 2026", "Month", "0", "", "", ""],
        ["Priya Shah", "Professional", "1", "6", "6", "0%"]]
    # Mon 2 to Wed 4, and Wed 18 to Fri 20 November: 2 working days each.
    assert _table(page, "lines-times")[1] == ["Whole council", "Everyone", "2", "2", "2", "100%"]
    assert _table(page, "lines-times")[-1] == ["Brightpath Home Care", "Provider", "2", "2", "2", "100%"]
    assert _table(page, "invoices-times")[1] == ["Whole council", "Everyone", "1", "2", "2", "100%"]
    assert _table(page, "invoices-times")[-1] == ["Brightpath Home Care", "Provider", "1", "2", "2", "100%"]
    assert _table(page, "payments-times")[1] == ["Whole council", "Everyone", "0", "", "", ""]


def test_what_is_waiting_now_is_listed_longest_first(council, client_request, history):
    page = client_request.get("/admin/insight/waiting", **PERIOD)
    # Friday 20 November to Tuesday 1 December: 7 working days, past the promise of 5.
    assert _table(page, "packages-waiting")[1:] == [
        ["20 November 2026 at 10:00am", "Weekends", "Sam Taylor : budget", "7 Late"]]
    assert [row[-1] for row in _table(page, "invoices-waiting")[1:]] == ["3"]
    assert [row[-1] for row in _table(page, "payments-waiting")[1:]] == ["4"]
    links = {a["href"] for a in page.select("#packages-waiting a, #payments-waiting a")}
    assert links == {f"/admin/budgets/{history.budget.id}"}


def test_each_list_shows_the_longest_waiting_first_up_to_its_limit(session, council, client_request, history,
                                                                   monkeypatch):
    """Three invoices wait (Thursday 26, Monday 9 and Monday 16 November) with room for two."""
    monkeypatch.setattr("marketplace.insight.waiting.WAITING_LIST_LIMIT", 2)
    for reference, week, day in [("BP-1003", (date(2026, 11, 2), date(2026, 11, 8)), 16),
                                 ("BP-1004", (date(2026, 11, 9), date(2026, 11, 15)), 9)]:
        invoice = bill(session, history, reference=reference, units="1", period=week)
        invoice.submitted_at = at(day)
        session.add(invoice)
    session.commit()
    page = client_request.get("/admin/insight/waiting", **PERIOD)
    assert [row[0] for row in _table(page, "invoices-waiting")[1:]] == [
        "9 November 2026 at 10:00am", "16 November 2026 at 10:00am"]
    assert ("3 waiting; the 2 waiting longest are shown. Download everything waiting now (CSV) to see them all."
            in normalised_text(page.main))
    assert [row[0] for row in _table(page, "packages-waiting")[1:]] == ["20 November 2026 at 10:00am"]


def test_the_download_of_everything_waiting_has_every_item_the_lists_leave_out(session, council, client_request,
                                                                              history, monkeypatch):
    monkeypatch.setattr("marketplace.insight.waiting.WAITING_LIST_LIMIT", 1)
    later = bill(session, history, reference="BP-1003", units="1", period=(date(2026, 11, 2), date(2026, 11, 8)))
    later.submitted_at = at(27)
    session.add(later)
    session.commit()
    page = client_request.get("/admin/insight/waiting", **PERIOD)
    assert "2 waiting; the 1 waiting longest are shown." in normalised_text(page.main)
    link = page.select_one("#main-content p a[href^='/admin/insight/waiting-now.csv']")
    response = client_request.get_response(link["href"])
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Measure", *_table(page, "invoices-waiting")[0]]
    assert _table(page, "invoices-waiting")[1:] == [
        ["26 November 2026 at 10:00am", "Invoice from Brightpath Home Care", "Sam Taylor : budget", "3"]]
    # The page's row first, then the one it left out.
    assert [row[1:] for row in rows if row[0] == "Invoices: arrived until approved"] == [
        ["26 November 2026 at 10:00am", "Invoice from Brightpath Home Care", "Sam Taylor", "3"],
        ["27 November 2026 at 10:00am", "Invoice from Brightpath Home Care", "Sam Taylor", "2"]]
    assert [row[1:] for row in rows if row[0].startswith("Care packages")] == [
        ["20 November 2026 at 10:00am", "Weekends", "Sam Taylor", "7"]]


def test_the_download_of_everything_waiting_keeps_to_the_funding_source(council, client_request, history):
    response = client_request.get_response("/admin/insight/waiting-now.csv?funding=nhs")
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True))))[1:] == []


def test_a_package_sent_back_and_then_agreed_counts_both_decisions(session, council, client_request, history):
    """Sending a package again clears its decision; the council's figures still count both."""
    second = session.exec(select(CarePackage).where(CarePackage.title == "Weekends")).one()
    priya = scope_of(session, history.priya, history.person)
    lifecycle.request_changes(session, priya, package_id=second.id, note="Say which weekends, please.")
    session.commit()
    lifecycle.submit(session, scope_of(session, history.sam, history.person), package_id=second.id, today=TODAY)
    session.commit()
    lifecycle.approve(session, priya, package_id=second.id, today=TODAY)
    # Reached Priya Fri 20, sent back Mon 23 (1 working day); again Tue 24, agreed Thu 26 (2).
    timed(session, second, submitted=[at(18), at(24)], ready_for_review=[at(20), at(24)],
          changes_requested=at(23), approved=at(26))
    session.commit()
    page = client_request.get("/admin/insight/waiting", **PERIOD)
    assert _table(page, "packages-times")[1:] == [
        ["Whole council", "Everyone", "3", "2", "6", "67%"],
        ["November 2026", "Month", "3", "2", "6", "67%"],
        ["December 2026", "Month", "0", "", "", ""],
        ["Priya Shah", "Professional", "3", "2", "6", "67%"]]


def test_the_csv_has_every_table_row(council, client_request, history):
    page = client_request.get("/admin/insight/waiting", **PERIOD)
    response = client_request.get_response(page.select_one("a[download]")["href"])
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][1:] == _table(page, "packages-times")[0]
    from_page = [row for key in ("packages", "lines", "invoices", "payments") for row in _table(page, f"{key}-times")[1:]]
    assert [row[1:] for row in rows[1:]] == from_page


def test_the_funding_filter_leaves_out_other_budgets(council, client_request, history):
    page = client_request.get("/admin/insight/waiting", funding="nhs", **PERIOD)
    assert _table(page, "packages-times")[1][2] == "0"
    assert page.select_one("#packages-waiting") is None


def test_a_bad_filter_is_explained_and_the_page_still_shows(council, client_request, history):
    page = client_request.get("/admin/insight/waiting", expected_status=400, to="twenty")
    assert error_messages(page) == ["Enter the last month like 2026-03"]


@pytest.mark.parametrize("role", [Role.PERSON, Role.PROVIDER, Role.PROFESSIONAL])
@pytest.mark.parametrize("url", ["/admin/insight/waiting", "/admin/insight/waiting.csv",
                                 "/admin/insight/waiting-now.csv"])
def test_only_the_council_sees_waiting_times(session, client_request, role, url):
    client_request.login(create_user(session, role=role))
    client_request.get_response(url, expected_status=403)


def test_the_waiting_page_keeps_to_ten_sql_statements(app, council, client_request, history):
    with counting(app) as statements:
        client_request.get("/admin/insight/waiting", funding="council", **PERIOD)
    assert len(statements) <= MOST_STATEMENTS, len(statements)


def _caseload_on(client_request, monkeypatch, day: date):
    monkeypatch.setattr("marketplace.caseload.views.today_in_uk", lambda: day)
    return client_request.get("/caseload")


def test_a_professional_sees_their_median_against_the_councils(session, client_request, monkeypatch, history):
    pat = create_user(session, role=Role.PROFESSIONAL, name="Pat Jones")
    assign_case(session, person=history.person, professional=pat)
    second = session.exec(select(CarePackage).where(CarePackage.title == "Weekends")).one()
    lifecycle.approve(session, scope_of(session, pat, history.person), package_id=second.id, today=TODAY)
    second.decided_at = at(24)  # Friday 20 to Tuesday 24 November: 2 working days
    timed(session, second, approved=at(24))
    session.add(second)
    session.commit()
    client_request.login(history.priya)
    page = _caseload_on(client_request, monkeypatch, TODAY)
    rows = [normalised_text(row) for row in page.select("#response-times .govuk-summary-list__row")]
    assert rows == ["You Median 6 working days; 0% within 5 working days (1 decision)",
                    "The council Median 4 working days; 50% within 5 working days (2 decisions)"]


@pytest.mark.parametrize("day, state", [(date(2027, 4, 1), None), (date(2027, 4, 2), "Due soon"),
                                        (date(2027, 5, 3), "Overdue")])
def test_plan_reviews_come_due_six_months_after_the_first_package_starts(client_request, monkeypatch, history,
                                                                         day, state):
    client_request.login(history.priya)
    page = _caseload_on(client_request, monkeypatch, day)
    rows = [[normalised_text(cell) for cell in row.select("td")] for row in page.select("#plan-reviews tbody tr")]
    assert rows == ([] if state is None else [["Sam Taylor : support plan", "2 May 2027", state]])
    if state:
        assert page.select_one("#plan-reviews a")["href"] == f"/caseload/people/{history.person.id}/plan"
