"""Changing an agreed package: a new version, the difference line by line, and the money moving
once, by exactly the difference, when the new version is agreed (DESIGN §3 and §4)."""

from datetime import date, timedelta
from fractions import Fraction
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, select

from marketplace import ledger
from marketplace.errors import ServiceError
from marketplace.models import (
    CarePackage,
    LedgerTransaction,
    LineResponse,
    PackageStatus,
)
from marketplace.money import format_money
from marketplace.packages import building, costing, diff, lifecycle, versions
from marketplace.packages.access import lines_of
from marketplace.packages.costing import round_half_up
from marketplace.packages.unspent import line_commitment
from tests.factories_packages import (
    TODAY,
    accept_every_line,
    agreed_world,
    scope_of,
)
from tests.ledger_checks import assert_ledger_sound
from tests.race import at_once

EIGHT_HOURS_FOR_FOUR_WEEKS = 70_400  # 8 hours a week at £22 for 28 days


@pytest.fixture
def world(session):
    return agreed_world(session)


def _new_version(session, world, *, quantity: str = "10") -> CarePackage:
    scope = scope_of(session, world.sam, world.person)
    draft = versions.start_new_version(session, scope, package_id=world.package.id, today=TODAY)
    line = lines_of(session, draft.id)[0]
    building.change_line(session, scope, package_id=draft.id, line_id=line.id, quantity=quantity,
                         outcome_id=line.outcome_id)
    session.commit()
    return draft


def _agree(session, world, draft: CarePackage) -> None:
    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=draft.id, today=TODAY)
    session.commit()
    accept_every_line(session, world.provider_user, draft)
    lifecycle.approve(session, scope_of(session, world.priya, world.person), package_id=draft.id, today=TODAY)
    session.commit()


def test_changing_makes_a_draft_copy_and_the_agreed_version_carries_on(session, world):
    before = ledger.balances(session, world.budget.id)
    draft = _new_version(session, world)
    assert (draft.version, draft.supersedes_id, draft.status) == (2, world.package.id, "draft")
    session.refresh(world.package)
    assert world.package.status == PackageStatus.ACTIVE.value
    assert ledger.balances(session, world.budget.id) == before
    [line] = lines_of(session, draft.id)
    assert line.replaces_line_id == lines_of(session, world.package.id)[0].id
    assert line.response == LineResponse.NOT_SENT.value  # the amount changed: the provider is asked again


def test_only_one_new_version_at_a_time_and_only_of_an_agreed_package(session, world):
    draft = _new_version(session, world)
    scope = scope_of(session, world.sam, world.person)
    with pytest.raises(ServiceError, match="already being changed"):
        versions.start_new_version(session, scope, package_id=world.package.id, today=TODAY)
    with pytest.raises(ServiceError, match="Only an agreed package"):
        versions.start_new_version(session, scope, package_id=draft.id, today=TODAY)


def test_agreeing_the_new_version_moves_set_aside_money_by_exactly_the_difference_in_one_transaction(session, world):
    before = ledger.balances(session, world.budget.id)
    count_before = len(session.exec(select(LedgerTransaction.id)).all())
    draft = _new_version(session, world, quantity="10")
    _agree(session, world, draft)
    after = assert_ledger_sound(session, world.budget.id)
    difference = 2 * 2200 * 4  # two more hours a week for four weeks
    assert after.committed - before.committed == difference
    assert before.available - after.available == difference
    assert len(session.exec(select(LedgerTransaction.id)).all()) == count_before + 1
    session.refresh(world.package)
    assert world.package.status == PackageStatus.SUPERSEDED.value
    old_line = lines_of(session, world.package.id)[0]
    assert after.committed_to(line_commitment(world.package.id, old_line.id)) == 0


def test_money_already_billed_to_the_old_lines_stays_spent_and_only_the_rest_is_released(session, world):
    old_line = lines_of(session, world.package.id)[0]
    reference = line_commitment(world.package.id, old_line.id)
    ledger.approve_invoice(session, budget_id=world.budget.id, commitment=reference, provider_id=world.provider.id,
                           amount_pence=17_600, idempotency_key="invoice-1", actor=None, memo="Week 1")
    session.commit()
    before = ledger.balances(session, world.budget.id)
    draft = _new_version(session, world, quantity="10")
    _agree(session, world, draft)
    after = assert_ledger_sound(session, world.budget.id)
    assert after.spent == before.spent == 17_600
    assert after.committed_to(reference) == 0
    # What the old line still held (£704 less £176 billed) came back; the new version is set aside whole.
    assert after.available == before.available + (EIGHT_HOURS_FOR_FOUR_WEEKS - 17_600) - 88_000


