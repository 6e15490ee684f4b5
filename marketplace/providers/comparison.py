"""The compare table: the same facts for each provider, side by side."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from marketplace.models import Provider, Service
from marketplace.providers.catalogue import describe_days
from marketplace.providers.profile import areas_of, checks_valid_until, languages_of
from marketplace.providers.vetting import REQUIRED_CHECKS


@dataclass
class ComparedProvider:
    provider: Provider
    cheapest: Service | None  # in the chosen category, or overall
    areas: list[str]
    languages: list[str]
    days: str
    checks_valid_until: date | None  # when the first required check runs out


def comparison_rows(session: Session, *, providers: list[Provider], category: str | None,
                    today: date) -> list[ComparedProvider]:
    compared = []
    for provider in providers:
        services = list(session.execute(
            select(Service).where(Service.provider_id == provider.id, Service.published.is_(True))
            .order_by(Service.price_pence, Service.id)
        ).scalars())
        in_category = [s for s in services if category is None or s.category == category]
        days_mask = 0
        for service in in_category:
            days_mask |= service.days
        valid = checks_valid_until(session, provider, today)
        complete = len(valid) == len(REQUIRED_CHECKS.get(provider.kind, ()))
        compared.append(ComparedProvider(
            provider=provider,
            cheapest=in_category[0] if in_category else None,
            areas=areas_of(session, provider.id),
            languages=languages_of(session, provider.id),
            days=describe_days(days_mask),
            checks_valid_until=min((until for _kind, until in valid), default=None) if complete else None,
        ))
    return compared
