"""Sending payments in the background: the three steps of a Stripe payment with a commit
between each, the hourly retry of failed payments and the weekly reconciliation.

This plays the part a view plays for a request: it opens its own sessions and commits, and no
database session is open while Stripe is asked (SQLite would hold its write lock all that time).
Safe to run twice, or at the same time on two workers: the same idempotency key gets the same
transfer from Stripe, and the ledger records it once.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from huey import crontab
from sqlalchemy import Engine
from sqlmodel import Session

from marketplace import jobs
from marketplace.payments import gateway, reconcile, service, stripe_client

log = logging.getLogger(__name__)

RETRIES = 5
FIRST_RETRY_SECONDS = 60  # then 2, 4, 8 and 16 minutes
RECONCILE_DAYS = 7


@dataclass(frozen=True)
class Outcome:
    payment_id: int
    status: str  # "paid", "failed" or "not_sent"
    message: str = ""


class PaymentNotSent(Exception):
    """Stripe refused or could not be reached: raised so the queue tries again later."""


def send_payment(engine: Engine, client, payment_id: int) -> Outcome:
    with Session(engine, expire_on_commit=False) as session:
        order = service.start_attempt(session, payment_id)
        session.commit()
    if order is None:
        return Outcome(payment_id, "not_sent")
    try:
        transfer = gateway.create_transfer(
            client, amount_pence=order.amount_pence, destination=order.destination,
            idempotency_key=order.idempotency_key, description=order.description)
    except gateway.StripeProblem as problem:
        with Session(engine, expire_on_commit=False) as session:
            service.record_failure(session, payment_id=payment_id, message=str(problem))
            session.commit()
        return Outcome(payment_id, "failed", str(problem))
    with Session(engine, expire_on_commit=False) as session:
        service.record_transfer(session, payment_id=payment_id, transfer_id=transfer.id)
        session.commit()
    return Outcome(payment_id, "paid")


def retry_due_payments(engine: Engine, client) -> list[Outcome]:
    """Every failed (or interrupted) Stripe payment, tried again with its own key."""
    with Session(engine, expire_on_commit=False) as session:
        due = service.due_for_sending(session)
    return [send_payment(engine, client, payment_id) for payment_id in due]


def reconcile_period(engine: Engine, client, first: datetime, last: datetime) -> list[reconcile.Difference]:
    """Stripe's transfers for the period, read with no session open, compared with our payments.
    Raises gateway.StripeProblem when Stripe cannot be read."""
    transfers = list(gateway.transfers_between(client, first, last))
    with Session(engine, expire_on_commit=False) as session:
        return reconcile.differences_between(session, transfers, first, last)


# Tasks ------------------------------------------------------------------------------------------

def _engine() -> Engine:
    from marketplace.db import engine

    return engine()


@jobs.huey.task(retries=RETRIES, retry_delay=FIRST_RETRY_SECONDS, retry_backoff=2, name="payments.send")
def send_payment_job(payment_id: int) -> str:
    """Send one payment; a failure is tried again with backoff, with the same key."""
    with jobs.app_context():
        client = stripe_client()
        if client is None:  # manual mode: the council pays it by bank transfer
            return "not_sent"
        outcome = send_payment(_engine(), client, payment_id)
    if outcome.status == "failed":
        raise PaymentNotSent(outcome.message)
    return outcome.status


@jobs.huey.periodic_task(crontab(minute="50"), name="payments.retry")
def retry_payments_job() -> int:
    """Hourly: send again what failed or was interrupted. Returns how many were paid."""
    with jobs.app_context():
        client = stripe_client()
        if client is None:
            return 0
        outcomes = retry_due_payments(_engine(), client)
    return sum(outcome.status == "paid" for outcome in outcomes)


@jobs.huey.periodic_task(crontab(minute="0", hour="7", day_of_week="1"), name="payments.reconcile")
def reconcile_job() -> int:
    """Mondays: compare the last week's transfers with our payments; logs each difference."""
    with jobs.app_context():
        client = stripe_client()
        if client is None:
            return 0
        today = datetime.now(UTC).date()
        first = datetime.combine(today - timedelta(days=RECONCILE_DAYS), time.min, UTC)
        last = datetime.combine(today, time.max, UTC)
        differences = reconcile_period(_engine(), client, first, last)
    for difference in differences:
        log.warning("Reconciliation %s: %s", difference.kind, difference.explanation)
    return len(differences)
