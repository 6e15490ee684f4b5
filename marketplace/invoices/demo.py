"""Demo invoices for Sam's agreed package, made through the invoice and payment services as
people would: a bill a week from Brightpath and Meanwood for the weeks that have passed, except
Brightpath's last week (left for someone trying the service to bill). Each provider's latest
bill waits for Sam, Brightpath's one before is disputed, and the older ones are approved and
paid by bank transfer (the demo runs in manual mode).

Looked up by each provider's reference first, so a second run adds nothing.
"""

from datetime import timedelta

from sqlmodel import select

from marketplace.budgets.demo import SAMS_AGREED_PACKAGE
from marketplace.demo_data import DemoData
from marketplace.invoices import service as invoices
from marketplace.models import CarePackage, Invoice, PackageLine, PackageStatus, Role, User
from marketplace.packages.costing import format_quantity
from marketplace.packages.demo import MEANWOOD_STAFF
from marketplace.payments import service as payments
from marketplace.scope import Scope, scope_for

DISPUTE_REASON = "Nobody came on the Tuesday morning, so that visit should not be on the bill."


def load_invoice_demo(demo: DemoData) -> None:
    session, users = demo.session, demo.users
    sam_person = demo.people["sam@example.org"]
    package = session.exec(select(CarePackage).where(
        CarePackage.person_id == sam_person.id, CarePackage.title == SAMS_AGREED_PACKAGE,
        CarePackage.status == PackageStatus.ACTIVE.value)).first()
    if package is None:
        return
    sam = scope_for(session, users["sam@example.org"])
    council = scope_for(session, users["council@example.org"])
    lines = list(session.exec(select(PackageLine).where(PackageLine.package_id == package.id).order_by(PackageLine.id)))
    staff = [(line, _staff_scope(demo, line)) for line in lines]
    weeks = [(package.start_on + timedelta(weeks=n), package.start_on + timedelta(weeks=n + 1, days=-1))
             for n in range(8)]
    weeks = [week for week in weeks if week[1] < demo.today]
    for number, (first, last) in enumerate(weeks, start=1):
        for line, scope in staff:
            is_brightpath = line.provider_name == "Brightpath Home Care"
            # How many weeks before the latest this is, counted on the provider's own bills:
            # Brightpath has not billed last week yet, so someone trying the service can.
            weeks_back = len(weeks) - number - (1 if is_brightpath else 0)
            if weeks_back < 0:
                continue
            reference = f"{'BP' if is_brightpath else 'MDO'}-{first:%y%m%d}"
            if session.exec(select(Invoice.id).where(Invoice.provider_id == line.provider_id,
                                                     Invoice.reference == reference)).first():
                continue
            sent_on = last + timedelta(days=1)
            # Brightpath's first week was half an hour short, and billed as such.
            short = 50 if is_brightpath and number == 1 else 0
            units = format_quantity(line.quantity_hundredths - short)
            invoice = invoices.submit(session, scope, line_id=line.id, reference=reference, period_start=first,
                                      period_end=last, units=units, today=sent_on)
            demo.created += 1
            if weeks_back == 0:
                continue  # waiting for Sam
            if weeks_back == 1 and is_brightpath:
                invoices.dispute(session, sam, invoice_id=invoice.id, reason=DISPUTE_REASON)
                continue
            payment = invoices.approve(session, sam, invoice_id=invoice.id, stripe_enabled=False,
                                       today=min(sent_on + timedelta(days=1), demo.today))
            payments.record_manual_payment(session, council, payment_id=payment.id,
                                           reference=f"BACS {reference}")


def _staff_scope(demo: DemoData, line: PackageLine) -> Scope:
    """Someone at the line's provider: Brightpath's Dee, or Meanwood's Mo."""
    email = "care@brightpath.example" if line.provider_name == "Brightpath Home Care" else MEANWOOD_STAFF[0]
    user = demo.session.exec(select(User).where(User.email == email, User.role == Role.PROVIDER.value)).one()
    return scope_for(demo.session, user)
