"""An invoice's life (DESIGN §3), rule by rule: what a provider may bill, who may approve,
and what each step does to the budget's money."""

from datetime import date, time

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from marketplace import ledger
from marketplace.errors import ServiceError
from marketplace.invoices import service as invoices
from marketplace.invoices.service import Visit
from marketplace.models import (
    AuditLog,
    Invoice,
    InvoiceVisit,
    LedgerTransaction,
    Notification,
    Payment,
    Role,
)
from marketplace.packages.access import lines_of
from marketplace.scope import NotAllowed
from tests.factories import create_user
from tests.factories_advocacy import create_advocate_link
from tests.factories_invoices import (
    LAST_WEEK,
    PACKAGE_END,
    PACKAGE_START,
    TODAY,
    agree_package,
    approve,
    bill,
    billing_world,
)
from tests.factories_packages import draft_package, scope_of
from tests.factories_providers import create_listed_provider
from tests.ledger_checks import assert_ledger_sound
from tests.race import at_once

EIGHT_HOURS = 17_600  # 8 hours at £22
PACKAGE_TOTAL = 70_400  # 8 hours a week for 4 weeks


@pytest.fixture
def world(session):
    return billing_world(session)


def _written(session) -> tuple[int, int, int, int]:
    """Everything a refused step must leave untouched."""
    session.rollback()
    return tuple(session.exec(select(func.count()).select_from(model)).one()
                 for model in (Invoice, LedgerTransaction, Payment, AuditLog))


def _refused(session, function, *args, match: str, field: str | None = None, **kwargs):
    before = _written(session)
    with pytest.raises(ServiceError) as refusal:
        function(session, *args, **kwargs)
    assert match in refusal.value.message
    if field is not None:
        assert refusal.value.field == field
    assert _written(session) == before
    return refusal.value


def test_the_whole_journey_bills_approves_and_pays_to_the_penny(session, world):
    invoice = bill(session, world)
    assert (invoice.amount_pence, invoice.unit_price_pence, invoice.status) == (EIGHT_HOURS, 2200, "submitted")
    payment = approve(session, world, invoice)
    assert payment.idempotency_key == f"payment-invoice-{invoice.id}"
    assert (payment.amount_pence, payment.method, payment.status) == (EIGHT_HOURS, "manual", "pending")
    council = create_user(session, role=Role.COMMISSIONER)
    from marketplace.payments import service as payments

    payments.record_manual_payment(session, scope_of(session, council), payment_id=payment.id, reference="BACS 123")
    session.commit()
    money = assert_ledger_sound(session, world.budget.id)
    assert money.spent == money.paid == EIGHT_HOURS
    assert money.committed_to(invoices.commitment_of(world.line)) == PACKAGE_TOTAL - EIGHT_HOURS
    rows = invoices.invoices_for_provider(session, scope_of(session, world.provider_user))
    assert [row.state for row in rows] == ["Paid"]


def test_visits_give_the_units(session, world):
    visits = [Visit(date(2026, 11, 23), time(9, 0), time(11, 30)), Visit(date(2026, 11, 25), time(14, 0), time(14, 20))]
    invoice = bill(session, world, units="", visits=visits)
    assert invoice.units_hundredths == 250 + 33  # 2½ hours and a third of an hour, to the hundredth
    assert invoice.amount_pence == 6226  # 2.83 hours × £22
    assert len(session.exec(select(InvoiceVisit).where(InvoiceVisit.invoice_id == invoice.id)).all()) == 2


@pytest.mark.parametrize("visit, message", [
    (Visit(date(2026, 11, 22), time(9), time(10)), "Visit 1 is not within the period"),
    (Visit(date(2026, 11, 23), time(10), time(9)), "Visit 1 must end after it starts"),
])
def test_a_visit_outside_the_period_or_backwards_is_refused(session, world, visit, message):
    _refused(session, invoices.submit, scope_of(session, world.provider_user), line_id=world.line.id,
             reference="BP-1", period_start=LAST_WEEK[0], period_end=LAST_WEEK[1], visits=[visit], today=TODAY,
             match=message, field="visits")


