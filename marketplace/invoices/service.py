"""An invoice's life (DESIGN §3), as scope-checked steps. Each refuses with a ServiceError and
writes nothing when it does not apply, audits and notifies, flushes; the caller commits once.

    submit ──▶ submitted ──approve──▶ approved (committed → payable; a payment is recorded)
    submitted ──dispute (reason)──▶ disputed ──amend──▶ submitted
    submitted / disputed ──withdraw──▶ withdrawn
    approved ──dispute within 14 days──▶ the council is told (the money has moved already)

Approval without the person, on lines they chose, is in automatic.py.

Approval posts through the ledger, which locks the budget row, and records the payment in the
same transaction; whoever commits then queues the payment job (no network call while the
transaction is open). "Paid" and "payment failed" are the payment's own states.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from marketplace import ledger
from marketplace.audit import audit
from marketplace.errors import ServiceError
from marketplace.invoices import rules
from marketplace.models import (
    BudgetCategory,
    CarePackage,
    Invoice,
    InvoiceStatus,
    InvoiceVisit,
    LineResponse,
    PackageLine,
    PackageStatus,
    Payment,
    Person,
    Provider,
)
from marketplace.models.types import utcnow
from marketplace.money import format_money
from marketplace.notifications import events as notices
from marketplace.packages import costing
from marketplace.payments import service as payments
from marketplace.scope import Relationship, Scope, can, require
from marketplace.storage import lock_row
from marketplace.text import clean_text

REFERENCE_MAX_LENGTH = 40
MAXIMUM_VISITS = 200
DISPUTE_AFTER_APPROVAL = timedelta(days=14)
# Invoices still in play: they count for overlapping periods.
LIVE_STATUSES = (InvoiceStatus.SUBMITTED.value, InvoiceStatus.DISPUTED.value, InvoiceStatus.APPROVED.value)


@dataclass(frozen=True)
class Visit:
    visit_on: date
    starts_at: time
    ends_at: time


def commitment_of(line: PackageLine) -> str:
    """The ledger reference the package's approval set this line's money aside under."""
    return f"package:{line.package_id}:line:{line.id}"


def left_on_line(session: Session, line: PackageLine, budget_id: int) -> int:
    """What is still set aside for this line (approved invoices have taken the rest)."""
    return ledger.balances(session, budget_id).committed_to(commitment_of(line))


# --- loading through the scope ------------------------------------------------------------------


def invoice_in_scope(session: Session, scope: Scope, invoice_id: int) -> Invoice:
    """Its provider's staff, or those who may see the person's invoices; else LookupError (404)."""
    query = select(Invoice).where(Invoice.id == invoice_id)
    if scope.relationship is Relationship.PROVIDER_STAFF and scope.provider_id is not None:
        query = query.where(Invoice.provider_id == scope.provider_id)
    elif can(scope, "view_invoice"):
        query = query.where(Invoice.person_id == scope.person.id)
    else:
        raise LookupError(invoice_id)
    invoice = session.exec(query).first()
    if invoice is None:
        raise LookupError(invoice_id)
    return invoice


def line_to_bill(session: Session, scope: Scope, line_id: int) -> tuple[PackageLine, CarePackage]:
    """One of this provider's lines (any other id is LookupError, a 404)."""
    require(scope, "submit_invoice")
    found = session.exec(
        select(PackageLine, CarePackage).join(CarePackage, CarePackage.id == PackageLine.package_id)
        .where(PackageLine.id == line_id, PackageLine.provider_id == scope.provider_id,
               PackageLine.response != LineResponse.NOT_SENT.value)).first()
    if found is None:
        raise LookupError(line_id)
    return found


def billable_lines(session: Session, scope: Scope) -> list[tuple[PackageLine, CarePackage]]:
    """The provider's accepted lines of agreed packages (and of replaced or ended ones, for the
    days before that)."""
    require(scope, "submit_invoice")
    return list(session.exec(
        select(PackageLine, CarePackage).join(CarePackage, CarePackage.id == PackageLine.package_id)
        .where(PackageLine.provider_id == scope.provider_id,
               PackageLine.response == LineResponse.ACCEPTED.value,
               col(CarePackage.status).in_(BILLABLE_STATUSES))
        .order_by(CarePackage.start_on, PackageLine.id)))


# --- the checks shared by submitting and amending -----------------------------------------------


