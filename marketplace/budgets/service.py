"""Budget rules: allocating a budget, its instalments, and the council's adjustments.

Money moves only through marketplace.ledger; this module decides what to post and when.
Functions take a session and plain values and never commit: the caller does.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_
from sqlmodel import Session, col, select

from marketplace import ledger
from marketplace.audit import audit
from marketplace.categories import SUPPORT_CATEGORIES, budget_category_key_for_service
from marketplace.errors import ServiceError, ServiceErrors
from marketplace.models import (
    Budget,
    BudgetCategory,
    FundingSource,
    LedgerTransaction,
    PaymentSchedule,
    Person,
    Service,
    User,
)
from marketplace.money import format_money
from marketplace.notifications import events
from marketplace.scope import Scope, require
from marketplace.storage import lock_row

MAXIMUM_ALLOCATION_PENCE = 10_000_000 * 100
INSTALMENT_DAYS = 28


@dataclass(frozen=True)
class Instalment:
    number: int
    count: int
    due_on: date
    amount_pence: int

    def idempotency_key(self, budget_id: int) -> str:
        return f"budget:{budget_id}:instalment:{self.number}"


def instalments(budget: Budget) -> list[Instalment]:
    """When the council pays the money in: all on the first day, or every 4 weeks.

    A year has 13 four-weekly payments; any odd pence go in the last one.
    """
    if budget.schedule == PaymentSchedule.UP_FRONT:
        return [Instalment(1, 1, budget.period_start, budget.allocation_pence)]
    days = (budget.period_end - budget.period_start).days + 1
    count = max(1, days // INSTALMENT_DAYS)
    each, odd_pence = divmod(budget.allocation_pence, count)
    return [
        Instalment(n + 1, count, budget.period_start + timedelta(days=INSTALMENT_DAYS * n),
                   each + (odd_pence if n == count - 1 else 0))
        for n in range(count)
    ]


def post_due_instalments(session: Session, *, today: date, actor: User | None = None,
                         budget_id: int | None = None) -> int:
    """Pay in every instalment due by today that is not in the ledger yet; returns how many.

    Safe to run any number of times: each instalment has its own idempotency key.
    """
    query = select(Budget).where(Budget.period_start <= today)
    if budget_id is not None:
        query = query.where(Budget.id == budget_id)
    posted = 0
    for budget in session.exec(query.order_by(Budget.id)).all():
        due = [i for i in instalments(budget) if i.due_on <= today]
        keys = {i.idempotency_key(budget.id) for i in due}
        already = set(session.exec(
            select(LedgerTransaction.idempotency_key).where(col(LedgerTransaction.idempotency_key).in_(keys))
        ).all())
        for instalment in due:
            if instalment.idempotency_key(budget.id) in already:
                continue
            memo = ("Budget paid in" if instalment.count == 1
                    else f"Instalment {instalment.number} of {instalment.count}")
            ledger.allocate(session, budget_id=budget.id, amount_pence=instalment.amount_pence,
                            idempotency_key=instalment.idempotency_key(budget.id), actor=actor,
                            memo=memo, effective_on=instalment.due_on,
                            instalment=instalment.count > 1)
            posted += 1
    return posted


def _overlapping_budget(session: Session, person_id: int, start: date, end: date) -> Budget | None:
    return session.exec(
        select(Budget).where(
            Budget.person_id == person_id,
            and_(Budget.period_start <= end, Budget.period_end >= start),
        )
    ).first()


def allocate_budget(session: Session, *, person_id: int, period_start: date, period_end: date,
                    allocation_pence: int, funding_source: str, schedule: str,
                    categories: dict[str, int], scope: Scope, today: date) -> Budget:
    """A commissioner gives a person a budget; any instalments already due are paid in."""
    actor = require(scope, "allocate_budget").user
    errors: dict[str, str] = {}
    person = session.get(Person, person_id)
    if person is None:
        errors["person_id"] = "Select the person the budget is for"
    if not 0 < allocation_pence <= MAXIMUM_ALLOCATION_PENCE:
        errors["allocation"] = "The budget must be between £0.01 and £10,000,000"
    if period_end <= period_start:
        errors["period_end"] = "The end date must be after the start date"
    elif period_end - period_start > timedelta(days=3 * 366):
        errors["period_end"] = "A budget period can be up to 3 years long"
    if funding_source not in set(FundingSource):
        errors["funding_source"] = "Select who funds the budget"
    if schedule not in set(PaymentSchedule):
        errors["schedule"] = "Select how the money is paid in"
    unknown = set(categories) - set(SUPPORT_CATEGORIES)
    if unknown:
        errors["allocation"] = "Choose categories from the list"
    split = sum(categories.values())
    if "allocation" not in errors and split > allocation_pence:
        errors["allocation"] = (f"The categories add up to {format_money(split)}, which is more than "
                                f"the budget of {format_money(allocation_pence)}")
    if person is not None and "period_end" not in errors:
        clash = _overlapping_budget(session, person.id, period_start, period_end)
        if clash is not None:
            errors["period_start"] = (
                f"{person.name} already has a budget from {_day(clash.period_start)} to "
                f"{_day(clash.period_end)}. Choose dates that do not overlap it")
    if errors:
        raise ServiceErrors(errors)

    # Two commissioners allocating at once must not both pass the overlap check.
    lock_row(session, Person, person_id)
    if _overlapping_budget(session, person_id, period_start, period_end) is not None:
        raise ServiceError("This person already has a budget for these dates", "period_start")
    budget = Budget(person_id=person_id, period_start=period_start, period_end=period_end,
                    allocation_pence=allocation_pence, funding_source=funding_source,
                    schedule=schedule, created_by_id=actor.id)
    session.add(budget)
    session.flush()
    for key, amount in categories.items():
        if amount:
            session.add(BudgetCategory(budget_id=budget.id, key=key, name=SUPPORT_CATEGORIES[key],
                                       allocation_pence=amount))
    audit(session, action="budget.allocated", actor=actor, on_behalf_of_id=person_id,
          object_type="budget", object_id=budget.id,
          detail={"allocation_pence": allocation_pence, "period_start": period_start.isoformat(),
                  "period_end": period_end.isoformat(), "schedule": schedule})
    session.flush()
    post_due_instalments(session, today=today, actor=actor, budget_id=budget.id)
    events.budget_allocated(session, budget)
    return budget


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


ADJUSTMENTS = {
    "add": "Add money to the budget",
    "remove": "Take money off the budget",
    "clawback": "Claw back unspent money",
}


def adjust_budget(session: Session, *, budget_id: int, change: str, amount_pence: int,
                  reason: str, scope: Scope, request_key: str) -> LedgerTransaction:
    """A commissioner's adjustment or clawback. request_key makes a double submit harmless.

    A refusal by the ledger (taking more than is free to use) is shown by the amount.
    """
    actor = require(scope, "adjust_budget").user
    if change not in ADJUSTMENTS:
        raise ServiceError("Select what you want to do", "change")
    if not reason.strip():
        raise ServiceError("Enter the reason for this change", "reason")
    key = f"budget:{budget_id}:{change}:{request_key}"
    already = ledger.existing_transaction(session, key)
    if already is not None:
        return already
    try:
        if change == "clawback":
            transaction = ledger.claw_back(session, budget_id=budget_id, amount_pence=amount_pence,
                                           reason=reason, idempotency_key=key, actor=actor)
        else:
            signed = amount_pence if change == "add" else -amount_pence
            transaction = ledger.adjust(session, budget_id=budget_id, amount_pence=signed,
                                        reason=reason, idempotency_key=key, actor=actor,
                                        memo=ADJUSTMENTS[change])
    except ledger.IdempotencyConflict:
        raise ServiceError("This change was already saved. Open the form again to make another change",
                           "amount") from None
    except ledger.LedgerError as refused:
        raise ServiceError(refused.message, "amount") from None
    budget = session.get(Budget, budget_id)
    audit(session, action=f"budget.{change}", actor=actor, on_behalf_of_id=budget.person_id,
          object_type="budget", object_id=budget_id,
          detail={"amount_pence": amount_pence, "reason": reason, "transaction_id": transaction.id})
    events.budget_adjusted(session, budget, change=change, amount_pence=amount_pence)
    return transaction


def budget_category_for_service(session: Session, *, budget_id: int, service: Service) -> BudgetCategory | None:
    """The part of the budget a service's cost counts against: the budget category with the
    same key as the service's category. None when the budget is not split that way (the money
    then shows as 'Not in a category')."""
    return session.exec(
        select(BudgetCategory).where(BudgetCategory.budget_id == budget_id,
                                     BudgetCategory.key == budget_category_key_for_service(service.category))
    ).first()
