"""Accounts: register, sign in, lockout, rate limits, sign out, CSRF."""

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from marketplace.auth.throttle import FROM_ANYWHERE, FROM_ONE_ADDRESS
from marketplace.models import AuditLog, Person, Provider, ProviderMember, Role, User
from tests.client_request import error_messages, field_error
from tests.factories import DEFAULT_PASSWORD, create_user

GOOD_REGISTRATION = {
    "account_type": "person",
    "name": "Morgan Ellis",
    "organisation_name": "",
    "email": "morgan@example.org",
    "password": "blue kettle morning walk",
}


def sign_in(client, email, password):
    return client.post("/sign-in", data={"email": email, "password": password})


def test_a_budget_holder_registers_is_told_to_check_their_email_and_then_signs_in(client_request, session):
    page = client_request.post("/register", GOOD_REGISTRATION, expected_status=200)
    assert page.h1.get_text(strip=True) == "Check your email"
    assert "morgan@example.org" in page.main.get_text()
    user = session.exec(select(User).where(User.email == "morgan@example.org")).one()
    assert user.role == "person"
    assert session.exec(select(Person).where(Person.user_id == user.id)).one().name == "Morgan Ellis"
    response = sign_in(client_request.client, "morgan@example.org", GOOD_REGISTRATION["password"])
    assert response.status_code == 302
    assert "Hello, Morgan Ellis" in client_request.client.get("/").get_data(as_text=True)


def test_a_provider_registers_with_their_organisation(client, session):
    response = client.post("/register", data=GOOD_REGISTRATION | {
        "account_type": "provider", "organisation_name": "Hyde Park Helpers", "email": "hi@hph.example"})
    assert response.status_code == 200
    user = session.exec(select(User).where(User.email == "hi@hph.example")).one()
    membership = session.exec(select(ProviderMember).where(ProviderMember.user_id == user.id)).one()
    assert membership.is_owner
    assert session.get(Provider, membership.provider_id).name == "Hyde Park Helpers"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"account_type": ""}, "account_type", "Select who this account is for"),
    ({"name": ""}, "name", "Enter your full name"),
    ({"name": "   "}, "name", "Enter your full name"),
    ({"name": "x" * 201}, "name", "Must be 200 characters or fewer"),
    ({"email": ""}, "email", "Enter your email address"),
    ({"email": "not-an-email"}, "email", "Enter an email address in the correct format, like name@example.com"),
    ({"password": ""}, "password", "Create a password"),
    ({"password": "short"}, "password", "Password must be 10 characters or more"),
    ({"password": "p" * 129}, "password", "Password must be 128 characters or fewer"),
    ({"password": "password123"}, "password", "This password is too easy to guess. Try a few words together, like a short sentence"),
    ({"password": "morgan@example.org"}, "password", "This password is too easy to guess. Try a few words together, like a short sentence"),
    ({"account_type": "provider", "organisation_name": ""}, "organisation_name", "Enter the name of your organisation"),
])
def test_registration_mistakes_are_explained_next_to_the_field(client_request, session, changes, field, message):
    page = client_request.post("/register", GOOD_REGISTRATION | changes, expected_status=400)
    assert message in error_messages(page)
    assert field_error(page, field) == message
    assert page.title.get_text().startswith("Error:")
    assert session.exec(select(User)).all() == []


