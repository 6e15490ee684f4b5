"""Payment pages: providers getting paid, contributions, and the council's payment tasks."""

from datetime import timedelta

import pytest
import requests
from sqlmodel import select

from marketplace import ledger
from marketplace.models import Contribution, Payment, PayoutAccount, Role
from marketplace.models.types import utcnow
from marketplace.payments import payouts, service
from marketplace.scope import scope_for
from tests.client_request import error_messages, field_error, normalised_text
from tests.factories import create_provider, create_user, person_of
from tests.factories_advocacy import create_advocate_link
from tests.factories_budget import create_budget
from tests.factories_payments import owe_provider


def _staff(session, provider=None):
    return create_user(session, role=Role.PROVIDER, provider=provider)


# --- providers getting paid -------------------------------------------------------------------


def test_without_keys_the_payouts_page_says_payments_are_made_by_bank_transfer(session, client_request):
    client_request.login(_staff(session))
    page = client_request.get("/provider/payouts")
    assert "Online payments are switched off" in normalised_text(page.select_one("#payout-status"))


def test_a_provider_onboards_with_stripe_and_is_ready_to_be_paid(session, client_request, stripe_on):
    client_request.login(_staff(session))
    page = client_request.get("/provider/payouts")
    assert normalised_text(page.select_one("#payout-status")) == "Not started"

    response = client_request.client.post("/provider/payouts/start")

    assert response.status_code == 303
    [account] = stripe_on.state.accounts.values()
    assert account["dashboard"] == "express"
    assert account["identity"] == {"country": "gb"}
    assert account["defaults"]["responsibilities"] == {"fees_collector": "application",
                                                       "losses_collector": "application"}
    assert account["configuration"]["recipient"]["capabilities"]["stripe_balance"]["stripe_transfers"]["status"] == "restricted"
    assert response.location.startswith(f"{stripe_on.url}/_fake/onboard/{account['id']}")
    page = client_request.get("/provider/payouts")
    assert normalised_text(page.select_one("#payout-status")) == "Details needed"

    # Onboarding at "Stripe" ends back on the payouts page, which reads the account afresh
    # once what we know is stale (webhooks normally keep it current).
    back = requests.get(response.location, allow_redirects=False, timeout=5)
    assert back.headers["Location"] == "http://localhost/provider/payouts"
    assert normalised_text(client_request.get("/provider/payouts").select_one("#payout-status")) == "Details needed"
    account = session.exec(select(PayoutAccount)).one()
    account.checked_at = utcnow() - payouts.FRESH_FOR - timedelta(seconds=1)
    session.add(account)
    session.commit()
    page = client_request.get("/provider/payouts")
    assert normalised_text(page.select_one("#payout-status")) == "Ready to be paid"
    assert "You are ready to be paid" in page.get_text()


def test_starting_twice_makes_one_stripe_account(session, client_request, stripe_on):
    client_request.login(_staff(session))
    for _ in range(2):
        assert client_request.client.post("/provider/payouts/start").status_code == 303
    assert len(stripe_on.state.accounts) == 1


def test_an_expired_onboarding_link_is_replaced(session, client_request, stripe_on):
    client_request.login(_staff(session))
    client_request.client.post("/provider/payouts/start")
    response = client_request.client.get("/provider/payouts/refresh")
    assert response.status_code == 303 and "/_fake/onboard/" in response.location


def test_when_stripe_cannot_be_reached_the_provider_is_told(session, client_request, stripe_on):
    client_request.login(_staff(session))
    stripe_on.inject("POST", "/v2/core/accounts", "server_error")
    client_request.post("/provider/payouts/start", expected_redirect="/provider/payouts")
    page = client_request.get("/provider/payouts")
    assert "Stripe could not be reached" in page.get_text()
    assert normalised_text(page.select_one("#payout-status")) == "Not started"


