"""Whose budget this request is about: the budget holder, or the person an advocate acts for.

Every page about a budget holder's data loads them through person_in_scope(), so a request
can only ever reach the one person it is entitled to.
"""

from flask import abort
from flask_login import current_user
from sqlmodel import select

from marketplace.db import get_session
from marketplace.models import Person, Role

# What an advocate may be allowed to do for a person (the person chooses, per advocate).
ADVOCATE_PERMISSIONS = ("view", "draft", "cosign", "approve_invoices")


def person_in_scope(permission: str = "view") -> Person:
    if permission not in ADVOCATE_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    if current_user.role == Role.PERSON:
        person = get_session().exec(select(Person).where(Person.user_id == current_user.id)).first()
        if person is None:
            abort(404)
        return person
    if current_user.role == Role.ADVOCATE:
        abort(403, "Choose the person you are acting for first.")
    abort(403)
