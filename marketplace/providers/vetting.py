"""The vetting rule, as SQL: worked out at query time against today's date, so a check that
expires at midnight hides its provider with no job running.

A provider is vetted while, for every check its kind requires, it has a verified check of
that kind that has not expired. As one grouped query over the checks (rather than an EXISTS
per required check) it stays a single pass over vettingcheck however many providers there are.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, or_, select

from marketplace.models import Provider, VettingCheck
from marketplace.providers.catalogue import REQUIRED_CHECKS

LONDON = ZoneInfo("Europe/London")


def vetted_provider_ids(today: date) -> Select:
    """SELECT provider_id of every provider whose required checks are all verified and unexpired."""
    checked = Provider.__table__.alias("checked_provider")
    required_for_kind = or_(*(
        and_(checked.c.kind == kind, VettingCheck.kind.in_(checks)) for kind, checks in REQUIRED_CHECKS.items()
    ))
    needed = case({kind: len(checks) for kind, checks in REQUIRED_CHECKS.items()}, value=checked.c.kind, else_=-1)
    return (
        select(VettingCheck.provider_id)
        .join(checked, checked.c.id == VettingCheck.provider_id)
        .where(VettingCheck.status == "verified", VettingCheck.expires_on >= today, required_for_kind)
        .group_by(VettingCheck.provider_id, checked.c.kind)
        .having(func.count(distinct(VettingCheck.kind)) == needed)
    )


def is_vetted(today: date) -> ColumnElement[bool]:
    """True for a provider (correlated to Provider) that is vetted on `today`."""
    return Provider.id.in_(vetted_provider_ids(today))


def is_listed(today: date) -> ColumnElement[bool]:
    """Shown to the public: vetted and not suspended."""
    return and_(Provider.suspended_at.is_(None), is_vetted(today))


def today_in_uk() -> date:
    """Checks expire at midnight UK time, whatever the server's clock zone."""
    return datetime.now(LONDON).date()
