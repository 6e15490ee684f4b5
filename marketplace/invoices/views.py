"""Invoice pages: /provider/invoices for provider staff, /invoices for the budget holder and
advocates. Each view calls one service step and commits once; an approved payment is sent
after the commit (no network call while the transaction is open)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlmodel import select

from marketplace.auth.acting import current_scope, require_or_403
from marketplace.auth.permissions import roles
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.forms import show_service_error
from marketplace.invoices import automatic, rules, service
from marketplace.invoices.forms import (
    ActionForm,
    AmendForm,
    AutomaticApprovalForm,
    DisputeForm,
    InvoiceForm,
    parse_visits,
)
from marketplace.models import (
    InvoiceStatus,
    InvoiceVisit,
    Outcome,
    PackageLine,
    Payment,
    PaymentMethod,
    Person,
    Role,
)
from marketplace.models.types import utcnow
from marketplace.money import format_money
from marketplace.packages import costing
from marketplace.payments import stripe_enabled
from marketplace.payments.jobs import send_payment_job
from marketplace.scope import can

bp = Blueprint("invoices", __name__)


def _units_phrase(hundredths: int, unit: str) -> str:
    word = unit if hundredths == 100 else ("hours" if unit == "hour" else f"{unit}s")
    return f"{costing.format_quantity(hundredths)} {word}"


def _send_after_commit(payment: Payment) -> None:
    """Queue a Stripe payment once the approval is committed (manual ones wait for the council)."""
    if stripe_enabled() and payment.method == PaymentMethod.STRIPE.value and payment.status == "pending":
        payment_id = payment.id
        get_session().close()  # no transaction open while the job (inline in tests) asks Stripe
        send_payment_job(payment_id)


# --- provider staff -----------------------------------------------------------------------------


@bp.route("/provider/invoices")
@roles(Role.PROVIDER)
def provider_invoices():
    db = get_session()
    scope = current_scope()
    lines = service.billable_lines(db, scope)
    people = {person.id: person.name for person in db.exec(
        select(Person).where(Person.id.in_({package.person_id for _line, package in lines})))} if lines else {}
    return render_template("invoices/provider_invoices.html", lines=lines, people=people,
                           rows=service.invoices_for_provider(db, scope),
                           units_phrase=_units_phrase)


def _line_or_404(line_id: int):
    try:
        return service.line_to_bill(get_session(), current_scope(), line_id)
    except LookupError:
        abort(404)


def _line_facts(line, package) -> dict:
    db = get_session()
    return {"line": line, "package": package, "person": db.get(Person, package.person_id),
            "left": service.left_on_line(db, line, package.budget_id), "units_phrase": _units_phrase}


def _units_and_visits(form):
    """The visits typed (a refusal goes by the visits box), and the units typed."""
    return form.units.data, parse_visits(form.visits.data)


@bp.route("/provider/invoices/new/<int:line_id>", methods=["GET", "POST"])
@roles(Role.PROVIDER)
def new_invoice(line_id: int):
    line, package = _line_or_404(line_id)
    form = InvoiceForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            units, visits = _units_and_visits(form)
            invoice = service.submit(db, current_scope(), line_id=line.id, reference=form.reference.data,
                                     period_start=form.period_start.data, period_end=form.period_end.data,
                                     units=units, visits=visits, today=today_in_uk())
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash(f"Invoice {invoice.reference} for {format_money(invoice.amount_pence)} is sent.")
            return redirect(url_for("invoices.provider_invoices"))
    return render_template("invoices/bill.html", form=form, **_line_facts(line, package)), \
        400 if form.errors else 200


def _provider_invoice_or_404(invoice_id: int):
    try:
        return service.invoice_in_scope(get_session(), current_scope(), invoice_id)
    except LookupError:
        abort(404)


@bp.route("/provider/invoices/<int:invoice_id>/withdraw", methods=["POST"])
@roles(Role.PROVIDER)
def withdraw(invoice_id: int):
    invoice = _provider_invoice_or_404(invoice_id)
    db = get_session()
    if ActionForm().validate_on_submit():
        try:
            service.withdraw(db, current_scope(), invoice_id=invoice.id)
        except ServiceError as error:
            db.rollback()
            flash(error.message, "error")
        else:
            db.commit()
            flash(f"Invoice {invoice.reference} is withdrawn.")
    return redirect(url_for("invoices.provider_invoices"))


@bp.route("/provider/invoices/<int:invoice_id>/change", methods=["GET", "POST"])
@roles(Role.PROVIDER)
def amend(invoice_id: int):
    invoice = _provider_invoice_or_404(invoice_id)
    if invoice.status != InvoiceStatus.DISPUTED.value:
        flash(f"You can only change an invoice that was disputed. Invoice {invoice.reference} is "
              f"{invoice.status_enum.label.lower()}.", "error")
        return redirect(url_for("invoices.provider_invoices"))
    line, package = _line_or_404(invoice.line_id)
    form = AmendForm(data=None if request.method == "POST" else {"period_start": invoice.period_start,
                                                   "period_end": invoice.period_end,
                                                   "units": costing.format_quantity(invoice.units_hundredths),
                                                   "visits": _visits_text(invoice.id)})
    if form.validate_on_submit():
        db = get_session()
        try:
            units, visits = _units_and_visits(form)
            service.amend(db, current_scope(), invoice_id=invoice.id, period_start=form.period_start.data,
                          period_end=form.period_end.data, units=units, visits=visits, today=today_in_uk())
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash(f"Invoice {invoice.reference} is changed and sent again.")
            return redirect(url_for("invoices.provider_invoices"))
    return render_template("invoices/bill.html", form=form, invoice=invoice, **_line_facts(line, package)), \
        400 if form.errors else 200


def _visits_text(invoice_id: int) -> str:
    visits = get_session().exec(select(InvoiceVisit).where(InvoiceVisit.invoice_id == invoice_id)
                                .order_by(InvoiceVisit.visit_on, InvoiceVisit.starts_at))
    return "\n".join(f"{v.visit_on.day} {v.visit_on.month} {v.visit_on.year} "
                     f"{v.starts_at:%H:%M} to {v.ends_at:%H:%M}" for v in visits)


# --- the budget holder and advocates ------------------------------------------------------------


@bp.route("/invoices")
@roles(Role.PERSON, Role.ADVOCATE)
def invoices():
    scope = require_or_403("view_invoice")
    db = get_session()
    rows = service.invoices_for_person(db, scope)
    outcome_ids = {row.line.outcome_id for row in rows}
    outcomes = {o.id: o.text for o in db.exec(select(Outcome).where(Outcome.id.in_(outcome_ids)))} if rows else {}
    now = utcnow()
    return render_template(
        "invoices/invoices.html", person=scope.person, rows=rows, outcomes=outcomes,
        auto_lines=[(line, AutomaticApprovalForm(formdata=None, automatic="yes" if line.auto_approve_invoices else "no"))
                    for line, _package in automatic.lines_for_auto_approval(db, scope)],
        may_approve=can(scope, "approve_invoice"), units_phrase=_units_phrase,
        may_dispute_now=lambda invoice: invoice.status == InvoiceStatus.SUBMITTED.value
        or service.may_dispute_after_approval(invoice, now))


def _person_invoice_or_404(invoice_id: int):
    scope = require_or_403("approve_invoice")
    try:
        return scope, service.invoice_in_scope(get_session(), scope, invoice_id)
    except LookupError:
        abort(404)


@bp.route("/invoices/<int:invoice_id>/approve", methods=["POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def approve(invoice_id: int):
    scope, invoice = _person_invoice_or_404(invoice_id)
    db = get_session()
    if ActionForm().validate_on_submit():
        try:
            payment = service.approve(db, scope, invoice_id=invoice.id, stripe_enabled=stripe_enabled(),
                                      today=today_in_uk())
        except ServiceError as error:
            db.rollback()
            flash(error.message, "error")
        else:
            db.commit()
            flash(f"You approved invoice {invoice.reference}. {format_money(invoice.amount_pence)} will be paid "
                  "to the provider.")
            _send_after_commit(payment)
    return redirect(url_for("invoices.invoices"))


@bp.route("/invoices/<int:invoice_id>/dispute", methods=["GET", "POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def dispute(invoice_id: int):
    scope, invoice = _person_invoice_or_404(invoice_id)
    db = get_session()
    form = DisputeForm()
    if form.validate_on_submit():
        try:
            service.dispute(db, scope, invoice_id=invoice.id, reason=form.reason.data)
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash(f"You disputed invoice {invoice.reference}. The provider has been told why.")
            return redirect(url_for("invoices.invoices"))
    line = db.get(PackageLine, invoice.line_id)
    return render_template("invoices/dispute.html", form=form, invoice=invoice, line=line,
                           planned=rules.units_allowed(line, invoice.period_start, invoice.period_end),
                           units_phrase=_units_phrase), 400 if form.errors else 200


@bp.route("/invoices/lines/<int:line_id>/automatic-approval", methods=["POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def automatic_approval(line_id: int):
    scope = require_or_403("approve_invoice")
    db = get_session()
    try:
        automatic.persons_line(db, scope, line_id)
    except LookupError:
        abort(404)
    form = AutomaticApprovalForm()
    if form.validate_on_submit() and form.automatic.data in ("yes", "no"):
        line = automatic.set_auto_approval(db, scope, line_id=line_id, automatic=form.automatic.data == "yes")
        db.commit()
        flash(f"Invoices for “{line.title}” that match what was agreed will be approved automatically after "
              "48 hours." if line.auto_approve_invoices else
              f"You will approve each invoice for “{line.title}” yourself.")
    else:
        db.rollback()
        flash("Choose whether to approve these invoices automatically.", "error")
    return redirect(url_for("invoices.invoices") + "#automatic-approval")
