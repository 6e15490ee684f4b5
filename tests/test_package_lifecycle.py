"""A care package's life (DESIGN §3), rule by rule: who may do each step, and what it changes."""

import threading
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from marketplace import ledger
from marketplace.errors import ServiceError
from marketplace.models import (
    CarePackage,
    LegalBasis,
    LineResponse,
    LinkStatus,
    Notification,
    PackageEvent,
    PackageLine,
    Role,
    Service,
)
from marketplace.notifications.service import waiting_for_advocate
from marketplace.packages import building, lifecycle
from marketplace.packages.access import lines_of, package_in_scope
from tests.factories import assign_case, create_user, person_of
from tests.factories_advocacy import create_advocate_link
from tests.factories_budget import create_budget
from tests.factories_packages import TODAY, accept_every_line, add_outcome, draft_package, scope_of
from tests.factories_providers import add_service, create_listed_provider
from tests.ledger_checks import assert_ledger_sound

TEN_HOURS_FOR_FOUR_WEEKS = 88_000  # 10 hours a week at £22 for 28 days


@pytest.fixture
def world(session):
    sam = create_user(session, role=Role.PERSON, name="Sam Taylor")
    person = person_of(session, sam)
    budget = create_budget(session, person=person, paid_in_pence=200_000)
    provider = create_listed_provider(session, name="Brightpath Home Care", price_pence=2200, unit="hour")
    service = session.exec(select(Service).where(Service.provider_id == provider.id)).one()
    provider_user = create_user(session, role=Role.PROVIDER, provider=provider)
    priya = create_user(session, role=Role.PROFESSIONAL, name="Priya Shah")
    assign_case(session, person=person, professional=priya)
    add_outcome(session, sam, person)

    class World:
        pass

    w = World()
    w.sam, w.person, w.budget, w.provider, w.service = sam, person, budget, provider, service
    w.provider_user, w.priya = provider_user, priya
    return w


def _refused(function, *args, match=None, **kwargs):
    with pytest.raises((ServiceError, LookupError)) as refusal:
        function(*args, **kwargs)
    if match:
        assert match in str(refusal.value)
    return refusal.value


def _status(session, package) -> str:
    session.rollback()
    return session.exec(select(CarePackage.status).where(CarePackage.id == package.id)).one()


def _events(session, package) -> list[str]:
    return [e.kind for e in session.exec(select(PackageEvent).where(PackageEvent.package_id == package.id)
                                         .order_by(PackageEvent.id))]


def test_the_whole_journey_sets_aside_exactly_the_package_total(session, world):
    alex = create_user(session, role=Role.ADVOCATE, name="Alex Morgan")
    create_advocate_link(session, person=world.person, advocate=alex)
    package = draft_package(session, world.sam, world.person, lines=[(world.service, "10")])
    assert package.total_pence == TEN_HOURS_FOR_FOUR_WEEKS

    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=package.id, today=TODAY)
    session.commit()
    assert _status(session, package) == "submitted"
    assert [line.response for line in lines_of(session, package.id)] == ["requested"]

    lifecycle.cosign(session, scope_of(session, alex, world.person), package_id=package.id)
    session.commit()
    assert _status(session, package) == "submitted"  # the provider has not answered yet

    accept_every_line(session, world.provider_user, package)
    assert _status(session, package) == "awaiting_review"

    lifecycle.approve(session, scope_of(session, world.priya, world.person), package_id=package.id, today=TODAY)
    session.commit()
    assert _status(session, package) == "active"

    figures = assert_ledger_sound(session, world.budget.id)
    line = lines_of(session, package.id)[0]
    assert figures.committed_to(f"package:{package.id}:line:{line.id}") == TEN_HOURS_FOR_FOUR_WEEKS
    assert figures.committed == TEN_HOURS_FOR_FOUR_WEEKS
    assert figures.available == 200_000 - TEN_HOURS_FOR_FOUR_WEEKS
    assert _events(session, package) == ["created", "line_added", "submitted", "cosigned", "line_accepted",
                                         "ready_for_review", "approved"]
    commitment = session.exec(select(ledger.LedgerTransaction).where(
        ledger.LedgerTransaction.kind == "commitment")).one()
    assert commitment.on_behalf_of_id == world.person.id and commitment.actor_id == world.priya.id