# A package replaced by a new version, or ended early, keeps its money for the days before that:
# those days can still be billed against its lines.
BILLABLE_STATUSES = (PackageStatus.ACTIVE.value, PackageStatus.SUPERSEDED.value, PackageStatus.ENDED.value)


def last_billable_day(session: Session, package: CarePackage) -> date:
    """The last day of support this package pays for: its end, the day before it was ended
    from, or the day before the version that replaced it started."""
    if package.status == PackageStatus.ENDED.value and package.ended_from is not None:
        return min(package.end_on, package.ended_from - timedelta(days=1))
    if package.status == PackageStatus.SUPERSEDED.value:
        successor_start = session.exec(select(CarePackage.start_on).where(
            CarePackage.supersedes_id == package.id,
            col(CarePackage.status).in_(BILLABLE_STATUSES))).first()
        if successor_start is not None:
            return min(package.end_on, successor_start - timedelta(days=1))
    return package.end_on


def _refuse_unless_billable(line: PackageLine, package: CarePackage) -> None:
    if package.status not in BILLABLE_STATUSES or line.response != LineResponse.ACCEPTED.value:
        raise ServiceError("You can only bill support that is agreed and running.", field="line")


def _check_period(package: CarePackage, period_start: date | None, period_end: date | None,
                  today: date, *, last_day: date) -> tuple[date, date]:
    if period_start is None:
        raise ServiceError("Enter the first day of the period", field="period_start")
    if period_end is None:
        raise ServiceError("Enter the last day of the period", field="period_end")
    if period_end < period_start:
        raise ServiceError("The last day must be the same as or after the first day", field="period_end")
    if period_end > today:
        raise ServiceError("You cannot bill for days that have not happened yet", field="period_end")
    if period_start < package.start_on or period_end > last_day:
        raise ServiceError(
            f"The period must be within the care package, {package.start_on:%-d %B %Y} to "
            f"{last_day:%-d %B %Y}", field="period_start")
    return period_start, period_end


def _units_from(line: PackageLine, units: str | None, visits: Sequence[Visit],
                period: tuple[date, date]) -> tuple[int, list[tuple[Visit, int]]]:
    """The units billed: from the visits when there are any, otherwise as typed."""
    if visits:
        if len(visits) > MAXIMUM_VISITS:
            raise ServiceError(f"An invoice can list up to {MAXIMUM_VISITS} visits", field="visits")
        counted = []
        for number, visit in enumerate(visits, start=1):
            if not period[0] <= visit.visit_on <= period[1]:
                raise ServiceError(f"Visit {number} is not within the period", field="visits")
            try:
                counted.append((visit, rules.visit_units(line.unit, visit.starts_at, visit.ends_at)))
            except ValueError:
                raise ServiceError(f"Visit {number} must end after it starts", field="visits") from None
        return sum(units for _visit, units in counted), counted
    try:
        return costing.parse_quantity(units or "", unit=line.unit, weekly=False), []
    except costing.QuantityError as problem:
        raise ServiceError(str(problem), field="units") from None


def _check_units_and_money(session: Session, line: PackageLine, package: CarePackage, units: int,
                           period: tuple[date, date]) -> int:
    allowed = rules.units_allowed(line, *period)
    plural = "hours" if line.unit == "hour" else f"{line.unit}s"
    if units > allowed:
        raise ServiceError(
            f"This line has {costing.format_quantity(allowed)} {plural} for that period, so you "
            f"cannot bill {costing.format_quantity(units)}", field="units")
    amount = rules.amount_for(line, units)
    left = left_on_line(session, line, package.budget_id)
    if amount > left:
        raise ServiceError(
            f"Only {format_money(left)} is left set aside for this line, so you cannot bill "
            f"{format_money(amount)}", field="units")
    return amount


def check_no_overlap(session: Session, line: PackageLine, period: tuple[date, date],
                      invoice_id: int | None = None) -> None:
    query = select(Invoice).where(Invoice.line_id == line.id, col(Invoice.status).in_(LIVE_STATUSES),
                                  Invoice.period_start <= period[1], Invoice.period_end >= period[0])
    if invoice_id is not None:
        query = query.where(Invoice.id != invoice_id)
    clash = session.exec(query.order_by(Invoice.id)).first()
    if clash is not None:
        raise ServiceError(
            f"Your invoice {clash.reference} already covers {clash.period_start:%-d %B} to "
            f"{clash.period_end:%-d %B %Y} for this line", field="period_start")


