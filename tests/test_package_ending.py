"""Ending an agreed package early: who may, each provider is told, and exactly the money not
needed from that date goes back, in the same transaction as the change of status."""

from datetime import timedelta
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from marketplace import ledger
from marketplace.errors import ServiceError
from marketplace.models import (
    CarePackage,
    LedgerTransaction,
    Notification,
    PackageStatus,
    Role,
)
from marketplace.packages import lifecycle
from marketplace.packages.access import lines_of
from marketplace.packages.unspent import line_commitment
from marketplace.scope import NotAllowed
from tests.factories import create_user
from tests.factories_advocacy import create_advocate_link
from tests.factories_packages import TODAY, agreed_package, agreed_world, scope_of
from tests.ledger_checks import assert_ledger_sound

WEEK_OF_EIGHT_HOURS = 17_600


@pytest.fixture
def world(session):
    return agreed_world(session)


def _end(session, user, world, from_date, reason=""):
    package = lifecycle.end_early(session, scope_of(session, user, world.person), package_id=world.package.id,
                                  from_date=from_date, reason=reason, today=TODAY)
    session.commit()
    return package


@pytest.mark.parametrize("who", ["sam", "priya"])
def test_ending_from_a_date_gives_back_the_days_from_then_on_and_tells_the_provider(session, world, who):
    before = ledger.balances(session, world.budget.id)
    _end(session, getattr(world, who), world, TODAY + timedelta(days=14), reason="Moving to my sister’s")
    after = assert_ledger_sound(session, world.budget.id)
    assert after.available - before.available == 2 * WEEK_OF_EIGHT_HOURS
    line = lines_of(session, world.package.id)[0]
    assert after.committed_to(line_commitment(world.package.id, line.id)) == 2 * WEEK_OF_EIGHT_HOURS
    session.refresh(world.package)
    assert (world.package.status, world.package.ended_from) == ("ended", TODAY + timedelta(days=14))
    told = session.exec(select(Notification).where(Notification.recipient_id == world.provider_user.id,
                                                   Notification.kind == "package.ended")).one()
    assert "15 December 2026" in told.text


def test_money_already_billed_stays_spent_and_only_what_is_left_unneeded_goes_back(session, world):
    line = lines_of(session, world.package.id)[0]
    reference = line_commitment(world.package.id, line.id)
    # Three weeks were billed; the package ends after two: nothing more is needed, the rest goes back.
    ledger.approve_invoice(session, budget_id=world.budget.id, commitment=reference, provider_id=world.provider.id,
                           amount_pence=3 * WEEK_OF_EIGHT_HOURS, idempotency_key="invoice-1", actor=None, memo="Weeks 1-3")
    session.commit()
    before = ledger.balances(session, world.budget.id)
    _end(session, world.sam, world, TODAY + timedelta(days=14))
    after = assert_ledger_sound(session, world.budget.id)
    assert after.spent == before.spent == 3 * WEEK_OF_EIGHT_HOURS
    assert after.committed_to(reference) == 0
    assert after.available - before.available == WEEK_OF_EIGHT_HOURS


def test_ending_from_the_first_day_gives_everything_back_in_one_transaction(session, world):
    count = len(session.exec(select(LedgerTransaction.id)).all())
    before = ledger.balances(session, world.budget.id)
    _end(session, world.sam, world, TODAY)
    after = assert_ledger_sound(session, world.budget.id)
    assert after.committed == 0 and after.available == before.available + before.committed
    assert len(session.exec(select(LedgerTransaction.id)).all()) == count + 1


def test_an_advocate_needs_draft_and_providers_cannot_end(session, world):
    alex = create_user(session, role=Role.ADVOCATE, name="Alex Morgan")
    create_advocate_link(session, person=world.person, advocate=alex, permissions=["view"])
    with pytest.raises(NotAllowed):
        _end(session, alex, world, TODAY)
    with pytest.raises((NotAllowed, LookupError)):
        _end(session, world.provider_user, world, TODAY)
    session.rollback()
    assert session.get(CarePackage, world.package.id).status == PackageStatus.ACTIVE.value


@pytest.mark.parametrize(("days", "message"), [(-1, "must be between"), (28, "must be between"), (None, "Enter")])
def test_the_date_must_be_inside_the_package_and_not_in_the_past(session, world, days, message):
    with pytest.raises(ServiceError, match=message):
        _end(session, world.sam, world, None if days is None else TODAY + timedelta(days=days))


def test_only_an_agreed_package_can_be_ended_and_only_once(session, world):
    _end(session, world.sam, world, TODAY + timedelta(days=7))
    with pytest.raises(ServiceError, match="it is ended"):
        _end(session, world.sam, world, TODAY + timedelta(days=7))


def test_ending_through_the_pages(client_request, session, world):
    client_request.login(world.priya)
    end_on = TODAY + timedelta(days=21)
    page = client_request.post(f"/caseload/packages/{world.package.id}/end",
                               {"from_date-day": "40", "from_date-month": "12", "from_date-year": "2026"},
                               expected_status=400)
    assert page.select_one(".govuk-error-summary")
    client_request.post(f"/caseload/packages/{world.package.id}/end",
                        {"from_date-day": str(end_on.day), "from_date-month": str(end_on.month),
                         "from_date-year": str(end_on.year), "reason": "Sam is in hospital"},
                        expected_redirect=f"/caseload/packages/{world.package.id}")
    session.rollback()
    assert session.exec(select(CarePackage.status).where(CarePackage.id == world.package.id)).one() == "ended"
    page = client_request.get(f"/caseload/packages/{world.package.id}")
    assert "support stopped from 22 December 2026" in page.get_text(" ", strip=True)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(billed_weeks=st.integers(0, 4), stop_after_days=st.integers(0, 27))
def test_ending_gives_back_exactly_what_is_neither_billed_nor_needed_before_the_date(
        session, rich_world, billed_weeks, stop_after_days):
    world = rich_world
    package = agreed_package(session, holder=world.sam, person=world.person, provider_user=world.provider_user,
                             professional=world.priya, lines=[(world.service, "8")])
    reference = line_commitment(package.id, lines_of(session, package.id)[0].id)
    billed = billed_weeks * WEEK_OF_EIGHT_HOURS
    if billed:
        ledger.approve_invoice(session, budget_id=world.budget.id, commitment=reference, provider_id=world.provider.id,
                               amount_pence=billed, idempotency_key=f"invoice-{package.id}", actor=None, memo="Billed")
        session.commit()
    before = ledger.balances(session, world.budget.id)
    lifecycle.end_early(session, scope_of(session, world.sam, world.person), package_id=package.id,
                        from_date=TODAY + timedelta(days=stop_after_days), reason="", today=TODAY)
    session.commit()
    after = assert_ledger_sound(session, world.budget.id)
    needed_before_the_date = int(Fraction(WEEK_OF_EIGHT_HOURS * stop_after_days, 7) + Fraction(1, 2))  # halves up
    still_set_aside = max(0, needed_before_the_date - billed)
    assert after.committed_to(reference) == still_set_aside
    assert after.spent == before.spent
    assert after.available - before.available == (4 * WEEK_OF_EIGHT_HOURS - billed) - still_set_aside


@pytest.fixture
def rich_world(session, world):
    ledger.allocate(session, budget_id=world.budget.id, amount_pence=5_000_000, idempotency_key="rich",
                    actor=None, memo="Plenty for every example")
    session.commit()
    return world
