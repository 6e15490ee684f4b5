"""Budget holders and the professionals who support them."""

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from marketplace.models.types import UTCDateTime, utcnow


class Person(SQLModel, table=True):
    """A budget holder's profile, one per person account."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True, index=True)
    # Indexed so the council's budget list, in name order, reads only the page it shows.
    name: str = Field(max_length=200, index=True)
    postcode_district: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseAssignment(SQLModel, table=True):
    """A professional's caseload: which budget holders they support."""

    __table_args__ = (UniqueConstraint("person_id", "professional_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    professional_id: int = Field(foreign_key="user.id", index=True)
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
