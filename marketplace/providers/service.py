"""Rules for provider staff: their organisation, staff, services and vetting evidence.

Changes take the request's Scope: the provider is the one the scope's staff member belongs to
(provider_in_scope), and anything else is loaded through it, so one provider's ids never reach
another's records. Readers take the provider that was loaded that way.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlmodel import Session

from marketplace.audit import audit
from marketplace.errors import ServiceError
from marketplace.models import (
    Provider,
    ProviderArea,
    ProviderLanguage,
    ProviderMember,
    Service,
    User,
    VettingCheck,
)
from marketplace.models.types import utcnow
from marketplace.providers.catalogue import (
    CHECK_KINDS,
    REQUIRED_CHECKS,
    checks_needed,
    mask_from_days,
)
from marketplace.providers.changes import ask_for_kind_change, record_name_change
from marketplace.scope import Scope, require

EXPIRY_WARNING = timedelta(days=30)


def provider_in_scope(session: Session, scope: Scope) -> Provider:
    """The provider whose staff member is acting; NotAllowed for anyone else."""
    require(scope, "manage_provider")
    return session.get(Provider, scope.provider_id)


def membership_of(session: Session, user: User) -> ProviderMember | None:
    return session.execute(select(ProviderMember).where(ProviderMember.user_id == user.id)).scalar_one_or_none()


# Organisation profile

def update_organisation(session: Session, *, scope: Scope, name: str, kind: str,
                        description: str, contact_email: str, contact_phone: str, areas: list[str],
                        languages: list[str], access_notes: str, cqc_number: str) -> bool:
    """Save the organisation's details; True when a change of kind now waits for the council.

    The kind decides the floor of checks needed, so a new kind takes effect only when the
    council approves it; a new name takes effect now and is shown to the council."""
    provider, actor = provider_in_scope(session, scope), scope.user
    if kind not in REQUIRED_CHECKS:
        raise ServiceError("Choose what kind of provider you are", "kind")
    record_name_change(session, scope=scope, provider=provider, new_name=name)
    kind_change_asked = ask_for_kind_change(session, scope=scope, provider=provider, new_kind=kind)
    provider.description = description
    provider.contact_email = contact_email
    provider.contact_phone = contact_phone
    provider.access_notes = access_notes
    provider.cqc_number = cqc_number
    session.add(provider)
    session.execute(delete(ProviderArea).where(ProviderArea.provider_id == provider.id))
    session.execute(delete(ProviderLanguage).where(ProviderLanguage.provider_id == provider.id))
    session.add_all([ProviderArea(provider_id=provider.id, district=d) for d in dict.fromkeys(areas)])
    session.add_all([ProviderLanguage(provider_id=provider.id, language=lang) for lang in dict.fromkeys(languages)])
    audit(session, action="provider.profile_updated", actor=actor, object_type="provider",
          object_id=provider.id, detail={"areas": list(dict.fromkeys(areas))})
    return kind_change_asked


# Staff

def staff_of(session: Session, provider: Provider) -> list[tuple[User, bool]]:
    return list(session.execute(
        select(User, ProviderMember.is_owner).join(ProviderMember, ProviderMember.user_id == User.id)
        .where(ProviderMember.provider_id == provider.id).order_by(User.name)
    ).all())


# Services

def services_of(session: Session, provider: Provider) -> list[Service]:
    return list(session.execute(
        select(Service).where(Service.provider_id == provider.id).order_by(Service.title, Service.id)
    ).scalars())


def service_of(session: Session, *, provider: Provider, service_id: int) -> Service | None:
    """One of this provider's services, or None for anyone else's id."""
    return session.execute(
        select(Service).where(Service.id == service_id, Service.provider_id == provider.id)
    ).scalar_one_or_none()


def save_service(session: Session, *, scope: Scope, service: Service | None,
                 category: str, title: str, description: str, unit: str, price_pence: int,
                 minimum_units: int, days: list[str]) -> Service:
    provider, actor = provider_in_scope(session, scope), scope.user
    if service is not None:
        require(scope, "manage_provider", service)
    if not isinstance(price_pence, int) or price_pence <= 0:
        raise ServiceError("Enter a price of more than £0", "price")
    is_new = service is None
    if service is None:
        service = Service(provider_id=provider.id, published=False, category=category, title=title,
                          unit=unit, price_pence=price_pence)
    service.category = category
    service.title = title
    service.description = description
    service.unit = unit
    service.price_pence = price_pence
    service.minimum_units = minimum_units
    service.days = mask_from_days(days)
    service.updated_at = utcnow()
    session.add(service)
    session.flush()
    audit(session, action="service.created" if is_new else "service.updated", actor=actor,
          object_type="service", object_id=service.id,
          detail={"provider_id": provider.id, "price_pence": price_pence, "unit": unit})
    return service


def set_published(session: Session, *, scope: Scope, service: Service, published: bool) -> Service:
    """Publish a service (a withdrawn one comes back), or withdraw it: it leaves browse and
    compare but keeps its history. Services are never deleted."""
    require(scope, "manage_provider", service)
    service.published = published
    service.withdrawn_at = None if published else utcnow()
    service.updated_at = service.withdrawn_at or utcnow()
    session.add(service)
    audit(session, action="service.published" if published else "service.withdrawn", actor=scope.user,
          object_type="service", object_id=service.id, detail={"provider_id": service.provider_id})
    return service


# Vetting checks

def record_check(session: Session, *, scope: Scope, kind: str, reference: str,
                 issued_on: date, expires_on: date) -> VettingCheck:
    provider, actor = provider_in_scope(session, scope), scope.user
    if kind not in CHECK_KINDS:
        raise ServiceError("Choose which check this is", "kind")
    if expires_on <= issued_on:
        raise ServiceError("Expiry date must be after the date issued", "expires_on")
    check = VettingCheck(provider_id=provider.id, kind=kind, reference=reference, issued_on=issued_on,
                         expires_on=expires_on, status="pending", submitted_by_id=actor.id)
    session.add(check)
    session.flush()
    audit(session, action="vetting.check_recorded", actor=actor, object_type="vetting_check",
          object_id=check.id, detail={"provider_id": provider.id, "kind": kind})
    return check


@dataclass
class CheckStatus:
    kind: str
    state: str  # valid, expiring, pending, rejected, expired, missing
    valid_until: date | None = None
    rejection_reason: str = ""

    @property
    def in_order(self) -> bool:
        return self.state in ("valid", "expiring", "renewal_pending")


def required_check_status(session: Session, *, provider: Provider, today: date) -> list[CheckStatus]:
    """For each check this provider needs for its kind and the types of support it lists (drafts
    too, so it can get ready; not withdrawn services): is it in order, and what to do if not."""
    categories = set(session.execute(select(Service.category).where(
        Service.provider_id == provider.id, Service.withdrawn_at.is_(None))).scalars())
    checks = list(session.execute(
        select(VettingCheck).where(VettingCheck.provider_id == provider.id)
        .order_by(VettingCheck.submitted_at.desc(), VettingCheck.id.desc())
    ).scalars())
    statuses = []
    for kind in checks_needed(provider.kind, categories):
        of_kind = [c for c in checks if c.kind == kind]
        valid = [c for c in of_kind if c.status == "verified" and c.expires_on >= today]
        if valid:
            until = max(c.expires_on for c in valid)
            state = "expiring" if until - today <= EXPIRY_WARNING else "valid"
            if state == "expiring" and any(c.status == "pending" for c in of_kind):
                state = "renewal_pending"
            statuses.append(CheckStatus(kind=kind, state=state, valid_until=until))
        elif any(c.status == "pending" for c in of_kind):
            statuses.append(CheckStatus(kind=kind, state="pending"))
        elif of_kind and of_kind[0].status == "rejected":
            statuses.append(CheckStatus(kind=kind, state="rejected", rejection_reason=of_kind[0].rejection_reason))
        elif of_kind:
            statuses.append(CheckStatus(kind=kind, state="expired",
                                        valid_until=max(c.expires_on for c in of_kind)))
        else:
            statuses.append(CheckStatus(kind=kind, state="missing"))
    return statuses


def checks_recorded(session: Session, *, provider: Provider) -> list[VettingCheck]:
    return list(session.execute(
        select(VettingCheck).where(VettingCheck.provider_id == provider.id)
        .order_by(VettingCheck.submitted_at.desc(), VettingCheck.id.desc())
    ).scalars())
