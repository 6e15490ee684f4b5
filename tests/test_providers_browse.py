"""Finding providers: only vetted ones show, filters combine, pages stay small in SQL."""

import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from sqlmodel import delete, select

from marketplace.models import Provider, ProviderArea, ProviderLanguage, Role, Service, VettingCheck
from marketplace.models.types import utcnow
from marketplace.providers.browse import BrowseFilters, search_providers
from marketplace.providers.catalogue import DAYS, REQUIRED_CHECKS
from tests.client_request import error_messages, field_error, normalised_text
from tests.factories import create_user
from tests.factories_providers import add_check, create_listed_provider


def result_names(page) -> list[str]:
    return [normalised_text(a) for a in page.select(".app-result h3 a")]


def test_a_listed_provider_shows_with_its_price_and_areas(client_request, session):
    create_listed_provider(session, name="Brightpath Home Care", areas=("LS6", "LS7"),
                           title="Morning visits", price_pence=2350)
    page = client_request.get("/providers")
    assert result_names(page) == ["Brightpath Home Care"]
    assert normalised_text(page.select_one("#result-count")) == "1 provider found"
    result = normalised_text(page.select_one(".app-result"))
    assert "From £23.50 per hour" in result
    assert "Areas LS6, LS7" in result


def test_an_expired_required_check_hides_the_provider_until_a_new_one_is_verified(client_request, session):
    provider = create_listed_provider(session, name="Kirkstall Carers")
    insurance = session.exec(select(VettingCheck).where(
        VettingCheck.provider_id == provider.id, VettingCheck.kind == "public_liability_insurance")).one()
    insurance.expires_on = date.today() - timedelta(days=1)
    session.add(insurance)
    session.commit()

    assert result_names(client_request.get("/providers")) == []
    client_request.get(f"/providers/{provider.id}", expected_status=404)

    renewed = add_check(session, provider, "public_liability_insurance", status="pending")
    assert result_names(client_request.get("/providers")) == []
    renewed.status = "verified"
    session.add(renewed)
    session.commit()
    assert result_names(client_request.get("/providers")) == ["Kirkstall Carers"]
    client_request.get(f"/providers/{provider.id}")


def test_a_check_expiring_today_still_counts_and_is_gone_tomorrow(session):
    provider = create_listed_provider(session, name="Last Day Care")
    for check in session.exec(select(VettingCheck).where(VettingCheck.provider_id == provider.id)):
        check.expires_on = date(2027, 3, 31)
        session.add(check)
    session.commit()
    assert search_providers(session, filters=BrowseFilters(), today=date(2027, 3, 31)).total == 1
    assert search_providers(session, filters=BrowseFilters(), today=date(2027, 4, 1)).total == 0


def test_a_suspended_provider_never_shows(client_request, session):
    provider = create_listed_provider(session, name="Suspended Care")
    provider.suspended_at = utcnow()
    provider.suspension_reason = "Under investigation"
    session.add(provider)
    session.commit()
    assert result_names(client_request.get("/providers")) == []
    client_request.get(f"/providers/{provider.id}", expected_status=404)


@pytest.mark.parametrize("missing", ["cqc_registration", "employers_liability_insurance"])
def test_a_provider_missing_a_required_check_does_not_show(client_request, session, missing):
    provider = create_listed_provider(session)
    session.exec(delete(VettingCheck).where(VettingCheck.provider_id == provider.id,
                                            VettingCheck.kind == missing))
    session.commit()
    assert result_names(client_request.get("/providers")) == []


def test_a_rejected_check_does_not_count(client_request, session):
    provider = create_listed_provider(session)
    session.exec(delete(VettingCheck).where(VettingCheck.provider_id == provider.id,
                                            VettingCheck.kind == "cqc_registration"))
    session.commit()
    add_check(session, provider, "cqc_registration", status="rejected")
    assert result_names(client_request.get("/providers")) == []


def test_unpublished_services_do_not_list_a_provider(client_request, session):
    create_listed_provider(session, name="Draft Only", published=False)
    assert result_names(client_request.get("/providers")) == []


def test_personal_care_in_ls6_under_25_pounds_on_saturdays(client_request, session):
    create_listed_provider(session, name="Fits", areas=("LS6",), price_pence=2400, days=["saturday"])
    create_listed_provider(session, name="Too dear", areas=("LS6",), price_pence=2600, days=["saturday"])
    create_listed_provider(session, name="Weekdays", areas=("LS6",), price_pence=2000, days=["monday"])
    create_listed_provider(session, name="Elsewhere", areas=("LS17",), price_pence=2000, days=["saturday"])
    create_listed_provider(session, name="Cleaning", areas=("LS6",), price_pence=1500,
                           days=["saturday"], category="domestic_help")
    page = client_request.get("/providers", category="personal_care", area="ls6", max_price="25",
                              day="saturday")
    assert result_names(page) == ["Fits"]
    assert page.select_one("#area")["value"] == "LS6"


