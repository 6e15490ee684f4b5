"""Who is acting, for whom, and what they may do: one Scope per request and one policy, can().

A view builds the Scope once (marketplace.auth.acting.current_scope) and passes it to the
rules; every "may they?" question is answered by can() here, and nowhere else. This module
knows nothing of Flask, so rules, command-line tasks and jobs use it the same way.
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
    Provider,
    ProviderMember,
    Role,
    User,
)
from marketplace.models.advocacy import ADVOCATE_PERMISSIONS


class Relationship(StrEnum):
    SELF = "self"  # a budget holder, for themselves
    ADVOCATE = "advocate"  # through an active advocate link, with its permissions
    PROFESSIONAL = "professional"  # a professional; for a person only if on their caseload
    PROVIDER_STAFF = "provider_staff"
    COMMISSIONER = "commissioner"
    NONE = "none"


@dataclass(frozen=True)
class Scope:
    user: User | None
    person: Person | None = None  # the budget holder concerned, if any
    relationship: Relationship = Relationship.NONE
    link: AdvocateLink | None = None
    provider_id: int | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)


# What a budget holder's data asks for, and the advocate permission that grants it.
PERSON_ACTIONS = {
    "view_budget": "view",
    "view_plan": "view",
    "view_package": "view",
    "view_invoice": "view",
    "view_activity": "view",
    "comment_on_plan": "view",  # anyone who may read the plan may talk about it
    "edit_plan": "draft",
    "draft_package": "draft",
    "cosign_package": "cosign",
    "approve_invoice": "approve_invoices",
    "pay_contribution": "approve_invoices",  # paying money in is as weighty as approving invoices
    # A review of a provider the budget paid: whoever may approve its invoices may write it.
    "write_review": "approve_invoices",
}
# Only the budget holder themselves: choosing advocates.
SELF_ACTIONS = frozenset({"manage_advocates"})
# What a professional may do for a person on their caseload (reading is in PERSON_ACTIONS).
CASELOAD_ACTIONS = frozenset({"review_package", "manage_authorised_people"})
PROFESSIONAL_READS = frozenset({"view"})
PROVIDER_ACTIONS = frozenset({"manage_provider", "submit_invoice", "reply_to_review"})
COMMISSIONER_ACTIONS = frozenset({
    "vet_provider", "allocate_budget", "adjust_budget", "read_any_budget", "moderate_review",
    "manage_payments", "decide_challenge",
})
ACTIONS = frozenset(PERSON_ACTIONS) | SELF_ACTIONS | CASELOAD_ACTIONS | PROVIDER_ACTIONS | COMMISSIONER_ACTIONS


class NotAllowed(ServiceError):
    """A refusal of permission (the page answers 403 and says why), not a form error."""

    def __init__(self, message: str, *, action: str):
        super().__init__(message)
        self.action = action


def can(scope: Scope, action: str, obj=None) -> bool:
    """May this scope do this action (to this object, when given)? The one policy function.

    An object must belong to the scope's person (its person_id) or provider (its provider_id).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if obj is not None and not _owns(scope, obj):
        return False
    relationship = scope.relationship
    if action in PERSON_ACTIONS or action in SELF_ACTIONS or action in CASELOAD_ACTIONS:
        if scope.person is None:
            return False
        if action in SELF_ACTIONS:
            return relationship is Relationship.SELF
        if action in CASELOAD_ACTIONS:
            return relationship is Relationship.PROFESSIONAL
        return PERSON_ACTIONS[action] in scope.permissions
    if action in PROVIDER_ACTIONS:
        return relationship is Relationship.PROVIDER_STAFF and scope.provider_id is not None
    return relationship is Relationship.COMMISSIONER


def _owns(scope: Scope, obj) -> bool:
    if scope.relationship is Relationship.COMMISSIONER:
        return True
    if scope.relationship is Relationship.PROVIDER_STAFF:
        owner_id = obj.id if isinstance(obj, Provider) else getattr(obj, "provider_id", None)
        return scope.provider_id is not None and owner_id == scope.provider_id
    return scope.person is not None and getattr(obj, "person_id", None) == scope.person.id