def test_a_version_from_a_later_date_keeps_what_the_old_one_still_needs_before_then(session, world):
    scope = scope_of(session, world.sam, world.person)
    draft = versions.start_new_version(session, scope, package_id=world.package.id, today=TODAY)
    building.change_dates(session, scope, package_id=draft.id, start_on=TODAY + timedelta(days=14),
                          end_on=draft.end_on)
    session.commit()
    _agree(session, world, draft)
    old_line = lines_of(session, world.package.id)[0]
    after = assert_ledger_sound(session, world.budget.id)
    assert after.committed_to(line_commitment(world.package.id, old_line.id)) == 35_200  # two weeks of 8 hours
    assert after.committed_to(line_commitment(draft.id, lines_of(session, draft.id)[0].id)) == 35_200


def test_a_version_cannot_be_agreed_once_the_old_one_is_no_longer_agreed(session, world):
    draft = _new_version(session, world)
    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=draft.id, today=TODAY)
    session.commit()
    accept_every_line(session, world.provider_user, draft)
    world.package.status = PackageStatus.ENDED.value  # as if it was ended meanwhile
    session.add(world.package)
    session.commit()
    with pytest.raises(ServiceError, match="the version it replaces is ended"):
        lifecycle.approve(session, scope_of(session, world.priya, world.person), package_id=draft.id, today=TODAY)


def test_the_version_page_shows_the_difference(client_request, session, world):
    draft = _new_version(session, world, quantity="10")
    client_request.login(world.sam)
    page = client_request.get(f"/packages/{draft.id}")
    text = page.select_one("#changes").find_parent().get_text(" ", strip=True)
    assert "+£44.00 a week, +£176.00 in total" in " ".join(page.select_one("#cost-difference").stripped_strings)
    assert "+2 hours a week" in text
    free_now = ledger.balances(session, world.budget.id).available
    figures = page.select_one("#cost").find_next("dl").get_text(" ", strip=True)
    assert f"Free to use after this package {format_money(free_now - 17_600)}" in figures
    old_page = client_request.get(f"/packages/{world.package.id}")
    assert "Version 2 of this package is being changed or agreed" in old_page.get_text(" ", strip=True)


def test_sam_changes_a_package_through_the_pages(client_request, session, world):
    client_request.login(world.sam)
    client_request.post(f"/packages/{world.package.id}/change", {})
    draft = session.exec(select(CarePackage).where(CarePackage.supersedes_id == world.package.id)).one()
    line = lines_of(session, draft.id)[0]
    client_request.post(f"/packages/{draft.id}/lines/{line.id}/change",
                        {"quantity": "12", "outcome_id": str(line.outcome_id)},
                        expected_redirect=f"/packages/{draft.id}")
    session.rollback()
    # The new version starts today (the page's real date), so it may run for less than 4 weeks.
    draft = session.get(CarePackage, draft.id)
    days = (draft.end_on - draft.start_on).days + 1
    assert draft.total_pence == round_half_up(Fraction(12 * 2200 * days, 7))
    page = client_request.post(f"/packages/{draft.id}/lines/{line.id}/change",
                               {"quantity": "٣", "outcome_id": str(line.outcome_id)}, expected_status=400)
    assert "as a number" in page.get_text()


# The difference, for every kind of change ----------------------------------------------------------

def _another(draw, value: int, most: int) -> int:
    return draw(st.integers(1, most).filter(lambda other: other != value))


