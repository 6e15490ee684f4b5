"""Factories for providers, their services, checks, areas and languages."""

from datetime import date, timedelta

from sqlmodel import Session, select

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
from marketplace.providers.catalogue import checks_needed, mask_from_days
from tests.factories import create_provider

ALL_WEEK = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def provider_of_user(session: Session, user: User) -> Provider | None:
    """The organisation this staff member belongs to, if any."""
    return session.exec(select(Provider).join(ProviderMember, ProviderMember.provider_id == Provider.id)
                        .where(ProviderMember.user_id == user.id)).first()


def add_check(session: Session, provider: Provider, kind: str, *, status: str = "verified",
              expires_on: date | None = None, issued_on: date | None = None) -> VettingCheck:
    check = VettingCheck(
        provider_id=provider.id, kind=kind, reference=f"REF-{kind[:6].upper()}-{provider.id}",
        issued_on=issued_on or date.today() - timedelta(days=100),
        expires_on=expires_on or date.today() + timedelta(days=365), status=status,
        decided_at=utcnow() if status != "pending" else None,
    )
    session.add(check)
    session.commit()
    return check


def vet(session: Session, provider: Provider, *, expires_on: date | None = None,
        categories: tuple[str, ...] = ("personal_care",)) -> Provider:
    """Every check the provider's kind and the types of support it offers need, verified."""
    for kind in checks_needed(provider.kind, categories):
        add_check(session, provider, kind, expires_on=expires_on)
    return provider


def add_service(session: Session, provider: Provider, *, title: str = "Help at home",
                category: str = "personal_care", price_pence: int = 2200, unit: str = "hour",
                days: list[str] | None = None, published: bool = True, description: str = "",
                minimum_units: int = 1) -> Service:
    service = Service(
        provider_id=provider.id, title=title, category=category, price_pence=price_pence, unit=unit,
        days=mask_from_days(ALL_WEEK if days is None else days), published=published,
        description=description or f"{title}, from people who care.", minimum_units=minimum_units,
    )
    session.add(service)
    session.commit()
    return service


def create_listed_provider(session: Session, *, name: str | None = None, kind: str = "care_agency",
                           areas: tuple[str, ...] = ("LS6",), languages: tuple[str, ...] = ("English",),
                           services: int = 1, **service_fields) -> Provider:
    """A vetted provider with published services: what browse shows."""
    provider = create_provider(session, name=name, kind=kind, description="We help people live well at home.")
    session.add_all([ProviderArea(provider_id=provider.id, district=d) for d in areas])
    session.add_all([ProviderLanguage(provider_id=provider.id, language=lang) for lang in languages])
    session.commit()
    vet(session, provider, categories=(service_fields.get("category", "personal_care"),))
    for _ in range(services):
        add_service(session, provider, **service_fields)
    return provider
