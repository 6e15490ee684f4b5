"""Payment pages: Stripe's webhook, providers' payouts and remittance, contributions, and the
council's payment tasks. Views that ask Stripe end their database transaction first."""

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from marketplace.auth.acting import current_provider, current_scope, require_or_403
from marketplace.auth.permissions import public, roles
from marketplace.budgets.overview import current_budget
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.extensions import csrf, limiter
from marketplace.forms import show_service_error
from marketplace.invoices import service as invoice_service
from marketplace.models import (
    Budget,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PayoutStatus,
    Person,
    Provider,
    Role,
)
from marketplace.money import format_money
from marketplace.payments import (
    contributions,
    gateway,
    payouts,
    service,
    stripe_client,
    stripe_enabled,
    webhooks,
)
from marketplace.payments.forms import (
    ApprovalLimitForm,
    BankReferenceForm,
    ContributionForm,
    ManualAllowedForm,
    ManualContributionForm,
)
from marketplace.payments.jobs import send_payment_job

bp = Blueprint("payments", __name__)


def _end_transaction() -> None:
    """Finish the request's database transaction before asking Stripe (no lock held meanwhile)."""
    get_session().commit()


# --- Stripe's webhook -------------------------------------------------------------------------


@bp.route("/stripe/webhook", methods=["POST"])
@public
@csrf.exempt
@limiter.exempt
def stripe_webhook():
    client = stripe_client()
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if client is None or not secret:
        abort(404)
    try:
        event = gateway.read_webhook(client, request.get_data(), request.headers.get("Stripe-Signature"), secret)
    except gateway.BadSignature:
        current_app.logger.warning("Refused a Stripe webhook with a bad or old signature")
        return {"error": "bad signature"}, 400
    # Read the object afresh from Stripe (no transaction open), then record event and effect.
    try:
        if event.type == webhooks.CHECKOUT_COMPLETED:
            fresh = gateway.read_checkout(client, event.object_id)
        elif event.type.startswith(webhooks.ACCOUNT_EVENT_PREFIX) and event.object_id.startswith("acct_"):
            fresh = gateway.payout_status(client, event.object_id)
        else:
            fresh = None
    except gateway.StripeProblem:
        return {"error": "could not read the object from Stripe; send again"}, 503
    db = get_session()
    if webhooks.already_handled(db, event.id):
        return {"received": True, "duplicate": True}
    try:
        if event.type == webhooks.CHECKOUT_COMPLETED:
            webhooks.handle_checkout_completed(db, event_id=event.id, checkout=fresh)
        elif fresh is not None:
            webhooks.handle_account_update(db, event_id=event.id, event_type=event.type,
                                           account_id=event.object_id, status=fresh)
        else:
            webhooks.handle_other(db, event_id=event.id, event_type=event.type)
        db.commit()
    except IntegrityError:  # the same event, delivered at the same moment, got there first
        db.rollback()
        return {"received": True, "duplicate": True}
    return {"received": True}


# --- providers ------------------------------------------------------------------------------


@bp.route("/provider/payouts")
@roles(Role.PROVIDER)
def payouts_page():
    db = get_session()
    provider = current_provider()
    account = service.payout_account(db, provider.id)
    client = stripe_client()
    if client is not None and payouts.is_stale(account):
        account_id, provider_id = account.stripe_account_id, provider.id
        _end_transaction()
        try:
            status = gateway.payout_status(client, account_id)
        except gateway.StripeProblem:
            status = None  # show what we last knew
        if status is not None:
            account = payouts.record_status(db, provider_id=provider_id, status=status)
            db.commit()
    return render_template("payments/payouts.html", provider=provider, account=account,
                           status=PayoutStatus(account.status), stripe_on=client is not None)


@bp.route("/provider/payouts/start", methods=["POST"])
@roles(Role.PROVIDER)
def start_onboarding():
    return _send_to_stripe_onboarding(create=True)


