"""When a support plan is due to be looked at again: 6 months after the person's first agreed
care package, then every 12 months. A review counts as done when the plan is agreed again
(its `agreed_on` date) in the month before the review date or later.

The daily sweep tells the person and their professional from a month before the date ("due")
and after it ("overdue"), once each per review date.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from marketplace.dates import add_months
from marketplace.models import CarePackage, CaseAssignment, PackageStatus, Person, SupportPlan
from marketplace.notifications import events as notices

FIRST_REVIEW_MONTHS = 6
THEN_EVERY_MONTHS = 12
WARN_MONTHS_BEFORE = 1
AGREED = (PackageStatus.ACTIVE.value, PackageStatus.SUPERSEDED.value, PackageStatus.ENDED.value)


def next_review_on(first_package_starts: date, plan_agreed_on: date | None) -> date:
    """The first review date in the schedule not already done by agreeing the plan again."""
    months = FIRST_REVIEW_MONTHS
    while True:
        review_on = add_months(first_package_starts, months)
        if plan_agreed_on is None or plan_agreed_on < add_months(review_on, -WARN_MONTHS_BEFORE):
            return review_on
        months += THEN_EVERY_MONTHS


def review_state(review_on: date, today: date) -> str | None:
    """"overdue" after the date, "due" from a month before it, otherwise None."""
    if today > review_on:
        return "overdue"
    if today >= add_months(review_on, -WARN_MONTHS_BEFORE):
        return "due"
    return None


def warn_about_plan_reviews(session: Session, today: date) -> int:
    """The daily sweep (safe to run twice: one notification per person, date and warning)."""
    first_starts = session.exec(
        select(CarePackage.person_id, func.min(CarePackage.start_on), SupportPlan.agreed_on)
        .outerjoin(SupportPlan, SupportPlan.person_id == CarePackage.person_id)
        .where(col(CarePackage.status).in_(AGREED))
        .group_by(CarePackage.person_id, SupportPlan.agreed_on)).all()
    sent = 0
    for person_id, first_start, agreed_on in first_starts:
        review_on = next_review_on(first_start, agreed_on)
        state = review_state(review_on, today)
        if state is not None:
            sent += notices.plan_review(session, person_id=person_id, review_on=review_on,
                                       overdue=state == "overdue")
    return sent


@dataclass(frozen=True)
class ReviewDue:
    person_id: int
    name: str
    review_on: date
    state: str  # "due" or "overdue"


def reviews_due_on_caseload(session: Session, professional_id: int, today: date) -> list[ReviewDue]:
    """Plan reviews due or overdue for the people on a professional's caseload, soonest first."""
    rows = session.exec(
        select(CarePackage.person_id, Person.name, func.min(CarePackage.start_on), SupportPlan.agreed_on)
        .join(Person, Person.id == CarePackage.person_id)
        .join(CaseAssignment, CaseAssignment.person_id == CarePackage.person_id)
        .outerjoin(SupportPlan, SupportPlan.person_id == CarePackage.person_id)
        .where(CaseAssignment.professional_id == professional_id, col(CarePackage.status).in_(AGREED))
        .group_by(CarePackage.person_id, Person.name, SupportPlan.agreed_on)).all()
    due = []
    for person_id, name, first_start, agreed_on in rows:
        review_on = next_review_on(first_start, agreed_on)
        state = review_state(review_on, today)
        if state is not None:
            due.append(ReviewDue(person_id, name, review_on, state))
    return sorted(due, key=lambda review: (review.review_on, review.name))