def test_search_words_match_provider_names_and_service_text(client_request, session):
    create_listed_provider(session, name="Chapel Allerton Helpers", title="Shopping trips")
    create_listed_provider(session, name="Other Care", title="Night sitting",
                           description="Someone awake all night so you can rest.")
    assert result_names(client_request.get("/providers", q="allerton")) == ["Chapel Allerton Helpers"]
    assert result_names(client_request.get("/providers", q="SHOPPING")) == ["Chapel Allerton Helpers"]
    assert result_names(client_request.get("/providers", q="awake night")) == ["Other Care"]
    assert result_names(client_request.get("/providers", q="100%_")) == []


@pytest.mark.parametrize(("sort", "expected"), [
    ("name", ["Alpha Care", "Beta Care", "Gamma Care"]),
    ("price", ["Gamma Care", "Alpha Care", "Beta Care"]),
    ("rating", ["Beta Care", "Alpha Care", "Gamma Care"]),
])
def test_sorting(client_request, session, sort, expected):
    for name, price, rating, count in (("Beta Care", 3000, 4.8, 5), ("Alpha Care", 2000, 4.1, 2),
                                       ("Gamma Care", 1500, None, 0)):
        provider = create_listed_provider(session, name=name, price_pence=price)
        provider.average_rating, provider.review_count = rating, count
        session.add(provider)
    session.commit()
    assert result_names(client_request.get("/providers", sort=sort)) == expected


def test_no_results_page_helps(client_request, session):
    create_listed_provider(session, areas=("LS6",))
    page = client_request.get("/providers", area="LS99")
    assert normalised_text(page.select_one("#result-count")) == "No providers found"
    assert "remove a filter" in normalised_text(page.select_one("main"))
    assert page.find("a", string="See every provider")["href"] == "/providers"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("max_price", "abc", "Enter an amount in pounds and pence, like 25.50"),
    ("max_price", "-5", "Amount must be £0.00 or more"),
    ("max_price", "12.345", "Enter an amount with no more than 2 numbers after the decimal point"),
    ("max_price", "£1e9", "Enter an amount in pounds and pence, like 25.50"),
    ("area", "<script>", "Enter a postcode district, like LS6"),
    ("q", "x" * 101, "Search must be 100 characters or fewer"),
    ("day", "caturday", "Choose a day from the list"),
    ("sort", "cheapest", "Choose how to sort from the list"),
])
def test_bad_filters_are_explained_and_the_rest_still_apply(client_request, session, field, value, message):
    create_listed_provider(session, name="Still Here", areas=("LS6",))
    page = client_request.get("/providers", expected_status=400, **{"category": "personal_care", field: value})
    assert field_error(page, field) == message
    assert message in error_messages(page)
    assert result_names(page) == ["Still Here"]


@pytest.mark.parametrize("field", ["category", "day", "language", "sort"])
def test_a_choice_of_only_spaces_counts_as_no_choice(client_request, session, field):
    create_listed_provider(session, name="Still Here", areas=("LS6",))
    assert result_names(client_request.get("/providers", **{field: "   "})) == ["Still Here"]


def test_pages_of_results_keep_the_filters(client_request, session):
    for n in range(23):
        create_listed_provider(session, name=f"Provider {n:02d}", areas=("LS7",))
    page = client_request.get("/providers", area="LS7")
    assert len(result_names(page)) == 20
    next_link = page.select_one(".govuk-pagination__next a")["href"]
    assert "area=LS7" in next_link and "page=2" in next_link
    second = client_request.get(next_link)
    assert result_names(second) == ["Provider 20", "Provider 21", "Provider 22"]
    assert client_request.get("/providers", area="LS7", page="99").select(".app-result")


def test_a_page_takes_at_most_ten_sql_statements_whatever_the_number_of_results(app, client_request, session):
    statements = []

    def count(*_args):
        statements.append(1)

    providers = [create_listed_provider(session, name=f"Provider {n:02d}", areas=("LS6", "LS7"),
                                        languages=("English", "Urdu"), services=2) for n in range(45)]
    client_request.login(create_user(session, role=Role.PERSON))
    for provider in providers[:3]:
        client_request.post("/compare/add", {"provider_id": provider.id})
    event.listen(app.extensions["engine"], "before_cursor_execute", count)
    try:
        for query in ({}, {"page": "2", "sort": "price"}, {"q": "help", "area": "LS6", "language": "Urdu",
                                                           "day": "monday", "max_price": "30", "sort": "rating"}):
            statements.clear()
            page = client_request.get("/providers", **query)
            assert len(result_names(page)) == 20
            assert len(statements) <= 10, f"{len(statements)} statements for {query}"
        statements.clear()
        page = client_request.get("/compare", category="personal_care")
        assert len(page.select("thead th")) == 3
        assert len(statements) <= 10, f"{len(statements)} statements for the compare page"
    finally:
        event.remove(app.extensions["engine"], "before_cursor_execute", count)


# Property: every result matches every filter, and nothing that matches is missing.

AREAS = ["LS6", "LS7", "LS8"]
LANGUAGES = ["English", "Urdu", "Polish"]
CATEGORIES = ["personal_care", "domestic_help", "transport"]
PRICES = [1000, 1500, 2000, 2500]
TITLES = ["Morning help", "Shopping trip", "Night sitting"]
NAMES = ["Oak", "Ash", "Elm", "Yew"]