class TestRegisteringATakenAddress:
    @pytest.fixture
    def app_config(self, app_config):
        return app_config | {"MAIL_SERVER": "mail.example.org"}

    @pytest.fixture
    def sent(self, monkeypatch):
        sent = []
        monkeypatch.setattr("marketplace.auth.delivery.send_email",
                            lambda config, **message: sent.append(message))
        return sent

    def test_the_page_is_the_same_as_for_a_new_address_and_only_the_owner_is_told(
            self, client_request, session, sent):
        create_user(session, email="morgan@example.org")
        taken = client_request.post("/register", GOOD_REGISTRATION | {"email": "Morgan@Example.org "},
                                    expected_status=200)
        new = client_request.post("/register", GOOD_REGISTRATION | {"email": "morgan@example.org.uk"},
                                  expected_status=200)
        assert taken.main.get_text().replace("Morgan@Example.org", "morgan@example.org.uk") == new.main.get_text()
        assert len(session.exec(select(User)).all()) == 2
        assert [message["to"] for message in sent] == ["morgan@example.org", "morgan@example.org.uk"]
        assert "already has an account" in sent[0]["body"]
        assert "is ready" in sent[1]["body"]

    def test_a_weak_password_is_refused_whether_or_not_the_address_is_taken(self, client_request, session, sent):
        create_user(session, email="morgan@example.org")
        for email in ("morgan@example.org", "someone.new@example.org"):
            page = client_request.post("/register", GOOD_REGISTRATION | {"email": email, "password": "password123"},
                                       expected_status=400)
            assert field_error(page, "password").startswith("This password is too easy to guess")
            assert field_error(page, "email") is None
        assert sent == []


def test_names_with_unicode_and_html_are_kept_exactly_and_shown_safely(client, session):
    name = "Zoë <script>alert(1)</script> Ó'Brien 李"
    client.post("/register", data=GOOD_REGISTRATION | {"name": name})
    sign_in(client, GOOD_REGISTRATION["email"], GOOD_REGISTRATION["password"])
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "Zoë &lt;script&gt;alert(1)&lt;/script&gt; Ó&#39;Brien 李" in html
    assert session.exec(select(User)).one().name == name


