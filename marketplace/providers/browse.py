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
from functools import cache, cached_property

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Row,
    String,
    and_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select
from sqlmodel import Session

from marketplace.models import Provider, ProviderArea, ProviderLanguage, Service
from marketplace.providers.catalogue import DAYS, district_order
from marketplace.providers.search import matching_services_statement, search_question
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
    provider: Row  # id, name, kind, description, review_count, average_rating
    from_price_pence: int
    # The matching ones, cheapest first: title, price_pence, unit, category, days, published.
    services: list[Row] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    @property
    def cheapest(self) -> Row | None:
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


# What a result card shows of a provider, and of each matching service with what made it match,
# read as plain rows.
_PROVIDER_COLUMNS = (Provider.id, Provider.name, Provider.kind, Provider.description, Provider.review_count,
                     Provider.average_rating)
_SERVICE_COLUMNS = (Service.provider_id, Service.title, Service.price_pence, Service.unit, Service.category,
                    Service.days, Service.published)


@dataclass(frozen=True)
class _Shape:
    """Which filters a search uses (not their values) and its order: the statements of a
    search depend on these alone, so each shape's statements are built once (see _Query) and
    run with the values as parameters (see _parameters)."""

    dialect: str
    words: bool
    category: bool
    area: bool
    max_price: bool
    day: bool
    language: bool
    sort: str

    @classmethod
    def of(cls, dialect: str, filters: BrowseFilters) -> "_Shape":
        return cls(dialect, bool(filters.q.strip()), bool(filters.category), bool(filters.area),
                   filters.max_price_pence is not None, bool(filters.day), bool(filters.language), filters.sort)


def _parameters(filters: BrowseFilters, today: date, question: str | None) -> dict:
    """The values of a search's statements' parameters (those its shape does not use are
    left unread), the limits too."""
    return {"today": today, "category": filters.category, "area": filters.area,
            "max_price": filters.max_price_pence, "day": DAYS[filters.day][1] if filters.day else None,
            "language": filters.language, "question": question,
            "count_limit": COUNT_LIMIT + 1, "search_candidates": SEARCH_CANDIDATES}


