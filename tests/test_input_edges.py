"""Input that looks ordinary but is not: other scripts' digits, numbers too big for the database,
hidden characters. Each gets a message or a 404, never a server error."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from marketplace.forms import hidden_character, parse_pence
from marketplace.models import Role, Service
from marketplace.query import DATABASE_INT_MAX, page_number, record_id, whole_number
from tests.client_request import date_input, field_error
from tests.factories import create_user, person_of
from tests.factories_budget import create_budget
from tests.factories_providers import create_listed_provider

GOOD_SERVICE = {
    "category": "personal_care", "title": "Morning help", "description": "Getting up, washed and dressed.",
    "unit": "hour", "price": "22.50", "minimum_units": "1", "days": ["monday"],
}


@pytest.mark.parametrize(("typed", "pence"), [
    ("25", 2500), ("£25.50", 2550), ("1,234.5", 123450), ("£ 1,000,000", 100000000), (".50", 50),
    ("0.01", 1), ("-5", -500),
])
def test_amounts_people_write_are_read(typed, pence):
    assert parse_pence(typed) == pence


@pytest.mark.parametrize("typed", [
    "1_000", "²", "٣", "１２", "1,00", "12,3456", "1e9", "£", ".", "25.5.0", "NaN", "Infinity",
    "1" * 70, "25 pounds", "£-5",
])
def test_anything_else_is_not_an_amount(typed):
    with pytest.raises(ValueError, match="Enter an amount in pounds and pence, like 25.50"):
        parse_pence(typed)


@given(st.integers(min_value=0, max_value=10**12))
def test_every_amount_written_with_commas_reads_back(pence):
    assert parse_pence(f"£{pence // 100:,}.{pence % 100:02d}") == pence


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), ("0", 0), ("²", None), ("٣", None), ("１２", None), ("1" * 40, None),
    (str(DATABASE_INT_MAX), DATABASE_INT_MAX), (str(DATABASE_INT_MAX + 1), None), ("", None),
    (" 1", None), ("-1", None), ("1_0", None), (None, None),
])
def test_whole_numbers_are_ascii_digits_the_database_can_hold(text, expected):
    assert whole_number(text) == expected


def test_ids_start_at_one_and_pages_default_to_the_first():
    assert record_id("0") is None and record_id("7") == 7
    assert page_number({}) == 1 and page_number({"page": "²"}) is None and page_number({"page": "3"}) == 3


@pytest.mark.parametrize(("text", "multiline", "hidden"), [
    ("Zoë O’Brien", False, False), ("محمد", False, False), ("می‌خواهم", False, False),  # ZWNJ in Persian
    ("👩‍👩‍👧", False, False), ("line one\nline two", True, False), ("line one\nline two", False, True),
    ("a\x00b", True, True), ("abc\u202edef", False, True), ("a\u200bb", False, True),
    ("\ufeffname", False, True), ("a\u2066b\u2069", False, True), ("a\x1bb", True, True),
])
def test_hidden_characters(text, multiline, hidden):
    assert hidden_character(text, multiline=multiline) is hidden


@pytest.fixture
def provider_user(session):
    return create_user(session, role=Role.PROVIDER, provider=create_listed_provider(session, name="Our Care"))


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"price": "1_000"}, "price", "Enter an amount in pounds and pence, like 25.50"),
    ({"price": "٣"}, "price", "Enter an amount in pounds and pence, like 25.50"),
    ({"price": "9" * 30}, "price", "Amount must be £10,000 or less"),
    ({"minimum_units": "٣"}, "minimum_units", "Enter a whole number, like 2"),
    ({"minimum_units": "²"}, "minimum_units", "Enter a whole number, like 2"),
    ({"title": "Morning\x00help"}, "title",
     "Title must not contain hidden characters. Type it in again rather than copying and pasting it"),
    ({"description": "Nice \u202etxt.exe"}, "description",
     "Description must not contain hidden characters. Type it in again rather than copying and pasting it"),
])
def test_a_service_with_hostile_input_is_explained_and_not_saved(client_request, session, provider_user,
                                                                 changes, field, message):
    client_request.login(provider_user)
    page = client_request.post("/provider/services/new", {**GOOD_SERVICE, **changes}, expected_status=400)
    assert field_error(page, field) == message
    assert session.exec(select(Service).where(Service.title.startswith("Morning"))).all() == []


@pytest.mark.parametrize(("day", "month", "year", "message"), [
    ("1", "", "", "Date issued must include a month and year"),
    ("²", "3", "2026", "Date issued must be a real date"),
    ("٣", "3", "2026", "Date issued must be a real date"),
    ("1", "1", "9" * 30, "Year must include 4 numbers"),
    ("9" * 30, "1", "2026", "Date issued must be a real date"),
])
def test_half_filled_or_foreign_dates_are_explained(client_request, provider_user, day, month, year, message):
    client_request.login(provider_user)
    page = client_request.post("/provider/checks/new", {"kind": "enhanced_dbs", "reference": "R1",
                                                        **date_input("issued_on", day, month, year),
                                                        **date_input("expires_on", "1", "1", "2030")},
                               expected_status=400)
    assert field_error(page, "issued_on") == message


@pytest.mark.parametrize("provider_id", ["2147483648", "9" * 30, "٣", "²"])
def test_ids_beyond_the_database_or_in_other_scripts_are_not_found(client_request, provider_id):
    client_request.get(f"/providers/{provider_id}", expected_status=404)
    client_request.post("/compare/add", {"provider_id": provider_id}, expected_status=404)


@pytest.mark.parametrize("page_asked", ["²", "٣", "9" * 30, "0"])
def test_page_numbers_that_are_not_pages_are_not_found(client_request, session, page_asked):
    client_request.login(create_user(session, role=Role.COMMISSIONER))
    client_request.get("/admin/budgets", page=page_asked, expected_status=404)


@pytest.mark.parametrize("query", [{"before": "²"}, {"before": "9" * 30}, {"after": "2026-04-01.٣"},
                                   {"quarter": "²"}, {"quarter": "9" * 30}])
def test_budget_pages_with_foreign_numbers_are_not_found(client_request, session, query):
    holder = create_user(session, role=Role.PERSON)
    create_budget(session, person=person_of(session, holder))
    client_request.login(holder)
    path = "/budget/quarterly-return" if "quarter" in query else "/budget/statement"
    client_request.get(path, expected_status=404, **query)


def test_browse_with_a_foreign_page_number_shows_the_first_page(client_request, session):
    create_listed_provider(session, name="Our Care")
    page = client_request.get("/providers", page="²")
    assert "Our Care" in page.get_text()
