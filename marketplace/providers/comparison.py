"""The compare table: the same facts for each provider, side by side."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from marketplace.models import Provider, ProviderArea, ProviderLanguage, Service, VettingCheck
from marketplace.providers.catalogue import checks_needed, describe_days, district_order
from marketplace.providers.vetting import service_is_shown


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
    """Four statements for the whole table (services, areas, languages, checks), however many
    providers are compared, rather than four for each of them."""
    ids = [provider.id for provider in providers]
    if not ids:
        return []
    services = defaultdict(list)
    for service in session.execute(
        select(Service).where(Service.provider_id.in_(ids),
                              service_is_shown(today))
        .order_by(Service.price_pence, Service.id)
    ).scalars():
        services[service.provider_id].append(service)
    areas = defaultdict(list)
    for provider_id, district in session.execute(
        select(ProviderArea.provider_id, ProviderArea.district).where(ProviderArea.provider_id.in_(ids))
    ):
        areas[provider_id].append(district)
    languages = defaultdict(list)
    for provider_id, language in session.execute(
        select(ProviderLanguage.provider_id, ProviderLanguage.language)
        .where(ProviderLanguage.provider_id.in_(ids)).order_by(ProviderLanguage.language)
    ):
        languages[provider_id].append(language)
    valid_until = defaultdict(dict)  # provider id → {check kind: latest verified expiry}
    for provider_id, kind, until in session.execute(
        select(VettingCheck.provider_id, VettingCheck.kind, func.max(VettingCheck.expires_on))
        .where(VettingCheck.provider_id.in_(ids), VettingCheck.status == "verified",
               VettingCheck.expires_on >= today)
        .group_by(VettingCheck.provider_id, VettingCheck.kind)
    ):
        valid_until[provider_id][kind] = until

    compared = []
    for provider in providers:
        in_category = [s for s in services[provider.id] if category is None or s.category == category]
        days_mask = 0
        for service in in_category:
            days_mask |= service.days
        required = checks_needed(provider.kind, {service.category for service in services[provider.id]})
        valid = [valid_until[provider.id][kind] for kind in required if kind in valid_until[provider.id]]
        compared.append(ComparedProvider(
            provider=provider,
            cheapest=in_category[0] if in_category else None,
            areas=sorted(areas[provider.id], key=district_order),
            languages=languages[provider.id],
            days=describe_days(days_mask),
            checks_valid_until=min(valid) if valid and len(valid) == len(required) else None,
        ))
    return compared
