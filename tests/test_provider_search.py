"""Search words find providers through the database's own full-text engine, the same way on
SQLite (FTS5) and PostgreSQL (tsvector): run this file with and without TEST_DATABASE_URL."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from marketplace.models import Provider, Service, VettingCheck
from marketplace.models.types import utcnow
from marketplace.providers.browse import BrowseFilters, search_providers
from marketplace.providers.search import matching_services
from tests.client_request import normalised_text
from tests.factories_providers import add_service, create_listed_provider


def found(session, words: str, **filters) -> list[str]:
    page = search_providers(session, filters=BrowseFilters(q=words, sort="name", **filters), today=date.today())
    return [result.provider.name for result in page.results]


@pytest.fixture
def providers(session):
    create_listed_provider(session, name="Roundhay Gardening Club", title="Gardening together",
                           description="Grow vegetables and flowers with friends.", category="community_activities")
    create_listed_provider(session, name="Wheels Out", title="Day trip to the coast",
                           description="A minibus trip with a driver who knows you.", category="transport")
    create_listed_provider(session, name="Green Fingers Trips", title="Garden centre trips",
                           description="We take you to garden centres and help you shop.",
                           category="transport")
    create_listed_provider(session, name="Night Owls", title="Night sitting",
                           description="Someone awake all night so you can rest at home.")
    create_listed_provider(session, name="Chapel Allerton Helpers", title="Shopping trips",
                           description="Help with the weekly shop.", category="domestic_help")


@pytest.mark.parametrize(("words", "expected"), [
    # Stemming: "garden" finds "gardening", "trips" finds "trip".
    ("garden trips", ["Green Fingers Trips"]),
    ("gardening", ["Green Fingers Trips", "Roundhay Gardening Club"]),
    ("trip", ["Chapel Allerton Helpers", "Green Fingers Trips", "Wheels Out"]),
    # Words may come from the provider's name and the service together.
    ("roundhay vegetables", ["Roundhay Gardening Club"]),
    ("ALLERTON", ["Chapel Allerton Helpers"]),
    # Common words are left out, on both engines.
    ("rest at home", ["Night Owls"]),
    # Typed as people type into a search box: a phrase, a word left out, either word.
    ('"night sitting"', ["Night Owls"]),
    ("trips -garden", ["Chapel Allerton Helpers", "Wheels Out"]),
    ("coast or vegetables", ["Roundhay Gardening Club", "Wheels Out"]),
    # Nothing to search for, or odd characters: no match, never an error.
    ("the", []),
    ("100%_", []),
    ('"unclosed', []),
    ("-", []),
    ("swimming", []),
])
def test_search_words_find_the_same_providers_on_every_engine(session, providers, words, expected):
    assert found(session, words) == expected


def test_search_words_combine_with_the_filters(session, providers):
    assert found(session, "trips", category="transport") == ["Green Fingers Trips", "Wheels Out"]
    assert found(session, "trips", category="domestic_help") == ["Chapel Allerton Helpers"]


def test_the_best_match_comes_first(session, providers):
    page = search_providers(session, filters=BrowseFilters(q="garden", sort="relevance"), today=date.today())
    # In the name and the title beats in the title and the description.
    assert [result.provider.name for result in page.results] == ["Roundhay Gardening Club", "Green Fingers Trips"]


def test_the_search_follows_changes_in_the_same_transaction(session, providers):
    owls = session.exec(select(Provider).where(Provider.name == "Night Owls")).one()
    sitting = session.exec(select(Service).where(Service.provider_id == owls.id)).one()

    owls.name = "Evening Larks"
    session.add(owls)
    session.flush()
    assert found(session, "larks") == ["Evening Larks"]
    assert found(session, "owls") == []

    sitting.title, sitting.description = "Overnight care", "Sleep-in support."
    session.add(sitting)
    session.flush()
    assert found(session, "sitting") == []
    assert found(session, "overnight") == ["Evening Larks"]

    sitting.published = False
    session.add(sitting)
    session.flush()
    assert found(session, "overnight") == []

    sitting.published, sitting.withdrawn_at = True, utcnow()
    session.add(sitting)
    session.flush()
    assert found(session, "overnight") == []

    add_service(session, owls, title="Overnight care at weekends", category="personal_care")
    assert found(session, "overnight weekends") == ["Evening Larks"]


def test_a_broad_search_counts_only_up_to_the_limit(client_request, session, providers, monkeypatch):
    monkeypatch.setattr("marketplace.providers.browse.COUNT_LIMIT", 2)
    monkeypatch.setattr("marketplace.providers.browse.PER_PAGE", 2)
    page = client_request.get("/providers")
    assert normalised_text(page.select_one("#result-count")) == "More than 2 providers found"
    assert page.select_one(".govuk-pagination__next a")["href"].endswith("page=2")
    last = client_request.get("/providers", page="3")  # the last page knows the total
    assert normalised_text(last.select_one("#result-count")) == "5 providers found"
    assert len(last.select(".app-result")) == 1
    assert not last.select(".govuk-pagination__next")
    assert normalised_text(client_request.get("/providers", q="trip").select_one("#result-count")) == (
        "More than 2 providers found")
    assert normalised_text(client_request.get("/providers", q="garden").select_one("#result-count")) == (
        "2 providers found")


def test_each_document_knows_its_services_provider_and_shown_date(session, providers):
    """A search with no other filter finds providers from the documents alone (on PostgreSQL
    the database copies these onto each document, in the same transaction)."""
    owls = session.exec(select(Provider).where(Provider.name == "Night Owls")).one()

    def documents_agree_with_services():
        found = matching_services(session.get_bind().dialect.name, "night").subquery()
        documents = {row.service_id: (row.provider_id, row.shown_until) for row in session.execute(select(found))}
        services = {service.id: (service.provider_id, service.shown_until) for service in session.exec(
            select(Service).where(Service.id.in_(documents)))}
        assert documents == services and documents
        return documents

    shown = documents_agree_with_services()
    check = session.exec(select(VettingCheck).where(VettingCheck.provider_id == owls.id)).first()
    check.expires_on = date.today() + timedelta(days=3)
    session.add(check)
    session.flush()
    assert documents_agree_with_services() != shown
    assert found(session, "night") == ["Night Owls"]

    owls.suspended_at = utcnow()
    session.add(owls)
    session.flush()
    assert {until for _provider, until in documents_agree_with_services().values()} == {None}
    assert found(session, "night") == []
    assert found(session, "night", language="English") == []


def test_a_broad_search_ranks_a_bounded_number_of_matches_and_says_there_are_more(client_request, session, providers,
                                                                                  monkeypatch):
    monkeypatch.setattr("marketplace.providers.browse.SEARCH_CANDIDATES", 2)
    page = client_request.get("/providers", q="trip")  # three services match: more than the bound
    assert normalised_text(page.select_one("#result-count")) == "More than 2 providers found"
    assert len(page.select(".app-result")) == 2
    # With another filter every match is ranked: the filter may keep only a few of them.
    filtered = client_request.get("/providers", q="trip", category="transport")
    assert normalised_text(filtered.select_one("#result-count")) == "2 providers found"
    # A search the bound does not reach is counted exactly.
    assert normalised_text(client_request.get("/providers", q="coast").select_one("#result-count")) == (
        "1 provider found")


def test_a_page_past_the_ranked_matches_shows_the_last_page_of_them(client_request, session, providers, monkeypatch):
    monkeypatch.setattr("marketplace.providers.browse.SEARCH_CANDIDATES", 2)
    monkeypatch.setattr("marketplace.providers.browse.PER_PAGE", 1)
    page = client_request.get("/providers", q="trip", page="9")
    assert normalised_text(page.select_one("#result-count")) == "More than 2 providers found"
    assert len(page.select(".app-result")) == 1
