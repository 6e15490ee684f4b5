"""Support plans, their outcomes, and the care packages that pay for support towards them."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from marketplace.models.audit import forbid_changes
from marketplace.models.types import UTCDateTime, utcnow


class SupportPlan(SQLModel, table=True):
    """One per budget holder: what matters to them and what they need, in their own words."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True, index=True)
    what_matters: str = Field(default="", max_length=5000)
    needs: str = Field(default="", max_length=5000)
    agreed_on: date | None = None
    review_on: date | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")


class Outcome(SQLModel, table=True):
    """Something the person wants to achieve ("Get to the allotment twice a week")."""

    __table_args__ = (Index("ix_outcome_person_position", "person_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    text: str = Field(max_length=500)
    position: int = Field(default=0)
    achieved_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PlanComment(SQLModel, table=True):
    """A comment on a support plan, by the person, an advocate or their professional: the
    conversation about the plan, kept with it. Never changed once written."""

    __table_args__ = (Index("ix_plancomment_person_at", "person_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    author_id: int = Field(foreign_key="user.id")
    text: str = Field(max_length=2000)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


forbid_changes(PlanComment)


class PackageStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    AWAITING_REVIEW = "awaiting_review"
    CHANGES_REQUESTED = "changes_requested"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return PACKAGE_STATUS_LABELS[self]

    @property
    def phrase(self) -> str:
        """For sentences: "You cannot send this package: it is already agreed." """
        return PACKAGE_STATUS_PHRASES[self]

    @property
    def editable(self) -> bool:
        return self in (PackageStatus.DRAFT, PackageStatus.CHANGES_REQUESTED)


PACKAGE_STATUS_LABELS = {
    PackageStatus.DRAFT: "Draft",
    PackageStatus.SUBMITTED: "Sent for agreement",
    PackageStatus.AWAITING_REVIEW: "Waiting for the professional",
    PackageStatus.CHANGES_REQUESTED: "Changes asked for",
    PackageStatus.ACTIVE: "Agreed",
    PackageStatus.REJECTED: "Turned down",
    PackageStatus.SUPERSEDED: "Replaced by a newer version",
    PackageStatus.ENDED: "Ended",
}


PACKAGE_STATUS_PHRASES = {
    PackageStatus.DRAFT: "still a draft",
    PackageStatus.SUBMITTED: "waiting for agreement",
    PackageStatus.AWAITING_REVIEW: "waiting for the professional",
    PackageStatus.CHANGES_REQUESTED: "waiting for changes",
    PackageStatus.ACTIVE: "already agreed",
    PackageStatus.REJECTED: "turned down",
    PackageStatus.SUPERSEDED: "replaced by a newer version",
    PackageStatus.ENDED: "ended",
}


class CarePackage(SQLModel, table=True):
    """A person's chosen support for some weeks of their budget period. A change to an agreed
    package is a new version that supersedes it, so what was agreed is never rewritten."""

    __table_args__ = (Index("ix_carepackage_person_status", "person_id", "status"),
                      Index("ix_carepackage_status_submitted", "status", "submitted_at"))

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    budget_id: int = Field(foreign_key="budget.id", index=True)
    title: str = Field(max_length=120)
    start_on: date
    end_on: date
    status: str = Field(default=PackageStatus.DRAFT.value, max_length=20)
    version: int = Field(default=1)
    supersedes_id: int | None = Field(default=None, foreign_key="carepackage.id")
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Who must co-sign, decided when it is submitted: "advocate", "person" or "" (nobody).
    cosign_by: str = Field(default="", max_length=20)
    cosigned_by_id: int | None = Field(default=None, foreign_key="user.id")
    cosigned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    total_pence: int = Field(default=0)  # kept in step with the lines by the package service
    # The response clock (kept for the council's reports): every provider had accepted, and
    # the package reached the reviewer (the clock runs from then until decided_at).
    providers_accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Support stops from this day when an agreed package is ended early.
    ended_from: date | None = None
    ended_by_id: int | None = Field(default=None, foreign_key="user.id")
    # A challenge: the person asked for a decision to be looked at again. Whoever made that
    # decision may not make the next one.
    challenged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    challenged_decision_by_id: int | None = Field(default=None, foreign_key="user.id")

    @property
    def status_enum(self) -> PackageStatus:
        return PackageStatus(self.status)


class LineResponse(StrEnum):
    NOT_SENT = "not_sent"
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class PackageLine(SQLModel, table=True):
    """One piece of support in a package, with the service as it was when it was added."""

    __table_args__ = (Index("ix_packageline_provider_response", "provider_id", "response"),)

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="carepackage.id", index=True)
    provider_id: int = Field(foreign_key="provider.id")
    # Emptied if the provider deletes the service: the line keeps its snapshot but can no longer be sent.
    service_id: int | None = Field(default=None, foreign_key="service.id", ondelete="SET NULL", index=True)
    outcome_id: int = Field(foreign_key="outcome.id", index=True)
    provider_name: str = Field(max_length=200)
    title: str = Field(max_length=200)
    category: str = Field(max_length=40)
    unit: str = Field(max_length=20)
    unit_price_pence: int
    # Quantity in hundredths of a unit, so 7.5 hours is 750: exact, no floating point.
    quantity_hundredths: int
    weekly: bool = Field(default=True)  # units every week, or a one-off quantity
    # In a new version, the line of the agreed version this one was copied from (for the diff).
    replaces_line_id: int | None = Field(default=None, foreign_key="packageline.id")
    response: str = Field(default=LineResponse.NOT_SENT.value, max_length=20)
    # The person's choice: invoices that match the agreement are approved 48 hours after they arrive.
    auto_approve_invoices: bool = Field(default=False)
    response_note: str = Field(default="", max_length=2000)
    responded_by_id: int | None = Field(default=None, foreign_key="user.id")
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PackageEvent(SQLModel, table=True):
    """Every transition of and comment on a package: the conversation and the audit trail."""

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="carepackage.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    on_behalf_of_id: int | None = Field(default=None, foreign_key="person.id")
    kind: str = Field(max_length=40)
    note: str = Field(default="", max_length=2000)
    line_id: int | None = Field(default=None, foreign_key="packageline.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