@bp.route("/provider/payouts/refresh")
@roles(Role.PROVIDER)
def refresh_onboarding():
    """Stripe sends people here when their onboarding link has run out: make a new one."""
    return _send_to_stripe_onboarding(create=False)


def _send_to_stripe_onboarding(*, create: bool):
    client = stripe_client()
    if client is None:
        abort(404)
    db = get_session()
    provider = current_provider()
    account = service.payout_account(db, provider.id)
    provider_id, name, email, account_id = provider.id, provider.name, provider.contact_email, account.stripe_account_id
    if account_id is None and not create:
        return redirect(url_for("payments.payouts_page"))
    db.commit()
    try:
        if account_id is None:
            account_id = gateway.create_recipient_account(client, provider_id=provider_id, name=name, email=email)
            payouts.record_stripe_account(db, scope=current_scope(), account_id=account_id)
            db.commit()
        link = gateway.onboarding_link(
            client, account_id=account_id,
            refresh_url=url_for("payments.refresh_onboarding", _external=True),
            return_url=url_for("payments.payouts_page", _external=True))
    except gateway.StripeProblem as problem:
        flash(f"Stripe could not be reached, so nothing has changed. Try again in a few minutes. ({problem})", "error")
        return redirect(url_for("payments.payouts_page"))
    return redirect(link, 303)


@bp.route("/provider/payments")
@roles(Role.PROVIDER)
def remittance():
    db = get_session()
    provider = current_provider()
    return render_template("payments/remittance.html", provider=provider,
                           payments=service.payments_to_provider(db, provider.id), PaymentStatus=PaymentStatus)


# --- contributions --------------------------------------------------------------------------


def _contributing_budget() -> tuple[Person, Budget | None]:
    # A budget holder pays for themselves; an advocate needs the approve_invoices permission.
    person = require_or_403("pay_contribution").person
    return person, current_budget(get_session(), person.id, today_in_uk())


