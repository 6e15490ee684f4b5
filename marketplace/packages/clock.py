"""The response clock (the promise of a fast answer): how many working days a package has
waited for its decision, who is deciding, and the daily warnings when it waits too long.

The clock runs from the moment the package reached its reviewer (`review_requested_at`): every
provider had accepted and any co-signing was done. Working days leave out weekends and the
England and Wales bank holidays.
"""

from datetime import date, datetime
from functools import cache

from sqlalchemy import Integer, bindparam, case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from marketplace.dates import UK
from marketplace.models import CarePackage, CaseAssignment, PackageEvent, PackageStatus, User
from marketplace.notifications import events as notices
from marketplace.workdays import working_days_between

# The professional is reminded after this many working days, and the council told after LATE.
REMIND_AFTER = 3
LATE_AFTER = 5


def uk_date(moment: datetime) -> date:
    return moment.astimezone(UK).date()


def clock_started_at(package: CarePackage) -> datetime | None:
    """When it reached the reviewer (packages sent before this was recorded: when they were sent)."""
    return package.review_requested_at or package.submitted_at


def started_at_sql():
    """clock_started_at in SQL, to list the longest waiting first on every database."""
    return func.coalesce(CarePackage.review_requested_at, CarePackage.submitted_at)


# The package's timeline keeps every decision, where the package's own decided_at holds only the
# latest (sending it again clears it), so the council's figures count each decision from here.
DECISION_EVENTS = ("approved", "changes_requested", "rejected")
CLOCK_START_EVENTS = ("ready_for_review", "challenged")  # reached the reviewer, or a challenge did
# The same package's earlier events. Made once: building an alias's columns costs more than the
# rest of the query on each call.
_EARLIER = aliased(PackageEvent)


def decisions_sql():
    """Every decision on a package as (clock started, decided at, decided by, budget) rows, each
    timed from the latest time the package reached its reviewer before it (packages sent before
    that was recorded: from when they were last sent). Add the period and filters to it."""
    started = (select(func.coalesce(func.max(case((col(_EARLIER.kind).in_(CLOCK_START_EVENTS), _EARLIER.at))),
                                    func.max(case((_EARLIER.kind == "submitted", _EARLIER.at)))))
               .where(_EARLIER.package_id == PackageEvent.package_id, _EARLIER.at <= PackageEvent.at,
                      col(_EARLIER.kind).in_((*CLOCK_START_EVENTS, "submitted")))
               .correlate(PackageEvent).scalar_subquery())
    return (select(started.label("started"), PackageEvent.at, PackageEvent.actor_id, CarePackage.budget_id)
            .join(CarePackage, CarePackage.id == PackageEvent.package_id)
            .where(col(PackageEvent.kind).in_(DECISION_EVENTS)))


def working_days_waiting(package: CarePackage, today: date) -> int | None:
    """Working days since it reached the reviewer; None when it is not waiting for a decision."""
    started = clock_started_at(package)
    if package.status_enum != PackageStatus.AWAITING_REVIEW or started is None:
        return None
    return working_days_between(uk_date(started), today)


def is_late(package: CarePackage, today: date) -> bool:
    """Waiting more than LATE_AFTER working days."""
    waited = working_days_waiting(package, today)
    return waited is not None and waited > LATE_AFTER


@cache
def _reviewer_names_statement():
    """Built once: the package page asks on every request while a package waits."""
    return (select(User.name).join(CaseAssignment, CaseAssignment.professional_id == User.id)
            .where(CaseAssignment.person_id == bindparam("person_id", type_=Integer)).order_by(User.name))


def reviewer_names(session: Session, package: CarePackage) -> list[str]:
    """Who is deciding: the professionals with the person on their caseload."""
    return list(session.execute(_reviewer_names_statement(), {"person_id": package.person_id}).scalars())


def warn_about_slow_reviews(session: Session, today: date) -> int:
    """The daily sweep: remind the professional at REMIND_AFTER working days and tell the council
    at LATE_AFTER. Once per package, per time it reached review, per warning (safe to run twice)."""
    sent = 0
    waiting = session.exec(select(CarePackage).where(
        CarePackage.status == PackageStatus.AWAITING_REVIEW.value)).all()
    for package in waiting:
        waited = working_days_waiting(package, today)
        if waited is None:
            continue
        if waited >= REMIND_AFTER:
            sent += notices.package_waiting_for_professional(session, package, working_days=waited)
        if waited >= LATE_AFTER:
            sent += notices.package_waiting_too_long(session, package, working_days=waited)
    return sent
