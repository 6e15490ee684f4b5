"""Accounts and roles."""

import secrets
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from marketplace.models.types import UTCDateTime, utcnow


class Role(StrEnum):
    PERSON = "person"
    ADVOCATE = "advocate"
    PROVIDER = "provider"
    PROFESSIONAL = "professional"
    COMMISSIONER = "commissioner"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.PERSON: "Budget holder",
    Role.ADVOCATE: "Advocate",
    Role.PROVIDER: "Provider",
    Role.PROFESSIONAL: "Professional",
    Role.COMMISSIONER: "Commissioner",
}


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20, index=True)
    password_hash: str = Field(max_length=200)
    # Changed at every sign-in and sign-out, so an old session cookie stops working.
    session_token: str = Field(default_factory=new_session_token, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_authenticated(self) -> bool:
        return True

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins counted for an email address (from one client address, or from
    anywhere), keyed by a hash so the table holds no addresses (see auth.throttle)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True, index=True)
    failures: int = Field(default=0)
    last_failure_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    wait_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
