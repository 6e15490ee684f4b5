"""Resetting a forgotten password by an emailed link: single use, one hour, only its hash
kept. Asking for a link says nothing about whether the address has an account; a few links
an hour per account at most, so nobody can fill someone's inbox. The caller commits."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlmodel import Session

from marketplace.audit import audit
from marketplace.auth.passwords import hash_password, password_problem
from marketplace.auth.service import find_user_by_email
from marketplace.errors import ServiceError
from marketplace.models import PasswordReset, User
from marketplace.models.types import utcnow
from marketplace.models.user import new_session_token

LINK_LIFETIME = timedelta(hours=1)
MOST_LINKS_PER_HOUR = 3
LINK_GONE = "This link has been used or has run out. Ask for a new one"


@dataclass(frozen=True)
class ResetLink:
    user: User
    token: str  # emailed once; only its hash is stored


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(session: Session, *, email: str) -> ResetLink | None:
    """A new link for the account with this address, or None (no such account, or enough links
    sent this hour). The page says the same either way; only the inbox's owner sees a link."""
    user = find_user_by_email(session, email)
    if user is None:
        return None
    now = utcnow()
    sent_lately = session.execute(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.created_at > now - timedelta(hours=1))).scalar_one()
    if sent_lately >= MOST_LINKS_PER_HOUR:
        audit(session, action="password.reset_not_sent", actor=None, object_type="user",
              object_id=user.id, detail={"reason": "too many links this hour"})
        return None
    token = secrets.token_urlsafe(32)
    session.add(PasswordReset(user_id=user.id, token_hash=_hash(token), expires_at=now + LINK_LIFETIME))
    audit(session, action="password.reset_requested", actor=None, object_type="user", object_id=user.id)
    session.flush()
    return ResetLink(user=user, token=token)


def open_link(session: Session, token: str) -> tuple[PasswordReset, User] | None:
    """The reset and its account while the link still works, else None."""
    if not token or len(token) > 100:
        return None
    found = session.execute(
        select(PasswordReset, User).join(User, User.id == PasswordReset.user_id)
        .where(PasswordReset.token_hash == _hash(token), PasswordReset.used_at.is_(None),
               PasswordReset.expires_at > utcnow())
        .with_for_update(of=PasswordReset)
    ).first()
    return tuple(found) if found else None


def reset_password(session: Session, *, token: str, new_password: str) -> User:
    """Set the new password, use up this link and every other one for the account, and end
    every session it has (whoever asked for the link may have been signed in elsewhere)."""
    found = open_link(session, token)
    if found is None:
        raise ServiceError(LINK_GONE, "password")
    reset, user = found
    problem = password_problem(new_password, email=user.email, name=user.name)
    if problem:
        raise ServiceError(problem, "password")
    now = utcnow()
    session.execute(update(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)).values(used_at=now))
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    session.add(user)
    audit(session, action="password.reset", actor=user, object_type="user", object_id=user.id,
          detail={"reset_id": reset.id})
    session.flush()
    return user
