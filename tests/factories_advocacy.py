"""Factories for advocate links."""

import itertools
from datetime import timedelta

from sqlmodel import Session

from marketplace.advocacy.service import hash_token
from marketplace.models import AdvocateLink, LegalBasis, LinkStatus, Person, User
from marketplace.models.advocacy import ADVOCATE_PERMISSIONS
from marketplace.models.types import utcnow

_numbers = itertools.count(1)


def create_advocate_link(
    session: Session, *, person: Person, advocate: User | None = None,
    permissions=ADVOCATE_PERMISSIONS, status: LinkStatus = LinkStatus.ACTIVE,
    email: str | None = None, name: str | None = None, token: str | None = None,
    expires_in: timedelta = timedelta(days=14), legal_basis: LegalBasis | None = None,
    legal_reason: str | None = None, invited_by: User | None = None,
) -> tuple[AdvocateLink, str]:
    """A link and its invitation token. Active links need the advocate's account."""
    n = next(_numbers)
    token = token or f"test-token-{n}-abcdefghijklmnopqrstuvwxyz"
    by_id = invited_by.id if invited_by else person.user_id
    link = AdvocateLink(
        person_id=person.id,
        advocate_user_id=advocate.id if advocate and status is not LinkStatus.INVITED else None,
        invited_name=name or (advocate.name if advocate else f"Invitee {n}"),
        invited_email=email or (advocate.email if advocate else f"invitee{n}@example.org"),
        status=status.value, token_hash=hash_token(token), expires_at=utcnow() + expires_in,
        invited_by_id=by_id, consent_recorded_by_id=by_id,
        legal_basis=legal_basis.value if legal_basis else None, legal_reason=legal_reason,
        **{f"can_{p}": p in permissions for p in ADVOCATE_PERMISSIONS},
    )
    session.add(link)
    session.commit()
    return link, token
