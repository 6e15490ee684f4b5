"""/caseload: the professional sees packages waiting for them and agrees, sends back or turns down."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from marketplace.auth.acting import current_scope
from marketplace.auth.permissions import roles
from marketplace.caseload.queue import caseload_of
from marketplace.dates import add_months, today_in_uk
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.forms import show_service_error
from marketplace.insight import waiting as response_times
from marketplace.models import Budget, CarePackage, Role
from marketplace.packages import clock, lifecycle
from marketplace.packages.access import may_see_packages_of_person
from marketplace.packages.forms import NoteForm, ReviewForm
from marketplace.packages.pages import package_context
from marketplace.packages.views import comment_on, end_page
from marketplace.plans import reviews
from marketplace.plans.views import comment_on_plan as plan_comment
from marketplace.plans.views import plan_page
from marketplace.query import page_number
from marketplace.scope import Scope, for_caseload_person

bp = Blueprint("caseload", __name__, url_prefix="/caseload")

RESPONSE_TIMES_MONTHS = 12  # the professional's decisions are compared over this many months


@bp.route("")
@roles(Role.PROFESSIONAL)
def caseload():
    page = page_number(request.args) or abort(404)
    today = today_in_uk()
    db = get_session()
    yours, council = response_times.professional_against_council(
        db, current_user.id, since=add_months(today, -RESPONSE_TIMES_MONTHS))
    return render_template("packages/caseload.html",
                           caseload=caseload_of(db, professional_id=current_user.id, page=page, today=today),
                           late_after=clock.LATE_AFTER, yours=yours, council=council,
                           response_times_months=RESPONSE_TIMES_MONTHS,
                           reviews=reviews.reviews_due_on_caseload(db, current_user.id, today))


def _scope_and_package(package_id: int) -> tuple[Scope, CarePackage, Budget]:
    """The package and the professional's scope for its person; 404 unless on their caseload."""
    db = get_session()
    found = db.exec(select(CarePackage, Budget).join(Budget, Budget.id == CarePackage.budget_id)
                    .where(CarePackage.id == package_id)).first() or abort(404)
    package, budget = found
    scope = for_caseload_person(db, current_scope(), package.person_id)
    if scope is None or not may_see_packages_of_person(scope):
        abort(404)
    return scope, package, budget


@bp.route("/packages/<int:package_id>", methods=["GET", "POST"])
@roles(Role.PROFESSIONAL)
def review(package_id: int):
    scope, package, budget = _scope_and_package(package_id)
    db = get_session()
    form = ReviewForm()
    if form.validate_on_submit() and decide(scope, package.id, form):
        return redirect(url_for("caseload.review", package_id=package.id))
    return render_template("packages/review.html", **package_context(db, package, budget), form=form,
                           note_form=NoteForm(formdata=None), person=scope.person,
                           made_first_decision=package.challenged_at is not None
                           and package.challenged_decision_by_id == scope.user.id,
                           comment_url=url_for("caseload.add_comment", package_id=package.id)), \
        400 if form.errors else 200


DECIDED = {"approve": "The package is agreed and the money is set aside.",
           "changes": "The package is sent back with your note.",
           "reject": "The package is turned down. The person can read your reasons."}


def decide(scope: Scope, package_id: int, form: ReviewForm) -> bool:
    """Apply the reviewer's decision and commit; False (errors on the form) when refused.
    Shared with the council's page for deciding a challenge."""
    db = get_session()
    decision = form.decision.data
    try:
        if decision == "approve":
            lifecycle.approve(db, scope, package_id=package_id, today=today_in_uk(), reasons=form.note.data)
        elif decision == "changes":
            lifecycle.request_changes(db, scope, package_id=package_id, note=form.note.data)
        else:
            lifecycle.reject(db, scope, package_id=package_id, reasons=form.note.data)
    except ServiceError as error:
        db.rollback()
        # The note box carries both "what needs to change" and "the reasons".
        show_service_error(form, ServiceError(error.message, "note" if error.field else None))
        return False
    db.commit()
    flash(DECIDED[decision])
    return True


@bp.route("/packages/<int:package_id>/end", methods=["GET", "POST"])
@roles(Role.PROFESSIONAL)
def end(package_id: int):
    scope, package, _budget = _scope_and_package(package_id)
    return end_page(scope, package, url_for("caseload.review", package_id=package.id))


@bp.route("/packages/<int:package_id>/comments", methods=["POST"])
@roles(Role.PROFESSIONAL)
def add_comment(package_id: int):
    scope, package, _budget = _scope_and_package(package_id)
    return comment_on(scope, package, url_for("caseload.review", package_id=package.id, _anchor="timeline"))


@bp.route("/people/<int:person_id>/plan")
@roles(Role.PROFESSIONAL)
def plan(person_id: int):
    """The support plan of a person on the caseload, to read before deciding on a package."""
    scope = for_caseload_person(get_session(), current_scope(), person_id) or abort(404)
    return plan_page(scope)


@bp.route("/people/<int:person_id>/plan/comments", methods=["POST"])
@roles(Role.PROFESSIONAL)
def comment_on_plan(person_id: int):
    scope = for_caseload_person(get_session(), current_scope(), person_id) or abort(404)
    return plan_comment(scope, url_for("caseload.plan", person_id=person_id, _anchor="comments"))
