"""The support plan: what matters to the person, what they need, and the outcomes they want.

Written by the budget holder or an advocate with `draft`; read by advocates with `view` and
the professional on the caseload. Services flush; the caller commits.
"""

from datetime import date
from functools import cache

from sqlalchemy import Integer, bindparam, func
from sqlmodel import Session, col, select

from marketplace.audit import audit
from marketplace.errors import ServiceError
from marketplace.models import Outcome, SupportPlan
from marketplace.models.types import utcnow
from marketplace.scope import Relationship, Scope, require
from marketplace.text import clean_text

MOST_OUTCOMES = 30


def plan_of(session: Session, scope: Scope) -> SupportPlan | None:
    require(scope, "view_plan")
    return session.exec(select(SupportPlan).where(SupportPlan.person_id == scope.person.id)).first()


@cache
def _outcomes_statement():
    """Built once: the package pages read the outcomes on every request."""
    return (select(Outcome).where(Outcome.person_id == bindparam("person_id", type_=Integer))
            .order_by(col(Outcome.position), col(Outcome.id)))


def outcomes_of(session: Session, person_id: int) -> list[Outcome]:
    return list(session.exec(_outcomes_statement(), params={"person_id": person_id}))


def _on_behalf(scope: Scope) -> int | None:
    return scope.person.id if scope.relationship == Relationship.ADVOCATE else None


def save_plan(session: Session, scope: Scope, *, what_matters: str, needs: str,
              agreed_on: date | None, review_on: date | None) -> SupportPlan:
    require(scope, "edit_plan")
    what_matters = clean_text(what_matters, field="what_matters", label="What matters to you",
                              max_length=5000, required=False, multiline=True)
    needs = clean_text(needs, field="needs", label="What you need help with", max_length=5000,
                       required=False, multiline=True)
    if agreed_on and review_on and review_on <= agreed_on:
        raise ServiceError("The review date must be after the date the plan was agreed", field="review_on")
    plan = session.exec(select(SupportPlan).where(SupportPlan.person_id == scope.person.id)).first()
    if plan is None:
        plan = SupportPlan(person_id=scope.person.id)
        session.add(plan)
    plan.what_matters, plan.needs = what_matters, needs
    plan.agreed_on, plan.review_on = agreed_on, review_on
    plan.updated_at, plan.updated_by_id = utcnow(), scope.user.id
    session.flush()
    audit(session, action="plan.saved", actor=scope.user, on_behalf_of_id=_on_behalf(scope),
          object_type="support_plan", object_id=plan.id)
    return plan


def _outcome_text(text: str) -> str:
    return clean_text(text, field="text", label="The outcome", max_length=500)


def _outcome_in_scope(session: Session, scope: Scope, outcome_id: int) -> Outcome:
    outcome = session.exec(select(Outcome).where(
        Outcome.id == outcome_id, Outcome.person_id == scope.person.id)).first()
    if outcome is None:
        raise LookupError(outcome_id)  # the view answers 404: never someone else's outcome
    return outcome


def add_outcome(session: Session, scope: Scope, *, text: str) -> Outcome:
    require(scope, "edit_plan")
    text = _outcome_text(text)
    count, last = session.exec(select(func.count(), func.max(Outcome.position))
                               .where(Outcome.person_id == scope.person.id)).one()
    if count >= MOST_OUTCOMES:
        raise ServiceError(f"A plan can have up to {MOST_OUTCOMES} outcomes", field="text")
    outcome = Outcome(person_id=scope.person.id, text=text, position=(last or 0) + 1)
    session.add(outcome)
    session.flush()
    audit(session, action="outcome.added", actor=scope.user, on_behalf_of_id=_on_behalf(scope),
          object_type="outcome", object_id=outcome.id)
    return outcome


def edit_outcome(session: Session, scope: Scope, *, outcome_id: int, text: str) -> Outcome:
    require(scope, "edit_plan")
    outcome = _outcome_in_scope(session, scope, outcome_id)
    outcome.text = _outcome_text(text)
    session.flush()
    audit(session, action="outcome.changed", actor=scope.user, on_behalf_of_id=_on_behalf(scope),
          object_type="outcome", object_id=outcome.id)
    return outcome


def move_outcome(session: Session, scope: Scope, *, outcome_id: int, up: bool) -> None:
    """Swap the outcome with the one above (or below) it; at the top or bottom nothing moves."""
    require(scope, "edit_plan")
    _outcome_in_scope(session, scope, outcome_id)
    ordered = outcomes_of(session, scope.person.id)
    index = next(i for i, o in enumerate(ordered) if o.id == outcome_id)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, outcome in enumerate(ordered, start=1):
        outcome.position = position
    session.flush()


def mark_achieved(session: Session, scope: Scope, *, outcome_id: int, achieved: bool, today: date) -> Outcome:
    require(scope, "edit_plan")
    outcome = _outcome_in_scope(session, scope, outcome_id)
    outcome.achieved_on = today if achieved else None
    session.flush()
    audit(session, action="outcome.achieved" if achieved else "outcome.not_achieved", actor=scope.user,
          on_behalf_of_id=_on_behalf(scope), object_type="outcome", object_id=outcome.id)
    return outcome