def test_a_mix_of_weekly_and_one_off_lines_commits_each_line_total(session, world):
    lift = add_service(session, world.provider, title="Bath lift", unit="item", price_pence=45_001,
                       category="equipment")
    package = draft_package(session, world.sam, world.person, lines=[(world.service, "7.5")],
                            end_on=date(2026, 12, 10))
    building.add_line(session, scope_of(session, world.sam, world.person), package_id=package.id,
                      service_id=lift.id, quantity="1", weekly=False,
                      outcome_id=lines_of(session, package.id)[0].outcome_id, today=TODAY)
    session.commit()
    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=package.id, today=TODAY)
    session.commit()
    accept_every_line(session, world.provider_user, package)
    lifecycle.approve(session, scope_of(session, world.priya, world.person), package_id=package.id, today=TODAY)
    session.commit()

    figures = assert_ledger_sound(session, world.budget.id)
    weekly, one_off = lines_of(session, package.id)
    assert figures.committed_to(f"package:{package.id}:line:{weekly.id}") == 23_571  # 7.5 h × £22 × 10/7
    assert figures.committed_to(f"package:{package.id}:line:{one_off.id}") == 45_001
    assert figures.committed == session.get(CarePackage, package.id).total_pence == 23_571 + 45_001


@pytest.mark.parametrize("who, allowed", [
    ("the budget holder", True),
    ("an advocate who may draft", True),
    ("an advocate who may only view", False),
    ("the professional", False),
    ("the provider", False),
    ("another budget holder", False),
])
def test_who_may_send_a_package(session, world, who, allowed):
    package = draft_package(session, world.sam, world.person, lines=[(world.service, "10")])
    if who == "the budget holder":
        user = world.sam
    elif who.startswith("an advocate"):
        user = create_user(session, role=Role.ADVOCATE)
        create_advocate_link(session, person=world.person, advocate=user,
                             permissions=("view", "draft") if "draft" in who else ("view",))
    elif who == "the professional":
        user = world.priya
    elif who == "the provider":
        user = world.provider_user
    else:
        user = create_user(session, role=Role.PERSON)
    scope = scope_of(session, user, world.person)
    if allowed:
        lifecycle.submit(session, scope, package_id=package.id, today=TODAY)
        session.commit()
        assert _status(session, package) == "submitted"
    else:
        _refused(lifecycle.submit, session, scope, package_id=package.id, today=TODAY)
        assert _status(session, package) == "draft"


def test_sending_is_refused_when_the_package_costs_more_than_is_free(session, world):
    package = draft_package(session, world.sam, world.person, lines=[(world.service, "100")])  # £8,800
    _refused(lifecycle.submit, session, scope_of(session, world.sam, world.person), package_id=package.id,
             today=TODAY, match="This package costs £8,800.00 but only £2,000.00 of the budget is free to use")
    assert _status(session, package) == "draft"


def test_an_empty_package_cannot_be_sent(session, world):
    package = draft_package(session, world.sam, world.person)
    _refused(lifecycle.submit, session, scope_of(session, world.sam, world.person), package_id=package.id,
             today=TODAY, match="Add at least one line")


def test_a_service_withdrawn_since_it_was_added_stops_the_package_being_sent(session, world):
    package = draft_package(session, world.sam, world.person, lines=[(world.service, "10")])
    world.service.published = False
    session.add(world.service)
    session.commit()
    _refused(lifecycle.submit, session, scope_of(session, world.sam, world.person), package_id=package.id,
             today=TODAY, match="Brightpath Home Care no longer offers “Help at home”")
    assert _status(session, package) == "draft"


def _submitted_by(session, world, submitter: str, *, authorised=False):
    alex = create_user(session, role=Role.ADVOCATE, name="Alex Morgan")
    create_advocate_link(session, person=world.person, advocate=alex,
                         legal_basis=LegalBasis.LASTING_POWER_OF_ATTORNEY if authorised else None)
    user = world.sam if submitter == "person" else alex
    package = draft_package(session, user, world.person, lines=[(world.service, "10")])
    lifecycle.submit(session, scope_of(session, user, world.person), package_id=package.id, today=TODAY)
    session.commit()
    accept_every_line(session, world.provider_user, package)
    return package, alex