def _replace_visits(session: Session, invoice: Invoice, counted: list[tuple[Visit, int]]) -> None:
    for old in session.exec(select(InvoiceVisit).where(InvoiceVisit.invoice_id == invoice.id)):
        session.delete(old)
    session.add_all(InvoiceVisit(invoice_id=invoice.id, visit_on=visit.visit_on, starts_at=visit.starts_at,
                                 ends_at=visit.ends_at, units_hundredths=units)
                    for visit, units in counted)


# --- the provider's steps -----------------------------------------------------------------------


def submit(session: Session, scope: Scope, *, line_id: int, reference: str, period_start: date | None,
           period_end: date | None, units: str | None = None, visits: Sequence[Visit] = (),
           today: date) -> Invoice:
    """Bill a line for a period. The provider's row is locked first, so two invoices sent at
    once are checked one after the other (references, overlapping periods)."""
    line, package = line_to_bill(session, scope, line_id)
    reference = clean_text(reference, field="reference", label="Your invoice reference",
                           max_length=REFERENCE_MAX_LENGTH)
    lock_row(session, Provider, scope.provider_id)
    _refuse_unless_billable(line, package)
    if session.exec(select(Invoice.id).where(Invoice.provider_id == scope.provider_id,
                                             Invoice.reference == reference)).first() is not None:
        raise ServiceError(f"You have already used the reference {reference}. Give each invoice its own "
                           "reference", field="reference")
    period = _check_period(package, period_start, period_end, today,
                           last_day=last_billable_day(session, package))
    billed, counted = _units_from(line, units, visits, period)
    check_no_overlap(session, line, period)
    amount = _check_units_and_money(session, line, package, billed, period)
    invoice = Invoice(provider_id=line.provider_id, line_id=line.id, package_id=package.id,
                      budget_id=package.budget_id, person_id=package.person_id, reference=reference,
                      period_start=period[0], period_end=period[1], units_hundredths=billed,
                      unit_price_pence=line.unit_price_pence, amount_pence=amount,
                      submitted_by_id=scope.user.id)
    session.add(invoice)
    session.flush()
    _replace_visits(session, invoice, counted)
    audit(session, action="invoice.submitted", actor=scope.user, on_behalf_of_id=package.person_id,
          object_type="invoice", object_id=invoice.id,
          detail={"reference": reference, "amount_pence": amount, "units_hundredths": billed,
                  "line_id": line.id})
    notices.invoice_arrived(session, invoice, session.get(Provider, line.provider_id))
    session.flush()
    return invoice


def _locked_for_provider(session: Session, scope: Scope, invoice_id: int) -> Invoice:
    require(scope, "submit_invoice")
    invoice = invoice_in_scope(session, scope, invoice_id)
    invoice = lock_row(session, Invoice, invoice.id)
    session.refresh(invoice)
    return invoice


def withdraw(session: Session, scope: Scope, *, invoice_id: int) -> Invoice:
    invoice = _locked_for_provider(session, scope, invoice_id)
    if invoice.status not in (InvoiceStatus.SUBMITTED.value, InvoiceStatus.DISPUTED.value):
        raise ServiceError(f"You cannot withdraw invoice {invoice.reference}: it is "
                           f"{invoice.status_enum.label.lower()}.")
    invoice.status = InvoiceStatus.WITHDRAWN.value
    session.add(invoice)
    audit(session, action="invoice.withdrawn", actor=scope.user, on_behalf_of_id=invoice.person_id,
          object_type="invoice", object_id=invoice.id, detail={"reference": invoice.reference})
    session.flush()
    return invoice


def amend(session: Session, scope: Scope, *, invoice_id: int, period_start: date | None,
          period_end: date | None, units: str | None = None, visits: Sequence[Visit] = (),
          today: date) -> Invoice:
    """Change a disputed invoice and send it again (it arrives afresh)."""
    invoice = _locked_for_provider(session, scope, invoice_id)
    if invoice.status != InvoiceStatus.DISPUTED.value:
        raise ServiceError(f"You can only change an invoice that was disputed. Invoice {invoice.reference} "
                           f"is {invoice.status_enum.label.lower()}.")
    line, package = line_to_bill(session, scope, invoice.line_id)
    _refuse_unless_billable(line, package)
    period = _check_period(package, period_start, period_end, today,
                           last_day=last_billable_day(session, package))
    billed, counted = _units_from(line, units, visits, period)
    check_no_overlap(session, line, period, invoice_id=invoice.id)
    amount = _check_units_and_money(session, line, package, billed, period)
    invoice.period_start, invoice.period_end = period
    invoice.units_hundredths, invoice.amount_pence = billed, amount
    invoice.status = InvoiceStatus.SUBMITTED.value
    invoice.submitted_by_id, invoice.submitted_at = scope.user.id, utcnow()
    # The changed invoice is no longer disputed: the reason stays in its audit entry. Left on
    # the invoice, it would put the invoice on the council's disputes once approved, and stop
    # the person querying it.
    invoice.dispute_reason = ""
    session.add(invoice)
    _replace_visits(session, invoice, counted)
    audit(session, action="invoice.amended", actor=scope.user, on_behalf_of_id=invoice.person_id,
          object_type="invoice", object_id=invoice.id,
          detail={"reference": invoice.reference, "amount_pence": amount, "units_hundredths": billed})
    notices.invoice_arrived(session, invoice, session.get(Provider, invoice.provider_id))
    session.flush()
    return invoice


