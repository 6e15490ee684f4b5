"""A package's timeline in words: every event with who, for whom and when (two queries)."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, bindparam
from sqlmodel import Session, col, select

from marketplace.models import PackageEvent, Person, User

EVENT_WORDS = {
    "created": "Started the package",
    "line_added": "Added a line",
    "line_removed": "Took out a line",
    "submitted": "Sent the package for agreement",
    "line_accepted": "Accepted a line",
    "line_declined": "Could not provide a line",
    "sent_back": "The package went back for changes",
    "cosigned": "Co-signed the package",
    "ready_for_review": "Every line was accepted: the package went to the professional",
    "approved": "Agreed the package: the money is set aside",
    "changes_requested": "Asked for changes",
    "rejected": "Turned the package down",
    "comment": "Commented",
    "version_started": "Started a new version to change the package",
    "line_changed": "Changed a line",
    "dates_changed": "Changed the dates",
    "superseded": "Replaced by a newer version: money it no longer needs is free to use again",
    "ended": "Ended the package early: money it no longer needs is free to use again",
    "challenged": "Asked for the decision to be looked at again",
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    what: str
    note: str
    by: str | None
    for_whom: str | None


@cache
def _timeline_statement():
    """The package's events, newest first, as plain rows: built once."""
    return (
        select(PackageEvent.at, PackageEvent.kind, PackageEvent.note, User.name, Person.name)
        .outerjoin(User, User.id == PackageEvent.actor_id)
        .outerjoin(Person, Person.id == PackageEvent.on_behalf_of_id)
        .where(PackageEvent.package_id == bindparam("package_id", type_=Integer))
        .order_by(col(PackageEvent.at).desc(), col(PackageEvent.id).desc())
    )


def timeline(session: Session, package_id: int) -> list[TimelineEntry]:
    return [TimelineEntry(at, EVENT_WORDS.get(kind, kind), note, by, for_whom) for at, kind, note, by, for_whom
            in session.execute(_timeline_statement(), {"package_id": package_id})]
