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

from sqlalchemy import ColumnElement, and_, exists, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select
from sqlmodel import Session

from marketplace.models import Provider, ProviderArea, ProviderLanguage, Service
from marketplace.providers.catalogue import DAYS, district_order
from marketplace.providers.search import matching_services
from marketplace.providers.vetting import is_listed

PER_PAGE = 20
# Best match is the order when search words are given, and name order without them.
SORTS = {"relevance": "Best match", "name": "Name (A to Z)", "price": "Price (lowest first)",
         "rating": "Rating (highest first)"}
# Counting every match of a broad search would cost as much as finding them all: past this,
# the page says "more than 1,000".
COUNT_LIMIT = 1000
# Ranking every match of a broad search (two common words match 20,000 services at scale) costs
# in proportion to the matches. Search words alone rank at most this many matching services, the
# first the full-text index gives (on both engines roughly the longest-listed); when the bound is
# met the page says "more than" the providers ranked. A broad search then costs about the same
# however many services it matches.
SEARCH_CANDIDATES = 2000


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


@dataclass(frozen=True)
class _Query:
    """What every statement of one search shares: which services match (every service filter,
    and the search words through the full-text engine) and which providers do (listed, the
    area and language asked for, and at least one matching service)."""

    filters: BrowseFilters
    today: date
    found: Select | None  # (service_id, provider_id, shown_until, relevance) matching the words

    @classmethod
    def of(cls, session: Session, filters: BrowseFilters, today: date) -> "_Query":
        found = None
        if filters.q.strip():
            found = matching_services(session.get_bind().dialect.name, filters.q)
        return cls(filters, today, found)

    def service_conditions(self, service=Service, *, words: bool = True) -> list[ColumnElement[bool]]:
        """What one of a provider's services must satisfy: shown (its category's checks
        held), and every service filter (the search words too, unless `words` is false)."""
        filters = self.filters
        conditions: list[ColumnElement[bool]] = [service.shown_until >= self.today]
        if filters.category:
            conditions.append(service.category == filters.category)
        if filters.max_price_pence is not None:
            conditions.append(service.price_pence <= filters.max_price_pence)
        if filters.day:
            conditions.append(service.days.op("&")(DAYS[filters.day][1]) != 0)
        if words and self.found is not None:
            found = self.found.subquery()
            conditions.append(service.id.in_(select(found.c.service_id)))
        return conditions

    def provider_conditions(self, *, has_service: bool = True) -> list[ColumnElement[bool]]:
        """What a provider must satisfy: listed, the area and language asked for and (unless
        the statement already starts from one) a matching service."""
        conditions = [is_listed(self.today)]
        if has_service and self.words_only:
            # The documents know their provider: no service is visited.
            found = self.found.subquery()
            conditions.append(Provider.id.in_(
                select(found.c.provider_id).where(found.c.shown_until >= self.today)))
        elif has_service:
            conditions.append(exists(select(Service.id).where(Service.provider_id == Provider.id,
                                                              *self.service_conditions())))
        if self.filters.area:
            conditions.append(exists(select(ProviderArea.id).where(
                ProviderArea.district == self.filters.area, ProviderArea.provider_id == Provider.id)))
        if self.filters.language:
            conditions.append(exists(select(ProviderLanguage.id).where(
                ProviderLanguage.language == self.filters.language, ProviderLanguage.provider_id == Provider.id)))
        return conditions

    @property
    def words_only(self) -> bool:
        """Search words and no other filter on services: the search documents say it all."""
        filters = self.filters
        return self.found is not None and not (
            filters.category or filters.max_price_pence is not None or filters.day)

    def from_price(self):
        """The provider's lowest price among its matching services."""
        return (select(func.min(Service.price_pence))
                .where(Service.provider_id == Provider.id, *self.service_conditions())
                .scalar_subquery().label("from_price"))

    def best_matches(self):
        """(provider_id, relevance, candidates) of every provider with a matching service: how
        well its best matching service matches the words, and how many matching services were
        ranked in all. With no other service filter, from at most SEARCH_CANDIDATES search
        documents alone (no service visited); with one, from every matching service, as the
        filter may keep only a few of them."""
        if self.words_only:
            shown = self.found.selected_columns.shown_until >= self.today
            found = self.found.where(shown).limit(SEARCH_CANDIDATES).subquery()
            best = select(found.c.provider_id, func.max(found.c.relevance).label("relevance"),
                          func.count().label("candidates")).group_by(found.c.provider_id)
        else:
            found = self.found.subquery()
            best = (select(Service.provider_id, func.max(found.c.relevance).label("relevance"),
                           literal(0).label("candidates"))
                    .select_from(Service).join(found, found.c.service_id == Service.id)
                    .where(*self.service_conditions(words=False)).group_by(Service.provider_id))
        return best.subquery("best")

    def providers(self, *columns) -> Select:
        return select(*columns).where(*self.provider_conditions())


