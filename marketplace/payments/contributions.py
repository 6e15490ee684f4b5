"""Money a budget holder pays into their own budget: by Stripe Checkout, or recorded by the
council when it arrives some other way. Each is credited contribution → available once."""

from sqlmodel import Session, select

from marketplace import ledger
from marketplace.audit import audit
from marketplace.errors import ServiceError
from marketplace.models import Budget, Contribution, PaymentMethod
from marketplace.money import format_money
from marketplace.scope import Scope, require

MAXIMUM_CONTRIBUTION_PENCE = 1_000_000  # £10,000 in one go


def check_amount(amount_pence: int) -> int:
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or not 0 < amount_pence <= MAXIMUM_CONTRIBUTION_PENCE:
        raise ServiceError(f"Enter an amount between £0.01 and {format_money(MAXIMUM_CONTRIBUTION_PENCE)}",
                           field="amount")
    return amount_pence


def credit_checkout(session: Session, *, checkout_session_id: str, budget_id: int | None,
                    amount_pence: int, currency: str, paid: bool) -> Contribution | None:
    """A Checkout session Stripe says is paid (read afresh from Stripe, not from the event):
    credit the budget once. Anything else (unpaid, not pounds, no budget) changes nothing."""
    if not paid or currency != "gbp" or amount_pence <= 0 or budget_id is None:
        return None
    existing = session.exec(select(Contribution).where(
        Contribution.checkout_session_id == checkout_session_id)).first()
    if existing is not None:
        return existing
    budget = session.get(Budget, budget_id)
    if budget is None:
        return None
    ledger.record_contribution(
        session, budget_id=budget.id, amount_pence=amount_pence, actor=None,
        idempotency_key=f"contribution-checkout-{checkout_session_id}",
        memo="Your contribution, paid online", on_behalf_of_id=budget.person_id)
    contribution = Contribution(budget_id=budget.id, amount_pence=amount_pence,
                                method=PaymentMethod.STRIPE.value, checkout_session_id=checkout_session_id)
    session.add(contribution)
    session.flush()
    audit(session, action="contributions.received", actor=None, on_behalf_of_id=budget.person_id,
          object_type="contribution", object_id=contribution.id,
          detail={"amount_pence": amount_pence, "checkout_session_id": checkout_session_id})
    return contribution


def record_manual_contribution(session: Session, scope: Scope, *, budget_id: int, amount_pence: int,
                               reference: str, idempotency_key: str) -> Contribution:
    """The council records a contribution that reached it another way (a bank transfer, cash)."""
    actor = require(scope, "manage_payments").user
    check_amount(amount_pence)
    reference = (reference or "").strip()
    if not reference:
        raise ServiceError("Enter a reference, like the bank transfer reference", field="reference")
    if len(reference) > 100:
        raise ServiceError("The reference must be 100 characters or fewer", field="reference")
    budget = session.get(Budget, budget_id)
    if budget is None:
        raise ServiceError("There is no such budget.")
    if ledger.existing_transaction(session, idempotency_key) is not None:  # the form sent twice
        replayed = session.exec(select(Contribution).where(
            Contribution.budget_id == budget.id, Contribution.reference == reference)
            .order_by(Contribution.id.desc())).first()
        if replayed is not None:
            return replayed
    ledger.record_contribution(
        session, budget_id=budget.id, amount_pence=amount_pence, actor=actor,
        idempotency_key=idempotency_key, memo=f"Your contribution, received by the council ({reference})",
        on_behalf_of_id=budget.person_id)
    contribution = Contribution(budget_id=budget.id, amount_pence=amount_pence, reference=reference,
                                method=PaymentMethod.MANUAL.value, recorded_by_id=actor.id)
    session.add(contribution)
    session.flush()
    audit(session, action="contributions.recorded", actor=actor, on_behalf_of_id=budget.person_id,
          object_type="contribution", object_id=contribution.id,
          detail={"amount_pence": amount_pence, "reference": reference})
    return contribution
