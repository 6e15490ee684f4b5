"""After any history of invoices (billed, disputed, amended, withdrawn, approved, paid), three
figures agree to the penny: the budget's spent, the statement's money out, and what the
providers' remittance pages show from this budget."""

from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from marketplace import ledger
from marketplace.budgets.statement import StatementFilters, statement_rows
from marketplace.errors import ServiceError
from marketplace.invoices import service as invoices
from marketplace.models import Invoice, Role, Service
from marketplace.packages.access import lines_of
from marketplace.payments import service as payments
from tests.factories import create_user
from tests.factories_invoices import PACKAGE_START, TODAY, agree_package, billing_world
from tests.factories_packages import scope_of
from tests.factories_providers import create_listed_provider
from tests.ledger_checks import assert_ledger_sound

period = st.tuples(st.integers(0, 27), st.integers(0, 6))  # first day of the package, and how many more
units = st.integers(1, 400).map(lambda hundredths: f"{hundredths // 100}.{hundredths % 100:02d}")
bill = st.tuples(st.just("bill"), st.integers(0, 1), period, units)
step = st.one_of(
    bill,
    st.tuples(st.just("dispute"), st.integers(0, 30)),
    st.tuples(st.just("amend"), st.integers(0, 30), period, units),
    st.tuples(st.just("withdraw"), st.integers(0, 30)),
    # Approving and paying are what move money: they come up three times as often.
    *[st.tuples(st.just("approve"), st.integers(0, 30))] * 3,
    *[st.tuples(st.just("pay"), st.integers(0, 30))] * 3,
)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=st.tuples(st.lists(bill, min_size=1, max_size=6), st.lists(step, max_size=25))
       .map(lambda parts: parts[0] + parts[1]))
def test_spent_statement_and_remittances_agree(session, history):
    world = billing_world(session, paid_in_pence=300_000)
    other = create_listed_provider(session, name="Meanwood Day Opportunities", price_pence=1733, unit="hour")
    other_staff = create_user(session, role=Role.PROVIDER, provider=other)
    other_service = session.exec(select(Service).where(Service.provider_id == other.id)).one()
    package = agree_package(session, world.sam, world.person, world.priya, other_staff, other_service, quantity="3.5")
    lines = [(world.line, world.provider_user), (lines_of(session, package.id)[0], other_staff)]
    council = scope_of(session, create_user(session, role=Role.COMMISSIONER))
    sam = scope_of(session, world.sam, world.person)
    billed: list[Invoice] = []

    def pick(number):
        return billed[number % len(billed)] if billed else None

    for number, (action, *arguments) in enumerate(history):
        try:
            if action == "bill":
                which, (first, extra), how_many = arguments
                line, staff = lines[which]
                start = PACKAGE_START + timedelta(days=first)
                billed.append(invoices.submit(
                    session, scope_of(session, staff), line_id=line.id, reference=f"R{number}",
                    period_start=start, period_end=min(start + timedelta(days=extra), PACKAGE_START + timedelta(days=27)),
                    units=how_many, today=TODAY))
            elif (invoice := pick(arguments[0])) is None:
                continue
            elif action == "dispute":
                invoices.dispute(session, sam, invoice_id=invoice.id, reason="Not right")
            elif action == "amend":
                (first, extra), how_many = arguments[1:]
                staff = dict((line.id, user) for line, user in lines)[invoice.line_id]
                start = PACKAGE_START + timedelta(days=first)
                invoices.amend(session, scope_of(session, staff), invoice_id=invoice.id, period_start=start,
                               period_end=min(start + timedelta(days=extra), PACKAGE_START + timedelta(days=27)),
                               units=how_many, today=TODAY)
            elif action == "withdraw":
                staff = dict((line.id, user) for line, user in lines)[invoice.line_id]
                invoices.withdraw(session, scope_of(session, staff), invoice_id=invoice.id)
            elif action == "approve":
                invoices.approve(session, sam, invoice_id=invoice.id, stripe_enabled=False, today=TODAY)
            elif action == "pay":
                session.refresh(invoice)
                if invoice.payment_id is None:
                    continue
                payments.record_manual_payment(session, council, payment_id=invoice.payment_id, reference="BACS")
            session.commit()
            event(f"{action} done")
        except ServiceError:
            session.rollback()
            event(f"{action} refused")

    session.expire_all()
    money = assert_ledger_sound(session, world.budget.id)
    statement_out = sum(row.money_out for row in statement_rows(session, world.budget.id, StatementFilters()))
    remitted = [payment for provider in (world.provider, other)
                for payment in payments.payments_to_provider(session, provider.id) if payment.budget_id == world.budget.id]
    approved = session.exec(select(Invoice).where(Invoice.budget_id == world.budget.id,
                                                  Invoice.status == "approved")).all()
    assert money.spent == statement_out == sum(p.amount_pence for p in remitted) \
        == sum(i.amount_pence for i in approved)
    assert money.paid == sum(p.amount_pence for p in remitted if p.status == "paid")
    for provider in (world.provider, other):
        by_provider = StatementFilters(provider_id=provider.id)
        assert sum(row.money_out for row in statement_rows(session, world.budget.id, by_provider)) == \
            sum(p.amount_pence for p in remitted if p.provider_id == provider.id)
    assert money.committed == sum(
        ledger.balances(session, world.budget.id).committed_to(invoices.commitment_of(line)) for line, _ in lines)
