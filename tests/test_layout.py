"""The layout's header is written out by a small template of our own (the GOV.UK macros cost
more than the rest of a short page's layout): it must write what the GOV.UK generic header and
service navigation write for the same menu, so nothing changes for people or their assistive
technology."""

import re

import pytest
from markupsafe import Markup

from marketplace.models import Role
from tests.factories import create_user

GOV_UK = """
{% from "govuk_frontend_jinja/components/generic-header/macro.html" import govukGenericHeader %}
{% from "govuk_frontend_jinja/components/service-navigation/macro.html" import govukServiceNavigation %}
{{ govukGenericHeader({"logoText": name, "url": home}) }}
{{ govukServiceNavigation({"navigation": navigation, "navigationLabel": "Main menu",
                           "slots": {"navigationEnd": end}}) }}
"""
OURS = """{% from "_header.html" import site_header %}{{ site_header(name, home, navigation, end) }}"""

MENUS = {
    "one link": [{"text": "Find support", "href": "/providers"}],
    "several, one written as HTML": [
        {"text": "Your budget", "href": "/budget"},
        {"text": "Notifications", "href": "/notifications",
         "html": Markup('Notifications <span aria-hidden="true">(3)</span>')},
        {"text": "Tom & Jerry's <page>", "href": "/account?a=1&b=2"},
    ],
}


def _tags_and_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\s*>\s*", ">", re.sub(r"\s+<", "<", html))).strip()


@pytest.mark.parametrize("menu", MENUS, ids=list(MENUS))
def test_the_header_is_written_as_the_gov_uk_macros_write_it(app, menu):
    values = {"name": "Manage your care budget", "home": "/", "navigation": MENUS[menu],
              "end": Markup('<li class="govuk-service-navigation__item"><a href="/sign-in">Sign in</a></li>')}
    with app.test_request_context():
        ours = app.jinja_env.from_string(OURS).render(values)
        gov_uk = app.jinja_env.from_string(GOV_UK).render(values)
    assert _tags_and_text(ours) == _tags_and_text(gov_uk)


@pytest.mark.parametrize("role", [None, Role.PERSON, Role.COMMISSIONER])
def test_every_page_has_the_menu_with_a_way_to_sign_in_or_out(client_request, session, role):
    if role is not None:
        client_request.login(create_user(session, role=role))
    page = client_request.get("/providers")
    menu = page.select_one("nav[aria-label='Main menu']")
    assert "Find support" in menu.get_text(" ", strip=True)
    assert ("Sign out" if role else "Sign in") in menu.get_text(" ", strip=True)
