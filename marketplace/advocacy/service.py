"""The rules for advocate links: inviting, accepting, changing, revoking and authorised persons.

Every function takes the database session and adds its change together with the audit entry
that describes it; the caller commits. Problems a user can fix are raised as ServiceError with
the field they belong to.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from marketplace.audit import audit
from marketplace.auth.service import add_advocate_account, normalise_email
from marketplace.errors import ServiceError
from marketplace.models import (
    AdvocateLink,
    CaseAssignment,
    LegalBasis,
    LinkStatus,
    Person,
    Role,
    User,
)
from marketplace.models.advocacy import ADVOCATE_PERMISSIONS
from marketplace.models.types import utcnow
from marketplace.notifications import events
from marketplace.scope import Scope, require
from marketplace.storage import lock_row

INVITATION_LIFETIME = timedelta(days=14)
# Permissions that only make sense for someone who can also see the budget.
NEEDS_VIEW = ("draft", "cosign", "approve_invoices")
OPEN_STATUSES = (LinkStatus.INVITED.value, LinkStatus.ACTIVE.value)


class InvitationRefused(ServiceError):
    """An invitation link that cannot be used; the message says why, in plain words. One that
    has run out is marked expired first, for the caller to commit."""


@dataclass(frozen=True)
class NewInvitation:
    link: AdvocateLink
    token: str  # shown or sent once; only its hash is stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_permissions(permissions: set[str]) -> None:
    unknown = permissions - set(ADVOCATE_PERMISSIONS)
    if unknown:
        raise ServiceError("Select what they can do from the list", "permissions")
    if not permissions:
        raise ServiceError("Select at least one thing they can do", "permissions")
    if "view" not in permissions and permissions & set(NEEDS_VIEW):
        raise ServiceError(
            "Also select 'See the budget' – an advocate needs to see the budget to do anything else",
            "permissions",
        )


def _set_permissions(link: AdvocateLink, permissions: set[str]) -> None:
    for permission in ADVOCATE_PERMISSIONS:
        setattr(link, f"can_{permission}", permission in permissions)


def _open_link_for_email(db: Session, *, person_id: int, email: str) -> AdvocateLink | None:
    now = utcnow()
    for link in db.exec(select(AdvocateLink).where(
        AdvocateLink.person_id == person_id,
        AdvocateLink.invited_email == email,
        AdvocateLink.status.in_(OPEN_STATUSES),
    )):
        if link.status_now(now) in (LinkStatus.INVITED, LinkStatus.ACTIVE):
            return link
    return None


def _new_link(
    db: Session, *, person: Person, by: User, name: str, email: str, permissions: set[str],
    legal_basis: LegalBasis | None = None, legal_reason: str | None = None,
) -> NewInvitation:
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise ServiceError("Enter their full name", "name")
    person_user = db.get(User, person.user_id)
    if email == person_user.email:
        raise ServiceError(
            f"{person.name} cannot be their own advocate. Enter someone else's email address"
            if by.id != person_user.id else
            "You cannot be your own advocate. Enter someone else's email address", "email")
    _check_permissions(permissions)
    existing = _open_link_for_email(db, person_id=person.id, email=email)
    if existing is not None:
        raise ServiceError(
            f"{existing.invited_name} is already invited or is already an advocate with this "
            "email address. Change their permissions instead", "email")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    link = AdvocateLink(
        person_id=person.id, invited_name=name, invited_email=email,
        token_hash=hash_token(token), expires_at=now + INVITATION_LIFETIME,
        invited_by_id=by.id, consent_recorded_by_id=by.id, consent_recorded_at=now,
        legal_basis=legal_basis.value if legal_basis else None, legal_reason=legal_reason,
    )
    _set_permissions(link, permissions)
    db.add(link)
    db.flush()
    return NewInvitation(link=link, token=token)


def invite(db: Session, *, scope: Scope, name: str, email: str, permissions: set[str]) -> NewInvitation:
    """The budget holder invites someone; their invitation is their consent."""
    require(scope, "manage_advocates")
    person, by = scope.person, scope.user
    invitation = _new_link(db, person=person, by=by, name=name, email=email, permissions=permissions)
    audit(db, action="advocate.invited", actor=by, on_behalf_of_id=person.id,
          object_type="advocate_link", object_id=invitation.link.id,
          detail={"name": invitation.link.invited_name, "permissions": sorted(permissions)})
    return invitation


def record_authorised_person(
    db: Session, *, scope: Scope, name: str, email: str,
    permissions: set[str], legal_basis: LegalBasis, reason: str,
) -> NewInvitation:
    """A professional records an authorised person for someone on their caseload who lacks
    capacity to decide (scope: the professional's, narrowed to that person)."""
    require(scope, "manage_authorised_people")
    professional, person = scope.user, scope.person
    if not reason.strip():
        raise ServiceError("Enter the reason for this decision", "reason")
    invitation = _new_link(db, person=person, by=professional, name=name, email=email,
                           permissions=permissions, legal_basis=legal_basis,
                           legal_reason=reason.strip())
    audit(db, action="advocate.authorised_person_recorded", actor=professional,
          on_behalf_of_id=person.id, object_type="advocate_link", object_id=invitation.link.id,
          detail={"name": invitation.link.invited_name, "permissions": sorted(permissions),
                  "legal_basis": legal_basis.value})
    return invitation


def _require_manager(scope: Scope, link: AdvocateLink) -> None:
    """The person manages the advocates they chose; an authorised person is managed by the
    professionals who have the person on their caseload."""
    require(scope, "manage_authorised_people" if link.is_authorised_person else "manage_advocates", link)


def change_permissions(db: Session, *, scope: Scope, link_id: int, permissions: set[str]) -> AdvocateLink:
    _check_permissions(permissions)
    link = lock_row(db, AdvocateLink, link_id)
    _require_manager(scope, link)
    by = scope.user
    if link.status_now(utcnow()) not in (LinkStatus.INVITED, LinkStatus.ACTIVE):
        raise ServiceError("This advocate's access has ended, so there is nothing to change", "permissions")
    before = link.permissions
    _set_permissions(link, permissions)
    db.add(link)
    audit(db, action="advocate.permissions_changed", actor=by, on_behalf_of_id=link.person_id,
          object_type="advocate_link", object_id=link.id,
          detail={"name": link.invited_name, "before": before, "after": sorted(permissions)})
    events.permissions_changed(db, link)
    return link


def revoke(db: Session, *, scope: Scope, link_id: int) -> AdvocateLink:
    """End an advocate's access (or cancel an invitation). Idempotent for an ended link."""
    link = lock_row(db, AdvocateLink, link_id)
    _require_manager(scope, link)
    by = scope.user
    if link.status not in OPEN_STATUSES:
        return link
    was_invited = link.status == LinkStatus.INVITED.value
    link.status = LinkStatus.REVOKED.value
    link.revoked_at = utcnow()
    link.revoked_by_id = by.id
    db.add(link)
    audit(db, action="advocate.revoked", actor=by, on_behalf_of_id=link.person_id,
          object_type="advocate_link", object_id=link.id, detail={"name": link.invited_name})
    events.access_ended(db, link, by=by, was_invited=was_invited)
    return link


# Invitations ----------------------------------------------------------------------------------

def open_invitation(db: Session, token: str, *, lock: bool = False) -> AdvocateLink:
    """The invitation this token belongs to, if it can still be answered; else InvitationRefused."""
    query = select(AdvocateLink).where(AdvocateLink.token_hash == hash_token(token))
    link = db.exec(query.with_for_update() if lock else query).first()
    if link is None:
        raise InvitationRefused(
            "This invitation link is not valid. Check you copied the whole link, "
            "or ask for a new invitation.")
    person = db.get(Person, link.person_id)
    status = link.status_now(utcnow())
    if status is LinkStatus.EXPIRED:
        raise InvitationRefused(
            f"This invitation has expired. Ask {person.name} to send you a new one.")
    if status is LinkStatus.REVOKED:
        raise InvitationRefused("This invitation was cancelled. Nothing else needs to be done.")
    if status is not LinkStatus.INVITED:
        raise InvitationRefused(
            "This invitation has already been used. Each invitation link works only once.")
    return link


def _check_account_may_accept(link: AdvocateLink, user: User) -> None:
    if user.role != Role.ADVOCATE:
        raise InvitationRefused(
            "You are signed in with an account that cannot be an advocate. Sign out, then open "
            "the invitation link again to create an advocate account.")
    if normalise_email(user.email) != link.invited_email:
        raise InvitationRefused(
            "This invitation was sent to a different email address from the one you signed in "
            "with. Sign out and sign in with the email address the invitation was sent to.")


def _mark_expired_if_late(db: Session, token: str) -> None:
    """Record that an invitation ran out when someone tries to use it late."""
    link = db.exec(select(AdvocateLink).where(AdvocateLink.token_hash == hash_token(token))).first()
    if link is not None and link.status == LinkStatus.INVITED and link.status_now(utcnow()) is LinkStatus.EXPIRED:
        link.status = LinkStatus.EXPIRED.value
        db.add(link)
        events.invitation_expired(db, link)
        db.flush()


def accept(db: Session, *, token: str, user: User) -> AdvocateLink:
    try:
        link = open_invitation(db, token, lock=True)
        _check_account_may_accept(link, user)
        if _already_supports(db, user=user, person_id=link.person_id):
            raise InvitationRefused(
                "You are already an advocate for this person. Ask them to change your "
                "permissions instead.")
    except InvitationRefused:
        _mark_expired_if_late(db, token)
        raise
    _activate(db, link=link, user=user)
    return link


def _already_supports(db: Session, *, user: User, person_id: int) -> bool:
    return db.exec(select(AdvocateLink.id).where(
        AdvocateLink.advocate_user_id == user.id, AdvocateLink.person_id == person_id,
        AdvocateLink.status == LinkStatus.ACTIVE.value)).first() is not None


def _activate(db: Session, *, link: AdvocateLink, user: User) -> None:
    link.status = LinkStatus.ACTIVE.value
    link.advocate_user_id = user.id
    link.responded_at = utcnow()
    db.add(link)
    audit(db, action="advocate.invitation_accepted", actor=user, on_behalf_of_id=link.person_id,
          object_type="advocate_link", object_id=link.id, detail={"permissions": link.permissions})
    events.invitation_answered(db, link, accepted=True)


def register_and_accept(db: Session, *, token: str, name: str, email: str, password: str) -> User:
    """Create an advocate account from an invitation and accept it, all or nothing."""
    try:
        link = open_invitation(db, token, lock=True)
        if normalise_email(email) != link.invited_email:
            raise ServiceError(
                "Use the email address the invitation was sent to", "email")
        user = add_advocate_account(db, email=email, name=name, password=password)
    except InvitationRefused:
        _mark_expired_if_late(db, token)
        raise
    _activate(db, link=link, user=user)
    return user


def decline(db: Session, *, token: str, user: User | None) -> AdvocateLink:
    """Anyone holding the link may say no: it proves the invitation reached them."""
    try:
        link = open_invitation(db, token, lock=True)
        if user is not None:
            _check_account_may_accept(link, user)
    except InvitationRefused:
        _mark_expired_if_late(db, token)
        raise
    link.status = LinkStatus.DECLINED.value
    link.responded_at = utcnow()
    db.add(link)
    audit(db, action="advocate.invitation_declined", actor=user, on_behalf_of_id=link.person_id,
          object_type="advocate_link", object_id=link.id, detail={"name": link.invited_name})
    events.invitation_answered(db, link, accepted=False)
    return link


def expire_invitations(db: Session, today=None) -> int:
    """A sweep: mark invitations that ran out unanswered as expired and tell the budget holder.
    The status is checked under a row lock, so two workers never tell anyone twice."""
    late = db.exec(select(AdvocateLink).where(
        AdvocateLink.status == LinkStatus.INVITED.value, AdvocateLink.expires_at < utcnow()
    ).order_by(AdvocateLink.id).with_for_update()).all()
    for link in late:
        link.status = LinkStatus.EXPIRED.value
        db.add(link)
        events.invitation_expired(db, link)
    return len(late)


# Reading ------------------------------------------------------------------------------------

def links_for_person(db: Session, *, person_id: int) -> list[AdvocateLink]:
    return list(db.exec(select(AdvocateLink).where(AdvocateLink.person_id == person_id)
                        .order_by(AdvocateLink.created_at.desc(), AdvocateLink.id.desc())))


def link_of_person(db: Session, *, person_id: int, link_id: int) -> AdvocateLink | None:
    """One of this person's links; another person's link id gives None (404)."""
    return db.exec(select(AdvocateLink).where(
        AdvocateLink.id == link_id, AdvocateLink.person_id == person_id)).first()


def people_supported(db: Session, *, advocate: User) -> list[tuple[Person, AdvocateLink]]:
    rows = db.exec(select(Person, AdvocateLink).join(AdvocateLink, AdvocateLink.person_id == Person.id)
                   .where(AdvocateLink.advocate_user_id == advocate.id,
                          AdvocateLink.status == LinkStatus.ACTIVE.value)
                   .order_by(Person.name, Person.id))
    return list(rows)


def invitations_waiting(db: Session, *, advocate: User) -> list[tuple[Person, AdvocateLink]]:
    """Unanswered, unexpired invitations sent to this advocate's email address."""
    now = utcnow()
    rows = db.exec(select(Person, AdvocateLink).join(AdvocateLink, AdvocateLink.person_id == Person.id)
                   .where(AdvocateLink.invited_email == normalise_email(advocate.email),
                          AdvocateLink.status == LinkStatus.INVITED.value)
                   .order_by(AdvocateLink.created_at))
    return [(person, link) for person, link in rows if link.status_now(now) is LinkStatus.INVITED]


def caseload(db: Session, *, professional: User) -> list[Person]:
    return list(db.exec(select(Person).join(CaseAssignment, CaseAssignment.person_id == Person.id)
                        .where(CaseAssignment.professional_id == professional.id)
                        .order_by(Person.name, Person.id)))
