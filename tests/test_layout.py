"""The layout's header and every summary list are written out by small templates of our own
(the GOV.UK macros cost more than the rest of a short page's layout): each must write what the
GOV.UK macros write for the same content, so nothing changes for people or their assistive
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
    "the page we are on, and a section we are in": [
        {"text": "Your budget", "href": "/budget", "current": False},
        {"text": "Notifications", "href": "/notifications", "current": True,
         "html": Markup('Notifications <span aria-hidden="true">(3)</span>')},
        {"text": "Find support", "href": "/providers", "active": True},
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
    assert [link.get_text(strip=True) for link in menu.select("a[aria-current=page]")] == ["Find support"]


LINK = {"href": "/account/password", "text": "Change", "visuallyHiddenText": "password"}
SUMMARY_LISTS = {
    "text": {"rows": [{"key": {"text": "Name"}, "value": {"text": "Sam <Taylor> & co"}},
                      {"key": {"text": "Paid by"}, "value": {"text": "Leeds City Council"}}]},
    "html and classes": {"classes": "govuk-!-margin-bottom-4", "rows": [
        {"key": {"text": "Status", "classes": "app-key"}, "value": {"html": Markup("<strong>Agreed</strong>")}},
        {"key": {"html": "Can <em>see</em>"}, "value": {"html": "<ul><li>Budget</li></ul>", "classes": "app-value"},
         "classes": "app-row"},
        None,
    ]},
    "some rows with actions": {"rows": [
        {"key": {"text": "Password"}, "value": {"text": "Set"}, "actions": {"items": [LINK]}},
        {"key": {"text": "Email"}, "value": {"text": "sam@example.com"}},
        {"key": {"text": "Two-step"}, "value": {"text": "On"}, "actions": {"classes": "app-actions", "items": [
            LINK, {"href": "/two-step", "html": Markup("Turn <b>off</b>"), "classes": "app-link"}]}},
        {"key": {"text": "Emails"}, "value": {"text": "Off"}, "actions": {"items": []}},
    ]},
}


@pytest.mark.parametrize("params", SUMMARY_LISTS.values(), ids=list(SUMMARY_LISTS))
def test_summary_lists_are_written_as_the_gov_uk_macro_writes_them(app, params):
    ours = '{% from "_summary_list.html" import govukSummaryList %}{{ govukSummaryList(params) }}'
    gov_uk = ('{% from "govuk_frontend_jinja/components/summary-list/macro.html" import govukSummaryList %}'
              "{{ govukSummaryList(params) }}")
    with app.test_request_context():
        assert (_tags_and_text(app.jinja_env.from_string(ours).render(params=params))
                == _tags_and_text(app.jinja_env.from_string(gov_uk).render(params=params)))
