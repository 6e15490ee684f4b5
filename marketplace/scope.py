"""Who acts, for whom, through which link: built once per request, checked by can().

No Flask here, so services, jobs and CLI commands use the same rules as pages.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from sqlmodel import Session, select

from marketplace.errors import ServiceError
from marketplace.models import (
    AdvocateLink,
    CaseAssignment,
    LinkStatus,
    Person,
    ProviderMember,
    Role,
    User,
)


class Relationship(StrEnum):
    SELF = "self"
    ADVOCATE = "advocate"
    PROFESSIONAL = "professional"
    PROVIDER_STAFF = "provider_staff"
    COMMISSIONER = "commissioner"
    NONE = "none"


@dataclass(frozen=True)
class Scope:
    user: User | None
    person: Person | None = None
    relationship: Relationship = Relationship.NONE
    link: AdvocateLink | None = None
    provider_id: int | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)


# action → the advocate permission it needs, and whether the person themselves may do it.
_PERSON_ACTIONS = {
    "view_budget": "view",
    "edit_plan": "draft",
    "draft_package": "draft",
    "cosign_package": "cosign",
    "approve_invoice": "approve_invoices",
}
_OTHER_ACTIONS = {
    "review_package": Relationship.PROFESSIONAL,
    "submit_invoice": Relationship.PROVIDER_STAFF,
    "manage_provider": Relationship.PROVIDER_STAFF,
    "vet_provider": Relationship.COMMISSIONER,
    "allocate_budget": Relationship.COMMISSIONER,
}


def can(scope: Scope, action: str, obj=None) -> bool:
    if action in _PERSON_ACTIONS:
        if scope.person is None:
            return False
        if scope.relationship == Relationship.SELF:
            return True
        return scope.relationship == Relationship.ADVOCATE and _PERSON_ACTIONS[action] in scope.permissions
    if action in _OTHER_ACTIONS:
        return scope.relationship == _OTHER_ACTIONS[action]
    raise ValueError(f"unknown action {action!r}")


def require(scope: Scope, action: str, obj=None) -> None:
    if not can(scope, action, obj):
        raise ServiceError("You do not have permission to do this.")


def scope_for(session: Session, user: User, person: Person | None = None) -> Scope:
    """The scope of `user` acting about `person` (or about nobody in particular)."""
    role = user.role
    if role == Role.PERSON:
        if person is not None and person.user_id == user.id:
            return Scope(user, person, Relationship.SELF)
        own = session.exec(select(Person).where(Person.user_id == user.id)).first()
        if person is None or (own is not None and own.id == person.id):
            return Scope(user, own, Relationship.SELF if own else Relationship.NONE)
        return Scope(user)
    if role == Role.ADVOCATE and person is not None:
        link = session.exec(select(AdvocateLink).where(
            AdvocateLink.advocate_user_id == user.id, AdvocateLink.person_id == person.id,
            AdvocateLink.status == LinkStatus.ACTIVE.value)).first()
        if link is None:
            return Scope(user)
        return Scope(user, person, Relationship.ADVOCATE, link, permissions=frozenset(link.permissions))
    if role == Role.PROFESSIONAL and person is not None:
        assigned = session.exec(select(CaseAssignment.id).where(
            CaseAssignment.person_id == person.id, CaseAssignment.professional_id == user.id)).first()
        return Scope(user, person, Relationship.PROFESSIONAL) if assigned else Scope(user)
    if role == Role.PROVIDER:
        provider_id = session.exec(select(ProviderMember.provider_id).where(ProviderMember.user_id == user.id)).first()
        return Scope(user, person, Relationship.PROVIDER_STAFF, provider_id=provider_id)
    if role == Role.COMMISSIONER:
        return Scope(user, person, Relationship.COMMISSIONER)
    return Scope(user)