def test_correct_password_signs_in_and_records_it(client, session):
    user = create_user(session, email="sam@example.org")
    response = sign_in(client, "SAM@example.org", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response.location == "/"
    assert [e.action for e in session.exec(select(AuditLog).where(AuditLog.actor_id == user.id))] == ["sign_in"]


def test_wrong_password_shows_an_error_summary(client, session):
    create_user(session, email="sam@example.org")
    response = sign_in(client, "sam@example.org", "not the right one")
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert "Enter a correct email address and password" in error_messages(page)
    assert session.exec(select(AuditLog.action)).all() == ["sign_in.failed"]


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client):
    response = sign_in(client, "nobody@example.org", "whatever it is")
    assert response.status_code == 400
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def _sign_in_from(client, ip, email, password):
    return client.post("/sign-in", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


@pytest.mark.parametrize("account_exists", [True, False])
def test_repeated_failures_slow_that_address_down_with_the_same_answer_for_any_email(
        client, session, account_exists):
    if account_exists:
        create_user(session, email="sam@example.org")
    answers = [_sign_in_from(client, "198.51.100.7", "sam@example.org", "wrong password!")
               for _ in range(FROM_ONE_ADDRESS.free_failures + 1)]
    texts = [answer.get_data(as_text=True) for answer in answers]
    assert all("Enter a correct email address and password" in text for text in texts)
    response = _sign_in_from(client, "198.51.100.7", "sam@example.org", DEFAULT_PASSWORD)
    assert response.status_code == 400
    assert "Too many tries. Wait 2 seconds, then try again" in response.get_data(as_text=True)


def test_a_guesser_elsewhere_does_not_lock_the_owner_out(client, session):
    create_user(session, email="sam@example.org")
    for _ in range(FROM_ONE_ADDRESS.free_failures + 3):
        _sign_in_from(client, "198.51.100.7", "sam@example.org", "wrong password!")
    response = _sign_in_from(client, "203.0.113.9", "sam@example.org", DEFAULT_PASSWORD)
    assert response.status_code == 302


def test_the_wait_doubles_up_to_a_ceiling_and_success_clears_it(session, app):
    from datetime import timedelta

    from marketplace.auth import throttle
    from marketplace.models.types import utcnow

    now = utcnow()
    waits = []
    for _ in range(30):
        throttle.record_failure(session, email="sam@example.org", ip="198.51.100.7", now=now)
        session.flush()
        waits.append(throttle.wait_needed(session, email="sam@example.org", ip="198.51.100.7", now=now))
    assert waits[:FROM_ONE_ADDRESS.free_failures] == [None] * FROM_ONE_ADDRESS.free_failures
    assert waits[FROM_ONE_ADDRESS.free_failures:FROM_ONE_ADDRESS.free_failures + 3] == [
        timedelta(seconds=2), timedelta(seconds=4), timedelta(seconds=8)]
    assert waits[-1] == FROM_ONE_ADDRESS.longest_wait
    throttle.record_success(session, email="sam@example.org", ip="198.51.100.7")
    session.flush()
    # Only the count from everywhere is left, with its own, shorter ceiling.
    assert throttle.wait_needed(session, email="sam@example.org", ip="198.51.100.7", now=now) == FROM_ANYWHERE.longest_wait
    assert throttle.wait_needed(session, email="sam@example.org", ip="198.51.100.7",
                                now=now + FROM_ANYWHERE.longest_wait) is None
    session.rollback()


def test_rapid_attempts_are_rate_limited_with_a_clear_page(app, client, session):
    app.config["SIGN_IN_RATE_LIMIT"] = "6 per hour"  # a slow machine must not cross a window
    statuses = [sign_in(client, f"user{n}@example.org", "wrong password!").status_code for n in range(7)]
    assert statuses[-1] == 429
    response = sign_in(client, "sam@example.org", "wrong password!")
    assert "Too many attempts" in response.get_data(as_text=True)


def test_sign_in_only_follows_next_to_this_site(client, session):
    create_user(session, email="sam@example.org")
    response = client.post("/sign-in?next=//evil.example/steal", data={"email": "sam@example.org", "password": DEFAULT_PASSWORD})
    assert response.location == "/"


def test_sign_in_starts_a_new_session_and_sign_out_ends_it(client, session):
    create_user(session, email="sam@example.org")
    with client.session_transaction() as flask_session:
        flask_session["planted"] = "by someone else"
    sign_in(client, "sam@example.org", DEFAULT_PASSWORD)
    with client.session_transaction() as flask_session:
        assert "planted" not in flask_session
        old_session = dict(flask_session)
    assert client.post("/sign-out").status_code == 302
    assert "Hello," not in client.get("/").get_data(as_text=True)
    # Replaying the cookie from before sign-out does not sign anyone back in.
    with client.session_transaction() as flask_session:
        flask_session.update(old_session)
    assert "Hello," not in client.get("/").get_data(as_text=True)
    assert [e.action for e in session.exec(select(AuditLog).order_by(AuditLog.id))] == ["sign_in", "sign_out"]


class TestWithCsrfProtection:
    @pytest.fixture
    def app_config(self, app_config):
        return app_config | {"WTF_CSRF_ENABLED": True}

    def test_a_post_without_a_csrf_token_is_refused_and_nothing_is_written(self, client, session):
        response = client.post("/register", data=GOOD_REGISTRATION)
        assert response.status_code == 400
        assert "Your form timed out" in response.get_data(as_text=True)
        assert session.exec(select(User)).all() == []

    def test_the_form_carries_a_token_that_is_accepted(self, client, session):
        page = BeautifulSoup(client.get("/register").get_data(as_text=True), "html.parser")
        token = page.select_one("input[name=csrf_token]")["value"]
        response = client.post("/register", data=GOOD_REGISTRATION | {"csrf_token": token})
        assert response.status_code == 200
        assert len(session.exec(select(User)).all()) == 1


@pytest.mark.parametrize("role", [Role.PROFESSIONAL, Role.COMMISSIONER, Role.ADVOCATE])
def test_staff_accounts_are_made_on_the_command_line(runner, session, role):
    result = runner.invoke(args=["create-user", "--email", "staff@example.org", "--name", "Staff Member",
                                 "--role", role.value, "--password", "a long staff password"])
    assert result.exit_code == 0, result.output
    assert session.exec(select(User.role).where(User.email == "staff@example.org")).one() == role.value
