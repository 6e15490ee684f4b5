"""The council's Choice and gaps page: vetted providers per kind of support per district."""

import csv
import io

import pytest
from sqlmodel import select

from marketplace.models import Person, Provider, Role
from tests.client_request import normalised_text
from tests.factories import create_user, person_of
from tests.factories_providers import create_listed_provider
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
