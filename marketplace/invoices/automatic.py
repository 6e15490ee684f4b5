"""Automatic approval, chosen per line by the person: an invoice that matches the agreement
(the agreed price, no more units than planned for the period, the amount worked out from them,
no other invoice for the same days) is approved 48 hours after it arrives, by a periodic sweep
(marketplace.jobs), unless it was disputed. The person is told, and can still dispute it for 14
days (service.dispute)."""

from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from marketplace.audit import audit
from marketplace.errors import ServiceError
from marketplace.invoices import rules, service
from marketplace.models import (
    CarePackage,
    Invoice,
    InvoiceStatus,
    LineResponse,
    PackageLine,
    PackageStatus,
    Payment,
    Provider,
)
from marketplace.notifications import events as notices
from marketplace.scope import Scope, require
from marketplace.storage import lock_row

AUTO_APPROVAL_AFTER = timedelta(hours=48)


def persons_line(session: Session, scope: Scope, line_id: int) -> PackageLine:
    """A line of one of the person's packages; any other id is LookupError (a 404)."""
    require(scope, "view_invoice")
    line = session.exec(select(PackageLine).join(CarePackage, CarePackage.id == PackageLine.package_id)
                        .where(PackageLine.id == line_id, CarePackage.person_id == scope.person.id)).first()
    if line is None:
        raise LookupError(line_id)
    return line


def set_auto_approval(session: Session, scope: Scope, *, line_id: int, automatic: bool) -> PackageLine:
    """The person's choice for one line: approve invoices that match the agreement 48 hours
    after they arrive (they are told, and can still dispute them for 14 days)."""
    require(scope, "approve_invoice")
    line = persons_line(session, scope, line_id)
    line.auto_approve_invoices = automatic
    session.add(line)
    audit(session, action="invoice.auto_approval_" + ("on" if automatic else "off"), actor=scope.user,
          on_behalf_of_id=scope.person.id, object_type="packageline", object_id=line.id)
    session.flush()
    return line


def lines_for_auto_approval(session: Session, scope: Scope) -> list[tuple[PackageLine, CarePackage]]:
    """The person's lines that can be billed: agreed, accepted and in a running package."""
    require(scope, "view_invoice")
    return list(session.exec(
        select(PackageLine, CarePackage).join(CarePackage, CarePackage.id == PackageLine.package_id)
        .where(CarePackage.person_id == scope.person.id, CarePackage.status == PackageStatus.ACTIVE.value,
               PackageLine.response == LineResponse.ACCEPTED.value)
        .order_by(CarePackage.start_on, PackageLine.id)))


def matches_agreement(session: Session, invoice: Invoice, line: PackageLine) -> bool:
    """The agreed price, no more units than planned for the period, the amount worked out
    from them, and no other invoice for the same days."""
    if invoice.unit_price_pence != line.unit_price_pence:
        return False
    if invoice.units_hundredths > rules.units_allowed(line, invoice.period_start, invoice.period_end):
        return False
    if invoice.amount_pence != rules.amount_for(line, invoice.units_hundredths):
        return False
    try:
        service.check_no_overlap(session, line, (invoice.period_start, invoice.period_end), invoice_id=invoice.id)
    except ServiceError:
        return False
    return True


def auto_approve_due(session: Session, *, now: datetime, stripe_enabled: bool, today: date) -> list[Payment]:
    """The periodic sweep: approve each invoice that has waited 48 hours on a line set to
    automatic approval and matches the agreement. Each is re-read under its lock, so a second
    run (or a second worker) finds it approved and does nothing; one that cannot be approved
    (the money set aside has run out) stays waiting for the person."""
    due = session.exec(
        select(Invoice.id).join(PackageLine, PackageLine.id == Invoice.line_id)
        .join(CarePackage, CarePackage.id == Invoice.package_id)
        .where(Invoice.status == InvoiceStatus.SUBMITTED.value, Invoice.submitted_at <= now - AUTO_APPROVAL_AFTER,
               PackageLine.auto_approve_invoices, CarePackage.status == PackageStatus.ACTIVE.value)
        .order_by(Invoice.submitted_at, Invoice.id)).all()
    approved = []
    for invoice_id in due:
        invoice = lock_row(session, Invoice, invoice_id)
        session.refresh(invoice)
        line = session.get(PackageLine, invoice.line_id)
        if invoice.status != InvoiceStatus.SUBMITTED.value or not matches_agreement(session, invoice, line):
            continue
        try:
            with session.begin_nested():
                payment = service.approve_locked(session, invoice, actor_scope=None, stripe_enabled=stripe_enabled,
                                          today=today)
        except ServiceError:
            continue
        notices.invoice_auto_approved(session, invoice, session.get(Provider, invoice.provider_id))
        approved.append(payment)
    session.flush()
    return approved