@pytest.mark.parametrize("period, units, message, field", [
    ((date(2026, 11, 23), date(2026, 11, 29)), "8.01", "This line has 8 hours for that period", "units"),
    # Part weeks count by days: 10 days of 8 hours a week is 11.42857… hours, rounded down.
    ((date(2026, 11, 2), date(2026, 11, 11)), "11.43", "This line has 11.42 hours", "units"),
    ((date(2026, 11, 1), date(2026, 11, 7)), "8", "within the care package", "period_start"),
    ((date(2026, 11, 23), date(2026, 12, 2)), "8", "have not happened yet", "period_end"),
    ((date(2026, 11, 23), date(2026, 11, 22)), "8", "same as or after the first day", "period_end"),
    ((date(2026, 11, 23), date(2026, 11, 29)), "", "Enter the number of hours", "units"),
    ((date(2026, 11, 23), date(2026, 11, 29)), "٨", "as a number", "units"),
    ((date(2026, 11, 23), date(2026, 11, 29)), "0", "must be more than 0", "units"),
])
def test_what_a_line_may_bill_for_a_period(session, world, period, units, message, field):
    _refused(session, invoices.submit, scope_of(session, world.provider_user), line_id=world.line.id,
             reference="BP-9", period_start=period[0], period_end=period[1], units=units, today=TODAY,
             match=message, field=field)


def test_ten_days_may_bill_up_to_the_days_share_of_the_week(session, world):
    invoice = bill(session, world, period=(date(2026, 11, 2), date(2026, 11, 11)), units="11.42")
    assert invoice.amount_pence == 25_124


def test_a_reference_cannot_be_used_twice_even_after_withdrawing(session, world):
    first = bill(session, world, reference="BP-1")
    invoices.withdraw(session, scope_of(session, world.provider_user), invoice_id=first.id)
    session.commit()
    _refused(session, invoices.submit, scope_of(session, world.provider_user), line_id=world.line.id,
             reference="BP-1", period_start=LAST_WEEK[0], period_end=LAST_WEEK[1], units="8", today=TODAY,
             match="already used the reference BP-1", field="reference")


def test_overlapping_periods_for_one_line_are_refused(session, world):
    bill(session, world, reference="BP-1", period=LAST_WEEK)
    _refused(session, invoices.submit, scope_of(session, world.provider_user), line_id=world.line.id,
             reference="BP-2", period_start=date(2026, 11, 29), period_end=date(2026, 11, 29), units="1",
             today=TODAY, match="Your invoice BP-1 already covers 23 November to 29 November 2026",
             field="period_start")


def test_a_withdrawn_invoice_frees_its_period(session, world):
    first = bill(session, world, reference="BP-1")
    invoices.withdraw(session, scope_of(session, world.provider_user), invoice_id=first.id)
    session.commit()
    assert bill(session, world, reference="BP-2").status == "submitted"


def test_no_more_than_is_left_set_aside_for_the_line(session):
    """A one-off line of 3 sessions: once two are approved, a bill for two more is refused."""
    world = billing_world(session, quantity="3", weekly=False, unit="session", price_pence=5000)
    approve(session, world, bill(session, world, reference="S-1", period=(date(2026, 11, 2), date(2026, 11, 2)),
                                 units="2"))
    _refused(session, invoices.submit, scope_of(session, world.provider_user), line_id=world.line.id,
             reference="S-2", period_start=date(2026, 11, 3), period_end=date(2026, 11, 3), units="2", today=TODAY,
             match="Only £50.00 is left set aside for this line, so you cannot bill £100.00", field="units")


def test_a_line_that_is_not_agreed_and_running_cannot_be_billed(session, world):
    draft = draft_package(session, world.sam, world.person, lines=[(world.service, "4")])
    line = lines_of(session, draft.id)[0]
    # Not sent to the provider yet: as far as the provider can tell, there is no such line.
    with pytest.raises(LookupError):
        invoices.submit(session, scope_of(session, world.provider_user), line_id=line.id, reference="X",
                        period_start=LAST_WEEK[0], period_end=LAST_WEEK[1], units="1", today=TODAY)
    from marketplace.packages import lifecycle

    lifecycle.submit(session, scope_of(session, world.sam, world.person), package_id=draft.id, today=TODAY)
    session.commit()
    _refused(session, invoices.submit, scope_of(session, world.provider_user), line_id=line.id, reference="X",
             period_start=LAST_WEEK[0], period_end=LAST_WEEK[1], units="1", today=TODAY,
             match="only bill support that is agreed and running")


