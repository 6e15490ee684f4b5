"""Advocates: who may act for a budget holder, what they may do, and how they were agreed."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from marketplace.models.types import UTCDateTime, utcnow

# What an advocate may be allowed to do for a person (the person chooses, per advocate).
ADVOCATE_PERMISSIONS = ("view", "draft", "cosign", "approve_invoices")


class LinkStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DECLINED = "declined"
    EXPIRED = "expired"
    REVOKED = "revoked"


class LegalBasis(StrEnum):
    """Why a professional may appoint an authorised person for someone who lacks capacity."""

    LASTING_POWER_OF_ATTORNEY = "lasting_power_of_attorney"
    DEPUTYSHIP = "deputyship"
    COUNCIL_DECISION = "council_decision"

    @property
    def label(self) -> str:
        return LEGAL_BASIS_LABELS[self]


LEGAL_BASIS_LABELS = {
    LegalBasis.LASTING_POWER_OF_ATTORNEY: "Lasting power of attorney",
    LegalBasis.DEPUTYSHIP: "Deputyship (Court of Protection)",
    LegalBasis.COUNCIL_DECISION: "Council decision (Care Act section 32)",
}


class AdvocateLink(SQLModel, table=True):
    """One advocate (or invitee) for one budget holder, with the permissions they were given.

    Only a hash of the single-use invitation token is kept: the token itself lives in the
    invitation link and nowhere else.
    """

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    # Empty until the invitee accepts with their own account.
    advocate_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    invited_name: str = Field(max_length=200)
    invited_email: str = Field(max_length=320, index=True)
    can_view: bool = Field(default=False)
    can_draft: bool = Field(default=False)
    can_cosign: bool = Field(default=False)
    can_approve_invoices: bool = Field(default=False)
    status: str = Field(default=LinkStatus.INVITED.value, max_length=20, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    invited_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Consent: the budget holder themselves, or a professional for an authorised person.
    consent_recorded_by_id: int = Field(foreign_key="user.id")
    consent_recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    legal_basis: str | None = Field(default=None, max_length=40)
    legal_reason: str | None = Field(default=None, max_length=2000)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id")

    @property
    def is_authorised_person(self) -> bool:
        return self.legal_basis is not None

    def allows(self, permission: str) -> bool:
        return bool(getattr(self, f"can_{permission}"))

    @property
    def permissions(self) -> list[str]:
        return [p for p in ADVOCATE_PERMISSIONS if self.allows(p)]

    def status_now(self, now: datetime) -> LinkStatus:
        """An unanswered invitation past its date counts as expired even before anyone opens it."""
        if self.status == LinkStatus.INVITED and self.expires_at <= now:
            return LinkStatus.EXPIRED
        return LinkStatus(self.status)
