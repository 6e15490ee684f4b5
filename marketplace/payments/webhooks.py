"""Stripe's events, each handled exactly once.

The event id is stored under a unique constraint in the same transaction as its effect, so
a second delivery (even a concurrent one) changes nothing. Handlers never trust the event's
copy of the object: the view re-reads it from Stripe first, so events handled out of order
still leave the latest state.
"""

from sqlmodel import Session, select

from marketplace.models import PayoutAccount, StripeEvent
from marketplace.models.types import utcnow
from marketplace.payments import contributions

CHECKOUT_COMPLETED = "checkout.session.completed"
ACCOUNT_EVENT_PREFIX = "v2.core.account"


def already_handled(session: Session, event_id: str) -> bool:
    return session.exec(select(StripeEvent.id).where(StripeEvent.event_id == event_id)).first() is not None


def handle_checkout_completed(session: Session, *, event_id: str, checkout) -> None:
    """checkout: gateway.CheckoutSession as Stripe reports it now."""
    _store(session, event_id, CHECKOUT_COMPLETED)
    contributions.credit_checkout(
        session, checkout_session_id=checkout.id, budget_id=checkout.budget_id,
        amount_pence=checkout.amount_pence, currency=checkout.currency, paid=checkout.paid)


def handle_account_update(session: Session, *, event_id: str, event_type: str, account_id: str,
                          status) -> None:
    """status: the account's PayoutStatus, read from Stripe after the event arrived."""
    _store(session, event_id, event_type)
    account = session.exec(select(PayoutAccount).where(PayoutAccount.stripe_account_id == account_id)).first()
    if account is not None:
        account.status = status.value
        account.checked_at = utcnow()
        session.add(account)
        session.flush()


def handle_other(session: Session, *, event_id: str, event_type: str) -> None:
    """An event we do not act on: remembered, so it is not looked at twice."""
    _store(session, event_id, event_type)


def _store(session: Session, event_id: str, event_type: str) -> None:
    # A concurrent delivery of the same event fails here (unique event_id) and changes nothing.
    session.add(StripeEvent(event_id=event_id[:255], type=event_type[:120]))
    session.flush()
