"""`flask payments reconcile`: Stripe's transfers against our payments."""

import pytest
from sqlmodel import select

from marketplace.models import Payment, PayoutAccount
from marketplace.payments import service
from marketplace.payments.jobs import send_payment
from tests.factories_payments import client_for, owe_provider, ready_provider


def _paid(session, app, stripe_on, provider, budget, n: int, amount: int = 1_000) -> Payment:
    payment = service.request_payment(
        session, budget_id=budget.id, provider_id=provider.id, amount_pence=amount,
        idempotency_key=f"payment-invoice-{n}", description=f"Invoice {n}", requested_by=None,
        stripe_enabled=True)
    session.commit()
    assert send_payment(app.extensions["engine"], client_for(stripe_on), payment.id).status == "paid"
    session.expire_all()
    return session.get(Payment, payment.id)


@pytest.fixture
def three_paid(session, app, stripe_on):
    provider = ready_provider(session, stripe_on)
    budget = owe_provider(session, provider=provider, amount_pence=3_000)
    return [_paid(session, app, stripe_on, provider, budget, n) for n in (1, 2, 3)]


def test_a_clean_run_reports_zero_differences(runner, three_paid, stripe_on):
    for n in range(120):  # more than one page of the list
        stripe_on.add_transfer(amount=100, destination="acct_elsewhere", created=1_000_000 + n)
    result = runner.invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "zero differences" in result.output


def test_missing_extra_and_wrong_amount_transfers_are_reported(runner, session, three_paid, stripe_on):
    missing, wrong_amount, _fine = three_paid
    stripe_on.state.transfers = [t for t in stripe_on.state.transfers if t["id"] != missing.stripe_transfer_id]
    next(t for t in stripe_on.state.transfers if t["id"] == wrong_amount.stripe_transfer_id)["amount"] = 1_500
    account_id = session.exec(select(PayoutAccount)).one().stripe_account_id
    extra = stripe_on.add_transfer(amount=2_500, destination=account_id)

    result = runner.invoke(args=["payments", "reconcile"])

    assert result.exit_code == 1
    assert "3 differences" in result.output
    assert f"missing: Payment {missing.id} of £10.00" in result.output
    assert f"extra: Transfer {extra['id']} of £25.00" in result.output
    assert f"amount: Transfer {wrong_amount.stripe_transfer_id} is £15.00 but payment {wrong_amount.id} is £10.00" in result.output


def test_a_transfer_to_the_wrong_account_is_reported(runner, three_paid, stripe_on):
    stripe_on.state.transfers[0]["destination"] = "acct_someone_else"
    result = runner.invoke(args=["payments", "reconcile"])
    assert result.exit_code == 1
    assert "destination: Transfer" in result.output and "acct_someone_else" in result.output


def test_reconciliation_needs_stripe(runner, app):
    app.config["STRIPE_SECRET_KEY"] = ""
    result = runner.invoke(args=["payments", "reconcile"])
    assert result.exit_code == 1 and "Stripe is not set up" in result.output
