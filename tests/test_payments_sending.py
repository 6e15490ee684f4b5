"""Paying providers through Stripe (the real client talking to the fake_stripe) and by bank transfer."""

import pytest
from sqlalchemy import text
from sqlmodel import select

from marketplace import ledger
from marketplace.errors import ServiceError
from marketplace.models import LedgerTransaction, PaymentStatus, Role
from marketplace.payments import service
from marketplace.payments.jobs import retry_due_payments, send_payment
from marketplace.scope import scope_for
from tests.factories import create_provider, create_user
from tests.factories_payments import client_for, owe_provider, payment_row, ready_provider


@pytest.fixture
def engine(app):
    return app.extensions["engine"]


def _ask(session, budget, provider, *, amount=5_000, key="payment-invoice-1", stripe=True, by=None):
    payment = service.request_payment(
        session, budget_id=budget.id, provider_id=provider.id, amount_pence=amount,
        idempotency_key=key, description="Invoice BP-1 for help at home", requested_by=by,
        stripe_enabled=stripe)
    session.commit()
    return payment


def _payments_in_ledger(session, budget_id) -> int:
    session.expire_all()
    return len(session.exec(select(LedgerTransaction).where(
        LedgerTransaction.budget_id == budget_id, LedgerTransaction.kind == "payment")).all())


def test_a_payment_is_one_transfer_and_one_ledger_entry(session, engine, fake_stripe):
    provider = ready_provider(session, fake_stripe)
    budget = owe_provider(session, provider=provider, amount_pence=5_000)
    payment = _ask(session, budget, provider)

    outcome = send_payment(engine, client_for(fake_stripe), payment.id)

    assert outcome.status == "paid"
    [transfer] = fake_stripe.state.transfers
    assert (transfer["amount"], transfer["currency"]) == (5_000, "gbp")
    assert transfer["metadata"] == {"payment_key": "payment-invoice-1"}
    paid = payment_row(session, payment.id)
    assert (paid.status, paid.stripe_transfer_id, paid.attempts) == ("paid", transfer["id"], 1)
    balances = ledger.balances(session, budget.id)
    assert (balances.payable_to(provider.id), balances.paid) == (0, 5_000)
    # Sending again, or retrying everything, changes nothing.
    assert send_payment(engine, client_for(fake_stripe), payment.id).status == "not_sent"
    assert retry_due_payments(engine, client_for(fake_stripe)) == []
    assert len(fake_stripe.state.transfers) == 1 and _payments_in_ledger(session, budget.id) == 1


@pytest.mark.parametrize("fault", ["server_error", "lost_response", "slow"])
def test_after_a_failed_or_unanswered_request_the_retry_pays_exactly_once(session, engine, fake_stripe, fault):
    provider = ready_provider(session, fake_stripe)
    budget = owe_provider(session, provider=provider)
    payment = _ask(session, budget, provider)
    fake_stripe.inject("POST", "/v1/transfers", fault, seconds=2)  # slow: longer than the 1 s timeout

    first = send_payment(engine, client_for(fake_stripe), payment.id)

    assert first.status == "failed"
    failed = payment_row(session, payment.id)
    assert failed.status == "failed" and failed.last_error
    assert ledger.balances(session, budget.id).paid == 0
    [retried] = retry_due_payments(engine, client_for(fake_stripe))
    assert retried.status == "paid"
    assert len(fake_stripe.state.transfers) == 1, "the retry reused the key, so Stripe made one transfer"
    paid = payment_row(session, payment.id)
    assert (paid.status, paid.attempts, paid.stripe_transfer_id) == ("paid", 2, fake_stripe.state.transfers[0]["id"])
    assert _payments_in_ledger(session, budget.id) == 1
    assert ledger.balances(session, budget.id).paid == 5_000


def test_a_refused_transfer_fails_with_stripes_message_and_pays_nothing(session, engine, fake_stripe):
    provider = ready_provider(session, fake_stripe)
    budget = owe_provider(session, provider=provider)
    payment = _ask(session, budget, provider)
    fake_stripe.inject("POST", "/v1/transfers", "declined")

    outcome = send_payment(engine, client_for(fake_stripe), payment.id)

    assert outcome.status == "failed"
    failed = payment_row(session, payment.id)
    assert failed.status == PaymentStatus.FAILED
    assert failed.last_error == "Your account has insufficient funds to make this transfer."
    assert fake_stripe.state.transfers == []
    assert ledger.balances(session, budget.id).payable_to(provider.id) == 5_000
    assert _payments_in_ledger(session, budget.id) == 0


def test_no_database_lock_is_held_while_stripe_is_asked(session, engine, fake_stripe):
    provider = ready_provider(session, fake_stripe)
    budget = owe_provider(session, provider=provider)
    payment = _ask(session, budget, provider)
    writes = []

    def write_while_waiting(method, path):
        # Another writer gets in while the payment waits for Stripe (a held lock would make it
        # wait past the client's 1 s timeout, and the payment would fail).
        with engine.connect() as connection:
            connection.execute(text("UPDATE provider SET description = 'written meanwhile' WHERE id = :id"),
                               {"id": provider.id})
            connection.commit()
        writes.append(path)

    fake_stripe.on_request = write_while_waiting
    assert send_payment(engine, client_for(fake_stripe), payment.id).status == "paid"
    assert writes == ["/v1/transfers"]