@st.composite
def version_pairs(draw):
    start = date(2026, 12, 1) + timedelta(days=draw(st.integers(0, 30)))
    old_dates = (start, start + timedelta(days=draw(st.integers(0, 120))))
    old_lines = [_Line(id=index + 1, replaces_line_id=None, title=f"Support {index}", provider_name="P",
                       unit=draw(st.sampled_from(["hour", "day", "item"])),
                       unit_price_pence=draw(st.integers(1, 50_000)),
                       quantity_hundredths=draw(st.integers(1, 5000)), weekly=draw(st.booleans()),
                       outcome_id=draw(st.integers(1, 3)), category="personal_care")
                 for index in range(draw(st.integers(0, 6)))]
    new_lines = []
    for line in old_lines:
        edit = draw(st.sampled_from(["keep", "units", "price", "outcome", "how often", "remove"]))
        if edit == "remove":
            continue
        copy = line._replace(id=100 + line.id, replaces_line_id=line.id)
        if edit == "units":
            copy = copy._replace(quantity_hundredths=_another(draw, line.quantity_hundredths, 5000))
        elif edit == "price":
            copy = copy._replace(unit_price_pence=_another(draw, line.unit_price_pence, 50_000))
        elif edit == "outcome":
            copy = copy._replace(outcome_id=draw(st.integers(4, 6)))
        elif edit == "how often":
            copy = copy._replace(weekly=not line.weekly)
        new_lines.append((edit, copy))
    added = [_Line(id=200 + index, replaces_line_id=None, title="New", provider_name="Q", unit="hour",
                   unit_price_pence=draw(st.integers(1, 50_000)), quantity_hundredths=draw(st.integers(1, 5000)),
                   weekly=draw(st.booleans()), outcome_id=1, category="transport")
             for index in range(draw(st.integers(0, 3)))]
    if draw(st.booleans()):
        new_dates = old_dates
    else:
        new_start = old_dates[0] + timedelta(days=draw(st.integers(0, 20)))
        new_dates = (new_start, new_start + timedelta(days=draw(st.integers(0, 120))))
    return old_lines, old_dates, new_lines, added, new_dates


class _Line(NamedTuple):
    id: int
    replaces_line_id: int | None
    title: str
    provider_name: str
    unit: str
    unit_price_pence: int
    quantity_hundredths: int
    weekly: bool
    outcome_id: int
    category: str


@given(version_pairs())
def test_old_total_plus_the_difference_is_the_new_total_for_any_edits(pair):
    old_lines, old_dates, edited, added, new_dates = pair
    new_lines = [line for _edit, line in edited] + added
    result = diff.diff_versions(old_lines, old_dates, new_lines, new_dates)
    new_total = costing.cost_package(new_lines, *new_dates).total_pence
    old_total = costing.cost_package(old_lines, *old_dates).total_pence
    assert old_total + result.total_difference == new_total
    assert old_total + sum(change.total_difference for change in result.changes) == new_total
    assert result.old_weekly + sum(change.weekly_difference for change in result.changes) == result.new_weekly
    kinds = {(change.line.id if change.kind != diff.REMOVED else change.old.id): change for change in result.changes}
    kept = {line.replaces_line_id for _edit, line in edited}
    for line in old_lines:
        if line.id not in kept:
            assert kinds[line.id].kind == diff.REMOVED
    for edit, line in edited:
        change = kinds[line.id]
        if edit == "keep" and new_dates == old_dates or edit == "keep" and not line.weekly:
            assert change.kind == diff.SAME
        elif edit != "keep":
            assert change.kind == diff.CHANGED
            assert edit in change.what
    for line in added:
        assert kinds[line.id].kind == diff.ADDED


def test_ending_the_old_version_while_the_new_one_is_agreed_lets_only_one_happen(app, session, world):
    """Both give back the old version's money: done at once, only one may, or it is given back twice."""
    draft = _new_version(session, world, quantity="10")
    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=draft.id, today=TODAY)
    session.commit()
    accept_every_line(session, world.provider_user, draft)
    engine = app.extensions["engine"]

    def attempt(number: int) -> str:
        with Session(engine, expire_on_commit=False) as db:
            try:
                if number == 0:
                    lifecycle.approve(db, scope_of(db, world.priya, world.person), package_id=draft.id, today=TODAY)
                else:
                    lifecycle.end_early(db, scope_of(db, world.sam, world.person), package_id=world.package.id,
                                        from_date=TODAY, reason="", today=TODAY)
                db.commit()
                return "done"
            except ServiceError as refusal:
                db.rollback()
                return refusal.message

    results = at_once(2, attempt)
    assert results.count("done") == 1, results
    session.rollback()
    after = assert_ledger_sound(session, world.budget.id)
    old_line = lines_of(session, world.package.id)[0]
    assert after.committed_to(line_commitment(world.package.id, old_line.id)) == 0
    assert after.committed in (0, 88_000)  # ended (nothing set aside) or replaced (version 2 set aside)
