"""Stripe's webhook: signed, handled exactly once, safe twice, concurrently and out of order."""

import json
import threading
import time

import pytest
import stripe
from sqlmodel import select

from marketplace import ledger
from marketplace.models import Contribution, PayoutAccount, StripeEvent
from marketplace.payments import gateway
from tests.factories_budget import create_budget
from tests.factories_payments import WEBHOOK_SECRET, client_for, ready_provider

URL = "/stripe/webhook"


def _post(client, event: dict | str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None,
          body: str | None = None):
    payload = event if isinstance(event, str) else json.dumps(event)
    signature = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return client.post(URL, data=body if body is not None else payload, headers={
        "Stripe-Signature": signature, "Content-Type": "application/json"})


def _paid_checkout(stripe_on, budget, amount=5_000) -> str:
    checkout = gateway.create_checkout(client_for(stripe_on), budget_id=budget.id, amount_pence=amount,
                                       success_url="http://localhost/s", cancel_url="http://localhost/c",
                                       idempotency_key=f"test-{budget.id}-{amount}")
    stripe_on.complete_checkout(checkout.id)
    return checkout.id


def _contributed(session, budget) -> int:
    session.expire_all()
    return ledger.balances(session, budget.id).contributions


def test_a_paid_checkout_credits_the_budget_once(session, client, stripe_on):
    budget = create_budget(session)
    event = stripe_on.checkout_completed_event(_paid_checkout(stripe_on, budget))

    assert _post(client, event).status_code == 200

    assert _contributed(session, budget) == 5_000
    assert ledger.balances(session, budget.id).available == 5_000
    [contribution] = session.exec(select(Contribution)).all()
    assert (contribution.method, contribution.amount_pence) == ("stripe", 5_000)


def test_the_same_event_three_times_two_at_once_has_one_effect(session, app, stripe_on):
    budget = create_budget(session)
    event = stripe_on.checkout_completed_event(_paid_checkout(stripe_on, budget))
    statuses = []

    def deliver():
        statuses.append(_post(app.test_client(), event).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deliver()

    assert statuses == [200, 200, 200]
    assert _contributed(session, budget) == 5_000
    assert len(session.exec(select(StripeEvent)).all()) == 1
    assert len(session.exec(select(Contribution)).all()) == 1


def test_two_events_about_the_same_checkout_credit_it_once(session, client, stripe_on):
    budget = create_budget(session)
    checkout_id = _paid_checkout(stripe_on, budget)
    for _ in range(2):
        assert _post(client, stripe_on.checkout_completed_event(checkout_id)).status_code == 200
    assert _contributed(session, budget) == 5_000


def test_the_events_copy_is_not_trusted_the_checkout_is_read_from_stripe(session, client, stripe_on):
    budget = create_budget(session)
    checkout = gateway.create_checkout(client_for(stripe_on), budget_id=budget.id, amount_pence=5_000,
                                       success_url="http://localhost/s", cancel_url="http://localhost/c",
                                       idempotency_key="unpaid")
    event = stripe_on.checkout_completed_event(checkout.id)
    event["data"]["object"].update(payment_status="paid", amount_total=999_999)  # not what Stripe says

    assert _post(client, event).status_code == 200
    assert _contributed(session, budget) == 0


@pytest.mark.parametrize("problem", ["tampered", "wrong secret", "five minutes old", "unsigned"])
def test_a_bad_signature_is_refused_and_nothing_is_written(session, client, stripe_on, problem):
    budget = create_budget(session)
    event = stripe_on.checkout_completed_event(_paid_checkout(stripe_on, budget))
    payload = json.dumps(event)
    if problem == "tampered":
        response = _post(client, payload, body=payload.replace('"livemode": false', '"livemode": true'))
    elif problem == "wrong secret":
        response = _post(client, payload, secret="whsec_someone_else")
    elif problem == "five minutes old":
        response = _post(client, payload, timestamp=int(time.time()) - 301)
    else:
        response = client.post(URL, data=payload, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert session.exec(select(StripeEvent)).all() == []
    assert _contributed(session, budget) == 0


def test_an_event_we_do_not_use_is_acknowledged(session, client, stripe_on):
    event = {"id": "evt_other", "object": "event", "type": "customer.created", "created": int(time.time()),
             "livemode": False, "api_version": None, "data": {"object": {"id": "cus_1", "object": "customer"}}}
    assert _post(client, event).status_code == 200
    assert _post(client, event).status_code == 200
    assert [e.type for e in session.exec(select(StripeEvent)).all()] == ["customer.created"]


def _status(session, provider) -> str:
    session.expire_all()
    return session.exec(select(PayoutAccount).where(PayoutAccount.provider_id == provider.id)).one().status


def test_account_events_out_of_order_end_in_the_true_state(session, client, stripe_on):
    provider = ready_provider(session, stripe_on)
    account_id = session.exec(select(PayoutAccount)).one().stripe_account_id
    stripe_on.set_account_status(account_id, "details_needed")
    early = stripe_on.account_event(account_id)
    stripe_on.set_account_status(account_id, "ready")
    late = stripe_on.account_event(account_id)

    assert _post(client, late).status_code == 200
    assert _status(session, provider) == "ready"
    assert _post(client, early).status_code == 200  # delivered after the later one
    assert _status(session, provider) == "ready"

    stripe_on.set_account_status(account_id, "in_review")
    assert _post(client, stripe_on.account_event(account_id)).status_code == 200
    assert _status(session, provider) == "in_review"


def test_without_stripe_set_up_there_is_no_webhook(app, session):
    app.config["STRIPE_SECRET_KEY"] = ""
    assert app.test_client().post(URL, data="{}").status_code == 404
