"""Paying providers: the rules, as steps a job or command runs with commits in between.

A payment is recorded first (pending), committed, sent to Stripe with no database
transaction open, and its outcome recorded in a new transaction:

    request_payment()   records what is owed, once per idempotency key
    approve_payment()   a second commissioner agrees (payments above the council's limit)
    start_attempt()     picks up a payment that is due to be sent; returns what to send
    record_transfer()   Stripe made the transfer: paid, and the ledger's payable → paid once
    record_failure()    Stripe refused or did not answer: failed, with its message
    record_manual_payment()  someone paid it by bank transfer and gives the reference

Stripe and the ledger both get the payment's idempotency key, so a retry can never pay twice.
These functions flush; the caller commits (marketplace.payments.jobs does, for Stripe).
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from marketplace import ledger
from marketplace.audit import audit
from marketplace.errors import ServiceError
from marketplace.models import (
    Budget,
    Payment,
    PaymentMethod,
    PaymentSettings,
    PaymentStatus,
    PayoutAccount,
    PayoutStatus,
    Provider,
    User,
)
from marketplace.models.types import utcnow
from marketplace.money import format_money
from marketplace.notifications import events
from marketplace.scope import Scope, require
from marketplace.storage import lock_row

DEFAULT_SECOND_APPROVAL_ABOVE_PENCE = 100_000  # £1,000 until the council sets its own limit
MAXIMUM_PAYMENT_PENCE = 10_000_000  # £100,000: far above any one invoice
PAYMENT_KEY = re.compile(r"^payment-[a-z0-9-]{1,150}$")
# A payment still pending this long after its last try was interrupted, and is tried again.
STALE_ATTEMPT = timedelta(minutes=5)
BANK_REFERENCE = re.compile(r"^[A-Za-z0-9 /.&-]{1,18}$")  # what UK bank transfers carry


# --- the council's settings -----------------------------------------------------------------


def second_approval_above(session: Session) -> int:
    """Payments above this many pence need a second commissioner to approve them."""
    settings = session.exec(select(PaymentSettings).order_by(PaymentSettings.id.desc())).first()
    return settings.second_approval_above_pence if settings else DEFAULT_SECOND_APPROVAL_ABOVE_PENCE


def set_second_approval_above(session: Session, scope: Scope, *, amount_pence: int) -> PaymentSettings:
    actor = require(scope, "manage_payments").user
    if not 0 < amount_pence <= MAXIMUM_PAYMENT_PENCE:
        raise ServiceError(f"Enter an amount between £0.01 and {format_money(MAXIMUM_PAYMENT_PENCE)}",
                           field="amount")
    settings = PaymentSettings(second_approval_above_pence=amount_pence, updated_by_id=actor.id)
    session.add(settings)
    audit(session, action="payments.limit_set", actor=actor, object_type="paymentsettings",
          detail={"second_approval_above_pence": amount_pence})
    session.flush()
    return settings


# --- providers' payout accounts -------------------------------------------------------------


def payout_account(session: Session, provider_id: int) -> PayoutAccount:
    """The provider's payout account row, made (not started) the first time it is asked for."""
    account = session.exec(select(PayoutAccount).where(PayoutAccount.provider_id == provider_id)).first()
    if account is None:
        account = PayoutAccount(provider_id=provider_id)
        session.add(account)
        session.flush()
    return account


def allow_manual_payments(session: Session, scope: Scope, *, provider_id: int, allowed: bool) -> PayoutAccount:
    """The council decides, per provider, whether they may be paid by bank transfer."""
    actor = require(scope, "manage_payments").user
    if session.get(Provider, provider_id) is None:
        raise ServiceError("There is no such provider.")
    account = payout_account(session, provider_id)
    account.manual_allowed = allowed
    account.manual_allowed_by_id = actor.id
    session.add(account)
    audit(session, action="payments.manual_allowed" if allowed else "payments.manual_stopped",
          actor=actor, object_type="provider", object_id=provider_id)
    session.flush()
    return account


# --- asking for a payment -------------------------------------------------------------------


