"""The Flask side of the scope: whose data this request is about, built once per request.

current_scope() makes the request's Scope (marketplace.scope) and keeps it on g. An advocate
chooses whom to act for ("Act for" on their home page); the choice is kept in the signed
session, but the link behind it is checked again on every request, so a revoked or narrowed
link takes effect at once. require_or_403() is how a view asks can() and shows the reason.
"""

from flask import abort, g, session
from flask_login import current_user

from marketplace.db import get_session
from marketplace.models import AdvocateLink, Person, Provider, Role
from marketplace.scope import (
    ACCESS_ENDED,
    PERMISSION_LABELS,
    NotAllowed,
    Relationship,
    Scope,
    require,
    scope_for,
)

__all__ = [
    "PERMISSION_LABELS", "acting_for", "current_provider", "current_scope", "refusal_explanation", "require_or_403",
    "start_acting_for", "stop_acting",
]

ACTING_FOR_SESSION_KEY = "acting_for_person_id"


def current_scope() -> Scope:
    """The request's scope, built on first use and kept for the rest of the request."""
    if "scope" not in g:
        user = current_user if current_user.is_authenticated else None
        chosen = session.get(ACTING_FOR_SESSION_KEY)
        scope = scope_for(get_session(), user,
                          acting_for_person_id=chosen if isinstance(chosen, int) else None)
        if user is not None and user.role == Role.ADVOCATE and chosen is not None and scope.person is None:
            # The link behind the choice has ended: forget it, so the banner goes with the access.
            session.pop(ACTING_FOR_SESSION_KEY, None)
            g.advocate_access_ended = True
        g.scope = scope
    return g.scope


def current_provider() -> Provider:
    """The organisation of the signed-in staff member (404 once they have been removed from it)."""
    provider_id = current_scope().provider_id
    return get_session().get(Provider, provider_id) if provider_id is not None else abort(404)


def start_acting_for(person_id: int) -> None:
    session[ACTING_FOR_SESSION_KEY] = person_id
    g.pop("scope", None)


def stop_acting() -> None:
    session.pop(ACTING_FOR_SESSION_KEY, None)
    g.pop("scope", None)


def acting_for() -> tuple[Person, AdvocateLink] | None:
    """For an advocate: the person they act for and the link that still allows it, else None."""
    if not current_user.is_authenticated or current_user.role != Role.ADVOCATE:
        return None
    scope = current_scope()
    if scope.relationship is not Relationship.ADVOCATE:
        return None
    return scope.person, scope.link


def require_or_403(action: str, obj=None) -> Scope:
    """The request's scope if it may do this; otherwise the 403 page says why."""
    return require(current_scope(), action, obj)


def refusal_explanation(error: NotAllowed) -> str | None:
    """What the 403 page says about a refusal (None: the page's own words)."""
    if g.get("advocate_access_ended"):
        return ACCESS_ENDED
    return error.message or None
