"""Every route declares who may use it, and the rule is enforced for every role."""

import pytest
from flask import Flask

from marketplace.auth.permissions import endpoints_without_rule, roles, rule_for
from marketplace.models import Role
from tests.factories import create_user


def test_every_route_declares_who_may_use_it(app):
    assert endpoints_without_rule(app) == []


def test_a_route_added_without_a_rule_is_caught_and_refused(app: Flask, client):
    app.add_url_rule("/forgot-a-rule", "forgot_a_rule", lambda: "secret")
    assert endpoints_without_rule(app) == ["forgot_a_rule"]
    assert client.get("/forgot-a-rule").status_code == 403


def test_urls_are_lowercase_kebab_case(app):
    for rule in app.url_map.iter_rules():
        static_parts = [part for part in rule.rule.split("/") if part and not part.startswith("<")]
        for part in static_parts:
            assert part == part.lower() and "_" not in part, f"{rule.rule} is not kebab-case"


def _role_restricted_get_routes(app):
    for rule in app.url_map.iter_rules():
        access = rule_for(app, rule.endpoint)
        if access.roles is not None and "GET" in rule.methods and not rule.arguments:
            yield rule.rule, access.roles


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_refused_pages_meant_for_other_roles(app, client_request, session, role):
    client_request.login(create_user(session, role=role))
    for url, allowed in _role_restricted_get_routes(app):
        if role not in allowed:
            client_request.get(url, expected_status=403)


def test_signed_out_visitors_are_sent_to_sign_in(app, client):
    for url, _ in _role_restricted_get_routes(app):
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/sign-in?next=")


def test_the_rule_decorator_needs_a_role():
    with pytest.raises(ValueError):
        roles()
