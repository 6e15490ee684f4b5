"""Record who did what, for whom. Every service that changes something calls audit()."""

from sqlmodel import Session

from marketplace.models import AuditLog, User

# The key under Session.info where the caller leaves the client address for audit entries.
CLIENT_ADDRESS = "client_address"


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
    """Add an audit entry to the session; it is committed with the change it describes.

    `ip` is the client's address. Rules know nothing of requests: by default it is the one
    the caller put on the session (the request's session carries it, see marketplace.db);
    command-line tasks and jobs have none."""
    if ip is None:
        ip = session.info.get(CLIENT_ADDRESS)
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
