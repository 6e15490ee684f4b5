"""The request's scope for the plan and package pages of a budget holder (or their advocate)."""

from flask_login import current_user

from marketplace.auth.acting import person_in_scope
from marketplace.db import get_session
from marketplace.models import Role
from marketplace.models.advocacy import ADVOCATE_PERMISSIONS
from marketplace.scope import PERSON_ACTIONS, Relationship, Scope, scope_for


def request_scope(action: str) -> Scope:
    """The scope for the person this request is about; an advocate without the permission
    `action` needs gets the 403 page saying who can grant it."""
    person = person_in_scope(PERSON_ACTIONS[action])
    if current_user.role == Role.PERSON:
        return Scope(current_user, person, Relationship.SELF, permissions=frozenset(ADVOCATE_PERMISSIONS))
    return scope_for(get_session(), current_user, acting_for_person_id=person.id)
