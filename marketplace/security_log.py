"""Security events in the audit log: refused access, alongside the sign-in events that
auth.service records. Who, what, when and from where, like every audit entry."""

from flask import request
from flask_login import current_user

from marketplace.audit import audit
from marketplace.db import get_session


def log_refusal(status: int) -> None:
    """Record a signed-in person refused a page (403) or an object they may not see (404 on an
    address with an id). Unknown addresses and signed-out visitors are not worth a row each."""
    if not current_user.is_authenticated:
        return
    if status == 404 and not (request.url_rule is not None and request.view_args):
        return
    session = get_session()
    # Whatever the refused request had begun is not kept; only the refusal is.
    session.rollback()
    audit(session, action="access.refused", actor=current_user, detail={
        "status": status, "method": request.method, "endpoint": request.endpoint,
        "path": request.path[:500], "ids": {k: v for k, v in (request.view_args or {}).items()
                                           if isinstance(v, int)},
    })
    session.commit()