def test_provider_staff_see_their_payments_with_date_reference_and_what_it_paid(session, client_request):
    provider, other = create_provider(session, name="Brightpath"), create_provider(session, name="Other")
    commissioner = create_user(session, role=Role.COMMISSIONER)
    budget = owe_provider(session, provider=provider)
    payment = service.request_payment(session, budget_id=budget.id, provider_id=provider.id, amount_pence=5_000,
                                      idempotency_key="payment-invoice-7", description="Invoice BP-7: help at home",
                                      requested_by=None, stripe_enabled=False)
    service.record_manual_payment(session, scope_for(session, commissioner), payment_id=payment.id, reference="BACS 777")
    session.commit()

    client_request.login(_staff(session, provider))
    [row] = client_request.get("/provider/payments").select("#payments tbody tr")
    cells = [normalised_text(cell) for cell in row.select("td")]
    assert cells[1:] == ["Invoice BP-7: help at home", "BACS 777", "Paid", "£50.00"]
    assert cells[0]  # the date

    client_request.login(_staff(session, other))
    page = client_request.get("/provider/payments")
    assert "You have not been paid" in page.get_text() and "BACS 777" not in page.get_text()


def test_the_persons_statement_shows_each_payment_with_the_providers_name(session, client_request):
    provider = create_provider(session, name="Brightpath Home Care")
    person_user = create_user(session)
    commissioner = create_user(session, role=Role.COMMISSIONER)
    budget = owe_provider(session, provider=provider, person=person_of(session, person_user))
    payment = service.request_payment(session, budget_id=budget.id, provider_id=provider.id, amount_pence=5_000,
                                      idempotency_key="payment-invoice-8", description="Invoice BP-8",
                                      requested_by=None, stripe_enabled=False)
    service.record_manual_payment(session, scope_for(session, commissioner), payment_id=payment.id, reference="BACS 8")
    session.commit()

    client_request.login(person_user)
    text = client_request.get("/budget/statement").get_text(" ")
    assert "Paid to Brightpath Home Care: Invoice BP-8" in text


# --- contributions ----------------------------------------------------------------------------


@pytest.fixture
def sam(session):
    user = create_user(session, name="Sam Taylor")
    return user, create_budget(session, person=person_of(session, user))


def test_a_budget_holder_pays_a_contribution_through_checkout(session, client_request, stripe_on, sam):
    user, budget = sam
    client_request.login(user)
    assert client_request.get("/budget").find("a", string="Pay a contribution or add money")

    response = client_request.client.post("/budget/contribute", data={"amount": "50"})

    assert response.status_code == 303
    [checkout] = stripe_on.state.checkout_sessions.values()
    assert response.location == checkout["url"]
    assert (checkout["mode"], checkout["currency"], checkout["amount_total"]) == ("payment", "gbp", 5_000)
    assert checkout["metadata"] == {"budget_id": str(budget.id)}
    assert checkout["success_url"] == "http://localhost/budget/contribute/sent"
    assert ledger.balances(session, budget.id).contributions == 0  # only the webhook credits it
    client_request.get("/budget/contribute/sent")


@pytest.mark.parametrize("amount, message", [
    ("", "Enter how much do you want to pay?"),
    ("٣٠", "Enter an amount in pounds and pence, like 25.50"),
    ("²", "Enter an amount in pounds and pence, like 25.50"),
    ("0", "Amount must be £0.01 or more"),
    ("1" * 30, "Amount must be £10,000 or less"),
    ("12.345", "Enter an amount with no more than 2 numbers after the decimal point"),
])
def test_a_contribution_amount_must_make_sense(session, client_request, stripe_on, sam, amount, message):
    client_request.login(sam[0])
    page = client_request.post("/budget/contribute", {"amount": amount}, expected_status=400)
    assert field_error(page, "amount") == message
    assert stripe_on.state.checkout_sessions == {}


def test_without_keys_the_contribution_page_says_to_pay_the_council(session, client_request, sam):
    client_request.login(sam[0])
    page = client_request.get("/budget/contribute")
    assert "Paying online is switched off" in normalised_text(page.select_one("#manual-mode"))


@pytest.mark.parametrize("permissions, status", [({"view", "approve_invoices"}, 200), ({"view"}, 403)])
def test_an_advocate_pays_in_only_with_permission_to_approve_invoices(session, client_request, stripe_on, sam,
                                                                      permissions, status):
    user, _budget = sam
    advocate = create_user(session, role=Role.ADVOCATE)
    link, _ = create_advocate_link(session, person=person_of(session, user), advocate=advocate, permissions=permissions)
    client_request.login(advocate)
    with client_request.client.session_transaction() as flask_session:
        flask_session["acting_for_person_id"] = link.person_id
    client_request.get("/budget/contribute", expected_status=status)


# --- the council ------------------------------------------------------------------------------