def _page_rows(session: Session, query: _Query, page: int, per_page: int) -> tuple[list, int | None, bool]:
    """One page of (provider, from price) rows; how many providers match (up to one past
    COUNT_LIMIT) when working out the page told it without more work; and whether more may
    match than were ranked (see SEARCH_CANDIDATES).

    Each order reads as little as it can:
    - name and rating walk providers in that order, stopping at the page's last;
    - price walks matching services cheapest first (an index on category and price), keeping
      each provider's cheapest, so the first provider met is the cheapest;
    - best match ranks the matching providers, from the search documents (see
      _Query.best_matches), and counts them in the same statement."""
    filters, offset = query.filters, (page - 1) * per_page
    if filters.sort == "price":
        cheaper = aliased(Service)
        rows = session.execute(
            select(Provider, Service.price_pence).select_from(Service)
            .join(Provider, Provider.id == Service.provider_id)
            .where(*query.service_conditions(), *query.provider_conditions(has_service=False),
                   ~exists(select(cheaper.id).where(
                       cheaper.provider_id == Service.provider_id, *query.service_conditions(cheaper),
                       or_(cheaper.price_pence < Service.price_pence,
                           and_(cheaper.price_pence == Service.price_pence, cheaper.id < Service.id)))))
            .order_by(Service.price_pence, Provider.name, Provider.id)
            .limit(per_page).offset(offset)
        ).all()
        return rows, None, False
    if filters.sort == "relevance" and query.found is not None:
        best = query.best_matches()
        ranked = (select(Provider).join(best, best.c.provider_id == Provider.id)
                  .where(*query.provider_conditions(has_service=False)))
        rows = session.execute(
            ranked.add_columns(query.from_price(), func.count().over(), func.sum(best.c.candidates).over())
            .order_by(best.c.relevance.desc(), Provider.name, Provider.id)
            .limit(per_page).offset(offset)
        ).all()
        if rows:
            return [row[:2] for row in rows], rows[0][2], rows[0][3] >= SEARCH_CANDIDATES
        if offset == 0:
            return [], 0, False
        # A page past the end: count those ranked, so the last page of them is shown.
        counted, candidates = session.execute(
            ranked.with_only_columns(func.count(), func.coalesce(func.sum(best.c.candidates), 0))).one()
        return [], counted, candidates >= SEARCH_CANDIDATES
    order = [Provider.name, Provider.id]
    if filters.sort == "rating":
        order = [Provider.average_rating.desc().nulls_last(), Provider.review_count.desc(), *order]
    rows = session.execute(
        query.providers(Provider, query.from_price()).order_by(*order).limit(per_page).offset(offset)
    ).all()
    return rows, None, False


def _count_up_to_limit(session: Session, query: _Query) -> int:
    """How many providers match, counting no further than one past COUNT_LIMIT."""
    return session.execute(select(func.count()).select_from(
        query.providers(Provider.id).limit(COUNT_LIMIT + 1).subquery())).scalar_one()


def search_providers(session: Session, *, filters: BrowseFilters, today: date, page: int = 1,
                     per_page: int | None = None) -> BrowsePage:
    """One page of results in at most five statements whatever the number of results: the
    page, the count (only when the page does not already tell it), then its matching
    services, areas and languages. A page past the end costs one more (the last page)."""
    page, per_page = max(page, 1), per_page or PER_PAGE
    query = _Query.of(session, filters, today)
    rows, counted, unranked_matches = _page_rows(session, query, page, per_page)
    if rows and len(rows) < per_page:  # the last page: it tells the exact total of those ranked
        total, more_than_limit = (page - 1) * per_page + len(rows), unranked_matches
    else:
        if counted is None:
            counted = _count_up_to_limit(session, query) if rows or page > 1 else 0
        if counted == 0:
            return BrowsePage(results=[], total=0, page=1, per_page=per_page)
        total, more_than_limit = min(counted, COUNT_LIMIT), counted > COUNT_LIMIT or unranked_matches
        if not rows:
            page = math.ceil(total / per_page)
            rows, _counted, _unranked = _page_rows(session, query, page, per_page)

    results = [ProviderResult(provider=provider, from_price_pence=price) for provider, price in rows]
    ids = [result.provider.id for result in results]

    services = defaultdict(list)
    for service in session.execute(
        select(Service).where(Service.provider_id.in_(ids), *query.service_conditions())
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

