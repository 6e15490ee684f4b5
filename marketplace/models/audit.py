"""The append-only audit log: who did what, for whom, when and from where."""

from datetime import datetime

from sqlalchemy import JSON, event
from sqlmodel import Field, SQLModel

from marketplace.models.types import UTCDateTime, utcnow


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    on_behalf_of_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    action: str = Field(max_length=80, index=True)
    object_type: str | None = Field(default=None, max_length=40)
    object_id: int | None = Field(default=None)
    detail: dict = Field(default_factory=dict, sa_type=JSON)
    ip: str | None = Field(default=None, max_length=45)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove a record that must never change."""


def forbid_changes(model: type[SQLModel]) -> None:
    def refuse(_mapper, _connection, target):
        raise AppendOnlyError(f"{type(target).__name__} rows are append-only")

    event.listen(model, "before_update", refuse)
    event.listen(model, "before_delete", refuse)


forbid_changes(AuditLog)
