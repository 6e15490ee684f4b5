"""The response clock: working days waiting, the caseload's order and flag, what the person
sees, and the daily sweeps (professional at 3 working days, council at 5; plan reviews)."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from marketplace.jobs import run_sweep
from marketplace.models import CarePackage, Notification, PackageStatus, Role, Service, SupportPlan
from marketplace.packages import clock
from marketplace.plans.reviews import next_review_on, review_state, warn_about_plan_reviews
from tests.factories import assign_case, create_user, person_of
from tests.factories_budget import create_budget
from tests.factories_packages import (
    TODAY,
    accept_every_line,
    add_outcome,
    agreed_package,
    draft_package,
    scope_of,
)
from tests.factories_providers import create_listed_provider


@pytest.fixture
def world(session):
    sam = create_user(session, role=Role.PERSON, name="Sam Taylor")
    person = person_of(session, sam)
    create_budget(session, person=person, paid_in_pence=200_000)
    provider = create_listed_provider(session, name="Brightpath Home Care", price_pence=2200, unit="hour")
    service = session.exec(select(Service).where(Service.provider_id == provider.id)).one()
    provider_user = create_user(session, role=Role.PROVIDER, provider=provider)
    priya = create_user(session, role=Role.PROFESSIONAL, name="Priya Shah")
    council = create_user(session, role=Role.COMMISSIONER, name="Council")
    assign_case(session, person=person, professional=priya)
    add_outcome(session, sam, person)

    class World:
        pass

    w = World()
    w.sam, w.person, w.service, w.provider_user, w.priya, w.council = sam, person, service, provider_user, priya, council
    return w


def _waiting_since(session, world, moment: datetime, title="My support") -> CarePackage:
    from marketplace.packages import lifecycle

    package = draft_package(session, world.sam, world.person, lines=[(world.service, "2")], title=title)
    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=package.id, today=TODAY)
    session.commit()
    accept_every_line(session, world.provider_user, package)
    session.refresh(package)
    assert package.status == PackageStatus.AWAITING_REVIEW.value
    assert package.providers_accepted_at is not None and package.submitted_at is not None
    package.review_requested_at = moment
    session.add(package)
    session.commit()
    return package


def _told(session, user, kind) -> list[Notification]:
    return list(session.exec(select(Notification).where(Notification.recipient_id == user.id,
                                                        Notification.kind == kind)))


def test_the_sweep_reminds_the_professional_at_3_working_days_and_the_council_at_5_once(session, world):
    # Sent on Wednesday 23 December 2026: Christmas Day and Boxing Day (observed on the 28th) do not count.
    _waiting_since(session, world, datetime(2026, 12, 23, 10, tzinfo=UTC))
    assert run_sweep("slow-reviews", date(2026, 12, 29)) == 0  # 24th and 29th: 2 working days
    assert run_sweep("slow-reviews", date(2026, 12, 30)) == 1
    assert len(_told(session, world.priya, "package.waiting")) == 1
    assert run_sweep("slow-reviews", date(2026, 12, 31)) == 0  # 4 working days
    assert run_sweep("slow-reviews", date(2027, 1, 1)) == 0  # New Year's Day does not count
    assert run_sweep("slow-reviews", date(2027, 1, 4)) == 1  # 5 working days: the council is told
    assert "5 working days" in _told(session, world.council, "package.late")[0].text
    assert run_sweep("slow-reviews", date(2027, 1, 4)) == 0  # safe to run again
    assert run_sweep("slow-reviews", date(2027, 1, 5)) == 0


def test_a_package_waiting_6_working_days_is_flagged_on_the_caseload_longest_first(client_request, session, world,
                                                                                   monkeypatch):
    _waiting_since(session, world, datetime(2026, 11, 30, 9, tzinfo=UTC), title="Newer")
    _waiting_since(session, world, datetime(2026, 11, 20, 9, tzinfo=UTC), title="Older")
    monkeypatch.setattr("marketplace.caseload.views.today_in_uk", lambda: date(2026, 12, 1))
    client_request.login(world.priya)
    rows = client_request.get("/caseload").select("#waiting tbody tr")
    assert [row.select("td")[1].get_text(" ", strip=True).split(" for ")[0] for row in rows] == ["Older", "Newer"]
    assert "7 working days" in rows[0].get_text(" ", strip=True)
    assert "Over 5 working days" in rows[0].get_text(" ", strip=True)
    assert "Over 5" not in rows[1].get_text(" ", strip=True)
    client_request.login(world.council)
    page = client_request.get("/admin/packages")
    assert "1 waiting more than 5 working days" in page.get_text(" ", strip=True)


def test_a_long_caseload_shows_a_page_of_waiting_packages_at_a_time_longest_waiting_first(
        client_request, session, world, monkeypatch):
    monkeypatch.setattr("marketplace.caseload.queue.WAITING_PAGE_SIZE", 2)
    for day, title in ((27, "Third"), (20, "First"), (25, "Second")):
        _waiting_since(session, world, datetime(2026, 11, day, 9, tzinfo=UTC), title=title)
    client_request.login(world.priya)

    def titles(page):
        return [row.select("td")[1].get_text(" ", strip=True).split(" for ")[0]
                for row in page.select("#waiting tbody tr")]

    first = client_request.get("/caseload")
    assert titles(first) == ["First", "Second"]
    assert "3 packages are waiting for you. This page shows numbers 1 to 2" in first.get_text(" ", strip=True)
    assert first.select_one(".govuk-pagination__next a")["href"] == "/caseload?page=2"
    second = client_request.get("/caseload", page="2")
    assert titles(second) == ["Third"]
    assert "(page 2 of 2)" in second.title.text
    assert titles(client_request.get("/caseload", page="9")) == ["Third"]  # past the end: the last page
    client_request.get("/caseload", page="two", expected_status=404)


def test_the_person_sees_who_is_deciding_and_since_when(client_request, session, world):
    package = _waiting_since(session, world, datetime(2026, 11, 27, 9, tzinfo=UTC))  # a Friday
    client_request.login(world.sam)
    text = client_request.get(f"/packages/{package.id}").select_one("#who-is-deciding").get_text(" ", strip=True)
    assert "Priya Shah will decide on this package" in text
    assert "since 27 November 2026" in text


def test_a_package_keeps_its_times_for_the_councils_reports(session, world):
    package = agreed_package(session, holder=world.sam, person=world.person, provider_user=world.provider_user,
                             professional=world.priya, lines=[(world.service, "2")])
    session.refresh(package)
    assert package.submitted_at <= package.providers_accepted_at <= package.review_requested_at <= package.decided_at
    assert clock.working_days_waiting(package, TODAY) is None  # decided: the clock has stopped


@pytest.mark.parametrize(("first", "agreed_on", "review_on"), [
    (date(2026, 6, 1), None, date(2026, 12, 1)),
    (date(2026, 6, 1), date(2026, 11, 15), date(2027, 12, 1)),  # agreed again in the month before: done
    (date(2026, 6, 1), date(2026, 10, 1), date(2026, 12, 1)),  # too early to count
    (date(2026, 6, 1), date(2028, 1, 1), date(2028, 12, 1)),
])
def test_plan_reviews_fall_6_months_after_the_first_package_then_every_12(first, agreed_on, review_on):
    assert next_review_on(first, agreed_on) == review_on


def test_plan_review_states():
    assert review_state(date(2026, 12, 1), date(2026, 10, 31)) is None
    assert review_state(date(2026, 12, 1), date(2026, 11, 1)) == "due"
    assert review_state(date(2026, 12, 1), date(2026, 12, 1)) == "due"
    assert review_state(date(2026, 12, 1), date(2026, 12, 2)) == "overdue"


def test_the_plan_review_sweep_tells_the_person_and_professional_once_each_when_due_and_overdue(session, world):
    agreed_package(session, holder=world.sam, person=world.person, provider_user=world.provider_user,
                   professional=world.priya, lines=[(world.service, "2")])  # starts 1 December 2026
    assert warn_about_plan_reviews(session, date(2027, 4, 30)) == 0
    assert warn_about_plan_reviews(session, date(2027, 5, 1)) == 2
    assert warn_about_plan_reviews(session, date(2027, 5, 20)) == 0
    assert warn_about_plan_reviews(session, date(2027, 6, 2)) == 2
    session.commit()
    assert "overdue" in _told(session, world.priya, "plan.review_overdue")[0].text
    assert _told(session, world.sam, "plan.review_due")[0].link == "/plan"
    # Agreeing the plan again counts as the review: nothing more until the next one is near.
    session.add(SupportPlan(person_id=world.person.id, agreed_on=date(2027, 6, 3)))
    session.commit()
    assert warn_about_plan_reviews(session, date(2027, 6, 4)) == 0
