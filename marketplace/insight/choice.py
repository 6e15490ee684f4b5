"""Choice and gaps: how many vetted providers people can choose in each postcode district for
each kind of support, using the same rule as browse (listed, and the service vetted for its
category today), as the council's figures last worked it out. A district with none or only one
is where support is missing."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, cast, func, null, union_all
from sqlmodel import Session, col, select

from marketplace.categories import SUPPORT_CATEGORIES
from marketplace.insight.filters import InsightFilters, in_period
from marketplace.models import (
    CouncilChoice,
    CouncilDistrict,
    OwnProviderRequest,
    OwnProviderStatus,
    Person,
)
from marketplace.models.types import UTCDateTime
from marketplace.providers.catalogue import district_order
from marketplace.providers.council import ExpiringCheck, FirstOf, first_expiring_checks

FEW = 1  # a district with this many providers or fewer for a kind of support is a gap


@dataclass(frozen=True)
class CategoryPrices:
    category: str
    name: str
    lowest: int | None
    highest: int | None


@dataclass(frozen=True)
class Choice:
    categories: list[tuple[str, str]]  # (key, name) shown as columns
    districts: list[tuple[str, int]]  # (district, budget holders living there)
    providers: dict[tuple[str, str], int]  # (district, category) -> vetted providers
    prices: list[CategoryPrices]
    worked_out_at: datetime | None  # when the council's figures last worked it out; None if never

    def count(self, district: str, category: str) -> int:
        return self.providers.get((district, category), 0)

    def rows(self) -> list[list]:
        """The table: each district, the budget holders living there and its count for each category."""
        keys = [key for key, _name in self.categories]
        return [[district, people, *(self.providers.get((district, key), 0) for key in keys)]
                for district, people in self.districts]

    def gaps(self) -> list[tuple[str, int]]:
        """Each category's name and how many districts have FEW providers or fewer for it."""
        return [(name, sum(1 for district, _people in self.districts if self.count(district, key) <= FEW))
                for key, name in self.categories]


# The statements below are built once, with the category and the period as parameters: putting
# them together again on every request cost more than the database took to answer them.
@cache
def _choice_query(one_category: bool):
    """Each district's count and prices for each kind of support, each district's budget
    holders (rows with no category) and when the figures were last worked out (the one row with
    no district), in one statement. The counts come first, as they give the columns their types."""
    choice, districts = CouncilChoice.__table__, CouncilDistrict.__table__
    counts = select(choice.c.district, choice.c.category, choice.c.providers, choice.c.lowest_pence,
                    choice.c.highest_pence, cast(null(), UTCDateTime))
    if one_category:
        counts = counts.where(choice.c.category == bindparam("category"))
    people = select(districts.c.district, null(), districts.c.people, null(), null(), null())
    latest = select(null(), null(), null(), null(), null(), func.max(choice.c.worked_out_at))
    return union_all(counts, people, latest)


def choice_and_gaps(session: Session, *, category: str | None = None) -> Choice:
    """From the council's figures (council_figures.py), worked out every 15 minutes."""
    categories = [(key, name) for key, name in SUPPORT_CATEGORIES.items() if category in (None, key)]
    providers, lowest, highest, people = {}, {}, {}, {}
    worked_out_at = None
    rows = session.execute(_choice_query(category is not None), {"category": category}).all()
    for district, key, figure, low, high, moment in rows:
        if district is None:
            worked_out_at = moment
        elif key is None:
            people[district] = figure
        else:
            providers[(district, key)] = figure
            lowest[key] = min(low, lowest.get(key, low))
            highest[key] = max(high, highest.get(key, high))
    districts = sorted({district for district, _key in providers} | set(people), key=district_order)
    return Choice(categories, [(d, people.get(d, 0)) for d in districts], providers,
                  [CategoryPrices(key, name, lowest.get(key), highest.get(key)) for key, name in categories],
                  worked_out_at)


EXPIRING_WITHIN_DAYS = 30
LISTED = 50  # the first this many of a list are shown; the page says how many there are in all
OWN_PROVIDER_ANSWERS = {OwnProviderStatus.WAITING.value: "Waiting for the council",
                        OwnProviderStatus.AGREED.value: "Agreed", OwnProviderStatus.REFUSED.value: "Refused"}
RECENT_DECISIONS = 10


def expiring_checks(session: Session, *, today: date) -> FirstOf[ExpiringCheck]:
    """Required checks running out in the next 30 days and not yet renewed, soonest first: the
    providers (and their services) leave browse on that day unless they send new evidence."""
    return first_expiring_checks(session, today=today, days=EXPIRING_WITHIN_DAYS, limit=LISTED)


class OwnProviderDecision(NamedTuple):
    request_id: int
    name: str  # whom the budget holder asked to pay
    agreed: bool
    decided_at: datetime
    person_name: str


@dataclass(frozen=True)
class OwnProviderDecisions:
    counts: list[tuple[str, int]]  # (the council's answer, requests made in the period)
    recent: list[OwnProviderDecision]  # decided in the period, newest first


def _in_period(column, one_category: bool) -> list:
    """A stored moment falls in the period, and the request is in the category when one is chosen."""
    return [in_period(column), *([OwnProviderRequest.category == bindparam("category")] if one_category else [])]


@cache
def _own_provider_queries(one_category: bool):
    counts = (select(OwnProviderRequest.status, func.count())
              .where(*_in_period(OwnProviderRequest.created_at, one_category))
              .group_by(OwnProviderRequest.status))
    recent = (select(OwnProviderRequest.id, OwnProviderRequest.name,
                     OwnProviderRequest.status == OwnProviderStatus.AGREED.value, OwnProviderRequest.decided_at,
                     Person.name)
              .join(Person, Person.id == OwnProviderRequest.person_id)
              .where(col(OwnProviderRequest.status).in_([OwnProviderStatus.AGREED.value,
                                                         OwnProviderStatus.REFUSED.value]),
                     *_in_period(OwnProviderRequest.decided_at, one_category))
              .order_by(col(OwnProviderRequest.decided_at).desc(), col(OwnProviderRequest.id).desc())
              .limit(RECENT_DECISIONS))
    return counts, recent


def own_provider_decisions(session: Session, filters: InsightFilters) -> OwnProviderDecisions:
    """Budget holders' requests to pay someone not on the list (their own provider or personal
    assistant): how many the council agreed and refused, and the latest decisions."""
    counts_query, recent_query = _own_provider_queries(filters.category is not None)
    parameters = {**filters.period_parameters(), "category": filters.category}
    counts = dict(session.execute(counts_query, parameters).all())
    recent = session.execute(recent_query, parameters).all()
    return OwnProviderDecisions([(label, int(counts.get(status, 0))) for status, label in OWN_PROVIDER_ANSWERS.items()],
                                [OwnProviderDecision(*row) for row in recent])
