"""Finding providers: filters, sort and pages, in a fixed, small number of SQL statements.

A provider is a result when it is listed (vetted, not suspended) and at least one of its
published services matches every service filter (category, price, day, the search words,
which the database's full-text engine matches against the service's title and description
and the provider's name: see providers.search), and it serves the area and speaks the
language asked for. The price shown is the lowest price among its matching services.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, exists, func, literal, select
from sqlmodel import Session

from marketplace.models import Provider, ProviderArea, ProviderLanguage, Service
from marketplace.providers.catalogue import DAYS, district_order
from marketplace.providers.search import matching_services
from marketplace.providers.vetting import is_listed, service_is_shown

PER_PAGE = 20
# Best match is the order when search words are given, and name order without them.
SORTS = {"relevance": "Best match", "name": "Name (A to Z)", "price": "Price (lowest first)",
         "rating": "Rating (highest first)"}
# Counting every match of a broad search would cost as much as finding them all: past this,
# the page says "more than 1,000".
COUNT_LIMIT = 1000


@dataclass(frozen=True)
class BrowseFilters:
    q: str = ""
    category: str | None = None
    area: str | None = None
    max_price_pence: int | None = None
    day: str | None = None
    language: str | None = None
    sort: str = "name"


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
    """One page of results. `total` is exact up to COUNT_LIMIT; past it, `more_than_limit` is
    set and the page count is not known (the pages only say whether there is a next one)."""

    results: list[ProviderResult]
    total: int
    page: int
    per_page: int
    more_than_limit: bool = False

    @property
    def page_count(self) -> int | None:
        if self.more_than_limit:
            return None
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.more_than_limit or self.page < (self.page_count or 0)


def _service_conditions(filters: BrowseFilters, today: date) -> list[ColumnElement[bool]]:
    """What one published service (joined to its provider) must satisfy: its category's checks
    held, and every filter but the search words (a join to the search documents)."""
    conditions: list[ColumnElement[bool]] = [service_is_shown(today)]
    if filters.category:
        conditions.append(Service.category == filters.category)
    if filters.max_price_pence is not None:
        conditions.append(Service.price_pence <= filters.max_price_pence)
    if filters.day:
        conditions.append(Service.days.op("&")(DAYS[filters.day][1]) != 0)
    return conditions


def _provider_conditions(filters: BrowseFilters, today: date) -> list[ColumnElement[bool]]:
    conditions = [is_listed(today)]
    if filters.area:
        conditions.append(exists(select(ProviderArea.id).where(
            ProviderArea.district == filters.area, ProviderArea.provider_id == Provider.id)))
    if filters.language:
        conditions.append(exists(select(ProviderLanguage.id).where(
            ProviderLanguage.language == filters.language, ProviderLanguage.provider_id == Provider.id)))
    return conditions


@dataclass(frozen=True)
class _Query:
    """The parts every statement of one search shares: the matching services (joined to their
    provider and, with search words, to the documents that match them) and their relevance."""

    filters: BrowseFilters
    today: date
    found: object | None  # the matching search documents, or None without search words

    @classmethod
    def of(cls, session: Session, filters: BrowseFilters, today: date) -> "_Query":
        found = None
        if filters.q.strip():
            found = matching_services(session.get_bind().dialect.name, filters.q).subquery("found")
        return cls(filters, today, found)

    def services(self, select_):
        """`select_` narrowed to matching services of matching providers."""
        select_ = select_.join(Provider, Provider.id == Service.provider_id)
        if self.found is not None:
            select_ = select_.join(self.found, self.found.c.service_id == Service.id)
        return select_.where(*_service_conditions(self.filters, self.today),
                             *_provider_conditions(self.filters, self.today))

    def relevance(self):
        return func.max(self.found.c.relevance) if self.found is not None else literal(0.0)


def _order_by(sort: str, from_price, relevance):
    if sort == "price":
        return [from_price.asc(), Provider.name.asc(), Provider.id.asc()]
    if sort == "rating":
        return [Provider.average_rating.desc().nulls_last(), Provider.review_count.desc(),
                Provider.name.asc(), Provider.id.asc()]
    if sort == "relevance":
        return [relevance.desc(), Provider.name.asc(), Provider.id.asc()]
    return [Provider.name.asc(), Provider.id.asc()]


def _page_rows(session: Session, query: _Query, page: int, per_page: int):
    """One page of (provider, from price) rows. Grouping by the provider's key (rather than
    joining providers to a grouped subquery) keeps the database from looping over every
    provider for every match."""
    from_price = func.min(Service.price_pence).label("from_price")
    relevance = query.relevance().label("relevance")
    return session.execute(
        query.services(select(Provider, from_price, relevance).select_from(Service))
        .group_by(Provider.id)
        .order_by(*_order_by(query.filters.sort, from_price, relevance))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()


def _count_up_to_limit(session: Session, query: _Query) -> int:
    """How many providers match, counting no further than one past COUNT_LIMIT."""
    matching = query.services(select(Service.provider_id).select_from(Service)).distinct()
    return session.execute(
        select(func.count()).select_from(matching.limit(COUNT_LIMIT + 1).subquery())).scalar_one()


def search_providers(session: Session, *, filters: BrowseFilters, today: date, page: int = 1,
                     per_page: int | None = None) -> BrowsePage:
    """One page of results in at most five statements whatever the number of results: the
    page, the count (only when the page does not already tell it), then its matching
    services, areas and languages. A page past the end costs one more (the last page)."""
    page, per_page = max(page, 1), per_page or PER_PAGE
    query = _Query.of(session, filters, today)
    rows = _page_rows(session, query, page, per_page)
    if rows and len(rows) < per_page:  # the last page: it tells the exact total
        total, more_than_limit = (page - 1) * per_page + len(rows), False
    else:
        total = _count_up_to_limit(session, query) if rows or page > 1 else 0
        if total == 0:
            return BrowsePage(results=[], total=0, page=1, per_page=per_page)
        total, more_than_limit = min(total, COUNT_LIMIT), total > COUNT_LIMIT
        if not rows:
            page = math.ceil(total / per_page)
            rows = _page_rows(session, query, page, per_page)

    results = [ProviderResult(provider=provider, from_price_pence=price) for provider, price, _relevance in rows]
    ids = [result.provider.id for result in results]

    services = defaultdict(list)
    for service in session.execute(
        query.services(select(Service)).where(Service.provider_id.in_(ids))
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
    return BrowsePage(results=results, total=total, page=page, per_page=per_page,
                      more_than_limit=more_than_limit)


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

