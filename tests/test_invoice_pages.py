"""Invoice pages as people use them: Brightpath bills last week, Sam approves or disputes, the
provider withdraws or changes a disputed invoice."""

from datetime import timedelta

import pytest
from sqlmodel import select

from marketplace import ledger
from marketplace.dates import today_in_uk
from marketplace.models import Invoice, Role
from marketplace.payments import service as payments
from tests.client_request import date_input, error_messages, field_error, normalised_text
from tests.factories import create_user
from tests.factories_advocacy import create_advocate_link
from tests.factories_invoices import billing_world
from tests.factories_packages import scope_of
from tests.factories_providers import create_listed_provider


def _last_week() -> tuple:
    yesterday = today_in_uk() - timedelta(days=1)
    return yesterday - timedelta(days=6), yesterday


@pytest.fixture
def world(session):
    first, last = _last_week()
    return billing_world(session, package_dates=(first - timedelta(days=21), last))


def _bill_form(reference="BP-1042", units="8", visits="", period=None) -> dict:
    first, last = period or _last_week()
    return {"reference": reference, "units": units, "visits": visits,
            **date_input("period_start", str(first.day), str(first.month), str(first.year)),
            **date_input("period_end", str(last.day), str(last.month), str(last.year))}


def _invoice(session) -> Invoice:
    session.rollback()
    session.expire_all()
    return session.exec(select(Invoice).order_by(Invoice.id.desc())).first()


def test_brightpath_bills_last_weeks_8_hours_sam_approves_and_it_is_paid(session, client_request, world):
    client_request.login(world.provider_user)
    page = client_request.get("/provider/invoices")
    bill_link = page.select_one("#billable-lines a")
    assert normalised_text(bill_link) == "Bill Help at home for Sam Taylor"
    page = client_request.get(bill_link["href"])
    assert "£22.00 a hour, as agreed" in normalised_text(page)
    client_request.post(bill_link["href"], _bill_form(), expected_redirect="/provider/invoices")
    page = client_request.get("/provider/invoices")
    card = normalised_text(page.select_one(".govuk-summary-card"))
    assert "Invoice BP-1042" in card and "Waiting for approval" in card and "£176.00" in card

    client_request.login(world.sam)
    page = client_request.get("/invoices")
    card = normalised_text(page.select_one(".govuk-summary-card"))
    assert "Planned for this period 8 hours" in card and "Billed 8 hours at £22.00 a hour" in card
    assert "Outcome it helps with Get to the allotment twice a week" in card
    invoice = _invoice(session)
    client_request.post(f"/invoices/{invoice.id}/approve", expected_redirect="/invoices")
    page = client_request.get("/invoices")
    assert "Approved: payment on its way" in normalised_text(page.select_one(".govuk-summary-card"))

    council = create_user(session, role=Role.COMMISSIONER)
    payments.record_manual_payment(session, scope_of(session, council), payment_id=_invoice(session).payment_id,
                                   reference="BACS 0042")
    session.commit()
    page = client_request.get("/invoices")
    assert "State Paid" in normalised_text(page.select_one(".govuk-summary-card"))
    assert ledger.balances(session, world.budget.id).paid == 17_600
    client_request.login(world.provider_user)
    remittance = normalised_text(client_request.get("/provider/payments").select_one("#payments"))
    assert "Invoice BP-1042" in remittance and "£176.00" in remittance


def test_a_bill_with_visits_counts_their_hours(session, client_request, world):
    client_request.login(world.provider_user)
    first, _last = _last_week()
    visits = f"{first.day} {first.month} {first.year} 09:00 to 11:30\n{first.day} {first.month} {first.year} 14:00-15:00"
    client_request.post(f"/provider/invoices/new/{world.line.id}", _bill_form(units="", visits=visits))
    assert (_invoice(session).units_hundredths, _invoice(session).amount_pence) == (350, 7_700)


@pytest.mark.parametrize("changes, field, message", [
    ({"units": "9"}, "units", "This line has 8 hours for that period, so you cannot bill 9"),
    ({"units": "", "visits": "yesterday morning"}, "visits", "Write visit 1 like 24 11 2026 09:00 to 11:30"),
    ({"reference": ""}, "reference", "Enter your invoice reference"),
    ({"units": "8\u200b"}, "units", None),
])
def test_a_bad_bill_is_shown_by_its_field_and_nothing_is_saved(session, client_request, world, changes, field, message):
    client_request.login(world.provider_user)
    page = client_request.post(f"/provider/invoices/new/{world.line.id}", {**_bill_form(), **changes},
                               expected_status=400)
    assert field_error(page, field)
    if message:
        assert field_error(page, field) == message
        assert message in error_messages(page)
    assert _invoice(session) is None


def test_a_future_period_is_refused(session, client_request, world):
    client_request.login(world.provider_user)
    today = today_in_uk()
    page = client_request.post(f"/provider/invoices/new/{world.line.id}",
                               _bill_form(period=(today - timedelta(days=1), today + timedelta(days=1))),
                               expected_status=400)
    assert field_error(page, "period_end") == "You cannot bill for days that have not happened yet"


