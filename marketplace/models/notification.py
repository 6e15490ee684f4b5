"""Notifications (things waiting for someone), each person's email choice, and jobs that failed."""

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from marketplace.models.types import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    """One message for one user, written in the same transaction as the event it describes."""

    __table_args__ = (
        # The notifications page (newest first) and the unread count in the navigation.
        Index("ix_notification_recipient_created", "recipient_id", "created_at"),
        Index("ix_notification_recipient_unread", "recipient_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(foreign_key="user.id")
    kind: str = Field(max_length=60)  # "budget.allocated", "check.expiring" …
    text: str = Field(max_length=300)
    link: str = Field(max_length=500)  # a page on this site
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    emailed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set by sweeps that may run twice or on two workers at once: one row per key, ever.
    once_key: str | None = Field(default=None, max_length=200, unique=True)


class NotificationSetting(SQLModel, table=True):
    """A user's choice about email; no row means the default (email on)."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    email: bool = Field(default=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class JobFailure(SQLModel, table=True):
    """A background job that failed after its last retry, kept so someone can look into it."""

    id: int | None = Field(default=None, primary_key=True)
    task_id: str = Field(max_length=100, index=True)
    task_name: str = Field(max_length=200)
    arguments: str = Field(sa_type=Text)
    error: str = Field(sa_type=Text)
    failed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
