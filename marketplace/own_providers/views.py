"""/own-providers: the budget holder asks to pay someone not on the list, and sees the council's
answer; once agreed, they add them to a care package like any other provider."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from marketplace.auth.acting import require_or_403
from marketplace.auth.permissions import roles
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.forms import show_service_error
from marketplace.models import Role
from marketplace.models.own_provider import RELATIONSHIPS
from marketplace.own_providers import service as own
from marketplace.own_providers.forms import OwnProviderForm, RelationshipForm
from marketplace.scope import can

bp = Blueprint("own_providers", __name__, url_prefix="/own-providers")


@bp.route("")
@roles(Role.PERSON, Role.ADVOCATE)
def own_providers():
    scope = require_or_403("view_package")
    return render_template("own_providers/list.html", requests=own.requests_of(get_session(), scope),
                           relationships=RELATIONSHIPS, may_draft=can(scope, "draft_package"))


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def ask():
    scope = require_or_403("draft_package")
    form = OwnProviderForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            own.ask(db, scope, name=form.name.data, contact=form.contact.data, what_they_do=form.what_they_do.data,
                    category=form.category.data, unit=form.unit.data, price_pence=form.price.data,
                    relationship=form.relationship.data, why_needed=form.why_needed.data)
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash("Your request is sent to the council. They will check them and tell you.")
            return redirect(url_for("own_providers.own_providers"))
    return render_template("own_providers/ask.html", form=form), 400 if form.errors else 200


@bp.route("/<int:request_id>/relationship", methods=["GET", "POST"])
@roles(Role.PERSON, Role.ADVOCATE)
def change_relationship(request_id: int):
    scope = require_or_403("draft_package")
    db = get_session()
    try:
        found = own.request_in_scope(db, scope, request_id)
    except LookupError:
        abort(404)
    form = RelationshipForm(data={"relationship": found.relationship, "why_needed": found.why_needed}
                            if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            own.change_relationship(db, scope, request_id=found.id, relationship=form.relationship.data,
                                    why_needed=form.why_needed.data)
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash(f"Saved. If it changed, the council looks at paying {found.name} again.")
            return redirect(url_for("own_providers.own_providers"))
    return render_template("own_providers/relationship.html", form=form, found=found), 400 if form.errors else 200
