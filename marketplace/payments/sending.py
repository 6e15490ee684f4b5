"""Send a payment by Stripe: the three steps with a commit between each, and no database
session open while Stripe is asked (SQLite would hold its write lock all that time).

This plays the part a view plays for a request: a job or command calls send_payment(); it
opens its own sessions and commits. Safe to run twice, or at the same time on two workers:
the same idempotency key gets the same transfer from Stripe, and the ledger records it once.
"""

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from marketplace.payments import gateway, service


@dataclass(frozen=True)
class Outcome:
    payment_id: int
    status: str  # "paid", "failed" or "not_sent"
    message: str = ""


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