def test_a_provider_cannot_see_or_bill_another_providers_line(session, world):
    other = create_listed_provider(session, name="Other Care")
    other_user = create_user(session, role=Role.PROVIDER, provider=other)
    with pytest.raises(LookupError):
        invoices.submit(session, scope_of(session, other_user), line_id=world.line.id, reference="X",
                        period_start=LAST_WEEK[0], period_end=LAST_WEEK[1], units="1", today=TODAY)
    invoice = bill(session, world)
    with pytest.raises(LookupError):
        invoices.invoice_in_scope(session, scope_of(session, other_user), invoice.id)
    with pytest.raises(LookupError):
        invoices.withdraw(session, scope_of(session, other_user), invoice_id=invoice.id)
    assert invoices.invoices_for_provider(session, scope_of(session, other_user)) == []
    assert invoices.billable_lines(session, scope_of(session, other_user)) == []


def test_another_person_cannot_see_or_approve_the_invoice(session, world):
    invoice = bill(session, world)
    stranger = create_user(session, role=Role.PERSON)
    from tests.factories import person_of

    person = person_of(session, stranger)
    with pytest.raises(LookupError):
        invoices.approve(session, scope_of(session, stranger, person), invoice_id=invoice.id,
                         stripe_enabled=False, today=TODAY)


@pytest.mark.parametrize("permissions, allowed", [
    (("view",), False),
    (("view", "approve_invoices"), True),
])
def test_an_advocate_approves_only_with_approve_invoices(session, world, permissions, allowed):
    alex = create_user(session, role=Role.ADVOCATE, name="Alex Morgan")
    create_advocate_link(session, person=world.person, advocate=alex, permissions=permissions)
    invoice = bill(session, world)
    scope = scope_of(session, alex, world.person)
    if allowed:
        approve(session, world, invoice, by=alex)
        assert assert_ledger_sound(session, world.budget.id).spent == EIGHT_HOURS
    else:
        before = _written(session)
        with pytest.raises(NotAllowed):
            invoices.approve(session, scope, invoice_id=invoice.id, stripe_enabled=False, today=TODAY)
        with pytest.raises(NotAllowed):
            invoices.dispute(session, scope, invoice_id=invoice.id, reason="Wrong")
        assert _written(session) == before


def test_providers_and_professionals_cannot_approve(session, world):
    invoice = bill(session, world)
    for user in (world.provider_user, world.priya):
        with pytest.raises((NotAllowed, LookupError)):
            invoices.approve(session, scope_of(session, user, world.person), invoice_id=invoice.id,
                             stripe_enabled=False, today=TODAY)
        session.rollback()


def test_a_dispute_needs_a_reason_the_provider_reads_and_an_amendment_sends_it_again(session, world):
    invoice = bill(session, world)
    sam = scope_of(session, world.sam, world.person)
    _refused(session, invoices.dispute, sam, invoice_id=invoice.id, reason="  ",
             match="Enter why you dispute this invoice", field="reason")
    invoices.dispute(session, sam, invoice_id=invoice.id, reason="Nobody came on Tuesday")
    session.commit()
    _refused(session, invoices.approve, sam, invoice_id=invoice.id, stripe_enabled=False, today=TODAY,
             match="is disputed, so it cannot be approved")
    provider = scope_of(session, world.provider_user)
    row = invoices.invoices_for_provider(session, provider)[0]
    assert (row.state, row.invoice.dispute_reason) == ("Disputed", "Nobody came on Tuesday")
    told = session.exec(select(Notification.recipient_id).where(Notification.kind == "invoice.disputed")).all()
    assert told == [world.provider_user.id]
    _refused(session, invoices.amend, provider, invoice_id=invoice.id, period_start=LAST_WEEK[0],
             period_end=LAST_WEEK[1], units="9", today=TODAY, match="This line has 8 hours", field="units")
    amended = invoices.amend(session, provider, invoice_id=invoice.id, period_start=LAST_WEEK[0],
                             period_end=LAST_WEEK[1], units="6", today=TODAY)
    session.commit()
    assert (amended.status, amended.amount_pence) == ("submitted", 13_200)
    _refused(session, invoices.amend, provider, invoice_id=invoice.id, period_start=LAST_WEEK[0],
             period_end=LAST_WEEK[1], units="6", today=TODAY, match="only change an invoice that was disputed")
    approve(session, world, amended)
    assert assert_ledger_sound(session, world.budget.id).spent == 13_200