def request_payment(session: Session, *, budget_id: int, provider_id: int, amount_pence: int,
                    idempotency_key: str, description: str, requested_by: User | None,
                    stripe_enabled: bool) -> Payment:
    """Record that a provider is to be paid from a budget (e.g. an approved invoice).

    Asking twice with the same key returns the first payment. Paid by Stripe when payments are
    switched on and the provider is ready to be paid; otherwise by bank transfer, if that is
    allowed (always, with no Stripe keys). Above the council's limit it waits for a second
    commissioner.
    """
    existing = session.exec(select(Payment).where(Payment.idempotency_key == idempotency_key)).first()
    if existing is not None:
        return existing
    if not PAYMENT_KEY.match(idempotency_key):
        raise ServiceError("A payment key looks like payment-invoice-12.")
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or not 0 < amount_pence <= MAXIMUM_PAYMENT_PENCE:
        raise ServiceError(f"A payment must be between £0.01 and {format_money(MAXIMUM_PAYMENT_PENCE)}.",
                           field="amount")
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise ServiceError("There is no such provider.", field="provider")
    if lock_row(session, Budget, budget_id) is None:
        raise ServiceError("There is no such budget.", field="budget")
    owed = ledger.balances(session, budget_id).payable_to(provider_id) - _already_asked(session, budget_id, provider_id)
    if amount_pence > owed:
        raise ServiceError(f"Only {format_money(max(owed, 0))} is owed to {provider.name} from this budget "
                           "and not yet being paid.", field="amount")
    account = payout_account(session, provider_id)
    method = _method_for(account, stripe_enabled=stripe_enabled)
    status = (PaymentStatus.AWAITING_APPROVAL if amount_pence > second_approval_above(session)
              else PaymentStatus.PENDING)
    payment = Payment(budget_id=budget_id, provider_id=provider_id, amount_pence=amount_pence,
                      description=description[:200], idempotency_key=idempotency_key, method=method,
                      status=status, requested_by_id=requested_by.id if requested_by else None)
    session.add(payment)
    session.flush()
    audit(session, action="payments.requested", actor=requested_by, object_type="payment",
          object_id=payment.id, detail={"amount_pence": amount_pence, "method": method, "status": status})
    return payment


def _already_asked(session: Session, budget_id: int, provider_id: int) -> int:
    """Money already on its way to this provider from this budget (asked for, not yet paid)."""
    return int(session.exec(select(func.coalesce(func.sum(Payment.amount_pence), 0)).where(
        Payment.budget_id == budget_id, Payment.provider_id == provider_id,
        Payment.status != PaymentStatus.PAID.value)).one())


def _method_for(account: PayoutAccount, *, stripe_enabled: bool) -> str:
    if not stripe_enabled:
        return PaymentMethod.MANUAL.value  # no keys: the whole service runs in manual mode
    if account.status != PayoutStatus.READY.value and account.manual_allowed:
        return PaymentMethod.MANUAL.value
    # Not ready and no bank transfers allowed: it waits, failing with a reason, until they are.
    return PaymentMethod.STRIPE.value


def approve_payment(session: Session, scope: Scope, *, payment_id: int) -> Payment:
    """The second of two people agrees to a payment above the council's limit."""
    approver = require(scope, "manage_payments").user
    payment = lock_row(session, Payment, payment_id)
    if payment is None:
        raise ServiceError("There is no such payment.")
    if payment.status != PaymentStatus.AWAITING_APPROVAL.value:
        raise ServiceError("This payment does not need approving.")
    if payment.requested_by_id == approver.id:
        raise ServiceError("You asked for this payment, so someone else at the council must approve it.")
    payment.status = PaymentStatus.PENDING.value
    payment.approved_by_id = approver.id
    payment.approved_at = utcnow()
    session.add(payment)
    audit(session, action="payments.approved", actor=approver, object_type="payment", object_id=payment.id)
    session.flush()
    return payment


# --- sending by Stripe ----------------------------------------------------------------------


@dataclass(frozen=True)
class TransferOrder:
    """What to ask Stripe for: plain values, so no database session is needed to send it."""

    payment_id: int
    amount_pence: int
    destination: str
    idempotency_key: str
    description: str


def due_for_sending(session: Session) -> list[int]:
    """Stripe payments that failed, or were left pending by an interrupted try, oldest first."""
    stale = utcnow() - STALE_ATTEMPT
    rows = session.exec(select(Payment.id).where(
        Payment.method == PaymentMethod.STRIPE.value,
        (Payment.status == PaymentStatus.FAILED.value)
        | ((Payment.status == PaymentStatus.PENDING.value)
           & ((Payment.last_attempt_at == None) | (Payment.last_attempt_at < stale)))  # noqa: E711
    ).order_by(Payment.id))
    return list(rows)


def start_attempt(session: Session, payment_id: int) -> TransferOrder | None:
    """Count a try and say what to send, or None when there is nothing to send (already paid,
    waiting for approval, paid by hand, or the provider cannot receive transfers yet)."""
    payment = lock_row(session, Payment, payment_id)
    if (payment is None or payment.method != PaymentMethod.STRIPE.value
            or payment.status not in (PaymentStatus.PENDING.value, PaymentStatus.FAILED.value)):
        return None
    account = payout_account(session, payment.provider_id)
    if account.stripe_account_id is None or account.status != PayoutStatus.READY.value:
        _mark_failed(session, payment, "The provider has not finished setting up payments with Stripe yet.")
        return None
    payment.attempts += 1
    payment.last_attempt_at = utcnow()
    payment.stripe_destination = account.stripe_account_id
    session.add(payment)
    session.flush()
    return TransferOrder(payment.id, payment.amount_pence, account.stripe_account_id,
                         payment.idempotency_key, payment.description)


