"""The activity page: who did what for a budget holder, in plain words, from the audit log."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from marketplace.models import AdvocateLink, AuditLog, Person, User

PAGE_SIZE = 25

# How each audited action reads on the activity page. Each area adds its own actions here;
# "{name}" is the name kept in the entry's detail, "{reference}" the reference kept there (an
# invoice's), "{person}" the budget holder it was for.
# Unlisted actions fall back to their code.
ACTION_LABELS = {
    "advocate.invited": "Invited {name} to be an advocate",
    "advocate.authorised_person_recorded": "Recorded {name} as an authorised person",
    "advocate.permissions_changed": "Changed what {name} can do",
    "advocate.revoked": "Stopped {name}'s access",
    "advocate.invitation_accepted": "Accepted the invitation to be an advocate",
    "advocate.invitation_declined": "Declined the invitation to be an advocate",
    "advocate.started_acting": "Started acting for {person}",
    "advocate.stopped_acting": "Stopped acting for {person}",
    "budget.allocated": "Gave {person} a personal budget",
    "budget.add": "Added money to the budget",
    "budget.remove": "Took money off the budget",
    "budget.clawback": "Took back money that was not used",
    "plan.saved": "Saved the support plan",
    "review.written": "Wrote a review of a provider",
    "review.changed": "Changed a review of a provider",
    "outcome.added": "Added an outcome to the support plan",
    "outcome.changed": "Changed an outcome in the support plan",
    "contributions.received": "Paid money into the budget",
    "contributions.recorded": "Recorded money paid into the budget",
    "invoice.submitted": "Sent invoice {reference}",
    "invoice.amended": "Changed invoice {reference} and sent it again",
    "invoice.withdrawn": "Withdrew invoice {reference}",
    "invoice.approved": "Approved invoice {reference}",
    "invoice.disputed": "Disputed invoice {reference}",
    "invoice.queried": "Disputed invoice {reference} after it was approved",
    "invoice.auto_approval_on": "Chose to approve invoices for a line automatically",
    "invoice.auto_approval_off": "Chose to approve each invoice for a line themselves",
}


def describe(entry: AuditLog, *, person_name: str) -> str:
    label = ACTION_LABELS.get(entry.action)
    if label is None:
        area, _, what = entry.action.partition(".")
        return f"{area.capitalize()}: {what.replace('_', ' ')}" if what else area.capitalize()
    detail = entry.detail or {}
    return label.format(name=detail.get("name", "someone"), reference=detail.get("reference", ""),
                        person=person_name)


def _who(entry: AuditLog, actor_name: str | None) -> str:
    # Someone without an account (declining an invitation) is named in the entry itself.
    return actor_name or (entry.detail or {}).get("name") or "The council"


@dataclass(frozen=True)
class ActivityRow:
    entry: AuditLog
    actor_name: str
    person_name: str
    what: str


@dataclass(frozen=True)
class ActivityPage:
    rows: list[ActivityRow]
    page: int
    has_next: bool


def _page_of(db: Session, query, page: int) -> ActivityPage:
    query = query.order_by(AuditLog.at.desc(), AuditLog.id.desc())
    rows = list(db.exec(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    people = {p.id: p.name for p in db.exec(select(Person).where(
        Person.id.in_({entry.on_behalf_of_id for entry, _ in rows})))}
    return ActivityPage(
        rows=[ActivityRow(entry=entry, actor_name=_who(entry, actor_name),
                          person_name=people.get(entry.on_behalf_of_id, ""),
                          what=describe(entry, person_name=people.get(entry.on_behalf_of_id, "")))
              for entry, actor_name in rows[:PAGE_SIZE]],
        page=page, has_next=len(rows) > PAGE_SIZE)


def _with_actor_name():
    return select(AuditLog, User.name).outerjoin(User, User.id == AuditLog.actor_id)


def for_person(db: Session, *, person: Person, actor_id: int | None, page: int) -> ActivityPage:
    """Everything done for this person, by them or anyone acting for them."""
    query = _with_actor_name().where(AuditLog.on_behalf_of_id == person.id)
    if actor_id is not None:
        query = query.where(AuditLog.actor_id == actor_id)
    return _page_of(db, query, page)


def actors_for_person(db: Session, *, person: Person) -> list[tuple[int, str]]:
    """Everyone who has done something for this person, to filter by."""
    return list(db.exec(
        select(User.id, User.name).join(AuditLog, AuditLog.actor_id == User.id)
        .where(AuditLog.on_behalf_of_id == person.id).group_by(User.id, User.name)
        .order_by(func.lower(User.name))))


def for_advocate(db: Session, *, advocate: User, person_id: int | None, page: int) -> ActivityPage:
    """What this advocate has done for the people they support (or have supported)."""
    query = _with_actor_name().where(AuditLog.actor_id == advocate.id,
                                     AuditLog.on_behalf_of_id.is_not(None))
    if person_id is not None:
        query = query.where(AuditLog.on_behalf_of_id == person_id)
    return _page_of(db, query, page)


def people_of_advocate(db: Session, *, advocate: User) -> list[tuple[int, str]]:
    """Everyone this advocate has been linked to, including past links, to filter by."""
    return list(db.exec(
        select(Person.id, Person.name).join(AdvocateLink, AdvocateLink.person_id == Person.id)
        .where(AdvocateLink.advocate_user_id == advocate.id).group_by(Person.id, Person.name)
        .order_by(func.lower(Person.name))))
