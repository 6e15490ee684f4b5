"""The vetting rule, as a SQL expression: worked out at query time against today's date,
so a check that expires at midnight hides its provider with no job running."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from marketplace.models import Provider, VettingCheck
from marketplace.providers.catalogue import REQUIRED_CHECKS

LONDON = ZoneInfo("Europe/London")


def valid_check_exists(check_kind: str, today: date) -> ColumnElement[bool]:
    return exists(
        select(VettingCheck.id).where(
            VettingCheck.provider_id == Provider.id,
            VettingCheck.kind == check_kind,
            VettingCheck.status == "verified",
            VettingCheck.expires_on >= today,
        )
    )


def is_vetted(today: date) -> ColumnElement[bool]:
    """True for a provider whose every required check is verified and unexpired on `today`
    (correlated to Provider; suspension is separate, see is_listed)."""
    per_kind = [
        and_(Provider.kind == kind, *(valid_check_exists(check, today) for check in checks))
        for kind, checks in REQUIRED_CHECKS.items()
    ]
    return or_(false(), *per_kind)


def is_listed(today: date) -> ColumnElement[bool]:
    """Shown to the public: vetted and not suspended."""
    return and_(Provider.suspended_at.is_(None), is_vetted(today))


def today_in_uk() -> date:
    """Checks expire at midnight UK time, whatever the server's clock zone."""
    return datetime.now(LONDON).date()
