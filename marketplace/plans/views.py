"""/plan: the support plan and its outcomes. Every change is a POST that comes back here."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from marketplace.auth.acting import require_or_403
from marketplace.auth.permissions import roles
from marketplace.budgets.overview import current_budget
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.forms import show_service_error
from marketplace.models import FundingSource, PaymentSchedule, Role
from marketplace.plans import service as plans
from marketplace.plans.comments import add_plan_comment, plan_comments
from marketplace.plans.forms import OutcomeForm, PlanCommentForm, PlanForm
from marketplace.scope import Relationship, Scope, can

bp = Blueprint("plan", __name__, url_prefix="/plan")


def plan_page(scope: Scope, plan_form: PlanForm | None = None, outcome_form: OutcomeForm | None = None,
              comment_form: PlanCommentForm | None = None):
    """The plan, for everyone who may read it; the professional reads it from their caseload."""
    db = get_session()
    plan = plans.plan_of(db, scope)
    if plan_form is None:
        plan_form = PlanForm(obj=plan, formdata=None)
    budget = current_budget(db, scope.person.id, today_in_uk())
    with_errors = next((form for form in (outcome_form, comment_form) if form and form.errors), plan_form)
    comment_url = (url_for("caseload.comment_on_plan", person_id=scope.person.id)
                   if scope.relationship is Relationship.PROFESSIONAL else url_for("plan.comment"))
    return render_template(
        "plan/plan.html", person=scope.person, plan=plan, outcomes=plans.outcomes_of(db, scope.person.id),
        plan_form=plan_form, outcome_form=outcome_form or OutcomeForm(formdata=None),
        comment_form=comment_form or PlanCommentForm(formdata=None), comment_url=comment_url,
        comments=plan_comments(db, scope), form=with_errors,
        may_edit=can(scope, "edit_plan"), budget=budget, today=today_in_uk(),
        funding=FundingSource(budget.funding_source).label if budget else None,
        schedule=PaymentSchedule(budget.schedule).label if budget else None,
    ), 400 if with_errors.errors else 200


def comment_on_plan(scope: Scope, back_to: str):
    """Shared by the person, their advocates and their professional."""
    form = PlanCommentForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            add_plan_comment(db, scope, text=form.comment.data)
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash("Your comment is added.")
            return redirect(back_to)
    return plan_page(scope, comment_form=form)


@bp.route("")
@roles(Role.PERSON, Role.ADVOCATE)
def plan():
    return plan_page(require_or_403("view_plan"))


@bp.route("/comments", methods=["POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def comment():
    return comment_on_plan(require_or_403("comment_on_plan"), url_for("plan.plan", _anchor="comments"))


@bp.route("", methods=["POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def save_plan():
    scope = require_or_403("edit_plan")
    form = PlanForm()
    if form.validate_on_submit():
        try:
            plans.save_plan(get_session(), scope, what_matters=form.what_matters.data, needs=form.needs.data,
                            agreed_on=form.agreed_on.data, review_on=form.review_on.data)
        except ServiceError as error:
            get_session().rollback()
            show_service_error(form, error)
        else:
            get_session().commit()
            flash("Your support plan is saved.")
            return redirect(url_for("plan.plan"))
    return plan_page(scope, plan_form=form)


@bp.route("/outcomes", methods=["POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def add_outcome():
    scope = require_or_403("edit_plan")
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            plans.add_outcome(get_session(), scope, text=form.text.data)
        except ServiceError as error:
            get_session().rollback()
            show_service_error(form, error)
        else:
            get_session().commit()
            flash("The outcome is added.")
            return redirect(url_for("plan.plan", _anchor="outcomes"))
    return plan_page(scope, outcome_form=form)


@bp.route("/outcomes/<int:outcome_id>", methods=["GET", "POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def edit_outcome(outcome_id: int):
    scope = require_or_403("edit_plan")
    db = get_session()
    outcome = next((o for o in plans.outcomes_of(db, scope.person.id) if o.id == outcome_id), None) or abort(404)
    form = OutcomeForm(data={"text": outcome.text} if request.method == "GET" else None)
    form.submit.label.text = "Save outcome"
    if form.validate_on_submit():
        try:
            plans.edit_outcome(db, scope, outcome_id=outcome_id, text=form.text.data)
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash("The outcome is saved.")
            return redirect(url_for("plan.plan", _anchor="outcomes"))
    return render_template("plan/outcome.html", form=form, outcome=outcome), 400 if form.errors else 200


def _outcome_change(change) -> object:
    scope = require_or_403("edit_plan")
    db = get_session()
    try:
        change(db, scope)
    except LookupError:
        abort(404)
    db.commit()
    return redirect(url_for("plan.plan", _anchor="outcomes"))


@bp.route("/outcomes/<int:outcome_id>/move", methods=["POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def move_outcome(outcome_id: int):
    up = request.form.get("direction") != "down"
    return _outcome_change(lambda db, scope: plans.move_outcome(db, scope, outcome_id=outcome_id, up=up))


@bp.route("/outcomes/<int:outcome_id>/achieved", methods=["POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def mark_achieved(outcome_id: int):
    achieved = request.form.get("achieved") == "yes"
    return _outcome_change(lambda db, scope: plans.mark_achieved(
        db, scope, outcome_id=outcome_id, achieved=achieved, today=today_in_uk()))
