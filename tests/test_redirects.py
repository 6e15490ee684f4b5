"""Addresses a visitor hands us ("next", "back") lead only to pages on this site."""

from urllib.parse import quote

import pytest

from marketplace.models import Role
from marketplace.redirects import local_path
from tests.factories import DEFAULT_PASSWORD, create_user, person_of
from tests.factories_advocacy import create_advocate_link
from tests.factories_providers import create_listed_provider

ELSEWHERE = [
    "//evil.example",
    "/\t/evil.example",  # browsers drop the tab: //evil.example
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\\evil.example",  # browsers read \ as /
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    " /budget",
    "/budget\x00",
    "/\u2028/evil.example",
    "",
    None,
    "budget",
    "/%09/evil.example",  # decoded once more on the way, it is the first one
    "/%5C%5Cevil.example",
]
ON_THIS_SITE = ["/", "/budget", "/providers?q=care&page=2", "/providers?q=care%20home%09", "/budget/statement#latest"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_addresses_that_could_lead_elsewhere_are_refused(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", ON_THIS_SITE)
def test_pages_on_this_site_are_followed(target):
    assert local_path(target) == target


# The three places that follow an address a visitor gave -----------------------------------------

@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/%0a/evil.example",
                                    "/%5Cevil.example", "https://evil.example/"])
def test_sign_in_goes_home_instead_of_another_site(client, session, target):
    create_user(session, email="sam@example.org")
    response = client.post(f"/sign-in?next={target}", data={"email": "sam@example.org", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response.location == "/"


def test_sign_in_follows_next_to_a_page_on_this_site(client, session):
    create_user(session, email="sam@example.org")
    response = client.post(f"/sign-in?next={quote('/budget/statement')}",
                           data={"email": "sam@example.org", "password": DEFAULT_PASSWORD})
    assert response.location == "/budget/statement"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "/\\evil.example",
                                    "//evil.example", "https://evil.example/"])
def test_compare_goes_back_only_to_this_site(client_request, session, target):
    provider = create_listed_provider(session)
    client_request.post("/compare/add", {"provider_id": provider.id, "next": target},
                        expected_redirect="/compare")


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "/\\evil.example",
                                    "//evil.example", "https://evil.example/"])
def test_acting_for_someone_goes_on_only_to_this_site(client_request, session, target):
    sam = person_of(session, create_user(session, role=Role.PERSON, name="Sam Taylor"))
    alex = create_user(session, role=Role.ADVOCATE)
    create_advocate_link(session, person=sam, advocate=alex)
    client_request.login(alex)
    response = client_request.client.post("/advocacy/acting-for", data={"person_id": str(sam.id), "next": target})
    assert response.status_code == 302
    assert local_path(response.location) == response.location
