"""The demo providers tell the story the issue asks for."""

import pytest
from sqlmodel import select

from marketplace.models import User
from tests.client_request import normalised_text


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output


def test_about_forty_vetted_providers_and_not_the_waiting_or_suspended_ones(client_request, demo):
    page = client_request.get("/providers")
    assert normalised_text(page.select_one("#result-count")) == "43 providers found"
    everyone = []
    for number in (1, 2, 3):
        everyone += [normalised_text(a) for a in client_request.get("/providers", page=str(number)).select(".app-result h3 a")]
    assert "Brightpath Home Care" in everyone
    assert "Burley Lodge Care" not in everyone and "Wortley Care Agency" not in everyone


def test_personal_care_in_ls6_under_25_pounds_on_saturdays(client_request, demo):
    page = client_request.get("/providers", category="personal_care", area="LS6", max_price="25", day="saturday")
    names = [normalised_text(a) for a in page.select(".app-result h3 a")]
    assert len(names) >= 3
    for result in page.select(".app-result"):
        assert "LS6" in normalised_text(result)


def test_brightpath_staff_see_their_checks_in_order(client_request, session, demo):
    client_request.login(session.exec(select(User).where(User.email == "care@brightpath.example")).one())
    assert "Your checks are in order" in normalised_text(client_request.get("/provider/checks"))
    assert "Published" in normalised_text(client_request.get("/provider/services"))


def test_the_council_sees_the_waiting_and_expiring_checks(client_request, session, demo, runner):
    client_request.login(session.exec(select(User).where(User.email == "council@example.org")).one())
    page = normalised_text(client_request.get("/admin/vetting"))
    assert "Burley Lodge Care" in page and "Alwoodley Home Care" in page and "Wortley Care Agency" in page
    assert "Alwoodley Home Care" in runner.invoke(args=["vetting", "expiring", "--days", "30"]).output


def test_brightpath_shows_verified_reviews(client_request, session, demo):
    page = client_request.get("/providers", q="Brightpath")
    link = page.select_one(".app-result h3 a")["href"]
    profile = normalised_text(client_request.get(link))
    assert "4.5 out of 5 (2 reviews)" in profile
    assert "Verified purchase" in profile
