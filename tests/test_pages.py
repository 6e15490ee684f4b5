"""The start page, information pages, health check and error pages."""

import pytest
from sqlalchemy.exc import OperationalError

from marketplace.config import ConfigurationError, load_config
from marketplace.models import Role
from tests.client_request import normalised_text
from tests.factories import create_user


@pytest.mark.parametrize(("url", "heading"), [
    ("/", "Manage your care budget"),
    ("/accessibility", "Accessibility statement"),
    ("/privacy", "Privacy"),
    ("/sign-in", "Sign in"),
    ("/register", "Create an account"),
])
def test_public_pages_work_signed_out(client_request, url, heading):
    page = client_request.get(url)
    assert normalised_text(page.h1) == heading
    footer_links = [a["href"] for a in page.select("footer a")]
    assert footer_links == ["/accessibility", "/privacy"]
    assert page.select_one("a.govuk-skip-link")["href"] == "#main-content"


def test_no_crown_and_no_gds_font(client_request):
    page = client_request.get("/")
    assert page.select(".govuk-header__logotype") == []
    assert "GDS Transport" not in str(page)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_own_home(client_request, session, role):
    user = client_request.login(create_user(session, role=role, name="Robin Ash"))
    page = client_request.get("/")
    assert normalised_text(page.h1) == "Hello, Robin Ash"
    assert page.select_one("button.app-link-button").get_text(" ", strip=True) == f"Sign out ({user.name})"


def test_unknown_page_is_a_helpful_404(client_request):
    page = client_request.get("/no-such-page", expected_status=404)
    assert normalised_text(page.h1) == "Page not found"


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["jobs"] == {"oldest_waiting_seconds": None, "scheduled": 0, "waiting": 0}


def test_healthz_answers_503_when_the_database_does_not(client, app, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("sqlmodel.Session.execute", broken)
    assert client.get("/healthz").status_code == 503


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_config({"APP_ENV": "production"})
    with pytest.raises(ConfigurationError, match="too short"):
        load_config({"APP_ENV": "production", "SECRET_KEY": "short"})


def test_production_cookies_are_secure():
    config = load_config({"APP_ENV": "production", "SECRET_KEY": "x" * 40, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"})
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_several_messages_show_as_separate_banners_with_their_own_titles(app, client_request, session):
    from flask import flash

    from marketplace.auth.permissions import public

    @public
    def two_messages():
        flash("First thing done.")
        flash("Second thing done.")
        return "ok"

    app.add_url_rule("/two-messages", "two_messages", two_messages)
    client_request.get("/two-messages")
    page = client_request.get("/sign-in")
    banners = page.select(".govuk-notification-banner")
    assert [normalised_text(b.select_one(".govuk-notification-banner__content")) for b in banners] == [
        "First thing done.", "Second thing done."]
    title_ids = [b["aria-labelledby"] for b in banners]
    assert len(set(title_ids)) == 2 and all(page.find(id=t) for t in title_ids)
