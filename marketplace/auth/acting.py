"""Whose budget this request is about: the budget holder, or the person an advocate acts for.

Every page about a budget holder's data loads them through person_in_scope(), so a request
can only ever reach the one person it is entitled to. An advocate chooses whom to act for
("Act for" on their home page); the choice is kept in the signed session, but the link behind
it is checked again on every request, so a revoked or narrowed link takes effect at once.
"""

from flask import abort, g, session
from flask_login import current_user
from sqlmodel import Session, select

from marketplace.db import get_session
from marketplace.models import AdvocateLink, LinkStatus, Person, Role, User
from marketplace.models.advocacy import ADVOCATE_PERMISSIONS

__all__ = [
    "ADVOCATE_PERMISSIONS", "PERMISSION_LABELS", "acting_for", "acting_for_person_id",
    "active_link", "person_in_scope", "start_acting_for", "stop_acting",
]

ACTING_FOR_SESSION_KEY = "acting_for_person_id"

# What each permission lets an advocate do, in words the budget holder chose from.
PERMISSION_LABELS = {
    "view": "see the budget, support plan, care packages and invoices",
    "draft": "change the support plan and draft care packages",
    "cosign": "co-sign care packages before a professional reviews them",
    "approve_invoices": "approve invoices for payment",
}


def active_link(db: Session, *, advocate: User, person_id: int) -> AdvocateLink | None:
    """The advocate's active link to this person, if there is one right now."""
    return db.exec(
        select(AdvocateLink).where(
            AdvocateLink.advocate_user_id == advocate.id,
            AdvocateLink.person_id == person_id,
            AdvocateLink.status == LinkStatus.ACTIVE.value,
        )
    ).first()


def start_acting_for(person_id: int) -> None:
    session[ACTING_FOR_SESSION_KEY] = person_id
    g.pop("acting_for", None)


def stop_acting() -> None:
    session.pop(ACTING_FOR_SESSION_KEY, None)
    g.pop("acting_for", None)


def acting_for() -> tuple[Person, AdvocateLink] | None:
    """For an advocate: the person they chose and the link that still allows it, else None.

    Checked against the database once per request (remembered on g for the rest of it). A
    choice whose link has ended is forgotten, so the banner disappears with the access.
    """
    if not current_user.is_authenticated or current_user.role != Role.ADVOCATE:
        return None
    if "acting_for" in g:
        return g.acting_for
    result = None
    person_id = session.get(ACTING_FOR_SESSION_KEY)
    if isinstance(person_id, int):
        db = get_session()
        link = active_link(db, advocate=current_user, person_id=person_id)
        if link is not None:
            result = (db.get(Person, person_id), link)
    if result is None:
        session.pop(ACTING_FOR_SESSION_KEY, None)
    g.acting_for = result
    return result


def person_in_scope(permission: str = "view") -> Person:
    """The budget holder this request may touch with this permission, or a refusal.

    A budget holder always gets themselves. An advocate gets the person they act for, only
    while an active link gives them this permission; otherwise a 403 page says why.
    """
    if permission not in ADVOCATE_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    if current_user.role == Role.PERSON:
        person = get_session().exec(select(Person).where(Person.user_id == current_user.id)).first()
        if person is None:
            abort(404)
        return person
    if current_user.role == Role.ADVOCATE:
        had_chosen = session.get(ACTING_FOR_SESSION_KEY) is not None
        chosen = acting_for()
        if chosen is None:
            if had_chosen:
                abort(403, "You can no longer act for this person: they, or their professional, "
                           "have stopped your access. Go to People you support to see who you can help.")
            abort(403, "Choose the person you are acting for first, from People you support.")
        person, link = chosen
        if not link.allows(permission):
            abort(403, missing_permission_explanation(person, link, permission))
        return person
    abort(403)


def missing_permission_explanation(person: Person, link: AdvocateLink, permission: str) -> str:
    who_can_grant = (
        "the professional who recorded you as their authorised person"
        if link.is_authorised_person else person.name
    )
    return (f"{person.name} has not given you permission to {PERMISSION_LABELS[permission]}. "
            f"Only {who_can_grant} can give you this permission.")


def acting_for_person_id() -> int | None:
    """The budget holder this request acts for, to put in audit entries as on_behalf_of_id.

    The person's own id when a budget holder acts for themselves; the chosen person when an
    advocate is acting for someone; otherwise None. Call person_in_scope() first to enforce
    the permission; this only reports whom the request is for.
    """
    if not current_user.is_authenticated:
        return None
    if current_user.role == Role.PERSON:
        return get_session().exec(select(Person.id).where(Person.user_id == current_user.id)).first()
    chosen = acting_for()
    return chosen[0].id if chosen else None