services = st.fixed_dictionaries({
    "category": st.sampled_from(CATEGORIES), "price_pence": st.sampled_from(PRICES),
    "days": st.integers(0, 127), "published": st.booleans(), "title": st.sampled_from(TITLES),
})
providers = st.fixed_dictionaries({
    "name": st.sampled_from(NAMES), "vetting": st.sampled_from(["vetted", "vetted", "expired", "missing", "suspended"]),
    "areas": st.sets(st.sampled_from(AREAS)), "languages": st.sets(st.sampled_from(LANGUAGES)),
    "services": st.lists(services, max_size=3),
})
filters = st.builds(
    BrowseFilters,
    q=st.sampled_from(["", "help", "shop", "NIGHT trip", "oak", "elm sitting"]),
    category=st.none() | st.sampled_from(CATEGORIES),
    area=st.none() | st.sampled_from(AREAS),
    max_price_pence=st.none() | st.sampled_from(PRICES),
    day=st.none() | st.sampled_from(list(DAYS)),
    language=st.none() | st.sampled_from(LANGUAGES),
    sort=st.sampled_from(["relevance", "name", "price", "rating"]),
)


# The stems both engines give the words of these titles (the rest stem to themselves).
STEMS = {"morning": "morn", "shopping": "shop", "sitting": "sit", "people": "peopl", "care": "care"}


def _stems(text: str) -> set[str]:
    return {STEMS.get(word, word) for word in re.findall(r"\w+", text.lower())}


def _service_matches(spec, service, wanted: BrowseFilters) -> bool:
    document = _stems(" ".join([spec["name"], service["title"], f"{service['title']}, from people who care."]))
    return (service["published"]
            and (wanted.category is None or service["category"] == wanted.category)
            and (wanted.max_price_pence is None or service["price_pence"] <= wanted.max_price_pence)
            and (wanted.day is None or service["days"] & DAYS[wanted.day][1])
            and _stems(wanted.q) <= document)


def _expected(specs, wanted: BrowseFilters) -> dict[int, int]:
    """provider id -> lowest matching price, worked out in plain Python."""
    expected = {}
    for provider_id, spec in specs.items():
        if spec["vetting"] != "vetted":
            continue
        if wanted.area and wanted.area not in spec["areas"]:
            continue
        if wanted.language and wanted.language not in spec["languages"]:
            continue
        prices = [s["price_pence"] for s in spec["services"] if _service_matches(spec, s, wanted)]
        if prices:
            expected[provider_id] = min(prices)
    return expected


def _arrange(session, provider_specs) -> dict[int, dict]:
    made = {}
    for spec in provider_specs:
        provider = Provider(name=spec["name"], kind="care_agency",
                            suspended_at=utcnow() if spec["vetting"] == "suspended" else None)
        session.add(provider)
        session.flush()
        required = list(REQUIRED_CHECKS["care_agency"])
        if spec["vetting"] == "missing":
            required.pop()
        for kind in required:
            expires = date.today() - timedelta(days=1) if spec["vetting"] == "expired" and kind == required[0] else date.today() + timedelta(days=30)
            session.add(VettingCheck(provider_id=provider.id, kind=kind, reference="R", status="verified",
                                     issued_on=date.today() - timedelta(days=300), expires_on=expires))
        session.add_all([ProviderArea(provider_id=provider.id, district=a) for a in spec["areas"]])
        session.add_all([ProviderLanguage(provider_id=provider.id, language=lang) for lang in spec["languages"]])
        for service in spec["services"]:
            session.add(Service(provider_id=provider.id, unit="hour",
                                description=f"{service['title']}, from people who care.", **service))
        made[provider.id] = spec
    session.commit()
    return made


def _empty(session) -> None:
    for model in (Service, VettingCheck, ProviderArea, ProviderLanguage, Provider):
        session.exec(delete(model))
    session.commit()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(provider_specs=st.lists(providers, max_size=7), wanted=filters)
def test_filters_combine_correctly(session, provider_specs, wanted):
    try:
        specs = _arrange(session, provider_specs)
        expected = _expected(specs, wanted)
        first = search_providers(session, filters=wanted, today=date.today(), per_page=3)
        seen = []
        for number in range(1, first.page_count + 1):
            page = search_providers(session, filters=wanted, today=date.today(), page=number, per_page=3)
            seen += [(r.provider.id, r.from_price_pence) for r in page.results]
            for result in page.results:
                assert all(_service_matches(specs[result.provider.id], {
                    "category": s.category, "price_pence": s.price_pence, "days": s.days,
                    "published": s.published, "title": s.title}, wanted) for s in result.services)
        assert first.total == len(expected)
        assert len(seen) == len({provider_id for provider_id, _ in seen}), "a provider showed twice"
        assert dict(seen) == expected
        if wanted.sort == "price":
            assert [price for _, price in seen] == sorted(price for _, price in seen)
    finally:
        _empty(session)
