"""Challenging a decision: the person asks for it to be looked at again in their own words; a
different professional or the council decides, with reasons; both decisions stay on the timeline."""

import pytest
from sqlmodel import select

from marketplace import ledger
from marketplace.errors import ServiceError
from marketplace.models import CarePackage, Notification, PackageEvent, PackageStatus, Role, Service
from marketplace.packages import lifecycle
from marketplace.scope import NotAllowed, Scope, scope_for
from tests.factories import assign_case, create_user, person_of
from tests.factories_advocacy import create_advocate_link
from tests.factories_budget import create_budget
from tests.factories_packages import TODAY, accept_every_line, add_outcome, draft_package, scope_of
from tests.factories_providers import create_listed_provider


@pytest.fixture
def world(session):
    sam = create_user(session, role=Role.PERSON, name="Sam Taylor")
    person = person_of(session, sam)
    budget = create_budget(session, person=person, paid_in_pence=200_000)
    provider = create_listed_provider(session, name="Brightpath Home Care", price_pence=2200, unit="hour")
    service = session.exec(select(Service).where(Service.provider_id == provider.id)).one()
    provider_user = create_user(session, role=Role.PROVIDER, provider=provider)
    priya = create_user(session, role=Role.PROFESSIONAL, name="Priya Shah")
    omar = create_user(session, role=Role.PROFESSIONAL, name="Omar Reid")
    council = create_user(session, role=Role.COMMISSIONER, name="Council budgets team")
    for professional in (priya, omar):
        assign_case(session, person=person, professional=professional)
    add_outcome(session, sam, person)
    package = draft_package(session, sam, person, lines=[(service, "8")])
    lifecycle.submit(session, scope_of(session, sam, person), package_id=package.id, today=TODAY)
    session.commit()
    accept_every_line(session, provider_user, package)

    class World:
        pass

    w = World()
    w.sam, w.person, w.budget, w.package, w.provider_user = sam, person, budget, package, provider_user
    w.priya, w.omar, w.council = priya, omar, council
    return w


def _council(session, world) -> Scope:
    return scope_for(session, world.council)


def _turned_down_and_challenged(session, world, *, first="reject") -> CarePackage:
    scope = scope_of(session, world.priya, world.person)
    if first == "reject":
        lifecycle.reject(session, scope, package_id=world.package.id, reasons="Too many hours for your needs.")
    else:
        lifecycle.request_changes(session, scope, package_id=world.package.id, note="Fewer hours, please.")
    session.commit()
    package = lifecycle.challenge(session, scope_of(session, world.sam, world.person), package_id=world.package.id,
                                  reasons="I need 8 hours: I cannot get up alone.")
    session.commit()
    return package


@pytest.mark.parametrize("first", ["reject", "changes"])
def test_a_challenge_goes_back_to_review_marked_and_the_first_decider_cannot_decide_it(session, world, first):
    package = _turned_down_and_challenged(session, world, first=first)
    assert package.status == PackageStatus.AWAITING_REVIEW.value
    assert package.challenged_decision_by_id == world.priya.id
    priya = scope_of(session, world.priya, world.person)
    for attempt in (lambda: lifecycle.approve(session, priya, package_id=package.id, today=TODAY, reasons="Fine"),
                    lambda: lifecycle.reject(session, priya, package_id=package.id, reasons="Still no"),
                    lambda: lifecycle.request_changes(session, priya, package_id=package.id, note="Change it")):
        with pytest.raises(ServiceError, match="You made the decision that is being challenged"):
            attempt()
        session.rollback()


def test_a_different_professional_decides_with_reasons_and_both_decisions_stay(session, world):
    package = _turned_down_and_challenged(session, world)
    omar = scope_of(session, world.omar, world.person)
    with pytest.raises(ServiceError, match="Enter the reasons"):
        lifecycle.approve(session, omar, package_id=package.id, today=TODAY, reasons="")
    session.rollback()
    lifecycle.approve(session, omar, package_id=package.id, today=TODAY, reasons="Sam needs help to get up.")
    session.commit()
    kinds = [(e.kind, e.actor_id) for e in session.exec(select(PackageEvent).where(
        PackageEvent.package_id == package.id).order_by(PackageEvent.id))]
    assert ("rejected", world.priya.id) in kinds and ("challenged", world.sam.id) in kinds
    assert kinds[-1] == ("approved", world.omar.id)
    assert ledger.balances(session, world.budget.id).committed == package.total_pence


