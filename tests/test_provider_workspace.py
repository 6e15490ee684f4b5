"""The provider workspace: staff run their own organisation's listing, and nobody else's."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from marketplace.models import (
    ProviderArea,
    ProviderLanguage,
    ProviderMember,
    Role,
    Service,
    VettingCheck,
)
from tests.client_request import date_input, error_messages, field_error, normalised_text
from tests.factories import create_provider, create_user
from tests.factories_providers import (
    add_check,
    add_service,
    create_listed_provider,
    provider_of_user,
    vet,
)

GOOD_SERVICE = {
    "category": "personal_care", "title": "Morning help", "description": "Getting up, washed and dressed.",
    "unit": "hour", "price": "22.50", "minimum_units": "1", "days": ["monday", "saturday"],
}


@pytest.fixture
def provider_user(session):
    return create_user(session, role=Role.PROVIDER, provider=create_listed_provider(session, name="Our Care"))


def test_staff_add_a_service_then_publish_it_and_people_can_find_it(client_request, session, provider_user):
    client_request.login(provider_user)
    client_request.post("/provider/services/new", GOOD_SERVICE, expected_redirect="/provider/services")
    service = session.exec(select(Service).where(Service.title == "Morning help")).one()
    assert service.price_pence == 2250 and service.published is False
    client_request.logout()
    assert "Morning help" not in normalised_text(client_request.get("/providers", q="morning"))

    client_request.login(provider_user)
    client_request.post(f"/provider/services/{service.id}/publish")
    page = client_request.get("/provider/services")
    assert "Published" in normalised_text(page.select_one("tbody"))
    client_request.logout()
    assert "Morning help" in normalised_text(client_request.get("/providers", q="morning", day="saturday"))

    client_request.login(provider_user)
    client_request.post(f"/provider/services/{service.id}/withdraw")
    client_request.logout()
    assert "Morning help" not in normalised_text(client_request.get("/providers", q="morning"))


def test_staff_change_a_service(client_request, session, provider_user):
    client_request.login(provider_user)
    service = add_service(session, provider_of_user(session, provider_user), title="Old title", price_pence=1999)
    page = client_request.get(f"/provider/services/{service.id}")
    assert page.select_one("#price")["value"] == "19.99"
    client_request.post(f"/provider/services/{service.id}", {**GOOD_SERVICE, "price": "£1,020.10"})
    session.refresh(service)
    assert (service.title, service.price_pence) == ("Morning help", 102010)


@pytest.mark.parametrize(("price", "message"), [
    ("-5", "Amount must be £0.01 or more"),
    ("abc", "Enter an amount in pounds and pence, like 25.50"),
    ("12.345", "Enter an amount with no more than 2 numbers after the decimal point"),
    ("£1e9", "Enter an amount in pounds and pence, like 25.50"),
    ("0", "Amount must be £0.01 or more"),
    ("10000000", "Amount must be £10,000 or less"),
    ("", "Enter price per unit"),
])
def test_bad_prices_are_explained_by_the_field_and_nothing_is_saved(client_request, session, provider_user, price, message):
    client_request.login(provider_user)
    page = client_request.post("/provider/services/new", {**GOOD_SERVICE, "price": price}, expected_status=400)
    assert field_error(page, "price") == message
    assert message in error_messages(page)
    assert session.exec(select(Service).where(Service.title == "Morning help")).first() is None


def test_a_service_form_with_nothing_filled_in_lists_every_problem(client_request, provider_user):
    client_request.login(provider_user)
    page = client_request.post("/provider/services/new", {}, expected_status=400)
    assert error_messages(page) == ["Choose the type of support", "Enter a title", "Describe the service",
                                    "Choose what you charge per", "Enter price per unit",
                                    "Enter the fewest units someone can book"]


def test_html_and_unicode_in_a_service_are_shown_as_text(client_request, session, provider_user):
    client_request.login(provider_user)
    client_request.post("/provider/services/new", {**GOOD_SERVICE, "title": "<b>Ŵelsh</b> café 🙂"})
    page = client_request.get("/provider/services")
    assert "<b>Ŵelsh</b> café 🙂" in normalised_text(page.select_one("tbody"))
    assert page.select_one("tbody b") is None


@pytest.mark.parametrize("action", ["get:", "post:", "post:/publish", "post:/withdraw"])
def test_staff_cannot_touch_another_providers_services(client_request, session, provider_user, action):
    other = create_listed_provider(session, name="Someone Else")
    theirs = session.exec(select(Service).where(Service.provider_id == other.id)).one()
    client_request.login(provider_user)
    method, suffix = action.split(":")
    url = f"/provider/services/{theirs.id}{suffix}"
    if method == "get":
        client_request.get(url, expected_status=404)
    else:
        client_request.post(url, GOOD_SERVICE, expected_status=404)
    session.refresh(theirs)
    assert theirs.title == "Help at home" and theirs.published is True


def test_a_withdrawn_service_leaves_browse_and_compare_but_keeps_its_history(client_request, session, provider_user):
    provider = provider_of_user(session, provider_user)
    service = add_service(session, provider, title="Going away")
    client_request.login(provider_user)
    client_request.post(f"/provider/services/{service.id}/withdraw", expected_redirect="/provider/services")

    session.refresh(service)
    assert service.withdrawn_at is not None and service.published is False
    row = next(tr for tr in client_request.get("/provider/services").select("tbody tr") if "Going away" in tr.text)
    assert "Withdrawn" in normalised_text(row)
    assert "Delete" not in normalised_text(row)
    client_request.logout()
    assert "Going away" not in normalised_text(client_request.get("/providers", q="going away"))
    client_request.post("/compare/add", {"provider_id": provider.id})
    assert "Going away" not in normalised_text(client_request.get("/compare").main)

    client_request.login(provider_user)
    client_request.post(f"/provider/services/{service.id}/publish")
    session.refresh(service)
    assert service.withdrawn_at is None and service.published is True


@pytest.mark.parametrize("method", ["get", "post"])
def test_services_cannot_be_deleted(client_request, session, provider_user, method):
    service = add_service(session, provider_of_user(session, provider_user))
    client_request.login(provider_user)
    getattr(client_request, method)(f"/provider/services/{service.id}/delete", expected_status=404)
    assert session.get(Service, service.id) is not None


def test_the_organisation_profile_saves_areas_and_languages(client_request, session, provider_user):
    client_request.login(provider_user)
    page = client_request.get("/provider/organisation")
    assert page.select_one("#areas")["value"] == "LS6"
    client_request.post("/provider/organisation", {
        "name": "Our Care Ltd", "kind": "care_agency", "description": "We help.",
        "contact_email": "hello@ourcare.example", "contact_phone": "0113 496 0000",
        "areas": "ls6, LS 7,ls8", "languages": ["English", "Urdu"], "access_notes": "", "cqc_number": "1-123456789",
    })
    provider = provider_of_user(session, provider_user)
    session.refresh(provider)
    assert provider.name == "Our Care Ltd"
    assert sorted(session.exec(select(ProviderArea.district).where(ProviderArea.provider_id == provider.id))) == ["LS6", "LS7", "LS8"]
    assert sorted(session.exec(select(ProviderLanguage.language).where(ProviderLanguage.provider_id == provider.id))) == ["English", "Urdu"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("areas", "Leeds", "Enter postcode districts like LS6, separated by commas"),
    ("areas", "", "Enter at least one postcode district you serve, like LS6"),
    ("contact_email", "not an email", "Enter an email address in the correct format, like name@example.com"),
    ("cqc_number", "12345", "Enter a CQC number like 1-234567890"),
    ("name", "", "Enter your organisation’s name"),
])
def test_the_organisation_profile_explains_mistakes(client_request, provider_user, field, value, message):
    client_request.login(provider_user)
    form = {"name": "Our Care", "kind": "care_agency", "description": "We help.",
            "contact_email": "hello@ourcare.example", "areas": "LS6", **{field: value}}
    page = client_request.post("/provider/organisation", form, expected_status=400)
    assert field_error(page, field) == message


def test_only_the_owner_adds_staff(client_request, session, provider_user):
    colleague = create_user(session, role=Role.PROVIDER)
    membership = session.exec(select(ProviderMember).where(ProviderMember.user_id == colleague.id)).one()
    membership.provider_id, membership.is_owner = provider_of_user(session, provider_user).id, False
    session.add(membership)
    session.commit()
    client_request.login(colleague)
    assert "Ask the owner" in normalised_text(client_request.get("/provider/staff"))
    client_request.post("/provider/staff", {"name": "X", "email": "x@example.org"}, expected_status=403)


def test_checks_page_says_what_is_missing_and_what_expires_soon(client_request, session):
    provider = create_provider(session, name="New Agency")
    add_check(session, provider, "cqc_registration", expires_on=date.today() + timedelta(days=20))
    add_check(session, provider, "public_liability_insurance", status="rejected")
    client_request.login(create_user(session, role=Role.PROVIDER, provider=provider))
    page = client_request.get("/provider/checks")
    rows = [normalised_text(row) for row in page.select("table")[0].select("tbody tr")]
    assert rows[0].startswith("CQC registration Expires soon")
    assert rows[1].startswith("Public liability insurance Not accepted")
    assert rows[2].startswith("Employer’s liability insurance Missing")
    assert "People cannot find you" in normalised_text(page.select_one("main"))


def test_a_vetted_provider_is_told_it_is_in_order(client_request, session):
    provider = vet(session, create_provider(session))
    client_request.login(create_user(session, role=Role.PROVIDER, provider=provider))
    assert "Your checks are in order" in normalised_text(client_request.get("/provider/checks"))


def test_recording_a_check_sends_it_to_the_council(client_request, session, provider_user):
    client_request.login(provider_user)
    next_year = date.today().year + 1
    client_request.post("/provider/checks/new", {
        "kind": "enhanced_dbs", "reference": "DBS-0001",
        **date_input("issued_on", "1", "2", str(next_year - 2)), **date_input("expires_on", "1", "2", str(next_year + 1)),
    }, expected_redirect="/provider/checks")
    check = session.exec(select(VettingCheck).where(VettingCheck.reference == "DBS-0001")).one()
    assert check.status == "pending" and check.expires_on == date(next_year + 1, 2, 1)


@pytest.mark.parametrize(("issued", "expires", "field", "message"), [
    (["", "", ""], ["1", "1", "2030"], "issued_on", "Enter the date issued"),
    (["31", "2", "2024"], ["1", "1", "2030"], "issued_on", "Date issued must be a real date"),
    (["1", "1", "2024"], ["a", "b", "c"], "expires_on", "Expiry date must be a real date"),
    (["1", "1", "2024"], ["1", "", ""], "expires_on", "Expiry date must include a month and year"),
    (["1", "1", "2024"], ["1", "1", "2023"], "expires_on", "Expiry date must be after the date issued"),
    (["1", "1", "2099"], ["1", "1", "2100"], "issued_on", "Date issued must be today or in the past"),
])
def test_check_dates_are_checked(client_request, session, provider_user, issued, expires, field, message):
    client_request.login(provider_user)
    page = client_request.post("/provider/checks/new", {
        "kind": "enhanced_dbs", "reference": "R1", **date_input("issued_on", *issued), **date_input("expires_on", *expires)}, expected_status=400)
    assert field_error(page, field) == message