def test_an_amended_invoice_is_no_longer_disputed_once_approved(session, world):
    """The reason stays in the invoice's history, not on the invoice: once the changed invoice
    is approved it is not on the council's list of disputes, and Sam can still query it."""
    from datetime import timedelta

    invoice = bill(session, world)
    sam = scope_of(session, world.sam, world.person)
    invoices.dispute(session, sam, invoice_id=invoice.id, reason="Nobody came on Tuesday")
    session.commit()
    amended = invoices.amend(session, scope_of(session, world.provider_user), invoice_id=invoice.id,
                             period_start=LAST_WEEK[0], period_end=LAST_WEEK[1], units="6", today=TODAY)
    session.commit()
    assert amended.dispute_reason == ""
    approve(session, world, amended)
    council = scope_of(session, create_user(session, role=Role.COMMISSIONER))
    assert invoices.disputed_after_approval(session, council) == []
    session.refresh(amended)
    invoices.dispute(session, sam, invoice_id=amended.id, reason="Only 5 hours happened",
                     now=amended.decided_at + timedelta(days=1))
    session.commit()
    assert [found.id for found, _provider, _person in invoices.disputed_after_approval(session, council)] == [amended.id]
    reasons = session.exec(select(AuditLog.detail).where(AuditLog.object_type == "invoice",
                                                         AuditLog.object_id == amended.id,
                                                         col(AuditLog.action).in_(("invoice.disputed", "invoice.queried")))
                           .order_by(AuditLog.id)).all()
    assert [detail["reason"] for detail in reasons] == ["Nobody came on Tuesday", "Only 5 hours happened"]


def test_only_invoices_not_yet_approved_can_be_withdrawn(session, world):
    invoice = bill(session, world)
    approve(session, world, invoice)
    _refused(session, invoices.withdraw, scope_of(session, world.provider_user), invoice_id=invoice.id,
             match="You cannot withdraw invoice BP-1001: it is approved")


def test_approving_twice_moves_the_money_once(session, world):
    invoice = bill(session, world)
    approve(session, world, invoice)
    _refused(session, invoices.approve, scope_of(session, world.sam, world.person), invoice_id=invoice.id,
             stripe_enabled=False, today=TODAY, match="is approved, so it cannot be approved")
    assert assert_ledger_sound(session, world.budget.id).spent == EIGHT_HOURS


def test_a_dispute_within_14_days_of_approval_tells_the_council(session, world):
    from datetime import timedelta

    council = create_user(session, role=Role.COMMISSIONER)
    invoice = bill(session, world)
    approve(session, world, invoice)
    sam = scope_of(session, world.sam, world.person)
    session.refresh(invoice)
    late = invoice.decided_at + timedelta(days=15)
    _refused(session, invoices.dispute, sam, invoice_id=invoice.id, reason="Too much", now=late,
             match="approved more than 14 days ago")
    invoices.dispute(session, sam, invoice_id=invoice.id, reason="Too much",
                     now=invoice.decided_at + timedelta(days=13))
    session.commit()
    told = session.exec(select(Notification.recipient_id).where(Notification.kind == "invoice.queried")).all()
    assert council.id in told
    _refused(session, invoices.dispute, sam, invoice_id=invoice.id, reason="Again", match="already disputed")


def test_who_is_told(session, world):
    alex = create_user(session, role=Role.ADVOCATE)
    create_advocate_link(session, person=world.person, advocate=alex, permissions=("view", "approve_invoices"))
    viewer = create_user(session, role=Role.ADVOCATE)
    create_advocate_link(session, person=world.person, advocate=viewer, permissions=("view",))
    invoice = bill(session, world)
    payment = approve(session, world, invoice)

    def told(kind):
        session.rollback()
        return sorted(session.exec(select(Notification.recipient_id).where(Notification.kind == kind)))

    assert told("invoice.to_approve") == sorted([world.sam.id, alex.id])
    assert told("invoice.approved") == [world.provider_user.id]
    council = create_user(session, role=Role.COMMISSIONER)
    from marketplace.payments import service as payments

    payments.record_manual_payment(session, scope_of(session, council), payment_id=payment.id, reference="BACS 1")
    session.commit()
    assert told("payment.made") == [world.provider_user.id]


