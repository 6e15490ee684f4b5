"""The council's vetting: decide on checks oldest first, suspend, and see what runs out soon."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from marketplace.models import AuditLog, Role, VettingCheck
from tests.client_request import field_error, normalised_text
from tests.factories import create_provider, create_user
from tests.factories_providers import add_check, add_service, create_listed_provider


@pytest.fixture
def commissioner(client_request, session):
    return client_request.login(create_user(session, role=Role.COMMISSIONER, name="Council Officer"))


def _names_in_browse(client_request) -> list[str]:
    return [normalised_text(a) for a in client_request.get("/providers").select(".app-result h3 a")]


def test_the_queue_shows_waiting_checks_oldest_first(client_request, session, commissioner):
    add_check(session, create_provider(session, name="Newer Agency"), "cqc_registration", status="pending")
    older = add_check(session, create_provider(session, name="Older Agency"), "enhanced_dbs", status="pending")
    older.submitted_at = datetime(2026, 1, 1, tzinfo=UTC)
    session.add(older)
    session.commit()
    add_check(session, create_provider(session, name="Done Agency"), "cqc_registration", status="verified")
    page = client_request.get("/admin/vetting")
    rows = [normalised_text(row) for row in page.select("table")[0].select("tbody tr")]
    assert len(rows) == 2
    assert rows[0].startswith("1 January 2026") and "Older Agency Enhanced DBS check" in rows[0]
    assert "Newer Agency CQC registration" in rows[1]


def test_verifying_the_last_missing_check_lists_the_provider_at_once(client_request, session, commissioner):
    provider = create_listed_provider(session, name="Almost There")
    session.delete(session.exec(select(VettingCheck).where(VettingCheck.provider_id == provider.id,
                                                           VettingCheck.kind == "cqc_registration")).one())
    session.commit()
    waiting = add_check(session, provider, "cqc_registration", status="pending")
    assert _names_in_browse(client_request) == []

    client_request.post(f"/admin/vetting/checks/{waiting.id}", {"decision": "verify"}, expected_redirect="/admin/vetting")
    assert _names_in_browse(client_request) == ["Almost There"]
    session.refresh(waiting)
    assert waiting.status == "verified" and waiting.decided_by_id == commissioner.id
    assert session.exec(select(AuditLog).where(AuditLog.action == "vetting.check_verified")).one().object_id == waiting.id


def test_rejecting_needs_a_reason_which_the_provider_then_sees(client_request, session, commissioner):
    provider = create_provider(session, name="Needs Work")
    waiting = add_check(session, provider, "public_liability_insurance", status="pending")
    page = client_request.post(f"/admin/vetting/checks/{waiting.id}", {"decision": "reject", "reason": "  "}, expected_status=400)
    assert field_error(page, "reason") == "Enter the reason"
    client_request.post(f"/admin/vetting/checks/{waiting.id}", {"decision": "reject", "reason": "The policy has lapsed"})
    session.refresh(waiting)
    assert (waiting.status, waiting.rejection_reason) == ("rejected", "The policy has lapsed")

    client_request.login(create_user(session, role=Role.PROVIDER, provider=provider))
    assert "The council said: The policy has lapsed" in normalised_text(client_request.get("/provider/checks"))


def test_a_check_is_decided_only_once(client_request, session, commissioner):
    waiting = add_check(session, create_provider(session), "enhanced_dbs", status="pending")
    client_request.post(f"/admin/vetting/checks/{waiting.id}", {"decision": "verify"})
    page = client_request.post(f"/admin/vetting/checks/{waiting.id}", {"decision": "reject", "reason": "Oops"}, expected_status=400)
    assert "Someone has already decided on this check" in normalised_text(page.select_one(".govuk-error-summary"))
    session.refresh(waiting)
    assert waiting.status == "verified"


def test_suspending_hides_the_provider_at_once_and_lifting_it_brings_it_back(client_request, session, commissioner):
    provider = create_listed_provider(session, name="Under Review Care")
    assert _names_in_browse(client_request) == ["Under Review Care"]
    page = client_request.post(f"/admin/vetting/providers/{provider.id}", {"reason": ""}, expected_status=400)
    assert field_error(page, "reason") == "Enter the reason"
    client_request.post(f"/admin/vetting/providers/{provider.id}", {"reason": "Safeguarding concern raised"})
    assert _names_in_browse(client_request) == []
    client_request.get(f"/providers/{provider.id}", expected_status=404)
    assert "Safeguarding concern raised" in normalised_text(client_request.get("/admin/vetting"))

    client_request.post(f"/admin/vetting/providers/{provider.id}", {})
    assert _names_in_browse(client_request) == ["Under Review Care"]


def test_the_suspended_provider_is_told_why(client_request, session, commissioner):
    provider = create_listed_provider(session)
    client_request.post(f"/admin/vetting/providers/{provider.id}", {"reason": "Complaints being looked into"})
    client_request.login(create_user(session, role=Role.PROVIDER, provider=provider))
    assert "suspended your listing: Complaints being looked into" in normalised_text(client_request.get("/provider/checks"))


@pytest.mark.parametrize("url", ["/admin/vetting/checks/999", "/admin/vetting/providers/999", "/admin/reviews/999/hide"])
def test_unknown_ids_are_not_found(client_request, commissioner, url):
    client_request.get(url, expected_status=404)


@pytest.mark.parametrize("role", [Role.PERSON, Role.PROVIDER, Role.ADVOCATE, Role.PROFESSIONAL])
def test_only_the_council_can_decide_or_suspend(client_request, session, role):
    provider = create_listed_provider(session)
    waiting = add_check(session, provider, "cqc_registration", status="pending")
    client_request.login(create_user(session, role=role))
    client_request.post(f"/admin/vetting/checks/{waiting.id}", {"decision": "verify"}, expected_status=403)
    client_request.post(f"/admin/vetting/providers/{provider.id}", {"reason": "x"}, expected_status=403)
    session.refresh(waiting)
    assert waiting.status == "pending"


def test_flask_vetting_expiring_lists_required_checks_running_out(runner, session):
    soon = create_listed_provider(session, name="Soon Care")
    check = session.exec(select(VettingCheck).where(VettingCheck.provider_id == soon.id,
                                                    VettingCheck.kind == "cqc_registration")).one()
    check.expires_on = date.today() + timedelta(days=12)
    session.add(check)
    session.commit()
    renewed = create_listed_provider(session, name="Renewed Care")
    old = session.exec(select(VettingCheck).where(VettingCheck.provider_id == renewed.id,
                                                  VettingCheck.kind == "cqc_registration")).one()
    old.expires_on = date.today() + timedelta(days=5)
    session.add(old)
    session.commit()
    add_check(session, renewed, "cqc_registration", expires_on=date.today() + timedelta(days=400))
    create_listed_provider(session, name="Fine Care")

    result = runner.invoke(args=["vetting", "expiring", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "1 required check run out in the next 30 days:",
        f"{check.expires_on.isoformat()}  Soon Care (provider {soon.id}): CQC registration",
    ]
    assert "No required checks run out in the next 7 days." in runner.invoke(args=["vetting", "expiring", "--days", "7"]).output


def test_unpublished_only_provider_is_still_vettable(client_request, session, commissioner):
    provider = create_provider(session, name="Quiet Agency")
    add_service(session, provider, published=False)
    page = client_request.get(f"/admin/vetting/providers/{provider.id}")
    assert normalised_text(page.h1) == "Quiet Agency"
    assert "Not sent" in normalised_text(page.select_one("table"))


def test_a_long_queue_shows_the_oldest_fifty_and_says_how_many_wait(client_request, session, commissioner):
    for n in range(52):
        add_check(session, create_provider(session, name=f"Agency {n:02d}"), "cqc_registration", status="pending")
    page = client_request.get("/admin/vetting")
    assert len(page.select("table")[0].select("tbody tr")) == 50
    assert normalised_text(page.select_one("table caption")) == "52 checks to decide, oldest first"
    assert "Showing the first 50 of 52 checks." in normalised_text(page.select_one("main"))
