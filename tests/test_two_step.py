"""Two-step sign-in: an authenticator app's code after the password. Staff must use it;
budget holders and advocates may."""

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from sqlmodel import select

from marketplace.models import AuditLog, Authenticator, RecoveryCode, Role
from marketplace.models.types import utcnow
from tests.client_request import field_error
from tests.factories import DEFAULT_PASSWORD, create_user, set_up_two_step

STAFF = [Role.PROFESSIONAL, Role.COMMISSIONER, Role.PROVIDER]
EVERYONE_ELSE = [Role.PERSON, Role.ADVOCATE]


def _password_step(client, user):
    return client.post("/sign-in", data={"email": user.email, "password": DEFAULT_PASSWORD})


def _actions(session, user) -> list[str]:
    return [e.action for e in session.exec(select(AuditLog).where(AuditLog.actor_id == user.id).order_by(AuditLog.id))]


def _secret_on(page) -> str:
    return page.select_one("#authenticator-key").get_text().replace(" ", "")


@pytest.mark.parametrize("role", STAFF)
def test_staff_are_taken_to_set_it_up_after_their_password_and_can_do_nothing_else(client_request, session, role):
    user = create_user(session, role=role)
    response = _password_step(client_request.client, user)
    assert response.location == "/"
    assert client_request.client.get("/").location == "/account/two-step"
    assert client_request.client.get("/notifications").location == "/account/two-step"

    page = client_request.get("/account/two-step")
    qr = page.select_one("img.app-qr-code")
    assert qr["src"].startswith("data:image/svg+xml") and qr["alt"]
    secret = _secret_on(page)
    wrong = client_request.post("/account/two-step", {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"},
                                expected_status=400)
    assert field_error(wrong, "code").startswith("The code is not right")
    codes_page = client_request.post("/account/two-step", {"code": pyotp.TOTP(secret).now()}, expected_status=200)
    codes = [code.get_text() for code in codes_page.select(".app-recovery-codes code")]
    assert len(codes) == 10
    assert all(code not in row.code_hash for row in session.exec(select(RecoveryCode)) for code in codes)
    client_request.get("/notifications")  # now allowed
    assert _actions(session, user)[-2:] == ["two_step.set_up_failed", "two_step.set_up"]


@pytest.mark.parametrize("role", EVERYONE_ELSE)
def test_budget_holders_and_advocates_may_sign_in_with_a_password_alone(client_request, session, role):
    user = create_user(session, role=role)
    assert _password_step(client_request.client, user).location == "/"
    client_request.get("/notifications")
    assert "Off" in client_request.get("/account").get_text()


@pytest.fixture
def priya(session):
    user = create_user(session, role=Role.PROFESSIONAL, email="priya@example.org")
    return user, set_up_two_step(session, user)


def test_a_professional_signs_in_with_the_code_from_their_app(client, session, priya):
    user, secret = priya
    assert _password_step(client, user).location == "/sign-in/two-step"
    assert client.get("/caseload").status_code == 302  # not signed in yet
    with time_machine.travel(utcnow() + timedelta(seconds=30)):
        response = client.post("/sign-in/two-step", data={"code": pyotp.TOTP(secret).now()})
        assert response.location == "/"
        assert client.get("/caseload").status_code == 200
    assert _actions(session, user)[-1] == "sign_in"


def test_a_code_works_once(client, session, priya):
    user, secret = priya
    with time_machine.travel(utcnow() + timedelta(seconds=30)):
        code = pyotp.TOTP(secret).now()
        _password_step(client, user)
        assert client.post("/sign-in/two-step", data={"code": code}).status_code == 302
        client.post("/sign-out")
        _password_step(client, user)
        assert client.post("/sign-in/two-step", data={"code": code}).status_code == 400
    assert _actions(session, user)[-1] == "two_step.failed"


@pytest.mark.parametrize("typed", ["", "12345", "１２３４５６", "٣٣٣٣٣٣", "12345\x00", "x" * 100, "<b>1</b>"])
def test_a_wrong_or_strange_code_is_explained_by_the_field(client, session, priya, typed):
    user, _secret = priya
    _password_step(client, user)
    response = client.post("/sign-in/two-step", data={"code": typed})
    assert response.status_code == 400
    assert 'id="code-error"' in response.get_data(as_text=True)
    assert client.get("/caseload").status_code == 302


def test_a_recovery_code_works_once_in_place_of_the_app(client_request, session):
    user = create_user(session, role=Role.COMMISSIONER)
    client = client_request.client
    _password_step(client, user)
    page = client_request.get("/account/two-step")
    codes_page = client_request.post("/account/two-step", {"code": pyotp.TOTP(_secret_on(page)).now()},
                                     expected_status=200)
    code = codes_page.select(".app-recovery-codes code")[0].get_text()
    client.post("/sign-out")
    _password_step(client, user)
    response = client.post("/sign-in/two-step", data={"code": code.upper().replace("-", " ")})
    assert response.location == "/"
    assert "You have 9 left" in client.get("/").get_data(as_text=True)
    client.post("/sign-out")
    _password_step(client, user)
    assert client.post("/sign-in/two-step", data={"code": code}).status_code == 400
    assert "two_step.recovery_code_used" in _actions(session, user)


def test_many_wrong_codes_slow_the_guesser_down(client, session, priya):
    user, _secret = priya
    _password_step(client, user)
    for _ in range(6):
        client.post("/sign-in/two-step", data={"code": "000001"})
    page = client.post("/sign-in/two-step", data={"code": "000002"}).get_data(as_text=True)
    assert re.search(r"Too many tries\. Wait \d+ seconds?", page)


def test_the_code_must_follow_the_password_within_five_minutes(client, session, priya):
    user, secret = priya
    _password_step(client, user)
    with time_machine.travel(utcnow() + timedelta(minutes=6)):
        response = client.post("/sign-in/two-step", data={"code": pyotp.TOTP(secret).now()})
    assert response.location == "/sign-in"
    assert client.get("/caseload").status_code == 302


def test_the_code_box_allows_paste_and_one_time_code_autofill(client, session, priya):
    _password_step(client, priya[0])
    page = client.get("/sign-in/two-step").get_data(as_text=True)
    box = re.search(r"<input[^>]*id=\"code\"[^>]*>", page).group(0)
    assert 'inputmode="numeric"' in box and 'autocomplete="one-time-code"' in box
    assert "onpaste" not in box and "maxlength" not in box


def test_a_budget_holder_turns_it_on_then_off_with_their_password(client_request, session):
    sam = create_user(session)
    client_request.login(sam)
    page = client_request.get("/account/two-step")
    client_request.post("/account/two-step", {"code": pyotp.TOTP(_secret_on(page)).now()}, expected_status=200)
    assert "On" in client_request.get("/account").get_text()
    wrong = client_request.post("/account/two-step/remove", {"password": "not my password"}, expected_status=400)
    assert field_error(wrong, "password") == "Your password is not right"
    client_request.post("/account/two-step/remove", {"password": DEFAULT_PASSWORD})
    assert session.exec(select(Authenticator)).all() == []
    assert session.exec(select(RecoveryCode)).all() == []
    assert _actions(session, sam)[-3:] == ["two_step.set_up", "two_step.remove_failed", "two_step.removed"]
    assert _password_step(client_request.client, sam).location == "/"


def test_staff_who_turn_it_off_must_set_it_up_again(client_request, session, priya):
    user, _secret = priya
    client_request.login(user)
    client_request.post("/account/two-step/remove", {"password": DEFAULT_PASSWORD})
    assert client_request.client.get("/caseload").location == "/account/two-step"


class TestTheOwnerIsTold:
    @pytest.fixture
    def app_config(self, app_config):
        return app_config | {"MAIL_SERVER": "mail.example.org"}

    def test_turning_it_off_is_emailed_to_the_account(self, client_request, session, monkeypatch, priya):
        sent = []
        monkeypatch.setattr("marketplace.auth.delivery.send_email", lambda config, **message: sent.append(message))
        user, _secret = priya
        client_request.login(user)
        client_request.post("/account/two-step/remove", {"password": DEFAULT_PASSWORD})
        assert [(m["to"], "Two-step sign-in was turned off" in m["body"]) for m in sent] == [(user.email, True)]


def test_guessing_codes_from_many_addresses_is_slowed_down_too(client, session, priya):
    """Someone with the password guesses codes from ever-new addresses: the count for the
    account from anywhere holds them back, up to 15 minutes a try."""
    from marketplace.auth.throttle import CODE_RULES

    user, secret = priya
    from_anywhere = next(rule for rule in CODE_RULES if not rule.per_client_address)
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    for n in range(from_anywhere.free_failures + 1):
        _password_step(client, user)
        client.post("/sign-in/two-step", data={"code": wrong}, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
    _password_step(client, user)
    page = client.post("/sign-in/two-step", data={"code": pyotp.TOTP(secret).now()},
                       environ_base={"REMOTE_ADDR": "10.9.9.9"}).get_data(as_text=True)
    assert "Too many tries" in page
    assert client.get("/caseload").status_code == 302


def test_an_administrator_turns_it_off_for_someone_who_lost_everything(runner, client, session, priya):
    user, _secret = priya
    result = runner.invoke(args=["reset-two-step", "--email", user.email, "--reason", "Called back on her desk phone"])
    assert result.exit_code == 0, result.output
    assert session.exec(select(Authenticator)).all() == [] and session.exec(select(RecoveryCode)).all() == []
    entry = session.exec(select(AuditLog).where(AuditLog.action == "two_step.removed")).one()
    assert (entry.object_id, entry.detail["reason"]) == (user.id, "Called back on her desk phone")
    # Her next sign-in takes her to set up a new app.
    assert _password_step(client, user).location == "/"
    assert client.get("/caseload").location == "/account/two-step"
    assert runner.invoke(args=["reset-two-step", "--email", "nobody@example.org", "--reason", "x"]).exit_code != 0
