"""Reconciliation: do Stripe's transfers for a period match the payments we recorded?

Differences: a payment we recorded as paid with no transfer (missing), a transfer we have no
paid payment for (extra), or one whose amount or destination does not match.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from marketplace.models import Payment, PaymentMethod, PaymentStatus
from marketplace.money import format_money
from marketplace.payments.gateway import Transfer


@dataclass(frozen=True)
class Difference:
    kind: str  # missing, extra, amount, destination
    explanation: str


def stripe_payments_between(session: Session, start: datetime, end: datetime) -> list[Payment]:
    return list(session.exec(select(Payment).where(
        Payment.method == PaymentMethod.STRIPE.value, Payment.status == PaymentStatus.PAID.value,
        Payment.paid_at >= start, Payment.paid_at <= end).order_by(Payment.id)))


def payments_for_transfers(session: Session, transfer_ids: Iterable[str]) -> list[Payment]:
    ids = list(transfer_ids)
    if not ids:
        return []
    return list(session.exec(select(Payment).where(Payment.stripe_transfer_id.in_(ids))))


def differences_between(session: Session, transfers: list[Transfer], start: datetime,
                        end: datetime) -> list[Difference]:
    """Compare a period's transfers (already read from Stripe) with our payments."""
    payments = {p.id: p for p in stripe_payments_between(session, start, end)}
    payments.update({p.id: p for p in payments_for_transfers(session, [t.id for t in transfers])})
    return compare(payments.values(), transfers)


def compare(payments: Iterable[Payment], transfers: Iterable[Transfer]) -> list[Difference]:
    """payments: those paid in the period and those the period's transfers name."""
    by_transfer = {p.stripe_transfer_id: p for p in payments if p.stripe_transfer_id}
    seen: set[str] = set()
    differences = []
    for transfer in transfers:
        seen.add(transfer.id)
        payment = by_transfer.get(transfer.id)
        if payment is None or payment.status != PaymentStatus.PAID.value:
            differences.append(Difference("extra", (
                f"Transfer {transfer.id} of {format_money(transfer.amount_pence)} to {transfer.destination} "
                f"matches no paid payment{f' (key {transfer.payment_key})' if transfer.payment_key else ''}.")))
            continue
        if transfer.amount_pence != payment.amount_pence:
            differences.append(Difference("amount", (
                f"Transfer {transfer.id} is {format_money(transfer.amount_pence)} but payment {payment.id} "
                f"is {format_money(payment.amount_pence)}.")))
        if transfer.destination != payment.stripe_destination:
            differences.append(Difference("destination", (
                f"Transfer {transfer.id} went to {transfer.destination} but payment {payment.id} "
                f"was for {payment.stripe_destination}.")))
    for transfer_id, payment in sorted(by_transfer.items(), key=lambda item: item[1].id):
        if transfer_id not in seen:
            differences.append(Difference("missing", (
                f"Payment {payment.id} of {format_money(payment.amount_pence)} is recorded as paid by "
                f"transfer {transfer_id}, but Stripe has no such transfer in the period.")))
    return differences
