"""Choice and gaps: how many vetted providers people can choose in each postcode district for
each kind of support, using the same rule as browse (listed, and the service vetted for its
category today), as the council's figures last worked it out. A district with none or only one
is where support is missing."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from marketplace.categories import SUPPORT_CATEGORIES
from marketplace.insight.filters import InsightFilters
from marketplace.models import (
    CouncilChoice,
    CouncilDistrict,
    OwnProviderRequest,
    OwnProviderStatus,
    Person,
)
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

    def count(self, district: str, category: str) -> int:
        return self.providers.get((district, category), 0)


def choice_and_gaps(session: Session, *, category: str | None = None) -> Choice:
    """From the council's figures (council_figures.py), worked out every 15 minutes."""
    categories = [(key, name) for key, name in SUPPORT_CATEGORIES.items() if category in (None, key)]
    rows = session.exec(select(CouncilChoice.district, CouncilChoice.category, CouncilChoice.providers,
                               CouncilChoice.lowest_pence, CouncilChoice.highest_pence)
                        .where(col(CouncilChoice.category).in_([key for key, _name in categories]))).all()
    people = dict(session.exec(select(CouncilDistrict.district, CouncilDistrict.people)).all())
    providers, lowest, highest = {}, {}, {}
    for district, key, count, low, high in rows:
        providers[(district, key)] = count
        lowest[key] = min(low, lowest.get(key, low))
        highest[key] = max(high, highest.get(key, high))
    districts = sorted({district for district, _key in providers} | set(people), key=district_order)
    return Choice(categories, [(d, people.get(d, 0)) for d in districts], providers,
                  [CategoryPrices(key, name, lowest.get(key), highest.get(key)) for key, name in categories])


def worked_out_at(session: Session) -> datetime | None:
    """When the choice of providers was last worked out; None if never (or nobody is listed)."""
    return session.exec(select(func.max(CouncilChoice.worked_out_at))).one()


EXPIRING_WITHIN_DAYS = 30
LISTED = 50  # the first this many of a list are shown; the page says how many there are in all
OWN_PROVIDER_ANSWERS = {OwnProviderStatus.WAITING.value: "Waiting for the council",
                        OwnProviderStatus.AGREED.value: "Agreed", OwnProviderStatus.REFUSED.value: "Refused"}
RECENT_DECISIONS = 10


def expiring_checks(session: Session, *, today: date) -> FirstOf[ExpiringCheck]:
    """Required checks running out in the next 30 days and not yet renewed, soonest first: the
    providers (and their services) leave browse on that day unless they send new evidence."""
    return first_expiring_checks(session, today=today, days=EXPIRING_WITHIN_DAYS, limit=LISTED)


@dataclass(frozen=True)
class OwnProviderDecisions:
    counts: list[tuple[str, int]]  # (the council's answer, requests made in the period)
    recent: list[tuple[OwnProviderRequest, str]]  # decided in the period, newest first, with the person's name


def own_provider_decisions(session: Session, filters: InsightFilters) -> OwnProviderDecisions:
    """Budget holders' requests to pay someone not on the list (their own provider or personal
    assistant): how many the council agreed and refused, and the latest decisions."""
    in_category = [OwnProviderRequest.category == filters.category] if filters.category else []
    counts = dict(session.exec(
        select(OwnProviderRequest.status, func.count())
        .where(filters.moment_in_period(OwnProviderRequest.created_at), *in_category)
        .group_by(OwnProviderRequest.status)).all())
    recent = session.exec(
        select(OwnProviderRequest, Person.name).join(Person, Person.id == OwnProviderRequest.person_id)
        .where(col(OwnProviderRequest.status).in_([OwnProviderStatus.AGREED.value, OwnProviderStatus.REFUSED.value]),
               filters.moment_in_period(OwnProviderRequest.decided_at), *in_category)
        .order_by(col(OwnProviderRequest.decided_at).desc(), col(OwnProviderRequest.id).desc())
        .limit(RECENT_DECISIONS)).all()
    return OwnProviderDecisions([(label, int(counts.get(status, 0))) for status, label in OWN_PROVIDER_ANSWERS.items()],
                                [(request, name) for request, name in recent])
