"""flask demo-data: the accounts in the README exist, can sign in, and a rerun adds nothing."""

import pytest
from sqlmodel import func, select

from marketplace.auth.demo import demo_code
from marketplace.models import AuditLog, User

DEMO_ACCOUNTS = [
    ("sam@example.org", "person"),
    ("jo@example.org", "person"),
    ("alex@example.org", "advocate"),
    ("care@brightpath.example", "provider"),
    ("priya@example.org", "professional"),
    ("council@example.org", "commissioner"),
]


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    return result


def test_demo_data_is_idempotent(runner, demo, session):
    counts_before = session.exec(select(func.count()).select_from(User)).one()
    again = runner.invoke(args=["demo-data"])
    assert "(0 new records)" in again.output
    assert session.exec(select(func.count()).select_from(User)).one() == counts_before


@pytest.mark.parametrize(("email", "role"), DEMO_ACCOUNTS)
def test_each_demo_account_signs_in_with_the_demo_password(client, demo, session, email, role):
    response = client.post("/sign-in", data={"email": email, "password": "care-budget-demo"})
    assert response.status_code == 302
    if role in ("provider", "professional", "commissioner"):
        # Staff sign in in two steps, with the demo authenticator key from the README. The code
        # used to set it up is spent, so the app's next code may be the one that works.
        assert response.location == "/sign-in/two-step"
        codes = (demo_code(), demo_code(seconds_ahead=30))
        assert any(client.post("/sign-in/two-step", data={"code": code}).status_code == 302
                   for code in codes)
    assert session.exec(select(User.role).where(User.email == email)).one() == role
    assert "Hello," in client.get("/").get_data(as_text=True)


def test_demo_data_is_refused_in_production(app, monkeypatch):
    app.config["APP_ENV"] = "production"
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code != 0
    assert "never loaded in production" in result.output


def test_the_audit_log_cannot_be_changed(session, client, demo):
    client.post("/sign-in", data={"email": "sam@example.org", "password": "care-budget-demo"})
    entry = session.exec(select(AuditLog)).first()
    entry.action = "something else"
    session.add(entry)
    with pytest.raises(Exception, match="append-only"):
        session.commit()


def test_sams_agreed_package_is_billed_by_real_invoices(demo, session):
    """Two wait for Sam, one is disputed, the rest are paid by bank transfer, and the money
    agrees: what was set aside for the package less what was approved is still set aside."""
    from marketplace import ledger
    from marketplace.models import CarePackage, Invoice, Payment

    package = session.exec(select(CarePackage).where(CarePackage.title == "Mornings and evenings out",
                                                     CarePackage.version == 1)).one()
    rows = session.exec(select(Invoice).where(Invoice.package_id == package.id)).all()
    statuses = [invoice.status for invoice in rows]
    if len(rows) < 4:
        pytest.skip("The budget year started less than four weeks ago: too few weeks to bill yet")
    assert statuses.count("submitted") == 2 and statuses.count("disputed") == 1
    approved = [invoice for invoice in rows if invoice.status == "approved"]
    paid = session.exec(select(Payment).where(Payment.id.in_([i.payment_id for i in approved]))).all()
    assert paid and all(p.status == "paid" and p.method == "manual" and p.bank_reference for p in paid)
    money = ledger.balances(session, package.budget_id)
    committed = sum(amount for account, amount in money.accounts.items()
                    if account.startswith(f"committed:package:{package.id}:"))
    assert committed == package.total_pence - sum(invoice.amount_pence for invoice in approved)
    assert money.payable == 0


@pytest.mark.parametrize("today", ["2026-04-20", "2026-09-01", "2027-03-30"])
def test_the_demo_loads_on_any_day_of_the_budget_year(app, session, today):
    """Early in the year little is paid in; late in it, packages must end with the year."""
    from datetime import date

    from marketplace import ledger
    from marketplace.demo import DEMO_AREAS
    from marketplace.demo_data import DemoData
    from marketplace.models import Budget, Invoice

    with app.app_context():
        demo = DemoData(session, today=date.fromisoformat(today))
        for load in DEMO_AREAS:
            load(demo)
        session.commit()
    assert session.exec(select(func.count()).select_from(Invoice).where(Invoice.status == "submitted")).one() == 2
    for budget in session.exec(select(Budget)).all():
        money = ledger.balances(session, budget.id)
        assert money.available >= 0 and money.payable >= 0
