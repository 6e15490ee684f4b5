"""What keeps an account safe beyond its password: reset links, an authenticator app for
two-step sign-in, and the recovery codes that stand in for it. Tokens and codes are kept only
as hashes."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from marketplace.models.types import UTCDateTime, utcnow


class PasswordReset(SQLModel, table=True):
    """A single-use link to set a new password, emailed to the account's address."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Authenticator(SQLModel, table=True):
    """The authenticator app (TOTP) a user signs in with. Unconfirmed until they type a code
    from it; `last_used_step` stops a code being used twice."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True, index=True)
    secret: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_step: int | None = Field(default=None)


class RecoveryCode(SQLModel, table=True):
    """One of the codes shown once when two-step sign-in is set up; each works once."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    code_hash: str = Field(max_length=64, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
