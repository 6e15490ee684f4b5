"""/packages: the budget holder (or their advocate) builds, sends and co-signs care packages.

Each change is a POST that comes back to the package page, so it all works without JavaScript.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlmodel import col, select

from marketplace.auth.acting import require_or_403
from marketplace.auth.permissions import roles
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.forms import choices, show_service_error
from marketplace.models import Budget, CarePackage, PackageStatus, Provider, Role
from marketplace.money import format_money
from marketplace.packages import building, costing, lifecycle, versions
from marketplace.packages.access import lines_of, package_and_budget_in_scope
from marketplace.packages.forms import (
    AddLineForm,
    ChallengeForm,
    ChangeLineForm,
    DatesForm,
    EndForm,
    NewPackageForm,
    NoteForm,
)
from marketplace.packages.pages import package_context
from marketplace.plans.service import outcomes_of
from marketplace.scope import NotAllowed, Relationship, Scope, can

bp = Blueprint("packages", __name__, url_prefix="/packages")


def _package(scope: Scope, package_id: int) -> tuple[CarePackage, Budget]:
    try:
        return package_and_budget_in_scope(get_session(), scope, package_id)
    except LookupError:
        abort(404)


@bp.route("")
@roles(Role.PERSON, Role.ADVOCATE)
def packages():
    scope = require_or_403("view_package")
    rows = get_session().exec(select(CarePackage).where(CarePackage.person_id == scope.person.id)
                              .order_by(col(CarePackage.created_at).desc())).all()
    return render_template("packages/list.html", person=scope.person, packages=rows,
                           may_draft=can(scope, "draft_package"))


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def new_package():
    scope = require_or_403("draft_package")
    form = NewPackageForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            package = building.create_package(db, scope, title=form.title.data, start_on=form.start_on.data,
                                              end_on=form.end_on.data, today=today_in_uk())
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash("Your package is started. Add support to it from a provider’s page.")
            return redirect(url_for("packages.package", package_id=package.id))
    return render_template("packages/new.html", form=form), 400 if form.errors else 200


@bp.route("/<int:package_id>")
@roles(Role.PERSON, Role.ADVOCATE)
def package(package_id: int):
    scope = require_or_403("view_package")
    found, budget = _package(scope, package_id)
    return render_template(
        "packages/package.html", **package_context(get_session(), found, budget), note_form=NoteForm(formdata=None),
        may_draft=can(scope, "draft_package"), may_cosign=_may_cosign(scope, found),
        may_challenge=lifecycle.may_challenge(found),
        comment_url=url_for("packages.add_comment", package_id=found.id))


@bp.route("/<int:package_id>/change", methods=["POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def change(package_id: int):
    """“Change this package”: a new draft version; the agreed one stays until it is agreed."""
    scope = require_or_403("draft_package")
    db = get_session()
    try:
        draft = versions.start_new_version(db, scope, package_id=package_id, today=today_in_uk())
    except LookupError:
        abort(404)
    except ServiceError as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(url_for("packages.package", package_id=package_id))
    db.commit()
    flash(f"This is version {draft.version}. Change what you need, then send it for agreement. "
          "Until it is agreed, the agreed version carries on.")
    return redirect(url_for("packages.package", package_id=draft.id))


@bp.route("/<int:package_id>/challenge", methods=["GET", "POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def challenge(package_id: int):
    """Ask for a professional's decision to be looked at again, saying why."""
    scope = require_or_403("draft_package")
    found, _budget = _package(scope, package_id)
    if not lifecycle.may_challenge(found):
        abort(404)
    db = get_session()
    form = ChallengeForm()
    if form.validate_on_submit():
        try:
            lifecycle.challenge(db, scope, package_id=found.id, reasons=form.reasons.data)
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash("You have asked for the decision to be looked at again. A different professional or the "
                  "council will decide, and tell you why.")
            return redirect(url_for("packages.package", package_id=found.id))
    return render_template("packages/challenge.html", form=form, package=found), 400 if form.errors else 200