# --- the person's steps -------------------------------------------------------------------------


def _locked_for_person(session: Session, scope: Scope, invoice_id: int) -> Invoice:
    invoice = invoice_in_scope(session, scope, invoice_id)
    require(scope, "approve_invoice", invoice)
    invoice = lock_row(session, Invoice, invoice.id)
    session.refresh(invoice)
    return invoice


def approve_locked(session: Session, invoice: Invoice, *, actor_scope: Scope | None,
                    stripe_enabled: bool, today: date) -> Payment:
    """Move the money and record the payment; the invoice is locked and waiting for approval."""
    line = session.get(PackageLine, invoice.line_id)
    provider = session.get(Provider, invoice.provider_id)
    actor = actor_scope.user if actor_scope else None
    # Counted against the budget's category for this kind of support, when the council split it.
    category_id = session.exec(select(BudgetCategory.id).where(
        BudgetCategory.budget_id == invoice.budget_id, BudgetCategory.key == line.category)).first()
    try:
        ledger.approve_invoice(
            session, budget_id=invoice.budget_id, commitment=commitment_of(line),
            provider_id=invoice.provider_id, amount_pence=invoice.amount_pence,
            idempotency_key=f"invoice:{invoice.id}:approve", actor=actor,
            memo=f"Invoice {invoice.reference} from {provider.name}"[:500],
            on_behalf_of_id=invoice.person_id, category_id=category_id, effective_on=today)
    except ledger.NotEnoughMoney as problem:
        raise ServiceError(f"Invoice {invoice.reference} cannot be approved. {problem}") from None
    payment = payments.request_payment(
        session, budget_id=invoice.budget_id, provider_id=invoice.provider_id,
        amount_pence=invoice.amount_pence, idempotency_key=f"payment-invoice-{invoice.id}",
        description=f"Invoice {invoice.reference}", requested_by=actor, stripe_enabled=stripe_enabled)
    invoice.status = InvoiceStatus.APPROVED.value
    invoice.decided_by_id = actor.id if actor else None
    invoice.decided_at = utcnow()
    invoice.payment_id = payment.id
    session.add(invoice)
    audit(session, action="invoice.approved", actor=actor, on_behalf_of_id=invoice.person_id,
          object_type="invoice", object_id=invoice.id,
          detail={"reference": invoice.reference, "amount_pence": invoice.amount_pence, "payment_id": payment.id,
                  "automatic": actor_scope is None})
    notices.invoice_approved(session, invoice)
    session.flush()
    return payment


def approve(session: Session, scope: Scope, *, invoice_id: int, stripe_enabled: bool,
            today: date) -> Payment:
    """The budget holder (or an advocate who may) approves: committed → payable, and the
    payment is recorded. Returns the payment, for the caller to send once it has committed."""
    invoice = _locked_for_person(session, scope, invoice_id)
    if invoice.status != InvoiceStatus.SUBMITTED.value:
        raise ServiceError(f"Invoice {invoice.reference} is {invoice.status_enum.label.lower()}, "
                           "so it cannot be approved.")
    return approve_locked(session, invoice, actor_scope=scope, stripe_enabled=stripe_enabled, today=today)


