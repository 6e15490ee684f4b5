"""Changing an agreed package: a new draft version, copied line by line, that replaces the
agreed one only when it is agreed itself (DESIGN §3: active ──new version approved──▶ superseded).

Until then the agreed version stays active and its money stays set aside. The money moves in
lifecycle.approve: one ledger transaction gives back what the old version no longer needs and
sets aside the new one, so the money free to use changes once, by the difference.
"""

from datetime import date

from sqlmodel import Session, col, select

from marketplace.errors import ServiceError
from marketplace.models import CarePackage, LineResponse, PackageLine, PackageStatus
from marketplace.packages.access import lines_of, package_in_scope
from marketplace.packages.building import record_event, refresh_total
from marketplace.scope import Scope, require
from marketplace.storage import lock_row

# A version still being worked on or agreed: only one at a time per agreed package.
IN_PROGRESS = (PackageStatus.DRAFT.value, PackageStatus.SUBMITTED.value,
               PackageStatus.AWAITING_REVIEW.value, PackageStatus.CHANGES_REQUESTED.value)


def version_in_progress(session: Session, package_id: int) -> CarePackage | None:
    """The newer version of this package still being changed or agreed, if there is one."""
    return session.exec(select(CarePackage).where(
        CarePackage.supersedes_id == package_id, col(CarePackage.status).in_(IN_PROGRESS))).first()


def start_new_version(session: Session, scope: Scope, *, package_id: int, today: date) -> CarePackage:
    """“Change this package”: a draft copy of an agreed package, each line remembering the line
    it replaces. Lines kept as they are stay accepted by their provider."""
    require(scope, "draft_package")
    # Under the package's lock, so two people pressing "Change" at once make one version.
    agreed = lock_row(session, CarePackage, package_in_scope(session, scope, package_id).id)
    session.refresh(agreed)
    if agreed.status_enum != PackageStatus.ACTIVE:
        raise ServiceError(f"Only an agreed package can be changed: this one is {agreed.status_enum.phrase}.")
    if version_in_progress(session, agreed.id) is not None:
        raise ServiceError("A new version of this package is already being changed or agreed. "
                           "Change that one instead.")
    draft = CarePackage(person_id=agreed.person_id, budget_id=agreed.budget_id, title=agreed.title,
                        start_on=max(agreed.start_on, min(today, agreed.end_on)), end_on=agreed.end_on,
                        version=agreed.version + 1, supersedes_id=agreed.id, created_by_id=scope.user.id)
    session.add(draft)
    session.flush()
    for line in lines_of(session, agreed.id):
        session.add(PackageLine(
            package_id=draft.id, replaces_line_id=line.id, provider_id=line.provider_id,
            service_id=line.service_id, outcome_id=line.outcome_id, provider_name=line.provider_name,
            title=line.title, category=line.category, unit=line.unit, unit_price_pence=line.unit_price_pence,
            quantity_hundredths=line.quantity_hundredths, weekly=line.weekly,
            # Every line of an agreed package was accepted; unchanged, it need not be asked again.
            response=LineResponse.ACCEPTED.value, responded_by_id=line.responded_by_id,
            responded_at=line.responded_at))
    record_event(session, scope, draft, "version_started", f"A change to version {agreed.version}.")
    record_event(session, scope, agreed, "version_started", f"Version {draft.version} was started.")
    session.flush()
    refresh_total(session, draft)  # it may start later than the agreed version did
    session.flush()
    return draft

