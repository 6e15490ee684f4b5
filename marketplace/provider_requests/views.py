"""/provider/requests: a provider accepts or declines each line of support it is asked for."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlmodel import col, select

from marketplace.auth.acting import current_scope
from marketplace.auth.permissions import roles
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.models import CarePackage, LineResponse, PackageLine, Person, Role
from marketplace.packages import costing, lifecycle
from marketplace.packages.access import line_in_scope, package_in_scope
from marketplace.packages.forms import NoteForm, ResponseForm
from marketplace.packages.views import comment_on

bp = Blueprint("provider_requests", __name__, url_prefix="/provider/requests")


@bp.route("")
@roles(Role.PROVIDER)
def requests():
    db = get_session()
    scope = current_scope()
    rows = db.exec(
        select(PackageLine, CarePackage, Person.name)
        .join(CarePackage, CarePackage.id == PackageLine.package_id)
        .join(Person, Person.id == CarePackage.person_id)
        .where(PackageLine.provider_id == scope.provider_id,
               PackageLine.response == LineResponse.REQUESTED.value)
        .order_by(col(CarePackage.submitted_at), col(PackageLine.id))
    ).all()
    requests_ = [(line, package, name,
                  costing.line_total(line, costing.days_in(package.start_on, package.end_on)))
                 for line, package, name in rows]
    return render_template("packages/provider_requests.html", requests=requests_, form=ResponseForm(formdata=None),
                           note_form=NoteForm(formdata=None),
                           format_quantity=costing.format_quantity)


@bp.route("/<int:line_id>", methods=["POST"])
@roles(Role.PROVIDER)
def answer(line_id: int):
    db = get_session()
    scope = current_scope()
    try:
        line_in_scope(db, scope, line_id)  # another provider's line, or a guessed id: not found
    except LookupError:
        abort(404)
    form = ResponseForm()
    if form.answer.data not in ("accept", "decline"):
        flash("Choose whether you can provide this support.", "error")
        return redirect(url_for("provider_requests.requests"))
    try:
        line = lifecycle.respond(db, scope, line_id=line_id, accept=form.answer.data == "accept",
                                 note=form.note.data or "")
    except LookupError:
        abort(404)
    except ServiceError as error:
        db.rollback()
        flash(error.message if error.field != "note" else
              "Say why you cannot provide it: the person will read your note.", "error")
        return redirect(url_for("provider_requests.requests"))
    db.commit()
    flash(f"Your answer about “{line.title}” is sent.")
    return redirect(url_for("provider_requests.requests"))


@bp.route("/packages/<int:package_id>/comments", methods=["POST"])
@roles(Role.PROVIDER)
def add_comment(package_id: int):
    """A provider may comment on a package it has been asked to support (seen on its timeline)."""
    db = get_session()
    scope = current_scope()
    try:
        package = package_in_scope(db, scope, package_id)
    except LookupError:
        abort(404)
    return comment_on(scope, package, url_for("provider_requests.requests"))