def test_when_the_person_sends_it_their_advocate_co_signs(session, world):
    package, alex = _submitted_by(session, world, "person")
    _refused(lifecycle.cosign, session, scope_of(session, world.sam, world.person), package_id=package.id,
             match="You sent this package, so someone else must co-sign it")
    _refused(lifecycle.approve, session, scope_of(session, world.priya, world.person), package_id=package.id,
             today=TODAY, match="You cannot approve this package: it is waiting for agreement")
    lifecycle.cosign(session, scope_of(session, alex, world.person), package_id=package.id)
    session.commit()
    assert _status(session, package) == "awaiting_review"
    _refused(lifecycle.cosign, session, scope_of(session, alex, world.person), package_id=package.id,
             match="You cannot co-sign this package")


def test_when_the_advocate_sends_it_the_person_co_signs(session, world):
    package, alex = _submitted_by(session, world, "advocate")
    _refused(lifecycle.cosign, session, scope_of(session, alex, world.person), package_id=package.id,
             match="You sent this package")
    lifecycle.cosign(session, scope_of(session, world.sam, world.person), package_id=package.id)
    session.commit()
    assert _status(session, package) == "awaiting_review"


def test_an_authorised_persons_own_submission_is_enough(session, world):
    package, _alex = _submitted_by(session, world, "advocate", authorised=True)
    assert _status(session, package) == "awaiting_review"
    _refused(lifecycle.cosign, session, scope_of(session, world.sam, world.person), package_id=package.id,
             match="You cannot co-sign this package")


def test_an_advocate_without_cosign_cannot_co_sign(session, world):
    other = create_user(session, role=Role.ADVOCATE)
    create_advocate_link(session, person=world.person, advocate=other, permissions=("view",))
    package, _alex = _submitted_by(session, world, "person")
    _refused(lifecycle.cosign, session, scope_of(session, other, world.person), package_id=package.id,
             match="You do not have permission to co-sign")
    assert session.get(CarePackage, package.id).cosigned_at is None


def test_a_provider_decline_sends_the_package_back_with_the_reason(session, world):
    package = draft_package(session, world.sam, world.person, lines=[(world.service, "10")])
    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=package.id, today=TODAY)
    session.commit()
    line = lines_of(session, package.id)[0]
    scope = scope_of(session, world.provider_user)
    _refused(lifecycle.respond, session, scope, line_id=line.id, accept=False, note="",
             match="Enter your note")
    lifecycle.respond(session, scope, line_id=line.id, accept=False, note="We are full on Tuesdays")
    session.commit()
    assert _status(session, package) == "changes_requested"
    back = session.exec(select(PackageEvent).where(PackageEvent.kind == "sent_back")).one()
    assert back.note == "Brightpath Home Care cannot provide “Help at home”: We are full on Tuesdays"
    _refused(lifecycle.respond, session, scope, line_id=line.id, accept=True, note="",
             match="already been answered")


def test_a_provider_cannot_answer_another_providers_line(session, world):
    package = draft_package(session, world.sam, world.person, lines=[(world.service, "10")])
    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=package.id, today=TODAY)
    session.commit()
    stranger = create_user(session, role=Role.PROVIDER)
    line = lines_of(session, package.id)[0]
    _refused(lifecycle.respond, session, scope_of(session, stranger), line_id=line.id, accept=True, note="")
    assert session.get(PackageLine, line.id).response == LineResponse.REQUESTED.value


def test_a_provider_sees_nothing_of_a_draft(session, world):
    package = draft_package(session, world.sam, world.person, lines=[(world.service, "10")])
    _refused(package_in_scope, session, scope_of(session, world.provider_user), package.id)


@pytest.fixture
def awaiting_review(session, world):
    package = draft_package(session, world.sam, world.person, lines=[(world.service, "10")])
    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=package.id, today=TODAY)
    session.commit()
    accept_every_line(session, world.provider_user, package)
    return package


def test_only_the_assigned_professional_reviews(session, world, awaiting_review):
    other = create_user(session, role=Role.PROFESSIONAL)
    for user in (other, world.sam, world.provider_user):
        _refused(lifecycle.approve, session, scope_of(session, user, world.person),
                 package_id=awaiting_review.id, today=TODAY)
    assert _status(session, awaiting_review) == "awaiting_review"
    assert ledger.balances(session, world.budget.id).committed == 0


