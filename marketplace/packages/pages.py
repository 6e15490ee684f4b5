"""What every view of a package shows (budget holder, advocate, professional, provider)."""

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import Date, Integer, and_, bindparam, or_
from sqlmodel import Session, col, select

from marketplace import ledger
from marketplace.dates import today_in_uk
from marketplace.models import Budget, CarePackage, PackageLine, PackageStatus, Provider, Service
from marketplace.packages import clock, costing, diff, versions
from marketplace.packages.building import line_problem
from marketplace.packages.effect import budget_effect, runs_today
from marketplace.packages.timeline import timeline
from marketplace.packages.unspent import unspent_of
from marketplace.plans.service import outcomes_of
from marketplace.providers.vetting import takes_new_work


def package_context(session: Session, package: CarePackage, budget: Budget) -> dict:
    today = today_in_uk()
    read = _lines_read(session, package, today)
    lines = [line for line, _problem in read.checked]
    outcomes = outcomes_of(session, package.person_id)
    current = ledger.balances(session, budget.id)
    effect = budget_effect(session, package, budget, lines, outcomes, today, current=current,
                           weekly_spend_pence=read.weekly_spend,
                           given_back=_given_back_when_agreed(package, read, current))
    replaced = read.replaced
    return {
        "package": package,
        "status": package.status_enum,
        "lines": list(zip(lines, effect.cost.line_totals, strict=True)),
        # Agreed lines whose provider lapses later are flagged too: the person needs to know.
        "problems": {line.id: problem for line, problem in read.checked if problem},
        "outcome_text": {o.id: o.text for o in outcomes},
        "effect": effect,
        "rounding_rule": costing.ROUNDING_RULE,
        "format_quantity": costing.format_quantity,
        "timeline": timeline(session, package.id),
        # What this version changes from the one it replaces (None for a first version).
        "changes": diff.diff_versions(read.replaced_lines, (replaced.start_on, replaced.end_on),
                                      lines, (package.start_on, package.end_on)) if replaced else None,
        # Only an agreed package can have a newer version being agreed (no query for the others).
        "newer_version": versions.version_in_progress(session, package.id)
        if package.status_enum == PackageStatus.ACTIVE else None,
        "replaced_by": _replaced_by(session, package),
        "signed_units": diff.signed_units,
        **_clock(session, package, today),
    }


@dataclass
class _LinesRead:
    checked: list[tuple[PackageLine, str | None]] = field(default_factory=list)
    replaced: CarePackage | None = None
    replaced_lines: list[PackageLine] = field(default_factory=list)
    weekly_spend: int = 0


@cache
def _lines_statement():
    """_lines_read's query, built once: the packages in the `versions_shown` parameter, and the
    packages of the budget in `budget_id` agreed and running on `today`, with their lines."""
    today = bindparam("today", type_=Date)
    running = and_(CarePackage.budget_id == bindparam("budget_id", type_=Integer),
                   CarePackage.status == PackageStatus.ACTIVE.value,
                   CarePackage.start_on <= today, CarePackage.end_on >= today)
    return (
        select(CarePackage, PackageLine, Service.published, takes_new_work(today))
        .select_from(CarePackage)
        .outerjoin(PackageLine, PackageLine.package_id == CarePackage.id)
        .outerjoin(Provider, Provider.id == PackageLine.provider_id)
        .outerjoin(Service, Service.id == PackageLine.service_id)
        .where(or_(col(CarePackage.id).in_(bindparam("versions_shown", expanding=True)), running))
        .order_by(col(PackageLine.id))
    )


def _lines_read(session: Session, package: CarePackage, today: date) -> _LinesRead:
    """Every line the page needs, in one query: this version's, each with why it cannot go
    ahead today (building.lines_with_problems); the version it replaces, with that package
    (for what changed and what it gives back); and the weekly lines of the budget's packages
    running today (effect.active_weekly_spend, for the forecast)."""
    versions_shown = [package.id, *([package.supersedes_id] if package.supersedes_id else [])]
    rows = session.exec(_lines_statement(), params={
        "versions_shown": versions_shown, "budget_id": package.budget_id, "today": today}).all()
    read = _LinesRead()
    for owner, line, published, listed in rows:
        if owner.id == package.supersedes_id:
            read.replaced = owner
        if line is None:  # a package with no lines yet
            continue
        if owner.id == package.id:
            read.checked.append((line, line_problem(line, published, listed)))
        elif owner.id == package.supersedes_id:
            read.replaced_lines.append(line)
        if line.weekly and owner.budget_id == package.budget_id and runs_today(owner, today):
            read.weekly_spend += costing.weekly_cost(line)
    return read


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


def _given_back_when_agreed(package: CarePackage, read: _LinesRead, current: ledger.Balances) -> int:
    """For a new version not yet agreed: what the agreed version would give back (none otherwise)."""
    if read.replaced is None or package.status_enum in AGREED_ONCE:
        return 0
    if read.replaced.status_enum != PackageStatus.ACTIVE:
        return 0
    return sum(unspent_of(read.replaced, read.replaced_lines, current, package.start_on).values())


AGREED_ONCE = (PackageStatus.ACTIVE, PackageStatus.SUPERSEDED, PackageStatus.ENDED)