def record_transfer(session: Session, *, payment_id: int, transfer_id: str) -> Payment:
    """Stripe made the transfer: the payment is paid, and the ledger moves payable → paid once."""
    payment = lock_row(session, Payment, payment_id)
    if payment.status == PaymentStatus.PAID.value:
        return payment
    payment.stripe_transfer_id = transfer_id
    return _mark_paid(session, payment, actor=None)


def record_failure(session: Session, *, payment_id: int, message: str) -> Payment:
    payment = lock_row(session, Payment, payment_id)
    if payment.status != PaymentStatus.PAID.value:
        _mark_failed(session, payment, message)
    return payment


def _mark_failed(session: Session, payment: Payment, message: str) -> None:
    """Staff and council hear of the first failure only; the retries that follow stay quiet."""
    first_failure = payment.status != PaymentStatus.FAILED.value
    payment.status = PaymentStatus.FAILED.value
    payment.last_error = message[:1000]
    session.add(payment)
    session.flush()
    if first_failure:
        events.payment_failed(session, payment)


def _mark_paid(session: Session, payment: Payment, *, actor: User | None) -> Payment:
    provider = session.get(Provider, payment.provider_id)
    transaction = ledger.record_payment(
        session, budget_id=payment.budget_id, provider_id=payment.provider_id,
        amount_pence=payment.amount_pence, idempotency_key=payment.idempotency_key, actor=actor,
        memo=f"Paid to {provider.name}: {payment.description}"[:500])
    payment.status = PaymentStatus.PAID.value
    payment.last_error = ""
    payment.paid_at = utcnow()
    payment.recorded_by_id = actor.id if actor else None
    session.add(payment)
    audit(session, action="payments.paid", actor=actor, object_type="payment", object_id=payment.id,
          detail={"method": payment.method, "ledger_transaction_id": transaction.id,
                  "stripe_transfer_id": payment.stripe_transfer_id, "bank_reference": payment.bank_reference})
    session.flush()
    events.payment_made(session, payment)
    return payment


# --- paying by bank transfer ----------------------------------------------------------------


def record_manual_payment(session: Session, scope: Scope, *, payment_id: int, reference: str) -> Payment:
    """Council staff paid it by bank transfer: record the bank's reference; same ledger effect."""
    actor = require(scope, "manage_payments").user
    reference = (reference or "").strip()
    if not reference:
        raise ServiceError("Enter the bank transfer reference", field="reference")
    if not BANK_REFERENCE.match(reference):
        raise ServiceError("A bank reference is up to 18 letters, numbers, spaces and / . & -",
                           field="reference")
    payment = lock_row(session, Payment, payment_id)
    if payment is None or payment.method != PaymentMethod.MANUAL.value:
        raise ServiceError("This payment is not paid by bank transfer.")
    if payment.status == PaymentStatus.AWAITING_APPROVAL.value:
        raise ServiceError("A second person at the council must approve this payment first.")
    if payment.status == PaymentStatus.PAID.value:
        raise ServiceError("This payment is already recorded as paid.")
    payment.bank_reference = reference
    return _mark_paid(session, payment, actor=actor)


# --- what people see ------------------------------------------------------------------------


def payments_to_provider(session: Session, provider_id: int, *, limit: int = 100) -> list[Payment]:
    """Remittance: what a provider has been paid (and what is on its way), newest first."""
    return list(session.exec(select(Payment).where(Payment.provider_id == provider_id)
                             .order_by(Payment.created_at.desc(), Payment.id.desc()).limit(limit)))


def payments_needing_the_council(session: Session, *, limit: int = 100) -> list[tuple[Payment, str]]:
    """Payments waiting for a second approval, a bank reference, or after a failure."""
    rows = session.exec(
        select(Payment, Provider.name).join(Provider, Provider.id == Payment.provider_id)
        .where((Payment.status == PaymentStatus.AWAITING_APPROVAL.value)
               | (Payment.status == PaymentStatus.FAILED.value)
               | ((Payment.status == PaymentStatus.PENDING.value)
                  & (Payment.method == PaymentMethod.MANUAL.value)))
        .order_by(Payment.created_at, Payment.id).limit(limit))
    return list(rows)