class _Query:
    """What every statement of one shape of search shares: which services match (every service
    filter, and the search words through the full-text engine) and which providers do (listed,
    the area and language asked for, and at least one matching service). Its statements are
    built once for each shape and kept (see _query)."""

    def __init__(self, shape: _Shape):
        self.shape = shape
        self.today = bindparam("today", type_=Date)
        self.found = matching_services_statement(shape.dialect) if shape.words else None

    def service_conditions(self, service=Service, *, words: bool = True) -> list[ColumnElement[bool]]:
        """What one of a provider's services must satisfy: shown (its category's checks
        held), and every service filter (the search words too, unless `words` is false)."""
        shape = self.shape
        conditions: list[ColumnElement[bool]] = [service.shown_until >= self.today]
        if shape.category:
            conditions.append(service.category == bindparam("category", type_=String))
        if shape.max_price:
            conditions.append(service.price_pence <= bindparam("max_price", type_=Integer))
        if shape.day:
            conditions.append(service.days.op("&")(bindparam("day", type_=Integer)) != 0)
        if words and self.found is not None:
            found = self.found.subquery()
            conditions.append(service.id.in_(select(found.c.service_id)))
        return conditions

    def provider_conditions(self, *, has_service: bool = True, provider_id=Provider.id) -> list[ColumnElement[bool]]:
        """What a provider must satisfy: listed, the area and language asked for and (unless
        the statement already starts from one) a matching service. A statement that starts
        from the area's providers gives their `provider_id` column, and checks the area
        itself."""
        conditions = [is_listed(self.today)]
        if has_service and self.words_only:
            # The documents know their provider: no service is visited.
            found = self.found.subquery()
            conditions.append(provider_id.in_(
                select(found.c.provider_id).where(found.c.shown_until >= self.today)))
        elif has_service:
            conditions.append(exists(select(Service.id).where(Service.provider_id == provider_id,
                                                              *self.service_conditions())))
        if self.shape.area and provider_id is Provider.id:
            conditions.append(exists(select(ProviderArea.id).where(
                ProviderArea.district == bindparam("area", type_=String), ProviderArea.provider_id == Provider.id)))
        if self.shape.language:
            conditions.append(exists(select(ProviderLanguage.id).where(
                ProviderLanguage.language == bindparam("language", type_=String),
                ProviderLanguage.provider_id == Provider.id)))
        return conditions

    @property
    def words_only(self) -> bool:
        """Search words and no other filter on services: the search documents say it all."""
        shape = self.shape
        return shape.words and not (shape.category or shape.max_price or shape.day)

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
            found = self.found.where(shown).limit(bindparam("search_candidates", type_=Integer)).subquery()
            best = select(found.c.provider_id, func.max(found.c.relevance).label("relevance"),
                          func.count().label("candidates")).group_by(found.c.provider_id)
        else:
            found = self.found.subquery()
            best = (select(Service.provider_id, func.max(found.c.relevance).label("relevance"),
                           literal(0).label("candidates"))
                    .select_from(Service).join(found, found.c.service_id == Service.id)
                    .where(*self.service_conditions(words=False)).group_by(Service.provider_id))
        return best.subquery("best")

    @cached_property
    def page(self) -> Select:
        """One page of (provider columns…, from_price[, matches, candidates]) rows, from the
        `limit` and `offset` parameters.

        Each order reads as little as it can:
        - name and rating walk providers in that order, stopping at the page's last;
        - price walks matching services cheapest first (an index on category and price),
          keeping each provider's cheapest, so the first provider met is the cheapest;
        - best match ranks the matching providers, from the search documents (see
          best_matches), and counts them (`matches`, and the `candidates` ranked) in the same
          statement."""
        sort = self.shape.sort
        if sort == "price":
            cheaper = aliased(Service)
            page = (select(*_PROVIDER_COLUMNS, Service.price_pence.label("from_price")).select_from(Service)
                    .join(Provider, Provider.id == Service.provider_id)
                    .where(*self.service_conditions(), *self.provider_conditions(has_service=False),
                           ~exists(select(cheaper.id).where(
                               cheaper.provider_id == Service.provider_id, *self.service_conditions(cheaper),
                               or_(cheaper.price_pence < Service.price_pence,
                                   and_(cheaper.price_pence == Service.price_pence, cheaper.id < Service.id)))))
                    .order_by(Service.price_pence, Provider.name, Provider.id))
        elif self.ranks:
            best = self.best_matches()
            page = (self.ranked(best).add_columns(
                        *_PROVIDER_COLUMNS, self.from_price(), func.count().over().label("matches"),
                        func.sum(best.c.candidates).over().label("candidates"))
                    .order_by(best.c.relevance.desc(), Provider.name, Provider.id))
        else:
            order = [Provider.name, Provider.id]
            if sort == "rating":
                order = [Provider.average_rating.desc().nulls_last(), Provider.review_count.desc(), *order]
            page = select(*_PROVIDER_COLUMNS, self.from_price()).where(*self.provider_conditions()).order_by(*order)
        return page.limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer))

    @property
    def ranks(self) -> bool:
        """Best match order: the page counts the providers it ranks."""
        return self.shape.sort == "relevance" and self.shape.words

    def ranked(self, best) -> Select:
        return (select().select_from(Provider).join(best, best.c.provider_id == Provider.id)
                .where(*self.provider_conditions(has_service=False)))

    @cached_property
    def ranked_count(self) -> Select:
        """How many providers best match ranks, and how many matching services it ranked."""
        best = self.best_matches()
        return self.ranked(best).add_columns(func.count(), func.coalesce(func.sum(best.c.candidates), 0))

    @cached_property
    def count_up_to_limit(self) -> Select:
        """How many providers match, counting no further than one past COUNT_LIMIT. With an
        area, from the area's providers, asking for their matching services by the area's
        provider column: PostgreSQL then keeps the area's providers that have one, rather than
        first gathering the providers of every matching service and only then the area's (a
        quarter quicker at scale)."""
        if self.shape.area:
            matching = (select(ProviderArea.provider_id)
                        .join(Provider, Provider.id == ProviderArea.provider_id)
                        .where(ProviderArea.district == bindparam("area", type_=String),
                               *self.provider_conditions(provider_id=ProviderArea.provider_id)))
        else:
            matching = select(Provider.id).where(*self.provider_conditions())
        return select(func.count()).select_from(matching.limit(bindparam("count_limit", type_=Integer)).subquery())

    @cached_property
    def services(self) -> Select:
        return (select(*_SERVICE_COLUMNS)
                .where(Service.provider_id.in_(bindparam("ids", expanding=True)), *self.service_conditions())
                .order_by(Service.price_pence, Service.title, Service.id))


