"""Factories and fixtures for payments: money owed to providers, providers ready for Stripe."""

from sqlmodel import Session, select

from marketplace import ledger
from marketplace.models import Budget, Payment, PayoutAccount, PayoutStatus, Person, Provider
from marketplace.payments import gateway
from tests.factories import create_provider, create_user, person_of
from tests.factories_budget import create_budget

WEBHOOK_SECRET = "whsec_test_secret"


def stripe_config(fake) -> dict:
    """App settings that point the real Stripe client at the fake, with a short timeout."""
    return {"STRIPE_SECRET_KEY": "sk_test_fake", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": fake.url, "STRIPE_TIMEOUT_SECONDS": 1}


def client_for(fake):
    return gateway.make_client(gateway.StripeSettings("sk_test_fake", WEBHOOK_SECRET, fake.url, 1))


def owe_provider(session: Session, *, provider: Provider, amount_pence: int = 5_000,
                 person: Person | None = None) -> Budget:
    """A budget with an approved invoice to this provider: amount_pence is payable to them."""
    person = person or person_of(session, create_user(session))
    budget = session.exec(select(Budget).where(Budget.person_id == person.id)).first()
    if budget is None:
        budget = create_budget(session, person=person, paid_in_pence=max(amount_pence, 100_000))
    common = {"session": session, "budget_id": budget.id, "actor": None}
    key = f"test:owe:{budget.id}:{provider.id}:{amount_pence}"
    ledger.commit(**common, commitment=f"test:{provider.id}", amount_pence=amount_pence,
                  idempotency_key=f"{key}:commit", memo="Support agreed")
    ledger.approve_invoice(**common, commitment=f"test:{provider.id}", provider_id=provider.id,
                           amount_pence=amount_pence, idempotency_key=f"{key}:invoice", memo="Invoice approved")
    session.commit()
    return budget


def ready_provider(session: Session, fake, *, name: str = "Brightpath Home Care") -> Provider:
    """A provider whose Stripe account (in the fake) can receive transfers."""
    provider = create_provider(session, name=name, contact_email="care@brightpath.example")
    account_id = gateway.create_recipient_account(client_for(fake), provider_id=provider.id,
                                                  name=provider.name, email=provider.contact_email)
    fake.set_account_status(account_id, "ready")
    session.add(PayoutAccount(provider_id=provider.id, stripe_account_id=account_id,
                              status=PayoutStatus.READY.value))
    session.commit()
    return provider


def payment_row(session: Session, payment_id: int) -> Payment:
    session.expire_all()
    return session.get(Payment, payment_id)
