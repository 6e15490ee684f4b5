"""Demo payments, made through the payment service: the council allows one supplier to be paid
by bank transfer, and anything owed to a provider today waits for the council to pay it."""

from sqlmodel import select

from marketplace import ledger
from marketplace.demo_data import DemoData
from marketplace.models import Budget, Payment
from marketplace.payments import service
from marketplace.scope import scope_for


def load_payments_demo(demo: DemoData) -> None:
    session, providers = demo.session, demo.providers
    council = demo.users["council@example.org"]
    service.allow_manual_payments(session, scope_for(session, council),
                                  provider_id=providers["Kirkstall Mobility Aids"].id, allowed=True)
    for budget in session.exec(select(Budget).order_by(Budget.id)).all():
        balances = ledger.balances(session, budget.id)
        for provider in providers.values():
            owed = balances.payable_to(provider.id)
            key = f"payment-demo-{budget.id}-{provider.id}"
            if owed > 0 and session.exec(select(Payment).where(Payment.idempotency_key == key)).first() is None:
                service.request_payment(
                    session, budget_id=budget.id, provider_id=provider.id, amount_pence=owed,
                    idempotency_key=key, description="Invoices approved this week", requested_by=council,
                    stripe_enabled=False)
                demo.created += 1
