"""Bring your own provider or personal assistant (choice is not tied to the list).

The budget holder (or an advocate who may draft) asks to pay someone not listed: name, contact,
what they would do, the price and how they know them. The council checks them like any
provider (the checks their kind of support needs, each with a reference and an expiry date)
and agrees or refuses. Paying a spouse or partner, or a close relative in the same household,
needs the council to agree it is necessary, with a reason. Once agreed, the person can add
them to packages like any other provider; they never appear in public browse. A change of
relationship goes back to the council, and until it agrees again they cannot be chosen.
Services flush; the caller commits.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from marketplace.categories import SUPPORT_CATEGORIES
from marketplace.errors import ServiceError
from marketplace.models import (
    OwnProviderRequest,
    OwnProviderStatus,
    Person,
    Provider,
    Service,
    VettingCheck,
)
from marketplace.models.own_provider import RELATIONSHIPS
from marketplace.models.types import utcnow
from marketplace.notifications import events as notices
from marketplace.providers.catalogue import UNITS, checks_needed
from marketplace.scope import Scope, require
from marketplace.storage import lock_row
from marketplace.text import clean_text

MOST_PRICE_PENCE = 100_000  # £1,000 a unit: more is a typing slip
PERSONAL_ASSISTANT_CATEGORY = "employing_a_pa"


def kind_for(category: str) -> str:
    return "personal_assistant" if category == PERSONAL_ASSISTANT_CATEGORY else "other"


def checks_for(request: OwnProviderRequest) -> tuple[str, ...]:
    """The checks the council must verify for this kind of provider and support."""
    return checks_needed(kind_for(request.category), [request.category])


def requests_of(session: Session, scope: Scope) -> list[OwnProviderRequest]:
    require(scope, "view_package")
    return list(session.exec(select(OwnProviderRequest).where(OwnProviderRequest.person_id == scope.person.id)
                             .order_by(col(OwnProviderRequest.created_at).desc())))


def request_in_scope(session: Session, scope: Scope, request_id: int) -> OwnProviderRequest:
    require(scope, "view_package")
    found = session.exec(select(OwnProviderRequest).where(
        OwnProviderRequest.id == request_id, OwnProviderRequest.person_id == scope.person.id)).first()
    if found is None:
        raise LookupError(request_id)
    return found


def _relationship(relationship: str | None, why_needed: str) -> tuple[str, str]:
    if relationship not in RELATIONSHIPS:
        raise ServiceError("Choose how you know them", field="relationship")
    needs_reason = relationship in ("close_relative_household", "spouse_partner")
    why_needed = clean_text(why_needed, field="why_needed", label="Why it needs to be them", max_length=2000,
                            multiline=True, required=needs_reason)
    return relationship, why_needed


def ask(session: Session, scope: Scope, *, name: str, contact: str, what_they_do: str, category: str | None,
        unit: str | None, price_pence: int | None, relationship: str | None, why_needed: str) -> OwnProviderRequest:
    require(scope, "draft_package")
    name = clean_text(name, field="name", label="Their name", max_length=200)
    contact = clean_text(contact, field="contact", label="How to contact them", max_length=320)
    what_they_do = clean_text(what_they_do, field="what_they_do", label="What they would do", max_length=2000,
                              multiline=True)
    if category not in SUPPORT_CATEGORIES:
        raise ServiceError("Choose the kind of support", field="category")
    if unit not in UNITS:
        raise ServiceError("Choose what the price is for", field="unit")
    if price_pence is None or not 1 <= price_pence <= MOST_PRICE_PENCE:
        raise ServiceError("Enter a price between £0.01 and £1,000", field="price")
    relationship, why_needed = _relationship(relationship, why_needed)
    request = OwnProviderRequest(person_id=scope.person.id, requested_by_id=scope.user.id, name=name,
                                 contact=contact, what_they_do=what_they_do, category=category, unit=unit,
                                 price_pence=price_pence, relationship=relationship, why_needed=why_needed)
    session.add(request)
    session.flush()
    notices.own_provider_to_check(session, request)
    return request


def change_relationship(session: Session, scope: Scope, *, request_id: int, relationship: str | None,
                        why_needed: str) -> OwnProviderRequest:
    """A change of relationship goes back to the council: until it agrees again, they cannot be
    added to packages (so the close-relative rule cannot be got round after agreement)."""
    require(scope, "draft_package")
    request = lock_row(session, OwnProviderRequest, request_in_scope(session, scope, request_id).id)
    relationship, why_needed = _relationship(relationship, why_needed)
    if (relationship, why_needed) == (request.relationship, request.why_needed):
        return request
    request.relationship, request.why_needed = relationship, why_needed
    request.status = OwnProviderStatus.WAITING.value
    request.decided_by_id = request.decided_at = None
    if request.service_id is not None:
        session.get(Service, request.service_id).published = False
    session.flush()
    notices.own_provider_to_check(session, request)
    return request


# The council ---------------------------------------------------------------------------------------

def waiting_requests(session: Session) -> list[tuple[OwnProviderRequest, str]]:
    """Requests waiting for the council, oldest first, with the budget holder's name."""
    return list(session.exec(select(OwnProviderRequest, Person.name)
                             .join(Person, Person.id == OwnProviderRequest.person_id)
                             .where(OwnProviderRequest.status == OwnProviderStatus.WAITING.value)
                             .order_by(OwnProviderRequest.created_at, OwnProviderRequest.id)))