def test_asking_for_changes_needs_a_note_and_sends_it_back(session, world, awaiting_review):
    scope = scope_of(session, world.priya, world.person)
    _refused(lifecycle.request_changes, session, scope, package_id=awaiting_review.id, note=" ",
             match="Enter what needs to change")
    lifecycle.request_changes(session, scope, package_id=awaiting_review.id, note="Add a day out")
    session.commit()
    assert _status(session, awaiting_review) == "changes_requested"
    # The person changes it and sends it again: accepted lines stay accepted.
    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=awaiting_review.id,
                     today=TODAY)
    session.commit()
    assert _status(session, awaiting_review) == "awaiting_review"


def test_turning_down_needs_reasons_and_sets_nothing_aside(session, world, awaiting_review):
    scope = scope_of(session, world.priya, world.person)
    _refused(lifecycle.reject, session, scope, package_id=awaiting_review.id, reasons="",
             match="Enter the reasons")
    lifecycle.reject(session, scope, package_id=awaiting_review.id, reasons="This is not an assessed need")
    session.commit()
    assert _status(session, awaiting_review) == "rejected"
    assert ledger.balances(session, world.budget.id).committed == 0
    _refused(lifecycle.approve, session, scope, package_id=awaiting_review.id, today=TODAY,
             match="it is turned down")


def test_invalid_transitions_change_nothing(session, world, awaiting_review):
    sam = scope_of(session, world.sam, world.person)
    priya = scope_of(session, world.priya, world.person)
    draft = draft_package(session, world.sam, world.person, lines=[(world.service, "1")])
    _refused(lifecycle.approve, session, priya, package_id=draft.id, today=TODAY, match="it is still a draft")
    lifecycle.approve(session, priya, package_id=awaiting_review.id, today=TODAY)
    session.commit()
    _refused(lifecycle.submit, session, sam, package_id=awaiting_review.id, today=TODAY,
             match="You cannot send this package: it is already agreed")
    _refused(lifecycle.approve, session, priya, package_id=awaiting_review.id, today=TODAY)
    _refused(building.add_line, session, sam, package_id=awaiting_review.id, service_id=world.service.id,
             quantity="1", weekly=True, outcome_id=1, today=TODAY, match="cannot be changed now")
    session.rollback()
    assert assert_ledger_sound(session, world.budget.id).committed == TEN_HOURS_FOR_FOUR_WEEKS
    assert _events(session, awaiting_review).count("approved") == 1


