"""A budget holder's own provider or personal assistant: someone not on the public list whom
they ask to pay from their budget. The council checks and agrees (or refuses) each request."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from marketplace.models.types import UTCDateTime, utcnow


class OwnProviderStatus(StrEnum):
    WAITING = "waiting"  # for the council (again, after a change of relationship)
    AGREED = "agreed"
    REFUSED = "refused"


# How the person knows them. Paying a spouse or partner, or a close relative who lives with the
# person, needs the council to agree it is necessary, with a reason on record.
RELATIONSHIPS = {
    "none": "Not related (for example, a neighbour)",
    "friend": "A friend",
    "relative_elsewhere": "A relative who does not live with me",
    "close_relative_household": "A close relative who lives with me",
    "spouse_partner": "My husband, wife or partner",
}
NEEDS_COUNCIL_REASON = frozenset({"close_relative_household", "spouse_partner"})


class OwnProviderRequest(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    requested_by_id: int = Field(foreign_key="user.id")
    name: str = Field(max_length=200)
    contact: str = Field(max_length=320)
    what_they_do: str = Field(max_length=2000)
    category: str = Field(max_length=40)
    unit: str = Field(max_length=20)
    price_pence: int
    relationship: str = Field(max_length=40)
    why_needed: str = Field(default="", max_length=2000)  # the person's words, for a close relative
    status: str = Field(default=OwnProviderStatus.WAITING.value, max_length=20, index=True)
    # Made when the council first agrees: a provider that never appears in public browse.
    provider_id: int | None = Field(default=None, foreign_key="provider.id")
    service_id: int | None = Field(default=None, foreign_key="service.id")
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def needs_council_reason(self) -> bool:
        return self.relationship in NEEDS_COUNCIL_REASON
