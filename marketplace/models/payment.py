"""Payments to providers, contributions paid in, providers' payout accounts and Stripe events."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from marketplace.models.types import UTCDateTime, utcnow


class PaymentMethod(StrEnum):
    STRIPE = "stripe"  # a Stripe transfer to the provider's connected account
    MANUAL = "manual"  # a bank transfer someone made and recorded with its reference


class PaymentStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"  # above the council's limit: a second commissioner must agree
    PENDING = "pending"  # to be sent (or, for manual payments, waiting for the bank reference)
    PAID = "paid"
    FAILED = "failed"  # Stripe refused or did not answer; retried with the same key

    @property
    def label(self) -> str:
        return {"awaiting_approval": "Waiting for a second approval", "pending": "Waiting to be sent",
                "paid": "Paid", "failed": "Failed, will be tried again"}[self.value]


class PayoutStatus(StrEnum):
    """Where a provider is with Stripe, in the words the payouts page uses."""

    NOT_STARTED = "not_started"
    DETAILS_NEEDED = "details_needed"
    IN_REVIEW = "in_review"
    READY = "ready"  # the transfers capability is active

    @property
    def label(self) -> str:
        return {"not_started": "Not started", "details_needed": "Details needed",
                "in_review": "In review", "ready": "Ready to be paid"}[self.value]


class PayoutAccount(SQLModel, table=True):
    """How a provider gets paid: their Stripe connected account, and whether the council
    allows paying them by bank transfer instead (manual payments)."""

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", unique=True)
    stripe_account_id: str | None = Field(default=None, max_length=255, unique=True)
    status: str = Field(default=PayoutStatus.NOT_STARTED.value, max_length=20)
    checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    manual_allowed: bool = Field(default=False)
    manual_allowed_by_id: int | None = Field(default=None, foreign_key="user.id")


class Payment(SQLModel, table=True):
    """Money owed to a provider from a budget, and how (and whether) it has been paid.

    The idempotency key names what is paid (payment-invoice-12): Stripe and the ledger both
    use it, so sending the same payment again can never pay twice.
    """

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    amount_pence: int
    description: str = Field(max_length=200)  # what it paid for, shown to the provider
    idempotency_key: str = Field(max_length=200, unique=True)
    method: str = Field(max_length=20)
    status: str = Field(max_length=20, index=True)
    attempts: int = Field(default=0)
    last_error: str = Field(default="", max_length=1000)
    stripe_transfer_id: str | None = Field(default=None, max_length=255, unique=True)
    stripe_destination: str | None = Field(default=None, max_length=255)
    bank_reference: str = Field(default="", max_length=100)
    requested_by_id: int | None = Field(default=None, foreign_key="user.id")
    approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class PaymentSettings(SQLModel, table=True):
    """The council's rule for payments: above this amount, a second commissioner must approve."""

    id: int | None = Field(default=None, primary_key=True)
    second_approval_above_pence: int
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Contribution(SQLModel, table=True):
    """Money a budget holder pays into their own budget (an assessed contribution or a top-up)."""

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    amount_pence: int
    method: str = Field(max_length=20)
    checkout_session_id: str | None = Field(default=None, max_length=255, unique=True)
    reference: str = Field(default="", max_length=100)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StripeEvent(SQLModel, table=True):
    """A Stripe webhook event already handled: its id is stored once, with its effect."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=255, unique=True)
    type: str = Field(max_length=120)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