def dispute(session: Session, scope: Scope, *, invoice_id: int, reason: str, now: datetime | None = None) -> Invoice:
    """Dispute with a reason the provider reads. Waiting for approval: it goes back to the
    provider. Approved in the last 14 days: the council is told (the money has moved)."""
    reason = clean_text(reason, field="reason", label="Why you dispute this invoice", max_length=2000,
                        multiline=True)
    invoice = _locked_for_person(session, scope, invoice_id)
    now = now or utcnow()
    if invoice.status == InvoiceStatus.SUBMITTED.value:
        invoice.status = InvoiceStatus.DISPUTED.value
        invoice.dispute_reason = reason
        session.add(invoice)
        audit(session, action="invoice.disputed", actor=scope.user, on_behalf_of_id=invoice.person_id,
              object_type="invoice", object_id=invoice.id,
              detail={"reference": invoice.reference, "reason": reason})
        notices.invoice_disputed(session, invoice)
    elif may_dispute_after_approval(invoice, now):
        invoice.dispute_reason = reason
        session.add(invoice)
        audit(session, action="invoice.queried", actor=scope.user, on_behalf_of_id=invoice.person_id,
              object_type="invoice", object_id=invoice.id,
              detail={"reference": invoice.reference, "reason": reason})
        notices.invoice_queried(session, invoice, session.get(Provider, invoice.provider_id))
    elif invoice.status == InvoiceStatus.APPROVED.value and invoice.dispute_reason:
        raise ServiceError(f"You have already disputed invoice {invoice.reference}. The council is looking into it.")
    elif invoice.status == InvoiceStatus.APPROVED.value:
        raise ServiceError(f"Invoice {invoice.reference} was approved more than 14 days ago. "
                           "Contact the council if something is wrong.")
    else:
        raise ServiceError(f"Invoice {invoice.reference} is {invoice.status_enum.label.lower()}, "
                           "so it cannot be disputed.")
    session.flush()
    return invoice


def may_dispute_after_approval(invoice: Invoice, now: datetime) -> bool:
    return (invoice.status == InvoiceStatus.APPROVED.value and not invoice.dispute_reason
            and invoice.decided_at is not None and now - invoice.decided_at <= DISPUTE_AFTER_APPROVAL)


# --- what people see ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    line: PackageLine
    package: CarePackage
    payment: Payment | None
    provider_name: str
    planned_hundredths: int  # what the line has for the invoice's period

    @property
    def state(self) -> str:
        return state_of(self.invoice, self.payment)


def state_of(invoice: Invoice, payment: Payment | None) -> str:
    """In plain words, including where the payment has got to."""
    if invoice.status != InvoiceStatus.APPROVED.value or payment is None:
        return invoice.status_enum.label
    return {"paid": "Paid", "failed": "Payment failed: it will be tried again",
            "awaiting_approval": "Approved: the council must agree the payment",
            "pending": "Approved: payment on its way"}[payment.status]


def _rows(session: Session, query) -> list[InvoiceRow]:
    found = session.exec(
        query.join(PackageLine, PackageLine.id == Invoice.line_id)
        .join(CarePackage, CarePackage.id == Invoice.package_id)
        .join(Provider, Provider.id == Invoice.provider_id)
        .outerjoin(Payment, Payment.id == Invoice.payment_id)
        .order_by(Invoice.submitted_at.desc(), Invoice.id.desc())).all()
    return [InvoiceRow(invoice, line, package, payment, provider_name,
                       rules.units_allowed(line, invoice.period_start, invoice.period_end))
            for invoice, line, package, payment, provider_name in found]


def invoices_for_provider(session: Session, scope: Scope, *, limit: int = 100) -> list[InvoiceRow]:
    require(scope, "submit_invoice")
    return _rows(session, select(Invoice, PackageLine, CarePackage, Payment, Provider.name)
                 .where(Invoice.provider_id == scope.provider_id).limit(limit))


def invoices_for_person(session: Session, scope: Scope, *, limit: int = 100) -> list[InvoiceRow]:
    require(scope, "view_invoice")
    return _rows(session, select(Invoice, PackageLine, CarePackage, Payment, Provider.name)
                 .where(Invoice.person_id == scope.person.id).limit(limit))


def disputed_after_approval(session: Session, scope: Scope, *, limit: int = 100) -> list[tuple[Invoice, str, str]]:
    """For the council: approved invoices the person disputed afterwards, with the provider's
    and the person's names, oldest first."""
    require(scope, "manage_payments")
    return list(session.exec(
        select(Invoice, Provider.name, Person.name)
        .join(Provider, Provider.id == Invoice.provider_id).join(Person, Person.id == Invoice.person_id)
        .where(Invoice.status == InvoiceStatus.APPROVED.value, Invoice.dispute_reason != "")
        .order_by(Invoice.decided_at, Invoice.id).limit(limit)))
