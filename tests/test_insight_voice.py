"""The council's Voice page: challenges and how they ended, invoices disputed by provider, and
review ratings by provider and month."""

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from sqlmodel import select

from marketplace.dates import UK, add_months, today_in_uk
from marketplace.invoices import service as invoices
from marketplace.models import Review, Role, User
from marketplace.packages import lifecycle
from marketplace.scope import scope_for
from tests.client_request import error_messages, normalised_text
from tests.factories import create_user, person_of
from tests.factories_invoices import LAST_WEEK, TODAY, approve, bill, billing_world
from tests.factories_packages import accept_every_line, draft_package, scope_of
from tests.factories_providers import create_listed_provider
from tests.test_package_queries import MOST_STATEMENTS, counting

# The audit log cannot be changed, so disputes happen now: the period is the last three months.
THIS_MONTH = today_in_uk().replace(day=1)
LAST_MONTH, TWO_MONTHS_AGO = add_months(THIS_MONTH, -1), add_months(THIS_MONTH, -2)
PERIOD = {"from": f"{TWO_MONTHS_AGO:%Y-%m}", "to": f"{THIS_MONTH:%Y-%m}"}


def _in(month) -> datetime:
    return datetime.combine(month + timedelta(days=9), time(12), tzinfo=UK)


def _challenged(session, world, title: str):
    """Sam's package, turned down by Priya and challenged by Sam."""
    package = draft_package(session, world.sam, world.person, lines=[(world.service, "2")], title=title)
    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=package.id, today=TODAY)
    session.commit()
    accept_every_line(session, world.provider_user, package)
    lifecycle.reject(session, scope_of(session, world.priya, world.person), package_id=package.id,
                     reasons="Not needed at weekends.")
    session.commit()
    lifecycle.challenge(session, scope_of(session, world.sam, world.person), package_id=package.id,
                        reasons="My brother is away at weekends now.")
    session.commit()
    return package


@pytest.fixture
def voice(session):
    """Sam challenged two decisions: the council asked for changes to one, the other waits.
    Sam disputed Brightpath's first invoice twice (before and after it was changed) and queried
    its second after approving it. Brightpath was rated 2 and 4 last month and 5 this month;
    Kirkstall 3 two months ago."""
    world = billing_world(session)
    council = create_user(session, role=Role.COMMISSIONER, name="Council budgets team")
    decided = _challenged(session, world, "Weekends")
    lifecycle.request_changes(session, scope_for(session, council), package_id=decided.id,
                              note="Say which weekends, and we will look again.")
    session.commit()
    _challenged(session, world, "Evenings")

    sam = scope_of(session, world.sam, world.person)
    first = bill(session, world)
    invoices.dispute(session, sam, invoice_id=first.id, reason="Two visits were missed.")
    session.commit()
    invoices.amend(session, scope_of(session, world.provider_user), invoice_id=first.id,
                   period_start=LAST_WEEK[0], period_end=LAST_WEEK[1], units="7", today=TODAY)
    session.commit()
    invoices.dispute(session, sam, invoice_id=first.id, reason="Still one visit too many.")
    session.commit()
    second = bill(session, world, reference="BP-1002", units="4", period=(LAST_WEEK[0] - timedelta(days=7),
                                                                         LAST_WEEK[1] - timedelta(days=7)))
    approve(session, world, second)
    invoices.dispute(session, sam, invoice_id=second.id, reason="I was in hospital that week.")
    session.commit()

    kirkstall = create_listed_provider(session, name="Kirkstall Mobility Aids")
    reviewers = [person_of(session, create_user(session, name=f"Reviewer {n}")) for n in range(4)]
    for (provider, month, rating), reviewer in zip(
            [(world.provider, LAST_MONTH, 2), (world.provider, LAST_MONTH, 4), (world.provider, THIS_MONTH, 5),
             (kirkstall, TWO_MONTHS_AGO, 3)], reviewers, strict=True):
        session.add(Review(provider_id=provider.id, person_id=reviewer.id, rating=rating, text="Words",
                           created_at=_in(month), updated_at=_in(month)))
    hidden = person_of(session, create_user(session, name="Hidden reviewer"))
    session.add(Review(provider_id=kirkstall.id, person_id=hidden.id, rating=1, text="Rude", created_at=_in(LAST_MONTH),
                       updated_at=_in(LAST_MONTH), hidden_at=_in(LAST_MONTH), hidden_reason="Not about the service"))
    session.commit()
    return world


@pytest.fixture
def council(session, client_request):
    return client_request.login(create_user(session, role=Role.COMMISSIONER))


def _table(page, table_id):
    return [[normalised_text(cell) for cell in row.select("th, td")] for row in page.select(f"#{table_id} tr")]


