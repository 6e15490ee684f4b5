"""Council vetting: decide on providers' checks (oldest first), suspend or reinstate a
provider, and hide a review, each with a reason on record."""

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from marketplace.admin import bp
from marketplace.auth.acting import current_scope
from marketplace.auth.permissions import roles
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.forms import show_service_error
from marketplace.models import Person, Provider, Review, Role
from marketplace.own_providers import service as own_providers
from marketplace.providers import changes, council
from marketplace.providers.catalogue import CHECK_KINDS, PROVIDER_KINDS
from marketplace.providers.forms import ReasonForm
from marketplace.providers.reviews import hide_review as hide
from marketplace.providers.service import required_check_status

LABELS = {"kinds": PROVIDER_KINDS, "check_kinds": CHECK_KINDS}
EXPIRY_WINDOW_DAYS = 30
# Each list on the vetting page shows this many, with how many there are in all, so the page
# stays quick however many providers there are.
LIST_LIMIT = 50


@bp.route("/vetting")
@roles(Role.COMMISSIONER)
def vetting():
    db = get_session()
    return render_template(
        "admin/vetting.html", queue=council.vetting_queue(db, limit=LIST_LIMIT),
        expiring=council.first_expiring_checks(db, today=today_in_uk(), days=EXPIRY_WINDOW_DAYS, limit=LIST_LIMIT),
        suspended=council.suspended_providers(db, limit=LIST_LIMIT), window=EXPIRY_WINDOW_DAYS,
        changes=changes.changes_waiting(db, limit=LIST_LIMIT), own_providers=own_providers.waiting_requests(db),
        **LABELS,
    )


@bp.route("/vetting/checks/<int:check_id>", methods=["GET", "POST"])
@roles(Role.COMMISSIONER)
def vetting_check(check_id: int):
    db = get_session()
    found = council.check_with_provider(db, check_id) or abort(404)
    check, provider = found
    form = ReasonForm()
    if request.method == "POST":
        decision = request.form.get("decision")
        try:
            if decision == "verify":
                council.verify_check(db, check_id=check.id, scope=current_scope())
                db.commit()
                flash(f"{CHECK_KINDS.get(check.kind, check.kind)} for {provider.name} is verified.")
                return redirect(url_for("admin.vetting"))
            if decision == "reject" and form.validate():
                council.reject_check(db, check_id=check.id, scope=current_scope(), reason=form.reason.data)
                db.commit()
                flash(f"{CHECK_KINDS.get(check.kind, check.kind)} for {provider.name} is rejected. They will see your reason.")
                return redirect(url_for("admin.vetting"))
        except ServiceError as problem:
            db.rollback()  # someone decided first: show the check as it is now
            show_service_error(form, problem)
            check, provider = council.check_with_provider(db, check_id)
    return render_template(
        "admin/vetting_check.html", check=check, provider=provider, form=form,
        required=any(status.kind == check.kind
                     for status in required_check_status(db, provider=provider, today=today_in_uk())),
        **LABELS,
    ), 400 if form.errors else 200


@bp.route("/vetting/providers/<int:provider_id>", methods=["GET", "POST"])
@roles(Role.COMMISSIONER)
def vetting_provider(provider_id: int):
    """The provider's checks at a glance, and suspending or reinstating it."""
    db = get_session()
    provider = db.get(Provider, provider_id) or abort(404)
    form = ReasonForm()
    if request.method == "POST":
        if provider.suspended_at is not None:
            council.reinstate_provider(db, provider_id=provider.id, scope=current_scope())
            db.commit()
            flash(f"{provider.name} is no longer suspended. People can find it while its checks are in order.")
            return redirect(url_for("admin.vetting_provider", provider_id=provider.id))
        if form.validate():
            council.suspend_provider(db, provider_id=provider.id, scope=current_scope(), reason=form.reason.data)
            db.commit()
            flash(f"{provider.name} is suspended. People cannot find it now.")
            return redirect(url_for("admin.vetting_provider", provider_id=provider.id))
    return render_template(
        "admin/vetting_provider.html", provider=provider, form=form,
        statuses=required_check_status(db, provider=provider, today=today_in_uk()),
        changes=changes.changes_of(db, provider), **LABELS,
    ), 400 if form.errors else 200


@bp.route("/vetting/changes/<int:change_id>", methods=["GET", "POST"])
@roles(Role.COMMISSIONER)
def vetting_change(change_id: int):
    """A provider's new kind to approve or refuse, or its new name to look at."""
    db = get_session()
    change, provider = changes.change_with_provider(db, change_id) or abort(404)
    form = ReasonForm()
    if request.method == "POST" and change.status == changes.WAITING:
        decision = request.form.get("decision", "")
        if decision != "refuse" or form.validate():
            try:
                changes.decide_change(db, change_id=change.id, scope=current_scope(), decision=decision,
                                      reason=form.reason.data or "")
            except ServiceError as problem:
                db.rollback()
                show_service_error(form, problem)
                change, provider = changes.change_with_provider(db, change_id)
            else:
                db.commit()
                flash({"approve": f"{provider.name} is now listed as {PROVIDER_KINDS.get(change.new_value, change.new_value).lower()}.",
                       "refuse": f"{provider.name} stays listed as {PROVIDER_KINDS.get(change.old_value, change.old_value).lower()}. They will see your reason.",
                       "seen": f"You have looked at {provider.name}’s new name."}[decision])
                return redirect(url_for("admin.vetting"))
    return render_template("admin/vetting_change.html", change=change, provider=provider, form=form,
                           **LABELS), 400 if form.errors else 200


@bp.route("/reviews/<int:review_id>/hide", methods=["GET", "POST"])
@roles(Role.COMMISSIONER)
def hide_review(review_id: int):
    db = get_session()
    found = db.execute(
        select(Review, Provider, Person.name).join(Provider, Provider.id == Review.provider_id)
        .join(Person, Person.id == Review.person_id).where(Review.id == review_id, Review.hidden_at.is_(None))
    ).first() or abort(404)
    review, provider, _name = found
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            hide(db, review_id=review.id, scope=current_scope(), reason=form.reason.data)
        except ServiceError as problem:
            show_service_error(form, problem)
        else:
            db.commit()
            flash("The review is hidden.")
            return redirect(url_for("providers.profile", provider_id=provider.id))
    return render_template("admin/hide_review.html", review=review, provider=provider, form=form), 400 if form.errors else 200
