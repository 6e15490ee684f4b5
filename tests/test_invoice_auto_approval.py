"""Automatic approval, chosen per line by the person: a periodic sweep approves invoices that
match the agreement 48 hours after they arrive, once, and never one that breaks it."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from marketplace import ledger
from marketplace.invoices import automatic
from marketplace.invoices import service as invoices
from marketplace.models import Invoice, Notification, PackageLine, Payment
from marketplace.models.types import utcnow
from tests.factories_invoices import TODAY, bill, billing_world
from tests.factories_packages import scope_of


@pytest.fixture
def world(session):
    world = billing_world(session)
    automatic.set_auto_approval(session, scope_of(session, world.sam, world.person), line_id=world.line.id,
                               automatic=True)
    session.commit()
    return world


def _sweep(session, *, hours_later: float) -> int:
    invoice_times = session.exec(select(Invoice.submitted_at)).all()
    now = max(invoice_times) + timedelta(hours=hours_later)
    done = automatic.auto_approve_due(session, now=now, stripe_enabled=False, today=TODAY)
    session.commit()
    return len(done)


def _status(session, invoice) -> str:
    session.expire_all()
    return session.get(Invoice, invoice.id).status


def test_a_matching_invoice_is_approved_after_48_hours_once(session, world):
    invoice = bill(session, world)
    assert _sweep(session, hours_later=47.9) == 0
    assert _status(session, invoice) == "submitted"
    assert _sweep(session, hours_later=48) == 1
    assert _sweep(session, hours_later=49) == 0  # running again changes nothing
    assert _status(session, invoice) == "approved"
    assert ledger.balances(session, world.budget.id).spent == 17_600
    assert len(session.exec(select(Payment)).all()) == 1
    told = session.exec(select(Notification.recipient_id).where(Notification.kind == "invoice.auto_approved")).all()
    assert told == [world.sam.id]


def test_lines_left_to_the_person_wait_for_them(session, world):
    automatic.set_auto_approval(session, scope_of(session, world.sam, world.person), line_id=world.line.id,
                               automatic=False)
    session.commit()
    invoice = bill(session, world)
    assert _sweep(session, hours_later=100) == 0
    assert _status(session, invoice) == "submitted"


def test_a_disputed_invoice_is_never_approved_by_the_sweep(session, world):
    invoice = bill(session, world)
    invoices.dispute(session, scope_of(session, world.sam, world.person), invoice_id=invoice.id, reason="No")
    session.commit()
    assert _sweep(session, hours_later=100) == 0
    assert _status(session, invoice) == "disputed"


@pytest.mark.parametrize("broken", ["price", "units", "amount", "overlap"])
def test_an_invoice_that_breaks_the_agreement_is_left_for_the_person(session, world, broken):
    """Rows changed behind the service's back: the sweep checks again rather than trusting them."""
    invoice = bill(session, world, period=(date(2026, 11, 23), date(2026, 11, 25)), units="3")
    row = session.get(Invoice, invoice.id)
    if broken == "price":
        row.unit_price_pence += 1
        row.amount_pence = 3 * row.unit_price_pence
    elif broken == "units":
        row.units_hundredths = 400  # 3 days have 3.42 hours
        row.amount_pence = 4 * 2200
    elif broken == "amount":
        row.amount_pence += 1
    else:
        session.add(Invoice(**{**row.model_dump(exclude={"id"}), "reference": "DUP", "status": "approved"}))
    session.add(row)
    session.commit()
    assert _sweep(session, hours_later=100) == 0
    assert _status(session, invoice) == "submitted"


def test_only_the_person_and_advocates_who_may_approve_choose(session, world):
    from marketplace.scope import NotAllowed

    with pytest.raises(NotAllowed):
        automatic.set_auto_approval(session, scope_of(session, world.provider_user), line_id=world.line.id,
                                   automatic=False)
    assert session.get(PackageLine, world.line.id).auto_approve_invoices


def test_the_sweep_runs_from_the_job_queue(app, session, world):
    from marketplace.jobs import run_sweep

    invoice = bill(session, world)
    row = session.get(Invoice, invoice.id)
    row.submitted_at = utcnow() - timedelta(hours=49)
    session.add(row)
    session.commit()
    assert run_sweep("auto-approve-invoices", TODAY) == 1
    assert run_sweep("auto-approve-invoices", TODAY) == 0
    assert _status(session, invoice) == "approved"


def test_the_person_chooses_on_the_invoices_page(session, client_request):
    world = billing_world(session)
    client_request.login(world.sam)
    page = client_request.get("/invoices")
    assert page.select_one("input[name=automatic][value=no]").has_attr("checked")
    client_request.post(f"/invoices/lines/{world.line.id}/automatic-approval", {"automatic": "yes"})
    session.expire_all()
    assert session.get(PackageLine, world.line.id).auto_approve_invoices
    page = client_request.get("/invoices")
    assert page.select_one("input[name=automatic][value=yes]").has_attr("checked")


def test_two_workers_sweeping_at_once_approve_each_invoice_once(app, session, world):
    from sqlmodel import Session

    from tests.race import at_once

    invoices_sent = [bill(session, world, reference=f"BP-{n}", period=(date(2026, 11, 2 + 7 * n), date(2026, 11, 8 + 7 * n)))
                     for n in range(3)]
    now = max(session.exec(select(Invoice.submitted_at)).all()) + timedelta(hours=48)
    engine = app.extensions["engine"]

    def sweep(_number: int) -> int:
        with Session(engine, expire_on_commit=False) as db:
            done = automatic.auto_approve_due(db, now=now, stripe_enabled=False, today=TODAY)
            db.commit()
            return len(done)

    assert sum(at_once(2, sweep)) == 3
    assert [_status(session, invoice) for invoice in invoices_sent] == ["approved"] * 3
    assert len(session.exec(select(Payment)).all()) == 3
    assert ledger.balances(session, world.budget.id).spent == 3 * 17_600
