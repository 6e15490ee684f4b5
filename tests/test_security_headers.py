"""Headers and cookies that keep signed-in pages private."""

from marketplace.config import load_config
from marketplace.models import Role
from tests.factories import create_user


def test_signed_in_pages_are_never_stored_and_public_ones_may_be(client_request, session):
    assert "no-store" not in client_request.client.get("/providers").headers.get("Cache-Control", "")
    client_request.login(create_user(session, role=Role.PERSON))
    for url in ("/", "/providers", "/budget"):
        assert client_request.client.get(url).headers["Cache-Control"] == "no-store"


def test_framing_is_refused_the_same_way_by_both_headers(client):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_production_session_cookie_is_host_only():
    config = load_config({"APP_ENV": "production", "SECRET_KEY": "x" * 40,
                          "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"})
    assert config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert config["SESSION_COOKIE_SECURE"] and "SESSION_COOKIE_DOMAIN" not in config