def require(scope: Scope, action: str, obj=None) -> Scope:
    """can(), or NotAllowed with a sentence that says why and who can change it."""
    if not can(scope, action, obj):
        raise NotAllowed(refusal_message(scope, action), action=action)
    return scope


PERMISSION_LABELS = {
    "view": "see the budget, support plan, care packages and invoices",
    "draft": "change the support plan and draft care packages",
    "cosign": "co-sign care packages before a professional reviews them",
    "approve_invoices": "approve invoices for payment",
}
CHOOSE_FIRST = "Choose the person you are acting for first, from People you support."
ACCESS_ENDED = ("You can no longer act for this person: they, or their professional, have "
                "stopped your access. Go to People you support to see who you can help.")


def refusal_message(scope: Scope, action: str) -> str:
    if scope.relationship is Relationship.ADVOCATE and action in PERSON_ACTIONS:
        permission = PERSON_ACTIONS[action]
        who_can_grant = ("the professional who recorded you as their authorised person"
                         if scope.link.is_authorised_person else scope.person.name)
        return (f"{scope.person.name} has not given you permission to {PERMISSION_LABELS[permission]}. "
                f"Only {who_can_grant} can give you this permission.")
    if scope.user is not None and scope.user.role == Role.ADVOCATE and scope.person is None:
        return CHOOSE_FIRST
    return ""  # nothing to explain: the role never may


# Building a scope --------------------------------------------------------------------------------

def active_link(db: Session, *, advocate: User, person_id: int) -> AdvocateLink | None:
    """The advocate's active link to this person, if there is one right now."""
    return db.exec(select(AdvocateLink).where(
        AdvocateLink.advocate_user_id == advocate.id,
        AdvocateLink.person_id == person_id,
        AdvocateLink.status == LinkStatus.ACTIVE.value,
    )).first()


def scope_for(db: Session, user: User | None, *, acting_for_person_id: int | None = None) -> Scope:
    """The scope of a signed-in user (None for a visitor). An advocate acts for the person
    they chose, only while an active link allows it."""
    if user is None:
        return Scope(user=None)
    role = Role(user.role)
    if role is Role.PERSON:
        person = db.exec(select(Person).where(Person.user_id == user.id)).first()
        if person is None:
            return Scope(user=user)
        return Scope(user=user, person=person, relationship=Relationship.SELF,
                     permissions=frozenset(ADVOCATE_PERMISSIONS))
    if role is Role.ADVOCATE:
        link = None
        if acting_for_person_id is not None:
            link = active_link(db, advocate=user, person_id=acting_for_person_id)
        if link is None:
            return Scope(user=user)
        return Scope(user=user, person=db.get(Person, link.person_id), relationship=Relationship.ADVOCATE,
                     link=link, permissions=frozenset(link.permissions))
    if role is Role.PROFESSIONAL:
        return Scope(user=user, relationship=Relationship.PROFESSIONAL)
    if role is Role.PROVIDER:
        provider_id = db.exec(select(ProviderMember.provider_id).where(ProviderMember.user_id == user.id)).first()
        return Scope(user=user, relationship=Relationship.PROVIDER_STAFF, provider_id=provider_id)
    return Scope(user=user, relationship=Relationship.COMMISSIONER)


def for_caseload_person(db: Session, scope: Scope, person_id: int) -> Scope | None:
    """A professional's scope narrowed to one person on their caseload; None for anyone else
    (so another person's id is 'not found')."""
    if scope.relationship is not Relationship.PROFESSIONAL or scope.user is None:
        return None
    person = db.exec(select(Person).join(CaseAssignment, CaseAssignment.person_id == Person.id).where(
        Person.id == person_id, CaseAssignment.professional_id == scope.user.id)).first()
    if person is None:
        return None
    return Scope(user=scope.user, person=person, relationship=Relationship.PROFESSIONAL,
                 permissions=PROFESSIONAL_READS)