def test_an_invoice_for_an_earlier_package_period_bills_its_own_line(session, world):
    """Two agreed packages for the same provider: each invoice comes from its own line's money."""
    second = agree_package(session, world.sam, world.person, world.priya, world.provider_user, world.service,
                           quantity="2", start_on=PACKAGE_START, end_on=PACKAGE_END)
    line = lines_of(session, second.id)[0]
    invoice = invoices.submit(session, scope_of(session, world.provider_user), line_id=line.id, reference="B2",
                              period_start=LAST_WEEK[0], period_end=LAST_WEEK[1], units="2", today=TODAY)
    session.commit()
    approve(session, world, invoice)
    money = ledger.balances(session, world.budget.id)
    assert money.committed_to(invoices.commitment_of(line)) == 17_600 - 4_400
    assert money.committed_to(invoices.commitment_of(world.line)) == PACKAGE_TOTAL


def test_twenty_approvals_at_once_against_room_for_ten_give_exactly_ten(app, session):
    """A one-off line of 10 sessions; 20 invoices of one session each, on 20 different days,
    are approved at the same moment: the ledger lets exactly the ten that fit through."""
    world = billing_world(session, quantity="10", weekly=False, unit="session", price_pence=5000)
    bills = [bill(session, world, reference=f"S-{day}", period=(date(2026, 11, day), date(2026, 11, day)), units="1")
             for day in range(2, 22)]
    engine = app.extensions["engine"]

    def attempt(number: int) -> str:
        with Session(engine, expire_on_commit=False) as db:
            try:
                invoices.approve(db, scope_of(db, world.sam, world.person), invoice_id=bills[number].id,
                                 stripe_enabled=False, today=TODAY)
                db.commit()
                return "approved"
            except ServiceError as refusal:
                db.rollback()
                return refusal.message

    results = at_once(20, attempt)
    assert results.count("approved") == 10
    assert all("Only £0.00 is set aside for this support" in r for r in results if r != "approved")
    session.rollback()
    money = assert_ledger_sound(session, world.budget.id)
    assert money.spent == 50_000 and money.committed_to(invoices.commitment_of(world.line)) == 0
    statuses = session.exec(select(Invoice.status, func.count()).group_by(Invoice.status)).all()
    assert dict(statuses) == {"approved": 10, "submitted": 10}
    assert session.exec(select(func.count()).select_from(Payment)).one() == 10


def test_an_approved_invoice_counts_against_the_budgets_category_for_that_support(session):
    from marketplace.models import BudgetCategory

    world = billing_world(session)
    session.add(BudgetCategory(budget_id=world.budget.id, key=world.line.category, name="Personal care",
                               allocation_pence=100_000))
    session.commit()
    approve(session, world, bill(session, world))
    category = session.exec(select(BudgetCategory).where(BudgetCategory.budget_id == world.budget.id)).one()
    approval = session.exec(select(LedgerTransaction).where(LedgerTransaction.kind == "invoice_approved")).one()
    assert approval.category_id == category.id


def test_an_ended_package_can_still_be_billed_for_the_days_before_it_ended(session):
    """Ended from today: the money for the days from today goes back, the weeks before stay billable."""
    from marketplace.packages import lifecycle

    world = billing_world(session, package_dates=(date(2026, 11, 2), date(2026, 12, 27)))
    lifecycle.end_early(session, scope_of(session, world.sam, world.person), package_id=world.package.id,
                        from_date=TODAY, reason="I am moving away", today=TODAY)
    session.commit()
    invoice = bill(session, world)
    assert invoice.amount_pence == EIGHT_HOURS
    assert [line.id for line, _package in invoices.billable_lines(session, scope_of(session, world.provider_user))] \
        == [world.line.id]
