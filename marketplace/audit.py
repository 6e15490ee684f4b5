"""Record who did what, for whom. Every service that changes something calls audit()."""

from flask import has_request_context, request
from sqlmodel import Session

from marketplace.models import AuditLog, User


def audit(
    session: Session,
    *,
    action: str,
    actor: User | None,
    on_behalf_of_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    detail: dict | None = None,
    ip: str | None = None,
) -> AuditLog:
    """Add an audit entry to the session; it is committed with the change it describes."""
    if ip is None and has_request_context():
        ip = request.remote_addr
    entry = AuditLog(
        actor_id=actor.id if actor else None,
        on_behalf_of_id=on_behalf_of_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail or {},
        ip=ip,
    )
    session.add(entry)
    return entry
