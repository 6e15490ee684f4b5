"""Changes to who a provider says it is, and the council's decision on them. The caller commits.

A provider's kind sets the floor of checks it must hold, so a new kind waits for the council's
approval and the old kind stays in force until then. A new name takes effect at once (people
rename their business) but is put in front of the council, so a provider cannot quietly become
someone else.
"""

from sqlalchemy import select
from sqlmodel import Session

from marketplace.audit import audit
from marketplace.errors import ServiceError
from marketplace.models import Provider, ProviderChange
from marketplace.models.types import utcnow
from marketplace.notifications import events
from marketplace.providers.catalogue import PROVIDER_KINDS
from marketplace.scope import Scope, require

WAITING = "waiting"


class ChangeError(ServiceError):
    """A decision that cannot be made; the message is for the user."""


def waiting_kind_change(session: Session, provider: Provider) -> ProviderChange | None:
    return session.execute(
        select(ProviderChange).where(ProviderChange.provider_id == provider.id,
                                     ProviderChange.field == "kind", ProviderChange.status == WAITING)
    ).scalar_one_or_none()


def record_name_change(session: Session, *, scope: Scope, provider: Provider, new_name: str) -> None:
    """Rename at once, and put the old and new names in front of the council."""
    actor = require(scope, "manage_provider", provider).user
    if new_name == provider.name:
        return
    session.add(ProviderChange(provider_id=provider.id, field="name", old_value=provider.name,
                               new_value=new_name, requested_by_id=actor.id))
    audit(session, action="provider.renamed", actor=actor, object_type="provider", object_id=provider.id,
          detail={"from": provider.name, "to": new_name})
    provider.name = new_name
    session.add(provider)


def ask_for_kind_change(session: Session, *, scope: Scope, provider: Provider, new_kind: str) -> bool:
    """Ask the council to change the provider's kind; True when a request was made or changed.

    Asking for the kind it already has withdraws a waiting request."""
    actor = require(scope, "manage_provider", provider).user
    waiting = waiting_kind_change(session, provider)
    if new_kind == provider.kind:
        if waiting is not None:
            waiting.status = "withdrawn"
            waiting.decided_at = utcnow()
            waiting.decided_by_id = actor.id
            session.add(waiting)
        return False
    if waiting is not None:
        if waiting.new_value == new_kind:
            return False
        waiting.new_value = new_kind
        waiting.requested_at = utcnow()
        waiting.requested_by_id = actor.id
        session.add(waiting)
    else:
        session.add(ProviderChange(provider_id=provider.id, field="kind", old_value=provider.kind,
                                   new_value=new_kind, requested_by_id=actor.id))
    audit(session, action="provider.kind_change_asked", actor=actor, object_type="provider",
          object_id=provider.id, detail={"from": provider.kind, "to": new_kind})
    return True


def changes_waiting(session: Session, *, limit: int) -> list[tuple[ProviderChange, Provider]]:
    """Kind changes to decide and new names to look at, oldest first."""
    return list(session.execute(
        select(ProviderChange, Provider).join(Provider, Provider.id == ProviderChange.provider_id)
        .where(ProviderChange.status == WAITING)
        .order_by(ProviderChange.requested_at, ProviderChange.id).limit(limit)
    ).all())


def changes_of(session: Session, provider: Provider) -> list[ProviderChange]:
    return list(session.execute(
        select(ProviderChange).where(ProviderChange.provider_id == provider.id)
        .order_by(ProviderChange.requested_at.desc(), ProviderChange.id.desc())
    ).scalars())


def change_with_provider(session: Session, change_id: int) -> tuple[ProviderChange, Provider] | None:
    return session.execute(
        select(ProviderChange, Provider).join(Provider, Provider.id == ProviderChange.provider_id)
        .where(ProviderChange.id == change_id)
    ).first()


def decide_change(session: Session, *, scope: Scope, change_id: int, decision: str, reason: str = "") -> ProviderChange:
    """approve or refuse a kind change; mark a new name as seen."""
    require(scope, "vet_provider")
    actor = scope.user
    change = session.execute(
        select(ProviderChange).where(ProviderChange.id == change_id).with_for_update()
    ).scalar_one()
    if change.status != WAITING:
        raise ChangeError("Someone has already decided on this change")
    allowed = ("approve", "refuse") if change.field == "kind" else ("seen",)
    if decision not in allowed:
        raise ChangeError("Choose what to do about this change")
    if decision == "refuse" and not reason.strip():
        raise ChangeError("Enter the reason")
    provider = session.execute(select(Provider).where(Provider.id == change.provider_id).with_for_update()).scalar_one()
    if decision == "approve":
        if change.new_value not in PROVIDER_KINDS:
            raise ChangeError("This kind of provider no longer exists")
        provider.kind = change.new_value
        session.add(provider)
    change.status = {"approve": "approved", "refuse": "refused", "seen": "seen"}[decision]
    change.reason = reason.strip()
    change.decided_at = utcnow()
    change.decided_by_id = actor.id
    session.add(change)
    audit(session, action=f"provider.{change.field}_change_{change.status}", actor=actor,
          object_type="provider", object_id=provider.id,
          detail={"from": change.old_value, "to": change.new_value, "reason": change.reason})
    if change.field == "kind":
        events.kind_change_decided(session, provider=provider, new_kind=change.new_value,
                                   approved=decision == "approve", reason=change.reason)
    return change