@cache
def _query(shape: _Shape) -> _Query:
    return _Query(shape)


# The areas and languages of a page's providers, in one statement: ("area", district) and
# ("language", language) rows, languages in alphabetical order (areas are put in order here).
_AREAS_AND_LANGUAGES = union_all(
    select(ProviderArea.provider_id, literal("area").label("kind"), ProviderArea.district.label("name"))
    .where(ProviderArea.provider_id.in_(bindparam("ids", expanding=True))),
    select(ProviderLanguage.provider_id, literal("language"), ProviderLanguage.language)
    .where(ProviderLanguage.provider_id.in_(bindparam("ids", expanding=True))),
).order_by("name")


def _page_rows(session: Session, query: _Query, values: dict, page: int, per_page: int
               ) -> tuple[list, int | None, bool]:
    """One page of rows (see _Query.page); how many providers match (up to one past
    COUNT_LIMIT) when working out the page told it without more work; and whether more may
    match than were ranked (see SEARCH_CANDIDATES)."""
    offset = (page - 1) * per_page
    rows = session.execute(query.page, {**values, "limit": per_page, "offset": offset}).all()
    if not query.ranks:
        return rows, None, False
    if rows:
        return rows, rows[0].matches, rows[0].candidates >= SEARCH_CANDIDATES
    if offset == 0:
        return [], 0, False
    # A page past the end: count those ranked, so the last page of them is shown.
    counted, candidates = session.execute(query.ranked_count, values).one()
    return [], counted, candidates >= SEARCH_CANDIDATES


def search_providers(session: Session, *, filters: BrowseFilters, today: date, page: int = 1,
                     per_page: int | None = None) -> BrowsePage:
    """One page of results in at most four statements whatever the number of results: the
    page, the count (only when the page does not already tell it), then its matching
    services, and its areas and languages. A page past the end costs one more (the last
    page)."""
    page, per_page = max(page, 1), per_page or PER_PAGE
    dialect = session.get_bind().dialect.name
    shape = _Shape.of(dialect, filters)
    question = search_question(dialect, filters.q) if shape.words else None
    if shape.words and question is None:  # nothing searchable in the words: nothing matches
        return BrowsePage(results=[], total=0, page=1, per_page=per_page)
    query, values = _query(shape), _parameters(filters, today, question)
    rows, counted, unranked_matches = _page_rows(session, query, values, page, per_page)
    if rows and len(rows) < per_page:  # the last page: it tells the exact total of those ranked
        total, more_than_limit = (page - 1) * per_page + len(rows), unranked_matches
    else:
        if counted is None:
            counted = session.execute(query.count_up_to_limit, values).scalar_one() if rows or page > 1 else 0
        if counted == 0:
            return BrowsePage(results=[], total=0, page=1, per_page=per_page)
        total, more_than_limit = min(counted, COUNT_LIMIT), counted > COUNT_LIMIT or unranked_matches
        if not rows:
            page = math.ceil(total / per_page)
            rows, _counted, _unranked = _page_rows(session, query, values, page, per_page)

    ids = [row.id for row in rows]
    services, areas, languages = defaultdict(list), defaultdict(list), defaultdict(list)
    for service in session.execute(query.services, {**values, "ids": ids}):
        services[service.provider_id].append(service)
    for provider_id, kind, name in session.execute(_AREAS_AND_LANGUAGES, {"ids": ids}):
        (areas if kind == "area" else languages)[provider_id].append(name)

    results = [ProviderResult(provider=row, from_price_pence=row.from_price, services=services[row.id],
                              areas=sorted(areas[row.id], key=district_order), languages=languages[row.id])
               for row in rows]
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