def test_another_provider_gets_not_found(session, client_request, world):
    other = create_user(session, role=Role.PROVIDER, provider=create_listed_provider(session, name="Other Care"))
    client_request.login(world.provider_user)
    client_request.post(f"/provider/invoices/new/{world.line.id}", _bill_form())
    invoice = _invoice(session)
    client_request.login(other)
    client_request.get(f"/provider/invoices/new/{world.line.id}", expected_status=404)
    client_request.post(f"/provider/invoices/{invoice.id}/withdraw", expected_status=404)
    client_request.get(f"/provider/invoices/{invoice.id}/change", expected_status=404)
    assert "BP-1042" not in normalised_text(client_request.get("/provider/invoices"))


def test_sam_disputes_with_a_reason_and_brightpath_changes_it(session, client_request, world):
    client_request.login(world.provider_user)
    client_request.post(f"/provider/invoices/new/{world.line.id}", _bill_form())
    invoice = _invoice(session)
    client_request.login(world.sam)
    page = client_request.post(f"/invoices/{invoice.id}/dispute", {"reason": ""}, expected_status=400)
    assert field_error(page, "reason") == "Enter why you dispute this invoice"
    client_request.post(f"/invoices/{invoice.id}/dispute", {"reason": "Nobody came on Tuesday"},
                        expected_redirect="/invoices")
    client_request.login(world.provider_user)
    page = client_request.get("/provider/invoices")
    assert "Why it was disputed Nobody came on Tuesday" in normalised_text(page.select_one(".govuk-summary-card"))
    page = client_request.get(f"/provider/invoices/{invoice.id}/change")
    assert page.select_one("#units")["value"] == "8"
    client_request.post(f"/provider/invoices/{invoice.id}/change", {**_bill_form(units="6"), "reference": ""},
                        expected_redirect="/provider/invoices")
    assert (_invoice(session).status, _invoice(session).amount_pence) == ("submitted", 13_200)


def test_the_provider_withdraws_an_invoice_not_yet_approved(session, client_request, world):
    client_request.login(world.provider_user)
    client_request.post(f"/provider/invoices/new/{world.line.id}", _bill_form())
    invoice = _invoice(session)
    client_request.post(f"/provider/invoices/{invoice.id}/withdraw", expected_redirect="/provider/invoices")
    assert _invoice(session).status == "withdrawn"


@pytest.mark.parametrize("permissions, may_approve", [(("view",), False), (("view", "approve_invoices"), True)])
def test_advocates_approve_only_with_permission(session, client_request, world, permissions, may_approve):
    alex = create_user(session, role=Role.ADVOCATE, name="Alex Morgan")
    link, _token = create_advocate_link(session, person=world.person, advocate=alex, permissions=permissions)
    client_request.login(world.provider_user)
    client_request.post(f"/provider/invoices/new/{world.line.id}", _bill_form())
    invoice = _invoice(session)
    client_request.login(alex)
    with client_request.client.session_transaction() as flask_session:
        flask_session["acting_for_person_id"] = link.person_id
    page = client_request.get("/invoices")
    assert bool(page.select(f"form[action='/invoices/{invoice.id}/approve']")) is may_approve
    client_request.post(f"/invoices/{invoice.id}/approve", expected_status=302 if may_approve else 403)
    assert _invoice(session).status == ("approved" if may_approve else "submitted")


def test_an_advocate_who_has_not_chosen_a_person_is_asked_to(session, client_request):
    client_request.login(create_user(session, role=Role.ADVOCATE))
    client_request.get("/invoices", expected_status=403)


def _paid(session, client_request, world):
    """Brightpath bills last week, Sam approves and the council pays it by bank transfer."""
    client_request.login(world.provider_user)
    client_request.post(f"/provider/invoices/new/{world.line.id}", _bill_form())
    client_request.login(world.sam)
    client_request.post(f"/invoices/{_invoice(session).id}/approve")
    council = create_user(session, role=Role.COMMISSIONER)
    payments.record_manual_payment(session, scope_of(session, council), payment_id=_invoice(session).payment_id,
                                   reference="BACS 0042")
    session.commit()


def test_the_statement_and_csv_show_the_provider_and_invoice_reference(session, client_request, world):
    _paid(session, client_request, world)
    client_request.login(world.sam)
    rows = [normalised_text(row) for row in client_request.get("/budget/statement").select("tbody tr")]
    payment_rows = [row for row in rows if "Payment to provider" in row]
    assert len(payment_rows) == 1
    assert "Paid to Brightpath Home Care: Invoice BP-1042" in payment_rows[0]
    assert "Brightpath Home Care" in payment_rows[0] and "£176.00" in payment_rows[0]
    csv_text = client_request.get_response("/budget/statement.csv").get_data(as_text=True)
    assert "Paid to Brightpath Home Care: Invoice BP-1042" in csv_text


