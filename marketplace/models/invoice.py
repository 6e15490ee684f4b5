"""Invoices: a provider bills delivered support against one line of an agreed care package."""

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from marketplace.models.types import UTCDateTime, utcnow


class InvoiceStatus(StrEnum):
    SUBMITTED = "submitted"  # waiting for the person (or an advocate) to approve it
    DISPUTED = "disputed"  # the person gave a reason; the provider may amend and send it again
    APPROVED = "approved"  # money moved to payable; the payment row says whether it is paid yet
    WITHDRAWN = "withdrawn"  # the provider took it back before it was approved

    @property
    def label(self) -> str:
        return INVOICE_STATUS_LABELS[self]


INVOICE_STATUS_LABELS = {
    InvoiceStatus.SUBMITTED: "Waiting for approval",
    InvoiceStatus.DISPUTED: "Disputed",
    InvoiceStatus.APPROVED: "Approved",
    InvoiceStatus.WITHDRAWN: "Withdrawn",
}


class Invoice(SQLModel, table=True):
    """What a provider billed for one line over a period. The unit price is the line's agreed
    price and the amount is worked out from it, so neither is ever typed by the provider.

    `person_id` and `provider_id` let scope.can() decide who owns it from either side."""

    __table_args__ = (
        UniqueConstraint("provider_id", "reference", name="uq_invoice_provider_reference"),
        Index("ix_invoice_line_period", "line_id", "period_start"),
        Index("ix_invoice_person_status", "person_id", "status"),
        Index("ix_invoice_status_submitted", "status", "submitted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    line_id: int = Field(foreign_key="packageline.id")
    package_id: int = Field(foreign_key="carepackage.id")
    budget_id: int = Field(foreign_key="budget.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    reference: str = Field(max_length=40)  # the provider's own invoice number
    period_start: date
    period_end: date
    units_hundredths: int  # delivered units, in hundredths (7.5 hours = 750)
    unit_price_pence: int  # copied from the line when it was billed
    amount_pence: int
    status: str = Field(default=InvoiceStatus.SUBMITTED.value, max_length=20)
    dispute_reason: str = Field(default="", max_length=2000)
    submitted_by_id: int = Field(foreign_key="user.id")
    # When it (last) arrived: auto-approval counts its 48 hours from here.
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def status_enum(self) -> InvoiceStatus:
        return InvoiceStatus(self.status)


class InvoiceVisit(SQLModel, table=True):
    """One visit on an invoice: its date and times give the units billed for it."""

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    visit_on: date
    starts_at: time
    ends_at: time
    units_hundredths: int
