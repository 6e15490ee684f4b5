"""Providers' Stripe accounts: which account is theirs and where they are with onboarding."""

from datetime import timedelta

from sqlmodel import Session

from marketplace.audit import audit
from marketplace.models import PayoutAccount, PayoutStatus
from marketplace.models.types import utcnow
from marketplace.payments.service import payout_account
from marketplace.scope import Scope, require

# Webhooks keep the status current; the payouts page reads it again from Stripe when older.
FRESH_FOR = timedelta(minutes=10)


def is_stale(account: PayoutAccount) -> bool:
    return account.stripe_account_id is not None and (
        account.checked_at is None or utcnow() - account.checked_at > FRESH_FOR)


def record_stripe_account(session: Session, *, scope: Scope, account_id: str) -> PayoutAccount:
    """The Stripe account just made for the acting staff member's provider."""
    provider_id = require(scope, "manage_provider").provider_id
    account = payout_account(session, provider_id)
    if account.stripe_account_id is None:
        account.stripe_account_id = account_id
        account.status = PayoutStatus.DETAILS_NEEDED.value
        session.add(account)
        audit(session, action="payouts.account_created", actor=scope.user, object_type="provider",
              object_id=provider_id, detail={"stripe_account_id": account_id})
        session.flush()
    return account


def record_status(session: Session, *, provider_id: int, status: PayoutStatus) -> PayoutAccount:
    account = payout_account(session, provider_id)
    account.status = status.value
    account.checked_at = utcnow()
    session.add(account)
    session.flush()
    return account