def test_asking_twice_with_the_same_key_gives_the_same_payment(session, fake_stripe):
    provider = ready_provider(session, fake_stripe)
    budget = owe_provider(session, provider=provider)
    first = _ask(session, budget, provider)
    assert _ask(session, budget, provider).id == first.id


@pytest.mark.parametrize("amount, key, message", [
    (5_001, "payment-invoice-1", "Only £50.00 is owed"),
    (0, "payment-invoice-1", "A payment must be between"),
    (100, "invoice 1", "A payment key looks like"),
])
def test_a_payment_cannot_be_more_than_is_owed_or_malformed(session, fake_stripe, amount, key, message):
    provider = ready_provider(session, fake_stripe)
    budget = owe_provider(session, provider=provider, amount_pence=5_000)
    with pytest.raises(ServiceError, match=message):
        _ask(session, budget, provider, amount=amount, key=key)


def test_money_already_on_its_way_cannot_be_asked_for_again(session, fake_stripe):
    provider = ready_provider(session, fake_stripe)
    budget = owe_provider(session, provider=provider, amount_pence=5_000)
    _ask(session, budget, provider, amount=3_000, key="payment-invoice-1")
    with pytest.raises(ServiceError, match="Only £20.00 is owed"):
        _ask(session, budget, provider, amount=3_000, key="payment-invoice-2")


def test_above_the_councils_limit_a_second_commissioner_must_approve(session, engine, fake_stripe):
    first, second = create_user(session, role=Role.COMMISSIONER), create_user(session, role=Role.COMMISSIONER)
    service.set_second_approval_above(session, scope_for(session, first), amount_pence=4_000)
    session.commit()
    provider = ready_provider(session, fake_stripe)
    budget = owe_provider(session, provider=provider, amount_pence=5_000)
    payment = _ask(session, budget, provider, by=first)
    assert payment.status == "awaiting_approval"

    assert send_payment(engine, client_for(fake_stripe), payment.id).status == "not_sent"
    assert fake_stripe.state.transfers == []
    with pytest.raises(ServiceError, match="someone else at the council must approve it"):
        service.approve_payment(session, scope_for(session, first), payment_id=payment.id)
    session.rollback()
    service.approve_payment(session, scope_for(session, second), payment_id=payment.id)
    session.commit()
    assert send_payment(engine, client_for(fake_stripe), payment.id).status == "paid"
    assert len(fake_stripe.state.transfers) == 1


def test_a_payment_at_the_limit_needs_no_second_approval(session, fake_stripe):
    commissioner = create_user(session, role=Role.COMMISSIONER)
    service.set_second_approval_above(session, scope_for(session, commissioner), amount_pence=5_000)
    session.commit()
    provider = ready_provider(session, fake_stripe)
    budget = owe_provider(session, provider=provider, amount_pence=5_000)
    assert _ask(session, budget, provider).status == "pending"


def test_without_stripe_keys_payments_are_manual_and_paid_by_reference(session):
    commissioner = create_user(session, role=Role.COMMISSIONER)
    provider = create_provider(session, name="Brightpath Home Care")
    budget = owe_provider(session, provider=provider)
    payment = _ask(session, budget, provider, stripe=False)
    assert (payment.method, payment.status) == ("manual", "pending")

    with pytest.raises(ServiceError, match="up to 18 letters"):
        service.record_manual_payment(session, scope_for(session, commissioner), payment_id=payment.id, reference="<script>")
    session.rollback()
    service.record_manual_payment(session, scope_for(session, commissioner), payment_id=payment.id, reference="BACS 12345")
    session.commit()

    paid = payment_row(session, payment.id)
    assert (paid.status, paid.bank_reference) == ("paid", "BACS 12345")
    assert ledger.balances(session, budget.id).paid == 5_000
    with pytest.raises(ServiceError, match="already recorded as paid"):
        service.record_manual_payment(session, scope_for(session, commissioner), payment_id=payment.id, reference="AGAIN")
    session.rollback()
    assert _payments_in_ledger(session, budget.id) == 1


def test_a_provider_not_ready_is_paid_by_hand_only_if_the_council_allows_it(session, engine, fake_stripe):
    commissioner = create_user(session, role=Role.COMMISSIONER)
    provider = create_provider(session)
    budget = owe_provider(session, provider=provider, amount_pence=5_000)
    waiting = _ask(session, budget, provider, amount=2_000, key="payment-invoice-1")
    assert waiting.method == "stripe"
    assert send_payment(engine, client_for(fake_stripe), waiting.id).status == "not_sent"
    assert payment_row(session, waiting.id).last_error.startswith("The provider has not finished")

    service.allow_manual_payments(session, scope_for(session, commissioner), provider_id=provider.id, allowed=True)
    session.commit()
    assert _ask(session, budget, provider, amount=3_000, key="payment-invoice-2").method == "manual"