@bp.route("/<int:package_id>/end", methods=["GET", "POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def end(package_id: int):
    scope = require_or_403("draft_package")
    found, _budget = _package(scope, package_id)
    return end_page(scope, found, url_for("packages.package", package_id=found.id))


def end_page(scope: Scope, package: CarePackage, back_url: str):
    """Shared with the professional's page: end an agreed package from a date."""
    if package.status_enum != PackageStatus.ACTIVE:
        abort(404)
    db = get_session()
    form = EndForm()
    if form.validate_on_submit():
        try:
            lifecycle.end_early(db, scope, package_id=package.id, from_date=form.from_date.data,
                                reason=form.reason.data, today=today_in_uk())
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash("The package is ended. Each provider is told, and the money it no longer needs is free to use.")
            return redirect(back_url)
    return render_template("packages/end.html", form=form, package=package, back_url=back_url), \
        400 if form.errors else 200


@bp.route("/<int:package_id>/lines/<int:line_id>/change", methods=["GET", "POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def change_line(package_id: int, line_id: int):
    scope = require_or_403("draft_package")
    db = get_session()
    found, _budget = _package(scope, package_id)
    line = next((line for line in lines_of(db, found.id) if line.id == line_id), None) or abort(404)
    if not found.status_enum.editable:
        abort(404)
    outcomes = [o for o in outcomes_of(db, scope.person.id) if o.achieved_on is None or o.id == line.outcome_id]
    form = ChangeLineForm(data={"quantity": costing.format_quantity(line.quantity_hundredths),
                                "outcome_id": line.outcome_id} if request.method == "GET" else None)
    form.outcome_id.choices = choices((o.id, o.text) for o in outcomes)
    form.quantity.label.text = f"How many {_plural(line.unit)}{' each week' if line.weekly else ''}?"
    if form.validate_on_submit():
        try:
            building.change_line(db, scope, package_id=found.id, line_id=line.id, quantity=form.quantity.data or "",
                                 outcome_id=form.outcome_id.data)
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash(f"“{line.title}” is changed.")
            return redirect(url_for("packages.package", package_id=found.id))
    return render_template("packages/change_line.html", form=form, package=found, line=line), \
        400 if form.errors else 200


@bp.route("/<int:package_id>/dates", methods=["GET", "POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def change_dates(package_id: int):
    scope = require_or_403("draft_package")
    db = get_session()
    found, _budget = _package(scope, package_id)
    if not found.status_enum.editable:
        abort(404)
    form = DatesForm(data={"start_on": found.start_on, "end_on": found.end_on} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            building.change_dates(db, scope, package_id=found.id, start_on=form.start_on.data, end_on=form.end_on.data)
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash("The dates are changed.")
            return redirect(url_for("packages.package", package_id=found.id))
    return render_template("packages/change_dates.html", form=form, package=found), 400 if form.errors else 200


def _may_cosign(scope: Scope, package: CarePackage) -> bool:
    if package.status != "submitted" or not package.cosign_by or package.cosigned_at is not None:
        return False
    if package.submitted_by_id == scope.user.id:
        return False
    if package.cosign_by == lifecycle.COSIGN_BY_PERSON:
        return scope.relationship == Relationship.SELF
    return can(scope, "cosign_package") and scope.relationship == Relationship.ADVOCATE


def _act(needs: str, package_id: int, step, done: str):
    """Run one step of the life cycle, commit it, and come back to the package page."""
    scope = require_or_403(needs)
    db = get_session()
    try:
        step(db, scope)
    except LookupError:
        abort(404)
    except NotAllowed:
        raise  # the 403 page says why
    except ServiceError as error:
        db.rollback()
        flash(error.message, "error")
    else:
        db.commit()
        flash(done)
    return redirect(url_for("packages.package", package_id=package_id))


@bp.route("/<int:package_id>/lines/<int:line_id>/remove", methods=["POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def remove_line(package_id: int, line_id: int):
    return _act("draft_package", package_id, lambda db, scope: building.remove_line(
        db, scope, package_id=package_id, line_id=line_id), "The line is taken out of the package.")


@bp.route("/<int:package_id>/submit", methods=["POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def submit(package_id: int):
    return _act("draft_package", package_id, lambda db, scope: lifecycle.submit(
        db, scope, package_id=package_id, today=today_in_uk()),
        "The package is sent. Each provider is asked to accept their part.")


@bp.route("/<int:package_id>/cosign", methods=["POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def cosign(package_id: int):
    return _act("cosign_package", package_id, lambda db, scope: lifecycle.cosign(db, scope, package_id=package_id),
                "You have co-signed the package.")


@bp.route("/<int:package_id>/comments", methods=["POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def add_comment(package_id: int):
    scope = require_or_403("view_package")
    found, _budget = _package(scope, package_id)
    return comment_on(scope, found, url_for("packages.package", package_id=found.id, _anchor="timeline"))


def comment_on(scope: Scope, package: CarePackage, back_to: str):
    """Shared by everyone who can see a package: add a comment to its timeline."""
    db = get_session()
    form = NoteForm()
    try:
        building.comment(db, scope, package=package, note=form.note.data)
    except ServiceError as error:
        db.rollback()
        flash(error.message, "error")
    else:
        db.commit()
        flash("Your comment is added.")
    return redirect(back_to)


@bp.route("/add-service/<int:service_id>", methods=["GET", "POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def add_service(service_id: int):
    """“Add to my care package” from a provider's profile or the compare page."""
    scope = require_or_403("draft_package")
    db = get_session()
    today = today_in_uk()
    service = building.listed_service(db, service_id, today, person_id=scope.person.id) or abort(404)
    provider = db.get(Provider, service.provider_id)
    editable = db.exec(select(CarePackage).where(
        CarePackage.person_id == scope.person.id,
        col(CarePackage.status).in_(["draft", "changes_requested"])).order_by(CarePackage.id)).all()
    outcomes = [o for o in outcomes_of(db, scope.person.id) if o.achieved_on is None]
    form = AddLineForm(data={"package_id": editable[-1].id} if editable and request.method == "GET" else None)
    form.package_id.choices = choices((p.id, f"{p.title} ({p.start_on:%-d %B} to {p.end_on:%-d %B %Y})")
                                      for p in editable)
    form.outcome_id.choices = choices((o.id, o.text) for o in outcomes)
    form.quantity.label.text = f"How many {_plural(service.unit)}?"
    if editable and outcomes and form.validate_on_submit():
        try:
            building.add_line(db, scope, package_id=form.package_id.data, service_id=service.id,
                              quantity=form.quantity.data or "", weekly=form.frequency.data != "once",
                              outcome_id=form.outcome_id.data, today=today)
        except LookupError:
            abort(404)
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash(f"“{service.title}” from {provider.name} is added to your package.")
            return redirect(url_for("packages.package", package_id=form.package_id.data))
    return render_template("packages/add_service.html", form=form, service=service, provider=provider,
                           editable=editable, outcomes=outcomes,
                           price=f"{format_money(service.price_pence)} a {service.unit}"), 400 if form.errors else 200


def _plural(unit: str) -> str:
    return "hours" if unit == "hour" else f"{unit}s"

