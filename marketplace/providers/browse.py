"""Finding providers: filters, sort and pages, in a fixed, small number of SQL statements.

A provider is a result when it is listed (vetted, not suspended) and at least one of its
published services matches every service filter (category, price, day, the search words),
and it serves the area and speaks the language asked for. The price shown is the lowest
price among its matching services.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, exists, func, or_, select, union
from sqlalchemy.orm import aliased
from sqlmodel import Session

from marketplace.models import Provider, ProviderArea, ProviderLanguage, Service
from marketplace.providers.catalogue import DAYS, district_order
from marketplace.providers.vetting import is_listed, service_is_shown

PER_PAGE = 20
SORTS = {"name": "Name (A to Z)", "price": "Price (lowest first)", "rating": "Rating (highest first)"}
MAX_SEARCH_WORDS = 8


@dataclass(frozen=True)
class BrowseFilters:
    q: str = ""
    category: str | None = None
    area: str | None = None
    max_price_pence: int | None = None
    day: str | None = None
    language: str | None = None
    sort: str = "name"

    def search_words(self) -> list[str]:
        return self.q.split()[:MAX_SEARCH_WORDS]


@dataclass
class ProviderResult:
    provider: Provider
    from_price_pence: int
    services: list[Service] = field(default_factory=list)  # the matching ones, cheapest first
    areas: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    @property
    def cheapest(self) -> Service | None:
        return self.services[0] if self.services else None


@dataclass
class BrowsePage:
    results: list[ProviderResult]
    total: int
    page: int
    per_page: int

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _service_conditions(filters: BrowseFilters, today: date) -> list[ColumnElement[bool]]:
    """What one published service (joined to its provider) must satisfy: its category's checks
    held, and every filter."""
    conditions: list[ColumnElement[bool]] = [service_is_shown(today)]
    if filters.category:
        conditions.append(Service.category == filters.category)
    if filters.max_price_pence is not None:
        conditions.append(Service.price_pence <= filters.max_price_pence)
    if filters.day:
        conditions.append(Service.days.op("&")(DAYS[filters.day][1]) != 0)
    conditions.extend(Service.id.in_(_services_mentioning(word)) for word in filters.search_words())
    return conditions


def _services_mentioning(word: str):
    """Ids of services whose title or description, or whose provider's name, has the word in it.

    A union of one-table searches, so each can use its own (trigram) index, which one OR across
    the provider and service tables could not."""
    by_text = aliased(Service)
    by_name = aliased(Service)
    return union(
        select(by_text.id).where(or_(by_text.title.icontains(word, autoescape=True),
                                     by_text.description.icontains(word, autoescape=True))),
        select(by_name.id).join(Provider, Provider.id == by_name.provider_id)
        .where(Provider.name.icontains(word, autoescape=True)),
    )


def _provider_conditions(filters: BrowseFilters, today: date) -> list[ColumnElement[bool]]:
    conditions = [is_listed(today)]
    if filters.area:
        conditions.append(exists(select(ProviderArea.id).where(
            ProviderArea.district == filters.area, ProviderArea.provider_id == Provider.id)))
    if filters.language:
        conditions.append(exists(select(ProviderLanguage.id).where(
            ProviderLanguage.language == filters.language, ProviderLanguage.provider_id == Provider.id)))
    return conditions


def matching_providers(filters: BrowseFilters, today: date):
    """(provider_id, from_price) for every provider that matches: a subquery to count."""
    return (
        select(Service.provider_id.label("provider_id"),
               func.min(Service.price_pence).label("from_price"))
        .join(Provider, Provider.id == Service.provider_id)
        .where(*_service_conditions(filters, today), *_provider_conditions(filters, today))
        .group_by(Service.provider_id)
        .subquery("matching")
    )


def _order_by(sort: str, from_price):
    if sort == "price":
        return [from_price.asc(), Provider.name.asc(), Provider.id.asc()]
    if sort == "rating":
        return [Provider.average_rating.desc().nulls_last(), Provider.review_count.desc(),
                Provider.name.asc(), Provider.id.asc()]
    return [Provider.name.asc(), Provider.id.asc()]


def _page_rows(session: Session, filters: BrowseFilters, today: date, page: int, per_page: int):
    """One page of (provider, from price, total matching) rows: the total comes from a window
    count in the same statement, so the matching set is worked out once per page. Grouping by
    the provider's key (rather than joining providers to a grouped subquery) keeps the
    database from looping over every provider for every match."""
    from_price = func.min(Service.price_pence).label("from_price")
    return session.execute(
        select(Provider, from_price, func.count().over().label("total"))
        .join(Service, Service.provider_id == Provider.id)
        .where(*_service_conditions(filters, today), *_provider_conditions(filters, today))
        .group_by(Provider.id)
        .order_by(*_order_by(filters.sort, from_price))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()


def search_providers(session: Session, *, filters: BrowseFilters, today: date, page: int = 1,
                     per_page: int = PER_PAGE) -> BrowsePage:
    """One page of results in four statements whatever the number of results: the page (with
    the total), then its matching services, areas and languages. A page past the end costs two
    more (count, then the last page)."""
    page = max(page, 1)
    rows = _page_rows(session, filters, today, page, per_page)
    if rows:
        total = rows[0].total
    else:
        total = session.execute(
            select(func.count()).select_from(matching_providers(filters, today))).scalar_one() if page > 1 else 0
        if total == 0:
            return BrowsePage(results=[], total=0, page=1, per_page=per_page)
        page = math.ceil(total / per_page)
        rows = _page_rows(session, filters, today, page, per_page)

    results = [ProviderResult(provider=provider, from_price_pence=price) for provider, price, _total in rows]
    ids = [result.provider.id for result in results]

    services = defaultdict(list)
    for service in session.execute(
        select(Service).join(Provider, Provider.id == Service.provider_id)
        .where(Service.provider_id.in_(ids), *_service_conditions(filters, today))
        .order_by(Service.price_pence, Service.title, Service.id)
    ).scalars():
        services[service.provider_id].append(service)
    areas = defaultdict(list)
    for provider_id, district in session.execute(
        select(ProviderArea.provider_id, ProviderArea.district)
        .where(ProviderArea.provider_id.in_(ids)).order_by(ProviderArea.district)
    ):
        areas[provider_id].append(district)
    languages = defaultdict(list)
    for provider_id, language in session.execute(
        select(ProviderLanguage.provider_id, ProviderLanguage.language)
        .where(ProviderLanguage.provider_id.in_(ids)).order_by(ProviderLanguage.language)
    ):
        languages[provider_id].append(language)

    for result in results:
        result.services = services[result.provider.id]
        result.areas = sorted(areas[result.provider.id], key=district_order)
        result.languages = languages[result.provider.id]
    return BrowsePage(results=results, total=total, page=page, per_page=per_page)


def listed_provider(session: Session, *, provider_id: int, today: date) -> Provider | None:
    """A provider the public may see, or None (unvetted, suspended or unknown)."""
    return session.execute(
        select(Provider).where(Provider.id == provider_id, is_listed(today))
    ).scalar_one_or_none()


def listed_providers(session: Session, *, provider_ids: list[int], today: date) -> list[Provider]:
    if not provider_ids:
        return []
    found = {p.id: p for p in session.execute(
        select(Provider).where(Provider.id.in_(provider_ids), is_listed(today))).scalars()}
    return [found[i] for i in provider_ids if i in found]

