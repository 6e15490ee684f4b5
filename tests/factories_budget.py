"""Factories for budgets and their money."""

from datetime import date

from sqlmodel import Session, select

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


def pay_provider(session: Session, *, person: Person, provider_id: int, amount_pence: int = 10_000) -> Budget:
    """Money goes from the person's budget to the provider, as the ledger records it: set aside,
    invoice approved, paid. Makes a budget with enough in it when the person has none."""
    budget = session.exec(select(Budget).where(Budget.person_id == person.id)).first()
    if budget is None:
        budget = create_budget(session, person=person, paid_in_pence=amount_pence)
    key = f"test:pay:{budget.id}:{provider_id}:{amount_pence}"
    common = {"session": session, "budget_id": budget.id, "actor": None}
    ledger.commit(**common, commitment=f"test:{provider_id}", amount_pence=amount_pence,
                  idempotency_key=f"{key}:commit", memo="Support agreed")
    ledger.approve_invoice(**common, commitment=f"test:{provider_id}", provider_id=provider_id,
                           amount_pence=amount_pence, idempotency_key=f"{key}:invoice", memo="Invoice approved")
    ledger.record_payment(**common, provider_id=provider_id, amount_pence=amount_pence,
                          idempotency_key=f"{key}:payment", memo="Paid")
    session.commit()
    return budget
