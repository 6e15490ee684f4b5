"""A provider's staff: the owner invites people by email and removes them.

Inviting makes no account and never says whether the address already has one: the invitee
opens the link (single use, 14 days, only its hash kept) and sets their own password, or, if
they already have a provider account in no organisation, signs in with it to accept.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlmodel import Session

from marketplace.audit import audit
from marketplace.auth.passwords import hash_password, password_problem
from marketplace.auth.service import find_user_by_email, normalise_email
from marketplace.errors import ServiceError
from marketplace.models import Provider, ProviderMember, Role, StaffInvitation, User
from marketplace.models.types import utcnow
from marketplace.models.user import new_session_token
from marketplace.scope import Scope, require

INVITATION_LIFETIME = timedelta(days=14)


class StaffError(ServiceError):
    """A request about staff that cannot be done; the message is for the user, next to `field`."""


@dataclass(frozen=True)
class NewStaffInvitation:
    invitation: StaffInvitation
    token: str  # sent once; only its hash is stored


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _owner_membership(session: Session, scope: Scope) -> ProviderMember:
    """The acting staff member's membership, if they own their organisation's account."""
    require(scope, "manage_provider")
    owner = session.execute(select(ProviderMember).where(
        ProviderMember.provider_id == scope.provider_id, ProviderMember.user_id == scope.user.id,
        ProviderMember.is_owner.is_(True))).scalar_one_or_none()
    if owner is None:
        raise StaffError("Only the owner of your organisation’s account can change its staff")
    return owner


def invite_staff(session: Session, *, scope: Scope, name: str, email: str) -> NewStaffInvitation:
    """The same answer whatever the address: whether it has an account is found out only by
    its owner, when they open the link."""
    owner = _owner_membership(session, scope)
    actor = scope.user
    token = secrets.token_urlsafe(32)
    invitation = StaffInvitation(provider_id=owner.provider_id, invited_name=name.strip(),
                                 invited_email=normalise_email(email), token_hash=_hash(token),
                                 invited_by_id=actor.id, expires_at=utcnow() + INVITATION_LIFETIME)
    session.add(invitation)
    session.flush()
    audit(session, action="provider.staff_invited", actor=actor, object_type="provider",
          object_id=owner.provider_id, detail={"invitation_id": invitation.id})
    return NewStaffInvitation(invitation=invitation, token=token)


def open_invitation(session: Session, token: str) -> tuple[StaffInvitation, Provider] | None:
    """The invitation this token belongs to while it can still be accepted, else None."""
    found = session.execute(
        select(StaffInvitation, Provider).join(Provider, Provider.id == StaffInvitation.provider_id)
        .where(StaffInvitation.token_hash == _hash(token), StaffInvitation.accepted_at.is_(None),
               StaffInvitation.expires_at > utcnow())
        .with_for_update(of=StaffInvitation)
    ).first()
    return tuple(found) if found else None


def _join(session: Session, invitation: StaffInvitation, user: User) -> None:
    session.add(ProviderMember(provider_id=invitation.provider_id, user_id=user.id, is_owner=False))
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    session.add(invitation)
    audit(session, action="provider.staff_joined", actor=user, object_type="provider",
          object_id=invitation.provider_id, detail={"invitation_id": invitation.id})


def accept_with_new_account(session: Session, *, token: str, name: str, password: str) -> User:
    found = open_invitation(session, token)
    if found is None:
        raise StaffError("This invitation has been used or has run out. Ask for a new one")
    invitation, _provider = found
    if find_user_by_email(session, invitation.invited_email) is not None:
        raise StaffError("You already have an account. Sign in with it to accept this invitation", "password")
    problem = password_problem(password, email=invitation.invited_email, name=name)
    if problem:
        raise StaffError(problem, "password")
    user = User(email=invitation.invited_email, name=name.strip(), role=Role.PROVIDER.value,
                password_hash=hash_password(password))
    session.add(user)
    session.flush()
    audit(session, action="account.registered", actor=user, object_type="user", object_id=user.id,
          detail={"role": user.role})
    _join(session, invitation, user)
    return user


def accept_as(session: Session, *, token: str, user: User) -> StaffInvitation:
    """A signed-in user accepts: only the invited address, only a provider account, only one
    organisation at a time."""
    found = open_invitation(session, token)
    if found is None:
        raise StaffError("This invitation has been used or has run out. Ask for a new one")
    invitation, _provider = found
    if user.email != invitation.invited_email:
        raise StaffError("This invitation is for a different email address. Sign out, then open the link again")
    if user.role != Role.PROVIDER or session.execute(
            select(ProviderMember.id).where(ProviderMember.user_id == user.id)).first() is not None:
        raise StaffError("Your account cannot join another organisation. Ask for the invitation to "
                         "go to a different email address")
    _join(session, invitation, user)
    return invitation


def remove_staff(session: Session, *, scope: Scope, user_id: int) -> User:
    """The member leaves the organisation at once: their sign-in stops working, and their
    account no longer reaches the organisation's pages."""
    provider_id = _owner_membership(session, scope).provider_id
    member = session.execute(select(ProviderMember).where(
        ProviderMember.provider_id == provider_id, ProviderMember.user_id == user_id)).scalar_one_or_none()
    if member is None:
        raise LookupError(user_id)
    if member.is_owner:
        raise StaffError("The owner cannot be removed")
    user = session.get(User, user_id)
    session.execute(delete(ProviderMember).where(ProviderMember.id == member.id))
    user.session_token = new_session_token()
    session.add(user)
    audit(session, action="provider.staff_removed", actor=scope.user, object_type="provider",
          object_id=provider_id, detail={"user_id": user_id})
    return user
