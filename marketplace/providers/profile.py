"""What the public sees of one listed provider: services, areas, checks, rating, reviews."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from marketplace.models import (
    Person,
    Provider,
    ProviderArea,
    ProviderLanguage,
    Review,
    Service,
    VettingCheck,
)
from marketplace.providers.catalogue import checks_needed, district_order
from marketplace.providers.vetting import service_is_shown


@dataclass
class ProviderProfile:
    provider: Provider
    services: list[Service]
    areas: list[str]
    languages: list[str]
    checks_valid_until: list[tuple[str, date]]  # (check kind, valid until), required checks only
    reviews: list[tuple[Review, str]]  # (review, reviewer's first name)


def areas_of(session: Session, provider_id: int) -> list[str]:
    return sorted(session.execute(select(ProviderArea.district).where(
        ProviderArea.provider_id == provider_id)).scalars(), key=district_order)


def languages_of(session: Session, provider_id: int) -> list[str]:
    return list(session.execute(select(ProviderLanguage.language).where(
        ProviderLanguage.provider_id == provider_id).order_by(ProviderLanguage.language)).scalars())


def checks_valid_until(session: Session, provider: Provider, services: list[Service],
                       today: date) -> list[tuple[str, date]]:
    """For each check its kind and shown services need, how long the latest verified evidence lasts."""
    required = checks_needed(provider.kind, {service.category for service in services})
    rows = dict(session.execute(
        select(VettingCheck.kind, func.max(VettingCheck.expires_on))
        .where(VettingCheck.provider_id == provider.id, VettingCheck.status == "verified",
               VettingCheck.expires_on >= today, VettingCheck.kind.in_(required))
        .group_by(VettingCheck.kind)
    ).all())
    return [(kind, rows[kind]) for kind in required if kind in rows]


def visible_reviews(session: Session, provider_id: int) -> list[tuple[Review, str]]:
    rows = session.execute(
        select(Review, Person.name).join(Person, Person.id == Review.person_id)
        .where(Review.provider_id == provider_id, Review.hidden_at.is_(None))
        .order_by(Review.updated_at.desc(), Review.id.desc())
    ).all()
    return [(review, name.split()[0] if name.strip() else "A budget holder") for review, name in rows]


def provider_profile(session: Session, *, provider: Provider, today: date) -> ProviderProfile:
    services = list(session.execute(
        select(Service).where(Service.provider_id == provider.id, service_is_shown(today))
        .order_by(Service.category, Service.price_pence, Service.id)
    ).scalars())
    return ProviderProfile(
        provider=provider,
        services=services,
        areas=areas_of(session, provider.id),
        languages=languages_of(session, provider.id),
        checks_valid_until=checks_valid_until(session, provider, services, today),
        reviews=visible_reviews(session, provider.id),
    )
