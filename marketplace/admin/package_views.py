"""The council's view of care packages waiting for a decision: the response clock across every
caseload (longest waiting first, late ones marked), and challenges the council may decide."""

from flask import render_template
from sqlmodel import col, select

from marketplace.admin import bp
from marketplace.auth.permissions import roles
from marketplace.dates import today_in_uk
from marketplace.db import get_session
from marketplace.models import CarePackage, PackageStatus, Person, Role
from marketplace.packages import clock

LIST_LIMIT = 200


@bp.route("/packages")
@roles(Role.COMMISSIONER)
def packages_waiting():
    today = today_in_uk()
    rows = get_session().exec(
        select(CarePackage, Person.name).join(Person, Person.id == CarePackage.person_id)
        .where(CarePackage.status == PackageStatus.AWAITING_REVIEW.value)
        .order_by(col(CarePackage.review_requested_at), col(CarePackage.id)).limit(LIST_LIMIT)
    ).all()
    waiting = [(package, name, clock.working_days_waiting(package, today)) for package, name in rows]
    return render_template("admin/packages.html", waiting=waiting, late_after=clock.LATE_AFTER,
                           late=sum(1 for _p, _n, waited in waiting if waited is not None and waited > clock.LATE_AFTER))
