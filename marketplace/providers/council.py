"""What the council does about providers: decide on checks, suspend and reinstate, and see
which checks run out soon."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from marketplace.audit import audit
from marketplace.models import Provider, User, VettingCheck
from marketplace.models.types import utcnow
from marketplace.providers.catalogue import REQUIRED_CHECKS


class VettingError(ValueError):
    """A decision that cannot be made; the message is for the user."""


def vetting_queue(session: Session) -> list[tuple[VettingCheck, Provider]]:
    """Checks waiting for a decision, oldest first."""
    return list(session.execute(
        select(VettingCheck, Provider).join(Provider, Provider.id == VettingCheck.provider_id)
        .where(VettingCheck.status == "pending")
        .order_by(VettingCheck.submitted_at, VettingCheck.id)
    ).all())


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
        raise VettingError("Someone has already decided on this check")
    return check


def verify_check(session: Session, *, check_id: int, actor: User) -> VettingCheck:
    check = _pending_check(session, check_id)
    check.status = "verified"
    check.decided_at = utcnow()
    check.decided_by_id = actor.id
    session.add(check)
    audit(session, action="vetting.check_verified", actor=actor, object_type="vetting_check", object_id=check.id,
          detail={"provider_id": check.provider_id, "kind": check.kind, "expires_on": check.expires_on.isoformat()})
    session.commit()
    return check


def reject_check(session: Session, *, check_id: int, actor: User, reason: str) -> VettingCheck:
    if not reason.strip():
        raise VettingError("Enter the reason")
    check = _pending_check(session, check_id)
    check.status = "rejected"
    check.rejection_reason = reason.strip()
    check.decided_at = utcnow()
    check.decided_by_id = actor.id
    session.add(check)
    audit(session, action="vetting.check_rejected", actor=actor, object_type="vetting_check", object_id=check.id,
          detail={"provider_id": check.provider_id, "kind": check.kind, "reason": check.rejection_reason})
    session.commit()
    return check


def suspend_provider(session: Session, *, provider_id: int, actor: User, reason: str) -> Provider:
    """Hidden from browse, profile and compare from this moment: every listing query checks it."""
    if not reason.strip():
        raise VettingError("Enter the reason")
    provider = session.execute(select(Provider).where(Provider.id == provider_id).with_for_update()).scalar_one()
    provider.suspended_at = utcnow()
    provider.suspension_reason = reason.strip()
    session.add(provider)
    audit(session, action="provider.suspended", actor=actor, object_type="provider", object_id=provider.id,
          detail={"reason": provider.suspension_reason})
    session.commit()
    return provider


def reinstate_provider(session: Session, *, provider_id: int, actor: User) -> Provider:
    provider = session.execute(select(Provider).where(Provider.id == provider_id).with_for_update()).scalar_one()
    provider.suspended_at = None
    provider.suspension_reason = ""
    session.add(provider)
    audit(session, action="provider.reinstated", actor=actor, object_type="provider", object_id=provider.id)
    session.commit()
    return provider


def suspended_providers(session: Session) -> list[Provider]:
    return list(session.execute(
        select(Provider).where(Provider.suspended_at.is_not(None)).order_by(Provider.suspended_at.desc())
    ).scalars())


@dataclass(frozen=True)
class ExpiringCheck:
    provider_id: int
    provider_name: str
    kind: str
    expires_on: date


def expiring_checks(session: Session, *, today: date, days: int) -> list[ExpiringCheck]:
    """Required checks whose latest verified evidence runs out within `days` days (soonest first)."""
    latest = func.max(VettingCheck.expires_on)
    rows = session.execute(
        select(Provider.id, Provider.name, Provider.kind, VettingCheck.kind, latest)
        .join(Provider, Provider.id == VettingCheck.provider_id)
        .where(VettingCheck.status == "verified", VettingCheck.expires_on >= today)
        .group_by(Provider.id, Provider.name, Provider.kind, VettingCheck.kind)
        .having(latest <= today + timedelta(days=days))
        .order_by(latest, Provider.name)
    ).all()
    return [ExpiringCheck(provider_id=pid, provider_name=name, kind=check_kind, expires_on=until)
            for pid, name, provider_kind, check_kind, until in rows
            if check_kind in REQUIRED_CHECKS.get(provider_kind, ())]
