"""The professional's packages: those waiting for them, a page at a time and longest waiting
first, and those still being agreed or running."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from marketplace.models import CarePackage, CaseAssignment, PackageStatus, Person
from marketplace.packages import clock

# Enough to work down in one sitting; more would be a long table to tab through.
WAITING_PAGE_SIZE = 50
STILL_BEING_AGREED = [PackageStatus.SUBMITTED.value, PackageStatus.CHANGES_REQUESTED.value]
RUNNING = PackageStatus.ACTIVE.value


@dataclass(frozen=True)
class Caseload:
    waiting: list[tuple[CarePackage, str, int | None]]  # package, person's name, working days
    waiting_total: int
    page: int
    pages: int
    shown_from: int  # the places in the waiting list this page shows, counting from 1
    others: list[tuple[CarePackage, str, None]]
    agreed: list[tuple[CarePackage, str, None]]


def caseload_of(session: Session, *, professional_id: int, page: int, today: date) -> Caseload:
    """`page` of the packages waiting for this professional (past the last page: the last)."""
    on_caseload = (select(CarePackage, Person.name)
                   .join(CaseAssignment, CaseAssignment.person_id == CarePackage.person_id)
                   .join(Person, Person.id == CarePackage.person_id)
                   .where(CaseAssignment.professional_id == professional_id))
    is_waiting = CarePackage.status == PackageStatus.AWAITING_REVIEW.value
    waiting_total = session.exec(
        select(func.count()).select_from(on_caseload.where(is_waiting).subquery())).one()
    pages = max(1, -(-waiting_total // WAITING_PAGE_SIZE))
    page = min(page, pages)
    waiting = session.exec(on_caseload.where(is_waiting)
                           .order_by(clock.started_at_sql(), col(CarePackage.id))
                           .offset((page - 1) * WAITING_PAGE_SIZE).limit(WAITING_PAGE_SIZE)).all()
    rest = session.exec(on_caseload.where(col(CarePackage.status).in_([*STILL_BEING_AGREED, RUNNING]))
                        .order_by(clock.started_at_sql(), col(CarePackage.id))).all()
    return Caseload(
        waiting=[(package, name, clock.working_days_waiting(package, today)) for package, name in waiting],
        waiting_total=waiting_total, page=page, pages=pages,
        shown_from=(page - 1) * WAITING_PAGE_SIZE + 1,
        others=[(package, name, None) for package, name in rest if package.status != RUNNING],
        agreed=[(package, name, None) for package, name in rest if package.status == RUNNING])