def _owed_payment(session, *, amount=5_000, requested_by=None, stripe=False):
    provider = create_provider(session, name="Brightpath Home Care")
    budget = owe_provider(session, provider=provider, amount_pence=amount)
    payment = service.request_payment(session, budget_id=budget.id, provider_id=provider.id, amount_pence=amount,
                                      idempotency_key="payment-invoice-9", description="Invoice BP-9",
                                      requested_by=requested_by, stripe_enabled=stripe)
    session.commit()
    return payment


def test_the_council_records_a_bank_transfer_with_its_reference(session, client_request):
    payment = _owed_payment(session)
    client_request.login(create_user(session, role=Role.COMMISSIONER))
    page = client_request.get("/admin/payments")
    link = next(a for a in page.select("#payments a") if "Record the bank transfer" in a.get_text())
    page = client_request.post(link["href"], {"reference": ""}, expected_status=400)
    assert error_messages(page) == ["Enter the bank transfer reference"]

    client_request.post(link["href"], {"reference": "BACS 999"}, expected_redirect="/admin/payments")

    session.expire_all()
    assert session.get(Payment, payment.id).status == "paid"
    assert "Nothing needs you now" in client_request.get("/admin/payments").get_text()


def test_two_people_at_the_council_are_needed_above_the_limit(session, client_request):
    first, second = create_user(session, role=Role.COMMISSIONER), create_user(session, role=Role.COMMISSIONER)
    client_request.login(first)
    client_request.post("/admin/payments", {"amount": "40.00"}, expected_redirect="/admin/payments")
    payment = _owed_payment(session, requested_by=first)
    assert payment.status == "awaiting_approval"

    client_request.post(f"/admin/payments/{payment.id}/approve", expected_redirect="/admin/payments")
    assert "someone else at the council must approve it" in client_request.get("/admin/payments").get_text()
    session.expire_all()
    assert session.get(Payment, payment.id).status == "awaiting_approval"

    client_request.login(second)
    client_request.post(f"/admin/payments/{payment.id}/approve", expected_redirect="/admin/payments")
    session.expire_all()
    assert session.get(Payment, payment.id).status == "pending"


def test_the_council_allows_a_provider_to_be_paid_by_bank_transfer(session, client_request):
    provider = create_provider(session)
    client_request.login(create_user(session, role=Role.COMMISSIONER))
    url = f"/admin/payments/providers/{provider.id}"
    assert client_request.get(f"/admin/vetting/providers/{provider.id}").find("a", href=url)
    page = client_request.post(url, {}, expected_status=400)
    assert error_messages(page) == ["Select yes or no"]
    client_request.post(url, {"allowed": "yes"}, expected_redirect=url)
    assert session.exec(select(PayoutAccount)).one().manual_allowed is True


def test_the_council_records_a_contribution_received_another_way_once(session, client_request, sam):
    _user, budget = sam
    client_request.login(create_user(session, role=Role.COMMISSIONER))
    assert client_request.get(f"/admin/budgets/{budget.id}").find("a", string=lambda s: s and "Record a contribution" in s)
    form = {"amount": "25.00", "reference": "Cheque 1001", "request_key": "abc123"}
    for _ in range(2):  # the button pressed twice
        client_request.post(f"/admin/budgets/{budget.id}/contribution", form,
                            expected_redirect=f"/admin/budgets/{budget.id}")
    assert ledger.balances(session, budget.id).contributions == 2_500
    assert len(session.exec(select(Contribution)).all()) == 1


@pytest.mark.parametrize("role", [Role.PERSON, Role.ADVOCATE, Role.PROVIDER, Role.PROFESSIONAL])
def test_only_the_council_reaches_its_payment_pages(session, client_request, role):
    payment = _owed_payment(session)
    client_request.login(create_user(session, role=role))
    for url in (f"/admin/payments/{payment.id}/paid", f"/admin/payments/providers/{payment.provider_id}",
                f"/admin/budgets/{payment.budget_id}/contribution"):
        client_request.get(url, expected_status=403)
    client_request.post(f"/admin/payments/{payment.id}/approve", expected_status=403)


def test_guessed_ids_are_not_found(session, client_request):
    client_request.login(create_user(session, role=Role.COMMISSIONER))
    for url in ("/admin/payments/999/paid", "/admin/payments/providers/999", "/admin/budgets/999/contribution"):
        client_request.get(url, expected_status=404)
    client_request.post("/admin/payments/999/approve", expected_status=404)
