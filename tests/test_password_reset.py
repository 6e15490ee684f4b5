"""Forgotten passwords (/forgot-password) and changing a password (/account/password)."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from marketplace.models import AuditLog, PasswordReset, User
from marketplace.models.types import utcnow
from tests.client_request import error_messages, field_error
from tests.factories import DEFAULT_PASSWORD, create_user

NEW_PASSWORD = "purple heron evening tide"


@pytest.fixture
def app_config(app_config):
    return app_config | {"MAIL_SERVER": "mail.example.org"}


@pytest.fixture
def sent(monkeypatch):
    sent = []
    monkeypatch.setattr("marketplace.auth.delivery.send_email", lambda config, **message: sent.append(message))
    return sent


def _link_in(message) -> str:
    return re.search(r"http://localhost(/reset-password/\S+)", message["body"]).group(1)


def _actions(session, user):
    return [e.action for e in session.exec(select(AuditLog).where(AuditLog.object_id == user.id,
                                                                   AuditLog.object_type == "user")
                                           .order_by(AuditLog.id))]


def test_the_sign_in_page_links_to_forgotten_password(client_request):
    page = client_request.get("/sign-in")
    assert page.find("a", string="I have forgotten my password")["href"] == "/forgot-password"


def test_a_person_resets_a_forgotten_password_by_the_emailed_link(client, client_request, session, sent):
    user = create_user(session, email="sam@example.org")
    page = client_request.post("/forgot-password", {"email": "Sam@Example.org"}, expected_status=200)
    assert page.h1.get_text(strip=True) == "Check your email"
    [message] = sent
    assert message["to"] == "sam@example.org"
    path = _link_in(message)
    token = path.rsplit("/", 1)[1]
    assert all(token not in reset.token_hash for reset in session.exec(select(PasswordReset)))  # only a hash kept

    client_request.post(path, {"password": NEW_PASSWORD}, expected_redirect="/sign-in")
    assert client.post("/sign-in", data={"email": "sam@example.org", "password": DEFAULT_PASSWORD}).status_code == 400
    assert client.post("/sign-in", data={"email": "sam@example.org", "password": NEW_PASSWORD}).status_code == 302
    assert _actions(session, user)[:2] == ["password.reset_requested", "password.reset"]
    # The owner hears of it, so a reset by someone else does not go unnoticed.
    assert sent[-1]["to"] == "sam@example.org" and "was reset" in sent[-1]["body"]
    # Single use.
    client_request.logout()
    assert "used or has run out" in client_request.get(path, expected_status=410).h1.get_text()


def test_the_page_says_the_same_whether_or_not_the_address_has_an_account(client_request, session, sent):
    create_user(session, email="sam@example.org")
    known = client_request.post("/forgot-password", {"email": "sam@example.org"}, expected_status=200)
    unknown = client_request.post("/forgot-password", {"email": "nobody@example.org"}, expected_status=200)
    assert known.main.get_text().replace("sam@example.org", "X") == unknown.main.get_text().replace("nobody@example.org", "X")
    assert [message["to"] for message in sent] == ["sam@example.org"]
    assert session.exec(select(PasswordReset)).all()[0].user_id is not None
    assert len(session.exec(select(PasswordReset)).all()) == 1


def test_the_link_stops_working_after_an_hour(client_request, session, sent):
    create_user(session, email="sam@example.org")
    client_request.post("/forgot-password", {"email": "sam@example.org"}, expected_status=200)
    path = _link_in(sent[0])
    with time_machine.travel(utcnow() + timedelta(minutes=61), tick=False):
        client_request.get(path, expected_status=410)
        client_request.post(path, {"password": NEW_PASSWORD}, expected_status=410)
    assert session.exec(select(User)).one().password_hash == create_user.__globals__["_default_password_hash"]()


def test_a_weak_new_password_is_refused_and_the_link_still_works(client_request, session, sent):
    create_user(session, email="sam@example.org")
    client_request.post("/forgot-password", {"email": "sam@example.org"}, expected_status=200)
    path = _link_in(sent[0])
    page = client_request.post(path, {"password": "password123"}, expected_status=400)
    assert field_error(page, "password").startswith("This password is too easy to guess")
    client_request.post(path, {"password": NEW_PASSWORD}, expected_redirect="/sign-in")


def test_a_reset_ends_every_session_and_every_other_link(client, client_request, session, sent):
    user = create_user(session, email="sam@example.org")
    client_request.login(user)
    client_request.post("/forgot-password", {"email": "sam@example.org"}, expected_status=200)
    client_request.post("/forgot-password", {"email": "sam@example.org"}, expected_status=200)
    first, second = (_link_in(message) for message in sent)
    other_device = client.application.test_client()
    with other_device.session_transaction() as flask_session, client.session_transaction() as signed_in:
        flask_session.update(signed_in)
    client_request.post(second, {"password": NEW_PASSWORD}, expected_redirect="/sign-in")
    assert other_device.get("/budget").status_code == 302  # sent to sign in
    client_request.get(first, expected_status=410)


def test_links_are_limited_per_account_and_the_page_does_not_change(client_request, session, sent):
    create_user(session, email="sam@example.org")
    pages = [client_request.post("/forgot-password", {"email": "sam@example.org"}, expected_status=200)
             for _ in range(5)]
    assert len(sent) == 3
    assert len({page.main.get_text() for page in pages}) == 1


@pytest.mark.parametrize("email", ["", "not-an-email", "sam\u200b@example.org"])
def test_a_mistyped_address_is_explained(client_request, sent, email):
    page = client_request.post("/forgot-password", {"email": email}, expected_status=400)
    assert error_messages(page)
    assert sent == []


def test_a_made_up_link_is_gone(client_request):
    client_request.get("/reset-password/not-a-real-token", expected_status=410)
    client_request.get("/reset-password/" + "x" * 500, expected_status=410)


class TestChangingAPassword:
    @pytest.mark.parametrize("role", ["person", "advocate", "provider", "professional", "commissioner"])
    def test_every_role_reaches_it_from_their_account_page(self, client_request, session, sent, role):
        from marketplace.models import Role

        client_request.login(create_user(session, role=Role(role)))
        home = client_request.get("/")
        assert home.find("a", string="Your account")["href"] == "/account"
        account = client_request.get("/account")
        assert account.find("a", href="/account/password") is not None

    def test_the_current_password_is_asked_and_other_sessions_end(self, client, client_request, session, sent):
        user = create_user(session, email="sam@example.org")
        client_request.login(user)
        other_device = client.application.test_client()
        with other_device.session_transaction() as flask_session, client.session_transaction() as signed_in:
            flask_session.update(signed_in)
        assert other_device.get("/budget").status_code != 302

        page = client_request.post("/account/password", {"current_password": "a wrong guess here",
                                                         "new_password": NEW_PASSWORD}, expected_status=400)
        assert field_error(page, "current_password") == "Your current password is not right"
        client_request.post("/account/password", {"current_password": DEFAULT_PASSWORD,
                                                  "new_password": NEW_PASSWORD}, expected_redirect="/account")
        assert "Your password has been changed" in client_request.get("/account").get_text()
        assert other_device.get("/budget").status_code == 302  # signed out there
        assert _actions(session, user) == ["password.change_failed", "password.changed"]
        assert [(message["to"], "was changed" in message["body"]) for message in sent] == [("sam@example.org", True)]
        client_request.logout()
        assert client.post("/sign-in", data={"email": "sam@example.org", "password": NEW_PASSWORD}).status_code == 302

    @pytest.mark.parametrize(("new", "message"), [
        ("short", "Password must be 10 characters or more"),
        ("password123", "This password is too easy to guess. Try a few words together, like a short sentence"),
        (DEFAULT_PASSWORD, "Choose a password you have not used here before"),
    ])
    def test_a_poor_new_password_is_explained_and_nothing_changes(self, client_request, session, sent, new, message):
        user = create_user(session)
        client_request.login(user)
        page = client_request.post("/account/password", {"current_password": DEFAULT_PASSWORD,
                                                         "new_password": new}, expected_status=400)
        assert field_error(page, "new_password") == message
        session.refresh(user)
        assert session.get(User, user.id).session_token == user.session_token
