"""Factories for budgets and their money."""

from datetime import date

from sqlmodel import Session

from marketplace import ledger
from marketplace.budgets.service import post_due_instalments
from marketplace.models import Budget, BudgetCategory, Person
from tests.factories import create_user, person_of


def create_budget(session: Session, *, person: Person | None = None, allocation_pence: int = 1_872_000,
                  period_start: date = date(2026, 4, 1), period_end: date = date(2027, 3, 31),
                  funding_source: str = "council", schedule: str = "four_weekly",
                  categories: dict[str, int] | None = None, paid_in_pence: int = 0,
                  instalments_due_by: date | None = None) -> Budget:
    """A budget row. paid_in_pence > 0 pays that much into `available` in one go (outside the
    schedule); instalments_due_by pays in the scheduled instalments due by that day."""
    if person is None:
        person = person_of(session, create_user(session))
    budget = Budget(person_id=person.id, period_start=period_start, period_end=period_end,
                    allocation_pence=allocation_pence, funding_source=funding_source, schedule=schedule)
    session.add(budget)
    session.flush()
    for key, amount in (categories or {}).items():
        session.add(BudgetCategory(budget_id=budget.id, key=key, name=key.replace("_", " ").capitalize(),
                                   allocation_pence=amount))
    if paid_in_pence:
        ledger.allocate(session, budget_id=budget.id, amount_pence=paid_in_pence,
                        idempotency_key=f"test:budget:{budget.id}:paid-in", actor=None,
                        memo="Paid in for the test", effective_on=period_start)
    if instalments_due_by:
        post_due_instalments(session, today=instalments_due_by, budget_id=budget.id)
    session.commit()
    return budget
