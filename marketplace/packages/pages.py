"""What every view of a package shows (budget holder, advocate, professional, provider)."""

from sqlmodel import Session, col, select

from marketplace.dates import today_in_uk
from marketplace.models import Budget, CarePackage, PackageStatus
from marketplace.packages import clock, costing, diff, versions
from marketplace.packages.building import lines_with_problems
from marketplace.packages.effect import budget_effect
from marketplace.packages.timeline import timeline
from marketplace.packages.unspent import unspent_from
from marketplace.plans.service import outcomes_of


def package_context(session: Session, package: CarePackage, budget: Budget) -> dict:
    today = today_in_uk()
    checked = lines_with_problems(session, package.id, today)
    lines = [line for line, _problem in checked]
    outcomes = outcomes_of(session, package.person_id)
    effect = budget_effect(session, package, budget, lines, outcomes, today,
                           given_back=_given_back_when_agreed(session, package))
    return {
        "package": package,
        "status": package.status_enum,
        "lines": list(zip(lines, effect.cost.line_totals, strict=True)),
        # Agreed lines whose provider lapses later are flagged too: the person needs to know.
        "problems": {line.id: problem for line, problem in checked if problem},
        "outcome_text": {o.id: o.text for o in outcomes},
        "effect": effect,
        "rounding_rule": costing.ROUNDING_RULE,
        "format_quantity": costing.format_quantity,
        "timeline": timeline(session, package.id),
        "changes": versions.version_diff(session, package),
        # Only an agreed package can have a newer version being agreed (no query for the others).
        "newer_version": versions.version_in_progress(session, package.id)
        if package.status_enum == PackageStatus.ACTIVE else None,
        "replaced_by": _replaced_by(session, package),
        "signed_units": diff.signed_units,
        **_clock(session, package, today),
    }


def _replaced_by(session: Session, package: CarePackage) -> CarePackage | None:
    """The agreed version that replaced this one, for a superseded package."""
    if package.status_enum != PackageStatus.SUPERSEDED:
        return None
    agreed = [PackageStatus.ACTIVE.value, PackageStatus.SUPERSEDED.value, PackageStatus.ENDED.value]
    return session.exec(select(CarePackage).where(CarePackage.supersedes_id == package.id,
                                                  col(CarePackage.status).in_(agreed))).first()


def _clock(session: Session, package: CarePackage, today) -> dict:
    """Who is deciding and since when, while the package waits for a decision."""
    waited = clock.working_days_waiting(package, today)
    if waited is None:
        return {"waiting": None}
    return {"waiting": {"since": clock.uk_date(clock.clock_started_at(package)), "working_days": waited,
                        "reviewers": clock.reviewer_names(session, package), "late_after": clock.LATE_AFTER,
                        "late": waited > clock.LATE_AFTER}}


def _given_back_when_agreed(session: Session, package: CarePackage) -> int:
    """For a new version not yet agreed: what the agreed version would give back (none otherwise)."""
    if package.supersedes_id is None or package.status_enum in AGREED_ONCE:
        return 0
    replaced = session.get(CarePackage, package.supersedes_id)
    if replaced.status_enum != PackageStatus.ACTIVE:
        return 0
    return sum(unspent_from(session, replaced, package.start_on).values())


AGREED_ONCE = (PackageStatus.ACTIVE, PackageStatus.SUPERSEDED, PackageStatus.ENDED)
