"""Provider organisations and their staff."""

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from marketplace.models.types import UTCDateTime, utcnow


class Provider(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    kind: str = Field(default="care_agency", max_length=40)
    description: str = Field(default="", max_length=5000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProviderMember(SQLModel, table=True):
    """A staff account of a provider organisation."""

    __table_args__ = (UniqueConstraint("provider_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    user_id: int = Field(foreign_key="user.id", unique=True, index=True)
    is_owner: bool = Field(default=False)
