"""What the council does about providers: decide on checks, suspend and reinstate, and see
which checks run out soon."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Generic, NamedTuple, TypeVar

from sqlalchemy import Date, Integer, and_, bindparam, exists, func, or_, select
from sqlmodel import Session

from marketplace.audit import audit
from marketplace.errors import ServiceError
from marketplace.models import Provider, Service, VettingCheck
from marketplace.models.types import utcnow
from marketplace.notifications import events
from marketplace.providers.catalogue import CATEGORY_CHECKS, REQUIRED_CHECKS
from marketplace.scope import Scope, require

T = TypeVar("T")


@dataclass(frozen=True)
class FirstOf(Generic[T]):
    """The first few items of a list that may be long, and how many there are in all."""

    items: list[T]
    total: int


def _first_of(session: Session, query, limit: int, count=None, params: dict | None = None) -> FirstOf:
    """Run `query` for its first `limit` rows, counting all its rows in the same statement.

    `count`, when given, is a cheaper query for the same number (one that an index answers
    alone): counting with the rows themselves (count() over ()) makes the database build
    every row, joins and all, to show the first few."""
    total = (func.count().over() if count is None
             else count.with_only_columns(func.count()).scalar_subquery())
    return _first_of_rows(session.execute(query.add_columns(total).limit(limit), params).all())


def _first_of_rows(rows) -> FirstOf:
    """Rows that end with the count of them all, as a FirstOf."""
    return FirstOf(items=[tuple(row[:-1]) for row in rows], total=rows[0][-1] if rows else 0)


class WaitingCheck(NamedTuple):
    id: int
    kind: str
    submitted_at: datetime
    provider_name: str


def vetting_queue(session: Session, *, limit: int) -> FirstOf[WaitingCheck]:
    """Checks waiting for a decision, oldest first (the fields the list shows, not whole rows)."""
    pending = select(VettingCheck.id).where(VettingCheck.status == "pending")
    first = _first_of(session, (
        select(VettingCheck.id, VettingCheck.kind, VettingCheck.submitted_at, Provider.name)
        .join(Provider, Provider.id == VettingCheck.provider_id)
        .where(VettingCheck.status == "pending")
        .order_by(VettingCheck.submitted_at, VettingCheck.id)
    ), limit, count=pending)
    return FirstOf(items=[WaitingCheck(*row) for row in first.items], total=first.total)


def check_with_provider(session: Session, check_id: int) -> tuple[VettingCheck, Provider] | None:
    return session.execute(
        select(VettingCheck, Provider).join(Provider, Provider.id == VettingCheck.provider_id)
        .where(VettingCheck.id == check_id)
    ).first()


def _pending_check(session: Session, check_id: int) -> VettingCheck:
    check = session.execute(select(VettingCheck).where(VettingCheck.id == check_id).with_for_update()).scalar_one_or_none()
    if check is None:
        raise LookupError(check_id)
    if check.status != "pending":
        raise ServiceError("Someone has already decided on this check")
    return check


def verify_check(session: Session, *, scope: Scope, check_id: int) -> VettingCheck:
    actor = require(scope, "vet_provider").user
    check = _pending_check(session, check_id)
    check.status = "verified"
    check.decided_at = utcnow()
    check.decided_by_id = actor.id
    session.add(check)
    audit(session, action="vetting.check_verified", actor=actor, object_type="vetting_check", object_id=check.id,
          detail={"provider_id": check.provider_id, "kind": check.kind, "expires_on": check.expires_on.isoformat()})
    events.check_decided(session, check)
    return check


def reject_check(session: Session, *, scope: Scope, check_id: int, reason: str) -> VettingCheck:
    actor = require(scope, "vet_provider").user
    if not reason.strip():
        raise ServiceError("Enter the reason")
    check = _pending_check(session, check_id)
    check.status = "rejected"
    check.rejection_reason = reason.strip()
    check.decided_at = utcnow()
    check.decided_by_id = actor.id
    session.add(check)
    audit(session, action="vetting.check_rejected", actor=actor, object_type="vetting_check", object_id=check.id,
          detail={"provider_id": check.provider_id, "kind": check.kind, "reason": check.rejection_reason})
    events.check_decided(session, check)
    return check


def suspend_provider(session: Session, *, scope: Scope, provider_id: int, reason: str) -> Provider:
    """Hidden from browse, profile and compare from this moment: every listing query checks it."""
    actor = require(scope, "vet_provider").user
    if not reason.strip():
        raise ServiceError("Enter the reason")
    provider = session.execute(select(Provider).where(Provider.id == provider_id).with_for_update()).scalar_one()
    provider.suspended_at = utcnow()
    provider.suspension_reason = reason.strip()
    session.add(provider)
    audit(session, action="provider.suspended", actor=actor, object_type="provider", object_id=provider.id,
          detail={"reason": provider.suspension_reason})
    events.provider_suspended(session, provider)
    return provider


def reinstate_provider(session: Session, *, scope: Scope, provider_id: int) -> Provider:
    actor = require(scope, "vet_provider").user
    provider = session.execute(select(Provider).where(Provider.id == provider_id).with_for_update()).scalar_one()
    provider.suspended_at = None
    provider.suspension_reason = ""
    session.add(provider)
    audit(session, action="provider.reinstated", actor=actor, object_type="provider", object_id=provider.id)
    events.provider_reinstated(session, provider)
    return provider


class SuspendedProvider(NamedTuple):
    id: int
    name: str
    suspension_reason: str
    suspended_at: datetime


def suspended_providers(session: Session, *, limit: int) -> FirstOf[SuspendedProvider]:
    """The most recently suspended first."""
    first = _first_of(session, (
        select(Provider.id, Provider.name, Provider.suspension_reason, Provider.suspended_at)
        .where(Provider.suspended_at.is_not(None))
        .order_by(Provider.suspended_at.desc(), Provider.id.desc())
    ), limit, count=select(Provider.id).where(Provider.suspended_at.is_not(None)))
    return FirstOf(items=[SuspendedProvider(*row) for row in first.items], total=first.total)


@dataclass(frozen=True)
class ExpiringCheck:
    provider_id: int
    provider_name: str
    kind: str
    expires_on: date


@cache
def _expiring_query():
    """Required checks whose latest verified evidence runs out between the `today` and
    `last_day` parameters, soonest first: only checks running out in the window are read, and a
    later verified check of the same kind (already renewed) takes the check off the list.

    Built once, with the dates as parameters: putting together this many conditions cost more
    than the database took to answer them."""
    today, last_day = bindparam("today", type_=Date), bindparam("last_day", type_=Date)
    renewed = VettingCheck.__table__.alias("renewed")
    required_for_kind = or_(*(
        and_(Provider.kind == kind, VettingCheck.kind.in_(checks)) for kind, checks in REQUIRED_CHECKS.items()
    ))
    # What its services need counts whatever the kind (as on its checks page: drafts too, not
    # withdrawn services), since a service leaves browse when its checks run out.
    required_for_services = exists(select(Service.id).where(
        Service.provider_id == Provider.id, Service.withdrawn_at.is_(None),
        or_(*(and_(Service.category == category, VettingCheck.kind.in_(checks))
              for category, checks in CATEGORY_CHECKS.items()))))
    latest = func.max(VettingCheck.expires_on)
    return (
        select(Provider.id, Provider.name, VettingCheck.kind, latest)
        .join(Provider, Provider.id == VettingCheck.provider_id)
        .where(VettingCheck.status == "verified", VettingCheck.expires_on >= today,
               VettingCheck.expires_on <= last_day, or_(required_for_kind, required_for_services),
               ~exists(select(renewed.c.id).where(
                   renewed.c.provider_id == VettingCheck.provider_id, renewed.c.kind == VettingCheck.kind,
                   renewed.c.status == "verified", renewed.c.expires_on > last_day)))
        .group_by(Provider.id, Provider.name, VettingCheck.kind)
        .order_by(latest, Provider.name, Provider.id, VettingCheck.kind)
    )


def _window(today: date, days: int) -> dict[str, date]:
    return {"today": today, "last_day": today + timedelta(days=days)}


def _expiring(rows) -> list[ExpiringCheck]:
    return [ExpiringCheck(provider_id=pid, provider_name=name, kind=kind, expires_on=until)
            for pid, name, kind, until in rows]


def expiring_checks(session: Session, *, today: date, days: int) -> list[ExpiringCheck]:
    """Every required check running out within `days` days, soonest first."""
    return _expiring(session.execute(_expiring_query(), _window(today, days)).all())


@cache
def _first_expiring_query():
    """The first `limit` of them, each row ending with how many there are in all."""
    return _expiring_query().add_columns(func.count().over()).limit(bindparam("limit", type_=Integer))


def first_expiring_checks(session: Session, *, today: date, days: int, limit: int) -> FirstOf[ExpiringCheck]:
    first = _first_of_rows(session.execute(_first_expiring_query(), {**_window(today, days), "limit": limit}).all())
    return FirstOf(items=_expiring(first.items), total=first.total)


EXPIRY_WARNINGS_DAYS = (30, 7)


def warn_about_expiring_checks(session: Session, today: date) -> int:
    """Warn provider staff and the council 30 and 7 days before a required check runs out.

    A sweep: each warning is sent once per check, expiry date and warning (a unique key), so
    running it again, late, or on two workers at once sends nothing twice. A check first seen
    with 6 days left gets only the 7-day warning."""
    sent = 0
    for expiring in expiring_checks(session, today=today, days=max(EXPIRY_WARNINGS_DAYS)):
        days_left = (expiring.expires_on - today).days
        within = min(days for days in EXPIRY_WARNINGS_DAYS if days_left <= days)
        provider = session.get(Provider, expiring.provider_id)
        sent += events.check_running_out(session, provider=provider, kind=expiring.kind,
                                         expires_on=expiring.expires_on, days_left=days_left,
                                         within=within)
    return sent
