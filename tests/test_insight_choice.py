"""The council's Choice and gaps page: vetted providers per kind of support per district."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from marketplace.dates import today_in_uk
from marketplace.insight import choice
from marketplace.insight.council_figures import refresh_council_figures
from marketplace.models import OwnProviderRequest, Person, Provider, Role, VettingCheck
from marketplace.models.types import utcnow
from marketplace.providers.browse import BrowseFilters, search_providers
from marketplace.providers.listing import refresh_listings
from tests.client_request import normalised_text
from tests.factories import create_provider, create_user, person_of
from tests.factories_providers import create_listed_provider, vet
from tests.test_package_queries import MOST_STATEMENTS, counting


@pytest.fixture
def area(session):
    """Two personal care providers serve LS6, one serves LS7 too; one transport provider
    serves LS7; a suspended provider in LS8 does not count. Sam lives in LS9, where nobody works."""
    create_listed_provider(session, name="Home Care A", areas=("LS6", "LS7"), category="personal_care",
                           price_pence=2_000)
    create_listed_provider(session, name="Home Care B", areas=("LS6",), category="personal_care", price_pence=2_600)
    create_listed_provider(session, name="Taxi", areas=("LS7",), category="transport", price_pence=1_500)
    suspended = create_listed_provider(session, name="Gone", areas=("LS8",), category="personal_care")
    provider = session.exec(select(Provider).where(Provider.id == suspended.id)).one()
    provider.suspended_at = provider.created_at
    sam = person_of(session, create_user(session, name="Sam Taylor"))
    session.get(Person, sam.id).postcode_district = "LS9"
    session.commit()
    refresh_council_figures(session.connection(), today=today_in_uk())
    session.commit()


@pytest.fixture
def council(session, client_request):
    return client_request.login(create_user(session, role=Role.COMMISSIONER))


def _table(page, table_id):
    return [[normalised_text(cell) for cell in row.select("th, td")] for row in page.select(f"#{table_id} tr")]


def test_each_district_shows_its_vetted_providers_and_the_gaps(council, client_request, area):
    page = client_request.get("/admin/insight/choice", category="personal_care")
    assert _table(page, "choice") == [
        ["Postcode district", "Budget holders living there", "Personal care"],
        ["LS6", "0", "2"],
        ["LS7", "0", "1 Only one"],
        ["LS9", "1", "0 None"]]
    assert _table(page, "prices")[1] == ["Personal care", "£20.00", "£26.00"]


def test_the_page_says_when_the_counts_were_last_worked_out_whichever_category_is_chosen(session, client_request,
                                                                                         council):
    page = client_request.get("/admin/insight/choice")
    assert "They have not been worked out yet, or no provider is listed." in normalised_text(page.main)
    create_listed_provider(session, name="Home Care A", areas=("LS6",), category="personal_care")
    refresh_council_figures(session.connection(), today=today_in_uk(), now=datetime(2026, 11, 30, 15, 5, tzinfo=UTC))
    session.commit()
    for category in ("personal_care", "transport"):  # nobody offers transport
        page = client_request.get("/admin/insight/choice", category=category)
        assert "They were last worked out on 30 November 2026 at 3:05pm." in normalised_text(page.main)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(providers=st.lists(st.tuples(st.sets(st.sampled_from(["LS6", "LS7", "BD1"]), min_size=1),
                                    st.sampled_from(["personal_care", "transport"]),
                                    st.sampled_from(["listed", "suspended", "check ran out"])), max_size=6))
def test_the_worked_out_choice_is_what_browse_shows_in_each_district(session, providers):
    today = today_in_uk()
    for areas, category, state in providers:
        made = create_listed_provider(session, areas=tuple(sorted(areas)), category=category)
        if state == "suspended":
            session.get(Provider, made.id).suspended_at = utcnow()
        elif state == "check ran out":
            for check in session.exec(select(VettingCheck).where(VettingCheck.provider_id == made.id)).all():
                check.expires_on = today - timedelta(days=1)
        session.flush()
        refresh_listings(session.connection(), provider_ids=[made.id])
    session.commit()
    refresh_council_figures(session.connection(), today=today)
    session.commit()
    found = choice.choice_and_gaps(session)
    for district in ("LS6", "LS7", "BD1"):
        for category in ("personal_care", "transport"):
            shown = search_providers(session, filters=BrowseFilters(category=category, area=district), today=today)
            assert found.count(district, category) == shown.total, (district, category)


def test_the_csv_matches_the_table(council, client_request, area):
    page = client_request.get("/admin/insight/choice")
    response = client_request.get_response(page.select_one("a[download]")["href"])
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    table = _table(page, "choice")
    assert rows[0] == table[0]
    assert rows[1:] == [[cell.split(" ")[0] for cell in row] for row in table[1:]]
    assert [row[0] for row in rows[1:]] == ["LS6", "LS7", "LS9"]


@pytest.mark.parametrize("role", [Role.PERSON, Role.PROVIDER, Role.PROFESSIONAL])
@pytest.mark.parametrize("url", ["/admin/insight/choice", "/admin/insight/choice.csv"])
def test_only_the_council_sees_choice_and_gaps(session, client_request, role, url):
    client_request.login(create_user(session, role=role))
    client_request.get_response(url, expected_status=403)


def test_the_choice_page_keeps_to_ten_sql_statements(app, council, client_request, area):
    with counting(app) as statements:
        client_request.get("/admin/insight/choice")
    assert len(statements) <= MOST_STATEMENTS, len(statements)


def test_checks_running_out_in_the_next_30_days_link_to_the_providers_vetting(session, council, client_request):
    today = today_in_uk()
    soon = vet(session, create_provider(session, name="Soon Ends Care"), expires_on=today + timedelta(days=5))
    vet(session, create_provider(session, name="Later Care"), expires_on=today + timedelta(days=20))
    vet(session, create_provider(session, name="Fine For Now"), expires_on=today + timedelta(days=31))
    page = client_request.get("/admin/insight/choice")
    rows = _table(page, "expiring")[1:]
    assert {row[0].split(" :")[0] for row in rows} == {"Soon Ends Care", "Later Care"}
    assert rows[0][2] == f"{today + timedelta(days=5):%-d %B %Y} Within a week"
    assert page.select_one("#expiring a")["href"] == f"/admin/vetting/providers/{soon.id}"


def _asked(session, person, name: str, status: str, decided_days_ago: int | None = None):
    decided = None if decided_days_ago is None else utcnow() - timedelta(days=decided_days_ago)
    asked = OwnProviderRequest(person_id=person.id, requested_by_id=person.user_id, name=name, contact="0113 496 0000",
                               what_they_do="Help in the mornings", category="employing_a_pa", unit="hour",
                               price_pence=1250, relationship="none", status=status, decided_at=decided)
    session.add(asked)
    session.commit()
    return asked


def test_requests_to_pay_someone_not_on_the_list_are_counted_with_the_latest_decisions(session, council,
                                                                                       client_request):
    jo = person_of(session, create_user(session, name="Jo Khan"))
    _asked(session, jo, "Maggie Lee", "waiting")
    agreed = _asked(session, jo, "Ann Neighbour", "agreed", decided_days_ago=3)
    _asked(session, jo, "Bob Cousin", "refused", decided_days_ago=1)
    page = client_request.get("/admin/insight/choice")
    assert _table(page, "own-providers")[1:] == [["Waiting for the council", "1"], ["Agreed", "1"], ["Refused", "1"]]
    assert [row[1:] for row in _table(page, "own-decisions")[1:]] == [
        ["Bob Cousin , for Jo Khan", "Jo Khan", "Refused"], ["Ann Neighbour , for Jo Khan", "Jo Khan", "Agreed"]]
    assert f"/admin/own-providers/{agreed.id}" in {a["href"] for a in page.select("#own-decisions a")}
    page = client_request.get("/admin/insight/choice", category="transport")
    assert _table(page, "own-providers")[1:] == [["Waiting for the council", "0"], ["Agreed", "0"], ["Refused", "0"]]