@bp.route("/budget/contribute", methods=["GET", "POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def contribute():
    person, budget = _contributing_budget()
    if budget is None:
        return render_template("budget/no_budget.html", name=person.name)
    client = stripe_client()
    form = ContributionForm()
    if client is not None and form.validate_on_submit():
        budget_id, amount = budget.id, form.amount.data
        _end_transaction()
        try:
            checkout = gateway.create_checkout(
                client, budget_id=budget_id, amount_pence=amount,
                success_url=url_for("payments.contribution_sent", _external=True),
                cancel_url=url_for("payments.contribute", _external=True),
                # A new session each time: one left unpaid simply expires at Stripe.
                idempotency_key=f"contribution-{budget_id}-{uuid.uuid4().hex}")
        except gateway.StripeProblem:
            form.amount.errors.append("Paying online is not working right now. Try again in a few minutes.")
        else:
            return redirect(checkout.url, 303)
    return render_template("payments/contribute.html", form=form, name=person.name, stripe_on=client is not None,
                           acting=current_user.role == Role.ADVOCATE), \
        400 if form.errors else 200


@bp.route("/budget/contribute/sent")
@roles(Role.PERSON, Role.ADVOCATE)
def contribution_sent():
    require_or_403("view_budget")
    return render_template("payments/contribution_sent.html")


# --- the council ----------------------------------------------------------------------------


@bp.route("/admin/payments", methods=["GET", "POST"])
@roles(Role.COMMISSIONER)
def council_payments():
    db = get_session()
    form = ApprovalLimitForm()
    if form.validate_on_submit():
        try:
            service.set_second_approval_above(db, current_scope(), amount_pence=form.amount.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            db.commit()
            flash("The limit is saved.")
            return redirect(url_for("payments.council_payments"))
    elif request.method == "GET":
        form.amount.data = service.second_approval_above(db)
    return render_template("payments/council.html", form=form, rows=service.payments_needing_the_council(db),
                           disputed=invoice_service.disputed_after_approval(db, current_scope()),
                           stripe_on=stripe_client() is not None, PaymentStatus=PaymentStatus,
                           PaymentMethod=PaymentMethod), 400 if form.errors else 200


def _payment_or_404(payment_id: int) -> tuple[Payment, Provider]:
    db = get_session()
    payment = db.get(Payment, payment_id) or abort(404)
    return payment, db.get(Provider, payment.provider_id)


@bp.route("/admin/payments/<int:payment_id>/approve", methods=["POST"])
@roles(Role.COMMISSIONER)
def approve_payment(payment_id: int):
    db = get_session()
    payment, provider = _payment_or_404(payment_id)
    try:
        service.approve_payment(db, current_scope(), payment_id=payment.id)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        db.commit()
        flash(f"You approved the payment of {format_money(payment.amount_pence)} to {provider.name}.")
        _send_now(payment.id)
    return redirect(url_for("payments.council_payments"))


def _send_now(payment_id: int) -> None:
    """Queue an approved Stripe payment to be sent (a failure is retried with backoff)."""
    payment = get_session().get(Payment, payment_id)
    if stripe_enabled() and payment.method == PaymentMethod.STRIPE.value:
        get_session().close()  # no transaction open while the job (inline in tests) asks Stripe
        send_payment_job(payment_id)


@bp.route("/admin/payments/<int:payment_id>/paid", methods=["GET", "POST"])
@roles(Role.COMMISSIONER)
def record_bank_payment(payment_id: int):
    db = get_session()
    payment, provider = _payment_or_404(payment_id)
    form = BankReferenceForm()
    if form.validate_on_submit():
        try:
            service.record_manual_payment(db, current_scope(), payment_id=payment.id, reference=form.reference.data)
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash(f"The payment to {provider.name} is recorded as paid.")
            return redirect(url_for("payments.council_payments"))
    return render_template("payments/bank_reference.html", form=form, payment=payment, provider=provider), \
        400 if form.errors else 200


@bp.route("/admin/payments/providers/<int:provider_id>", methods=["GET", "POST"])
@roles(Role.COMMISSIONER)
def provider_payouts(provider_id: int):
    db = get_session()
    provider = db.get(Provider, provider_id) or abort(404)
    account = service.payout_account(db, provider.id)
    form = ManualAllowedForm()
    if form.validate_on_submit():
        service.allow_manual_payments(db, current_scope(), provider_id=provider.id,
                                      allowed=form.allowed.data == "yes")
        db.commit()
        flash("Saved.")
        return redirect(url_for("payments.provider_payouts", provider_id=provider.id))
    if request.method == "GET":
        form.allowed.data = "yes" if account.manual_allowed else "no"
    return render_template("payments/council_provider.html", form=form, provider=provider, account=account,
                           status=PayoutStatus(account.status),
                           payments=service.payments_to_provider(db, provider.id, limit=20),
                           PaymentStatus=PaymentStatus), 400 if form.errors else 200


@bp.route("/admin/budgets/<int:budget_id>/contribution", methods=["GET", "POST"])
@roles(Role.COMMISSIONER)
def record_contribution(budget_id: int):
    db = get_session()
    budget = db.get(Budget, budget_id) or abort(404)
    person = db.get(Person, budget.person_id)
    form = ManualContributionForm()
    if form.validate_on_submit():
        try:
            contributions.record_manual_contribution(
                db, current_scope(), budget_id=budget.id, amount_pence=form.amount.data,
                reference=form.reference.data, idempotency_key=f"contribution-manual-{form.request_key.data}")
        except ServiceError as error:  # the ledger's refusals are ServiceErrors too
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash(f"The contribution from {person.name} is recorded.")
            return redirect(url_for("admin.budget", budget_id=budget.id))
    return render_template("payments/manual_contribution.html", form=form, budget=budget, person=person), \
        400 if form.errors else 200
