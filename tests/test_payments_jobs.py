"""Payments in the background (Huey, inline in tests): sending with retries, the hourly retry
sweep and the weekly reconciliation, each safe to run twice; staff hear of a failure once."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from marketplace import jobs, ledger
from marketplace.models import JobFailure, Notification, Role
from marketplace.payments import service
from marketplace.payments.jobs import reconcile_job, retry_payments_job, send_payment_job
from tests.factories import create_user
from tests.factories_payments import owe_provider, payment_row, ready_provider


def _ask(session, budget, provider, *, key="payment-invoice-1"):
    payment = service.request_payment(
        session, budget_id=budget.id, provider_id=provider.id, amount_pence=5_000, idempotency_key=key,
        description="Invoice BP-1", requested_by=None, stripe_enabled=True)
    session.commit()
    return payment


def _run_scheduled_retry() -> None:
    [waiting] = jobs.huey.read_schedule(datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1))
    jobs.huey.execute(waiting, timestamp=waiting.eta)


def _failure_notices(session) -> list[tuple[int, str]]:
    session.expire_all()
    return [(n.recipient_id, n.link) for n in session.exec(
        select(Notification).where(Notification.kind == "payment_failed").order_by(Notification.id))]


def test_the_send_job_pays_once_however_often_it_runs(session, stripe_on):
    provider = ready_provider(session, stripe_on)
    budget = owe_provider(session, provider=provider)
    payment = _ask(session, budget, provider)

    send_payment_job(payment.id)
    send_payment_job(payment.id)

    assert payment_row(session, payment.id).status == "paid"
    assert len(stripe_on.state.transfers) == 1
    assert ledger.balances(session, budget.id).paid == 5_000


def test_a_failed_send_is_retried_with_backoff_and_staff_and_council_are_told_once(session, stripe_on):
    council = create_user(session, role=Role.COMMISSIONER)
    provider = ready_provider(session, stripe_on)
    staff = create_user(session, role=Role.PROVIDER, provider=provider)
    budget = owe_provider(session, provider=provider)
    payment = _ask(session, budget, provider)
    stripe_on.inject("POST", "/v1/transfers", "server_error")
    stripe_on.inject("POST", "/v1/transfers", "server_error")

    send_payment_job(payment.id)
    assert payment_row(session, payment.id).status == "failed"
    _run_scheduled_retry()  # fails again: no second notice
    assert payment_row(session, payment.id).status == "failed"
    _run_scheduled_retry()

    assert payment_row(session, payment.id).status == "paid"
    assert len(stripe_on.state.transfers) == 1
    assert session.exec(select(JobFailure)).all() == []
    assert _failure_notices(session) == [(staff.id, "/provider/payouts"), (council.id, "/admin/payments")]


def test_the_hourly_retry_sends_what_failed_and_pays_nothing_twice(session, stripe_on):
    provider = ready_provider(session, stripe_on)
    budget = owe_provider(session, provider=provider, amount_pence=10_000)
    first, second = _ask(session, budget, provider, key="payment-a"), _ask(session, budget, provider, key="payment-b")
    for payment in (first, second):
        service.record_failure(session, payment_id=payment.id, message="Stripe was down")
    session.commit()

    assert retry_payments_job.call_local() == 2
    assert retry_payments_job.call_local() == 0

    assert len(stripe_on.state.transfers) == 2
    assert ledger.balances(session, budget.id).paid == 10_000


def test_the_retry_and_reconciliation_do_nothing_without_stripe(session, app):
    assert retry_payments_job.call_local() == 0
    assert reconcile_job.call_local() == 0


def test_the_weekly_reconciliation_counts_the_differences(session, stripe_on, caplog):
    provider = ready_provider(session, stripe_on)
    budget = owe_provider(session, provider=provider)
    send_payment_job(_ask(session, budget, provider).id)
    assert reconcile_job.call_local() == 0

    stripe_on.add_transfer(amount=2_500, destination="acct_unknown")

    assert reconcile_job.call_local() == 1
    assert "extra: Transfer" in caplog.text