@dataclass(frozen=True)
class CheckSeen:
    """A check the council has seen for itself: its reference and when it runs out."""

    kind: str
    reference: str
    expires_on: date | None


def decide(session: Session, scope: Scope, *, request_id: int, agree: bool, reason: str,
           checks: list[CheckSeen], today: date) -> OwnProviderRequest:
    require(scope, "vet_provider")
    request = lock_row(session, OwnProviderRequest, request_id)
    if request is None:
        raise LookupError(request_id)
    if request.status != OwnProviderStatus.WAITING.value:
        raise ServiceError("Someone has already decided on this request.")
    reason_needed = not agree or request.needs_council_reason
    reason = clean_text(reason, field="reason", label="The reason for your decision", max_length=2000,
                        multiline=True, required=reason_needed)
    if agree:
        _make_choosable(session, scope, request, _checked(checks_for(request), checks, today), today)
    request.status = (OwnProviderStatus.AGREED if agree else OwnProviderStatus.REFUSED).value
    request.decided_by_id, request.decided_at, request.decision_reason = scope.user.id, utcnow(), reason
    session.flush()
    notices.own_provider_decided(session, request)
    return request


def _checked(needed: tuple[str, ...], seen: list[CheckSeen], today: date) -> list[CheckSeen]:
    by_kind = {check.kind: check for check in seen}
    result = []
    for kind in needed:
        check = by_kind.get(kind) or CheckSeen(kind, "", None)
        reference = clean_text(check.reference, field=f"reference_{kind}", label="The reference", max_length=100)
        if check.expires_on is None or check.expires_on < today:
            raise ServiceError("Enter a date it runs out that is today or later", field=f"expires_{kind}")
        result.append(CheckSeen(kind, reference, check.expires_on))
    return result


def _make_choosable(session: Session, scope: Scope, request: OwnProviderRequest, checks: list[CheckSeen],
                    today: date) -> None:
    """A provider only this person can choose, with one service at the agreed price, holding the
    checks the council saw (so the same vetting rules keep it choosable only while in date)."""
    if request.provider_id is None:
        provider = Provider(name=request.name, kind=kind_for(request.category), contact_email="",
                            description=request.what_they_do[:5000], private_for_person_id=request.person_id)
        session.add(provider)
        session.flush()
        service = Service(provider_id=provider.id, category=request.category, title=request.what_they_do[:200],
                          description=request.what_they_do, unit=request.unit, price_pence=request.price_pence,
                          published=True)
        session.add(service)
        session.flush()
        request.provider_id, request.service_id = provider.id, service.id
    else:
        service = session.get(Service, request.service_id)
        service.published = True
    now = utcnow()
    for check in checks:
        session.add(VettingCheck(provider_id=request.provider_id, kind=check.kind, reference=check.reference,
                                 issued_on=today, expires_on=check.expires_on, status="verified",
                                 submitted_by_id=scope.user.id, decided_at=now, decided_by_id=scope.user.id))
    session.flush()