def test_two_professionals_approving_packages_that_together_overspend_only_one_wins(app, session, world):
    """Each package is £1,320 of the £2,000 free: both are sent and ready, then approved at once."""
    second = create_user(session, role=Role.PROFESSIONAL)
    assign_case(session, person=world.person, professional=second)
    packages = []
    for _ in range(2):
        package = draft_package(session, world.sam, world.person, lines=[(world.service, "15")])
        lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=package.id, today=TODAY)
        session.commit()
        accept_every_line(session, world.provider_user, package)
        packages.append(package)
    engine = app.extensions["engine"]
    start = threading.Barrier(2)
    results: list[str] = []

    def approve(professional, package):
        start.wait()
        with Session(engine, expire_on_commit=False) as db:
            try:
                lifecycle.approve(db, scope_of(db, professional, world.person), package_id=package.id, today=TODAY)
                db.commit()
                results.append("approved")
            except ServiceError as refusal:
                db.rollback()
                results.append(refusal.message)

    threads = [threading.Thread(target=approve, args=pair)
               for pair in ((world.priya, packages[0]), (second, packages[1]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count("approved") == 1
    assert [r for r in results if r != "approved"][0].startswith("This package cannot be agreed now. There is "
                                                                  "not enough money in the budget")
    session.rollback()
    statuses = sorted(_status(session, p) for p in packages)
    assert statuses == ["active", "awaiting_review"]
    assert assert_ledger_sound(session, world.budget.id).committed == 132_000


# --- who is told (notifications are written with the step, and only when it happens) -------------


def _told(session, kind: str) -> list[int]:
    session.rollback()
    return sorted(session.exec(select(Notification.recipient_id).where(Notification.kind == kind)))


def test_each_step_tells_the_people_who_act_next(session, world):
    alex = create_user(session, role=Role.ADVOCATE, name="Alex Morgan")
    create_advocate_link(session, person=world.person, advocate=alex)
    bea = create_user(session, role=Role.ADVOCATE, name="Bea Viewer")
    create_advocate_link(session, person=world.person, advocate=bea, permissions=("view",))
    second_carer = create_user(session, role=Role.PROVIDER, provider=world.provider)
    create_user(session, role=Role.PROVIDER, provider=create_listed_provider(session, name="Elsewhere Care"))
    package = draft_package(session, world.sam, world.person, lines=[(world.service, "10")])

    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=package.id, today=TODAY)
    session.commit()
    assert _told(session, "package.to_cosign") == [alex.id]
    assert list(waiting_for_advocate(session, advocate=alex)) == [world.person.id]  # co-signing needs Alex
    assert _told(session, "package.line_to_accept") == sorted([world.provider_user.id, second_carer.id])
    lifecycle.cosign(session, scope_of(session, alex, world.person), package_id=package.id)
    session.commit()
    assert _told(session, "package.to_review") == []  # the provider has not answered yet
    accept_every_line(session, world.provider_user, package)
    assert _told(session, "package.to_review") == [world.priya.id]
    lifecycle.approve(session, scope_of(session, world.priya, world.person), package_id=package.id, today=TODAY)
    session.commit()
    assert _told(session, "package.approved") == sorted([world.sam.id, alex.id, bea.id])
    agreed = session.exec(select(Notification).where(Notification.recipient_id == world.sam.id,
                                                     Notification.kind == "package.approved")).one()
    assert agreed.text == "The care package “My support” is agreed. The money for it is set aside."
    assert agreed.link == f"/packages/{package.id}" and agreed.person_id == world.person.id


def test_when_the_advocate_sends_it_the_person_is_asked_to_co_sign(session, world):
    _package, _alex = _submitted_by(session, world, "advocate")
    assert _told(session, "package.to_cosign") == [world.sam.id]


@pytest.mark.parametrize("decide, kind", [
    (lambda session, scope, package: lifecycle.request_changes(session, scope, package_id=package.id,
                                                               note="Add a day out"), "package.changes_requested"),
    (lambda session, scope, package: lifecycle.reject(session, scope, package_id=package.id,
                                                      reasons="Not an assessed need"), "package.rejected"),
])
def test_the_budget_holder_and_advocates_who_may_see_are_told_the_decision(session, world, awaiting_review,
                                                                            decide, kind):
    viewer = create_user(session, role=Role.ADVOCATE)
    create_advocate_link(session, person=world.person, advocate=viewer, permissions=("view",))
    ended = create_user(session, role=Role.ADVOCATE)
    create_advocate_link(session, person=world.person, advocate=ended, status=LinkStatus.REVOKED)
    decide(session, scope_of(session, world.priya, world.person), awaiting_review)
    session.commit()
    assert _told(session, kind) == sorted([world.sam.id, viewer.id])


def test_a_declined_line_tells_the_budget_holder(session, world):
    package = draft_package(session, world.sam, world.person, lines=[(world.service, "10")])
    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=package.id, today=TODAY)
    session.commit()
    lifecycle.respond(session, scope_of(session, world.provider_user), line_id=lines_of(session, package.id)[0].id,
                      accept=False, note="We are full on Tuesdays")
    session.commit()
    assert _told(session, "package.changes_requested") == [world.sam.id]


def test_a_refused_step_tells_nobody(session, world, awaiting_review):
    before = session.exec(select(func.count()).select_from(Notification)).one()
    too_big = draft_package(session, world.sam, world.person, lines=[(world.service, "100")])
    _refused(lifecycle.submit, session, scope_of(session, world.sam, world.person), package_id=too_big.id,
             today=TODAY)
    _refused(lifecycle.approve, session, scope_of(session, create_user(session, role=Role.PROFESSIONAL),
                                                  world.person), package_id=awaiting_review.id, today=TODAY)
    _refused(lifecycle.reject, session, scope_of(session, world.priya, world.person),
             package_id=awaiting_review.id, reasons="")
    _refused(lifecycle.cosign, session, scope_of(session, world.sam, world.person), package_id=awaiting_review.id)
    session.rollback()
    assert session.exec(select(func.count()).select_from(Notification)).one() == before
