"""The demo tells the story of changing packages, as a new user would try it (issue "Done when")."""

import pytest
from sqlmodel import select

from marketplace import ledger
from marketplace.models import CarePackage, Notification, User


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output


def _user(session, email) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def test_sams_version_2_shows_the_change_and_priya_agreeing_it_moves_exactly_the_difference(
        demo, client_request, session):
    version = session.exec(select(CarePackage).where(CarePackage.version == 2)).one()
    client_request.login(_user(session, "sam@example.org"))
    page = client_request.get(f"/packages/{version.id}")
    assert " ".join(page.select_one("#cost-difference").stripped_strings).startswith("+£43.00 a week")
    assert "+2 hours a week" in page.select_one("#line-changes").get_text(" ", strip=True)
    before = ledger.balances(session, version.budget_id)
    client_request.login(_user(session, "priya@example.org"))
    client_request.post(f"/caseload/packages/{version.id}", {"decision": "approve", "note": ""})
    session.rollback()
    after = ledger.balances(session, version.budget_id)
    assert after.committed - before.committed == 4 * 4300 == before.available - after.available
    assert session.get(CarePackage, version.supersedes_id).status == "superseded"


def test_jos_package_waiting_8_working_days_is_flagged_and_the_council_was_told(demo, client_request, session):
    client_request.login(_user(session, "priya@example.org"))
    waiting = client_request.get("/caseload").select_one("#waiting tbody tr").get_text(" ", strip=True)
    assert "Support at home" in waiting and "Over 5 working days" in waiting
    council = _user(session, "council@example.org")
    assert session.exec(select(Notification).where(Notification.recipient_id == council.id,
                                                   Notification.kind == "package.late")).first()


def test_the_council_decides_jos_challenge(demo, client_request, session):
    challenged = session.exec(select(CarePackage).where(CarePackage.challenged_at.is_not(None),
                                                        CarePackage.status == "awaiting_review")).one()
    client_request.login(_user(session, "council@example.org"))
    assert client_request.get("/admin/packages").select_one(f"a[href='/admin/packages/{challenged.id}']")
    client_request.post(f"/admin/packages/{challenged.id}",
                        {"decision": "approve", "note": "Jo’s fall changes things: agreed."},
                        expected_redirect=f"/admin/packages/{challenged.id}")
    session.rollback()
    assert session.get(CarePackage, challenged.id).status == "active"


def test_jos_neighbour_waits_in_the_councils_vetting_queue(demo, client_request, session):
    client_request.login(_user(session, "council@example.org"))
    assert "Maggie Lee" in client_request.get("/admin/vetting").get_text(" ", strip=True)