def test_challenges_are_counted_by_how_they_ended(council, client_request, voice):
    page = client_request.get("/admin/insight/voice", **PERIOD)
    assert _table(page, "challenges") == [
        ["Month", "Challenges", "Agreed", "Changes asked for", "Turned down again", "Waiting for a decision"],
        ["Whole period", "2", "0", "1", "0", "1"],
        [f"{TWO_MONTHS_AGO:%B %Y}", "0", "0", "0", "0", "0"],
        [f"{LAST_MONTH:%B %Y}", "0", "0", "0", "0", "0"],
        [f"{THIS_MONTH:%B %Y}", "2", "0", "1", "0", "1"]]
    chart = normalised_text(page.select_one("svg[aria-labelledby^=challenge-chart]"))
    assert "Changes asked for" in chart and "Waiting for a decision" in chart


def test_each_dispute_counts_against_the_provider(council, client_request, voice):
    page = client_request.get("/admin/insight/voice", **PERIOD)
    assert _table(page, "disputes")[1:] == [["Brightpath Home Care", "2", "2", "1"]]


def test_ratings_are_shown_each_month_for_everyone_and_for_the_lowest_rated(council, client_request, voice):
    page = client_request.get("/admin/insight/voice", **PERIOD)
    assert _table(page, "ratings")[1:] == [
        [f"{TWO_MONTHS_AGO:%B %Y}", "1", "3.0"],
        [f"{LAST_MONTH:%B %Y}", "2", "3.0"],
        [f"{THIS_MONTH:%B %Y}", "1", "5.0"]]
    assert _table(page, "provider-ratings")[1:] == [
        ["Kirkstall Mobility Aids", "Whole period", "1", "3.0"],
        ["Kirkstall Mobility Aids", f"{TWO_MONTHS_AGO:%B %Y}", "1", "3.0"],
        ["Brightpath Home Care", "Whole period", "3", "3.7"],
        ["Brightpath Home Care", f"{LAST_MONTH:%B %Y}", "2", "3.0"],
        ["Brightpath Home Care", f"{THIS_MONTH:%B %Y}", "1", "5.0"]]
    assert "5.0 out of 5" in normalised_text(page.select_one("svg[aria-labelledby^=rating-chart]"))


def test_the_funding_filter_leaves_out_other_budgets(council, client_request, voice):
    page = client_request.get("/admin/insight/voice", funding="nhs", **PERIOD)
    assert _table(page, "challenges")[1][1] == "0"
    assert page.select_one("#disputes") is None
    assert "No invoices were disputed in this period." in normalised_text(page)


def test_the_category_filter_keeps_to_disputes_on_that_kind_of_support(council, client_request, voice):
    page = client_request.get("/admin/insight/voice", category="transport", **PERIOD)
    assert page.select_one("#disputes") is None
    page = client_request.get("/admin/insight/voice", category="personal_care", funding="council", **PERIOD)
    assert _table(page, "disputes")[1:] == [["Brightpath Home Care", "2", "2", "1"]]


@pytest.mark.parametrize("table_id", ["challenges", "disputes", "ratings", "provider-ratings"])
def test_each_csv_matches_its_table(council, client_request, voice, table_id):
    page = client_request.get("/admin/insight/voice", **PERIOD)
    link = page.select_one(f"#{table_id}").find_parent("div").find_next_sibling("p").select_one("a[download]")
    response = client_request.get_response(link["href"])
    assert response.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == _table(page, table_id)


def test_an_unknown_table_is_not_found(council, client_request):
    client_request.get_response("/admin/insight/voice.csv", table="secrets", expected_status=404)


def test_a_bad_filter_is_explained_and_the_page_still_shows(council, client_request, voice):
    page = client_request.get("/admin/insight/voice", expected_status=400, category="space-travel")
    assert error_messages(page) == ["Choose a category from the list"]
    assert page.select_one("#challenges") is not None


def test_the_insight_page_links_to_voice(council, client_request):
    page = client_request.get("/admin/insight")
    assert "/admin/insight/voice" in {a["href"] for a in page.select("main a")}


@pytest.mark.parametrize("role", [Role.PERSON, Role.ADVOCATE, Role.PROVIDER, Role.PROFESSIONAL])
@pytest.mark.parametrize("url", ["/admin/insight/voice", "/admin/insight/voice.csv?table=disputes"])
def test_only_the_council_sees_voice(session, client_request, role, url):
    client_request.login(create_user(session, role=role))
    client_request.get_response(url, expected_status=403)


def test_the_voice_page_keeps_to_ten_sql_statements(app, council, client_request, voice):
    with counting(app) as statements:
        client_request.get("/admin/insight/voice", funding="council", category="personal_care", **PERIOD)
    assert len(statements) <= MOST_STATEMENTS, len(statements)



def test_the_demo_gives_every_voice_chart_something_to_show(runner, session, client_request):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    client_request.login(session.exec(select(User).where(User.email == "council@example.org")).one())
    page = client_request.get("/admin/insight/voice")
    assert _table(page, "challenges")[1][1:] == ["2", "0", "1", "0", "1"]
    assert _table(page, "disputes")[1][0] == "Brightpath Home Care"
    assert len([row for row in _table(page, "ratings")[1:] if row[1] != "0"]) == 2
    choice = client_request.get("/admin/insight/choice")
    assert _table(choice, "expiring")[1:] and len(_table(choice, "own-decisions")[1:]) == 2