def test_once_paid_sam_can_review_brightpath(session, client_request, world):
    client_request.login(world.sam)
    assert client_request.get(f"/providers/{world.provider.id}").find("a", string="Review Brightpath Home Care") is None
    client_request.get(f"/providers/{world.provider.id}/review", expected_status=403)
    _paid(session, client_request, world)
    client_request.login(world.sam)
    page = client_request.get(f"/providers/{world.provider.id}")
    assert page.find("a", string="Review Brightpath Home Care") is not None
    client_request.post(f"/providers/{world.provider.id}/review", {"rating": "5", "text": "Always on time"})
    page = client_request.get(f"/providers/{world.provider.id}")
    assert "Verified purchase ·" in normalised_text(page) and "Written by their advocate" not in normalised_text(page)


@pytest.mark.parametrize("permissions, may_review", [(("view",), False), (("view", "approve_invoices"), True)])
def test_an_advocate_who_may_approve_invoices_writes_the_review_marked_as_theirs(
        session, client_request, world, permissions, may_review):
    alex = create_user(session, role=Role.ADVOCATE, name="Alex Morgan")
    create_advocate_link(session, person=world.person, advocate=alex, permissions=permissions)
    _paid(session, client_request, world)
    client_request.login(alex)
    client_request.post("/advocacy/acting-for", {"person_id": str(world.person.id)})
    page = client_request.get(f"/providers/{world.provider.id}")
    assert (page.find("a", string="Review Brightpath Home Care") is not None) is may_review
    if not may_review:
        client_request.get(f"/providers/{world.provider.id}/review", expected_status=403)
        return
    page = client_request.get(f"/providers/{world.provider.id}/review")
    assert "You are writing this review for Sam Taylor" in normalised_text(page)
    client_request.post(f"/providers/{world.provider.id}/review", {"rating": "4", "text": "Kind staff"})
    page = client_request.get(f"/providers/{world.provider.id}")
    assert "Written by their advocate" in normalised_text(page.select_one(".app-review"))


def _ready_for_stripe(session, fake, provider):
    from marketplace.models import PayoutAccount, PayoutStatus
    from marketplace.payments import gateway
    from tests.factories_payments import client_for

    account_id = gateway.create_recipient_account(client_for(fake), provider_id=provider.id, name=provider.name,
                                                  email="care@brightpath.example")
    fake.set_account_status(account_id, "ready")
    session.add(PayoutAccount(provider_id=provider.id, stripe_account_id=account_id, status=PayoutStatus.READY.value))
    session.commit()


def test_with_stripe_an_approved_invoice_is_paid_by_transfer(session, client_request, world, stripe_on):
    _ready_for_stripe(session, stripe_on, world.provider)
    client_request.login(world.provider_user)
    client_request.post(f"/provider/invoices/new/{world.line.id}", _bill_form())
    client_request.login(world.sam)
    client_request.post(f"/invoices/{_invoice(session).id}/approve", expected_redirect="/invoices")
    assert "State Paid" in normalised_text(client_request.get("/invoices").select_one(".govuk-summary-card"))
    [transfer] = stripe_on.state.transfers
    assert transfer["amount"] == 17_600
    assert ledger.balances(session, world.budget.id).paid == 17_600


def test_when_a_transfer_fails_both_sides_see_what_happens_next(session, client_request, world, stripe_on):
    _ready_for_stripe(session, stripe_on, world.provider)
    stripe_on.inject("POST", "/v1/transfers", "server_error")
    client_request.login(world.provider_user)
    client_request.post(f"/provider/invoices/new/{world.line.id}", _bill_form())
    client_request.login(world.sam)
    client_request.post(f"/invoices/{_invoice(session).id}/approve", expected_redirect="/invoices")
    card = normalised_text(client_request.get("/invoices").select_one(".govuk-summary-card"))
    assert "Payment failed: it will be tried again" in card and "the council has been told" in card
    client_request.login(world.provider_user)
    card = normalised_text(client_request.get("/provider/invoices").select_one(".govuk-summary-card"))
    assert "Payment failed" in card and "Check your payment settings" in card


def test_a_dispute_after_approval_is_listed_for_the_council(session, client_request, world):
    _paid(session, client_request, world)
    client_request.login(world.sam)
    invoice = _invoice(session)
    page = client_request.get("/invoices")
    assert page.select_one(f"a[href='/invoices/{invoice.id}/dispute']") is not None
    client_request.post(f"/invoices/{invoice.id}/dispute", {"reason": "Billed for a bank holiday"},
                        expected_redirect="/invoices")
    assert page.select_one(f"form[action='/invoices/{invoice.id}/approve']") is None
    client_request.login(create_user(session, role=Role.COMMISSIONER))
    table = normalised_text(client_request.get("/admin/payments").select_one("#disputed-invoices"))
    assert "Brightpath Home Care Sam Taylor BP-1042" in table and "Billed for a bank holiday" in table
