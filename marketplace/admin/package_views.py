"""The council's view of care packages waiting for a decision: the response clock across every
caseload (longest waiting first, late ones marked), challenges the council may decide, and
people's requests to pay their own provider."""

from datetime import datetime
from functools import cache
from typing import NamedTuple

from flask import abort, flash, redirect, render_template, url_for
from sqlmodel import col, select

from marketplace.admin import bp
from marketplace.auth.acting import current_scope
from marketplace.auth.permissions import roles
from marketplace.caseload.views import decide
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.errors import ServiceError
from marketplace.forms import show_service_error
from marketplace.models import CarePackage, OwnProviderRequest, PackageStatus, Person, Role
from marketplace.models.own_provider import RELATIONSHIPS
from marketplace.own_providers import service as own
from marketplace.own_providers.forms import decision_form_for
from marketplace.packages import clock, lifecycle
from marketplace.packages.forms import ReviewForm
from marketplace.packages.pages import package_context
from marketplace.providers.catalogue import CHECK_KINDS
from marketplace.workdays import working_days_between

LIST_LIMIT = 200


class WaitingPackage(NamedTuple):
    id: int
    title: str
    challenged_at: datetime | None
    person_name: str
    clock_started_at: datetime | None
    working_days: int | None


@bp.route("/packages")
@roles(Role.COMMISSIONER)
def packages_waiting():
    today = today_in_uk()
    # Plain columns, not packages: the list runs to LIST_LIMIT rows and needs five of their fields.
    rows = get_session().exec(
        select(CarePackage.id, CarePackage.title, CarePackage.challenged_at, Person.name, clock.started_at_sql())
        .join(Person, Person.id == CarePackage.person_id)
        .where(CarePackage.status == PackageStatus.AWAITING_REVIEW.value)
        .order_by(clock.started_at_sql(), col(CarePackage.id)).limit(LIST_LIMIT)
    ).all()
    # Many packages reached their reviewer on the same day: count each day's working days once.
    days_waiting = cache(lambda day: working_days_between(day, today))
    waiting = [WaitingPackage(*row, days_waiting(clock.uk_date(row[-1])) if row[-1] is not None else None)
               for row in rows]
    return render_template("admin/packages.html", waiting=waiting, late_after=clock.LATE_AFTER,
                           late=sum(1 for package in waiting
                                    if package.working_days is not None and package.working_days > clock.LATE_AFTER))


@bp.route("/packages/<int:package_id>", methods=["GET", "POST"])
@roles(Role.COMMISSIONER)
def challenge(package_id: int):
    """A challenged decision, for the council to decide again with reasons."""
    db = get_session()
    try:
        package, budget = lifecycle.challenge_for_council(db, package_id)
    except LookupError:
        abort(404)
    scope = current_scope()
    form = ReviewForm()
    if form.validate_on_submit() and decide(scope, package.id, form):
        return redirect(url_for("admin.challenge", package_id=package.id))
    return render_template("admin/challenge.html", **package_context(db, package, budget), form=form,
                           person=db.get(Person, package.person_id)), 400 if form.errors else 200


@bp.route("/own-providers/<int:request_id>", methods=["GET", "POST"])
@roles(Role.COMMISSIONER)
def own_provider(request_id: int):
    """A budget holder's own provider: check them and agree, or say no, with a reason."""
    db = get_session()
    found = db.get(OwnProviderRequest, request_id) or abort(404)
    needed = own.checks_for(found)
    form = decision_form_for(needed)()
    if form.validate_on_submit():
        seen = [own.CheckSeen(kind, form[f"reference_{kind}"].data or "", form[f"expires_{kind}"].data)
                for kind in needed]
        try:
            own.decide(db, current_scope(), request_id=found.id, agree=form.decision.data == "agree",
                       reason=form.reason.data, checks=seen, today=today_in_uk())
        except ServiceError as error:
            db.rollback()
            show_service_error(form, error)
        else:
            db.commit()
            flash("Your decision is sent to the person.")
            return redirect(url_for("admin.vetting"))
    return render_template("admin/own_provider.html", form=form, found=found, needed=needed,
                           person=db.get(Person, found.person_id), relationships=RELATIONSHIPS,
                           check_kinds=CHECK_KINDS), 400 if form.errors else 200