def test_the_council_can_decide_a_challenge_and_is_told_about_it(session, world):
    package = _turned_down_and_challenged(session, world)
    told = session.exec(select(Notification).where(Notification.recipient_id == world.council.id,
                                                   Notification.kind == "package.challenged")).one()
    assert told.link == f"/admin/packages/{package.id}"
    assert not session.exec(select(Notification).where(Notification.recipient_id == world.priya.id,
                                                       Notification.kind == "package.challenged")).all()
    lifecycle.reject(session, _council(session, world), package_id=package.id, reasons="The plan says 5 hours.")
    session.commit()
    session.refresh(package)
    assert (package.status, package.decided_by_id) == ("rejected", world.council.id)


def test_only_a_professionals_decision_can_be_challenged_once_and_only_by_who_may_draft(session, world):
    sam = scope_of(session, world.sam, world.person)
    with pytest.raises(ServiceError, match="cannot challenge"):
        lifecycle.challenge(session, sam, package_id=world.package.id, reasons="Why not?")
    session.rollback()
    _turned_down_and_challenged(session, world)
    lifecycle.reject(session, scope_of(session, world.omar, world.person), package_id=world.package.id,
                     reasons="Still too many.")
    session.commit()
    with pytest.raises(ServiceError, match="already been looked at again"):
        lifecycle.challenge(session, sam, package_id=world.package.id, reasons="Again")
    session.rollback()
    alex = create_user(session, role=Role.ADVOCATE, name="Alex Morgan")
    create_advocate_link(session, person=world.person, advocate=alex, permissions=["view"])
    with pytest.raises(NotAllowed):
        lifecycle.challenge(session, scope_of(session, alex, world.person), package_id=world.package.id, reasons="x")


def test_the_council_cannot_decide_a_package_that_is_not_a_challenge(session, world):
    with pytest.raises(LookupError):
        lifecycle.approve(session, _council(session, world), package_id=world.package.id, today=TODAY)


def test_priya_rejects_sam_challenges_the_council_decides_through_the_pages(client_request, session, world):
    client_request.login(world.priya)
    client_request.post(f"/caseload/packages/{world.package.id}", {"decision": "reject", "note": "Too many hours."})
    client_request.login(world.sam)
    page = client_request.get(f"/packages/{world.package.id}")
    assert "Challenge the decision" in page.get_text(" ", strip=True)
    page = client_request.post(f"/packages/{world.package.id}/challenge", {"reasons": ""}, expected_status=400)
    assert page.select_one(".govuk-error-summary")
    client_request.post(f"/packages/{world.package.id}/challenge", {"reasons": "I cannot get up alone."},
                        expected_redirect=f"/packages/{world.package.id}")
    assert "A different professional or the council will decide" in client_request.get(
        f"/packages/{world.package.id}").select_one("#who-is-deciding").get_text(" ", strip=True)
    client_request.login(world.priya)
    assert client_request.get(f"/caseload/packages/{world.package.id}").select_one("#first-decider")
    client_request.login(world.council)
    assert "Challenge" in client_request.get("/admin/packages").select_one("#waiting").get_text(" ", strip=True)
    client_request.post(f"/admin/packages/{world.package.id}", {"decision": "approve", "note": "Sam needs the help."},
                        expected_redirect=f"/admin/packages/{world.package.id}")
    timeline = client_request.get(f"/admin/packages/{world.package.id}").select_one("#timeline").find_next("ol")
    text = timeline.get_text(" ", strip=True)
    assert "Turned the package down – Priya Shah" in text and "Sam needs the help." in text
    assert "Asked for the decision to be looked at again – Sam Taylor" in text
