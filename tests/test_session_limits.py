"""Sign-ins end after 30 minutes without activity and 12 hours at most; a warning page comes
first and lets people stay signed in (WCAG 2.2.1), with or without JavaScript."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup

from tests.factories import DEFAULT_PASSWORD, create_user

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sam(client, session, clock):
    create_user(session, email="sam@example.org")
    assert client.post("/sign-in", data={"email": "sam@example.org", "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_activity_keeps_a_session_going(sam, clock):
    for _ in range(5):
        clock.shift(timedelta(minutes=29))
        assert _signed_in(sam)


def test_thirty_minutes_without_activity_signs_out_and_says_why(sam, clock):
    clock.shift(timedelta(minutes=30))
    response = sam.get("/budget")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?next=/budget")
    page = sam.get(response.location).get_data(as_text=True)
    assert "did not do anything for 30 minutes" in page
    assert not _signed_in(sam)


def test_twelve_hours_after_signing_in_the_session_ends_however_busy(sam, clock):
    for _ in range(30):
        clock.shift(timedelta(minutes=29, seconds=59))
        if not _signed_in(sam):
            break
    else:
        pytest.fail("still signed in after 12 hours")
    assert datetime.now(UTC) - START >= timedelta(hours=12)
    assert "more than 12 hours ago" in sam.get("/sign-in").get_data(as_text=True)


def test_the_warning_page_says_how_long_is_left_without_counting_as_activity(sam, clock):
    clock.shift(timedelta(minutes=26))
    page = sam.get("/session/timeout-warning?next=/budget").get_data(as_text=True)
    assert "You will be signed out in 4 minutes" in page
    clock.shift(timedelta(minutes=4))
    # Looking at the warning did not keep the session alive.
    assert sam.get("/session/timeout-warning").status_code == 302
    assert not _signed_in(sam)


def test_stay_signed_in_starts_the_idle_time_again_without_javascript(sam, clock):
    clock.shift(timedelta(minutes=26))
    response = sam.post("/session/timeout-warning?next=/budget", data={})
    assert (response.status_code, response.location) == (302, "/budget")
    clock.shift(timedelta(minutes=29))
    assert _signed_in(sam)


def test_signed_in_pages_go_to_the_warning_five_minutes_before_with_javascript(sam):
    page = sam.get("/account").get_data(as_text=True)
    assert 'window.location.assign("/session/timeout-warning?next=/account"), 1500 * 1000' in page


def test_the_account_page_links_to_the_warning_page(sam):
    page = BeautifulSoup(sam.get("/account").get_data(as_text=True), "html.parser")
    link = page.find("a", string="See how long you have left, or stay signed in")
    assert link["href"] == "/session/timeout-warning?next=/account"


def test_a_session_cookie_without_its_times_is_not_accepted(client, client_request, session):
    user = create_user(session)
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user.get_id()
    assert client.get("/account").status_code == 302
