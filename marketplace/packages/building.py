"""Building a package: its dates, and lines from vetted providers' services, each for an outcome.

Only drafts (and packages sent back for changes) can be changed. Every change keeps the
package's total in step with its lines. Services flush; the caller commits.
"""

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from marketplace.budgets.overview import current_budget
from marketplace.errors import ServiceError
from marketplace.models import (
    Budget,
    CarePackage,
    LineResponse,
    Outcome,
    PackageEvent,
    PackageLine,
    Provider,
    Service,
)
from marketplace.packages import costing
from marketplace.packages.access import lines_of, package_in_scope
from marketplace.providers.vetting import may_be_chosen_by, takes_new_work
from marketplace.scope import Relationship, Scope, require
from marketplace.text import clean_text

MOST_LINES = 40


def on_behalf_of(scope: Scope) -> int | None:
    """Whose package an advocate's action was for (None when people act for themselves)."""
    return scope.person.id if scope.relationship == Relationship.ADVOCATE else None


def record_event(session: Session, scope: Scope, package: CarePackage, kind: str, note: str = "",
                 line_id: int | None = None) -> PackageEvent:
    event = PackageEvent(package_id=package.id, actor_id=scope.user.id if scope.user else None,
                         on_behalf_of_id=on_behalf_of(scope), kind=kind, note=note, line_id=line_id)
    session.add(event)
    return event


def check_dates(budget: Budget, start_on: date | None, end_on: date | None) -> None:
    if start_on is None:
        raise ServiceError("Enter the date the support starts", field="start_on")
    if end_on is None:
        raise ServiceError("Enter the date the support ends", field="end_on")
    period = f"{budget.period_start:%-d %B %Y} to {budget.period_end:%-d %B %Y}"
    if not budget.period_start <= start_on <= budget.period_end:
        raise ServiceError(f"The start date must be in your budget period, {period}", field="start_on")
    if end_on < start_on:
        raise ServiceError("The end date must be on or after the start date", field="end_on")
    if end_on > budget.period_end:
        raise ServiceError(f"The end date must be in your budget period, {period}", field="end_on")


def create_package(session: Session, scope: Scope, *, title: str, start_on: date | None,
                   end_on: date | None, today: date) -> CarePackage:
    require(scope, "draft_package")
    title = clean_text(title, field="title", label="The name of the package", max_length=120)
    budget = current_budget(session, scope.person.id, today)
    if budget is None:
        raise ServiceError("You need a personal budget before you can build a care package. "
                           "Ask the council.", field="title")
    check_dates(budget, start_on, end_on)
    package = CarePackage(person_id=scope.person.id, budget_id=budget.id, title=title,
                          start_on=start_on, end_on=end_on, created_by_id=scope.user.id)
    session.add(package)
    session.flush()
    record_event(session, scope, package, "created")
    session.flush()
    return package


def editable_package(session: Session, scope: Scope, package_id: int) -> CarePackage:
    require(scope, "draft_package")
    package = package_in_scope(session, scope, package_id)
    if not package.status_enum.editable:
        raise ServiceError(f"This package cannot be changed now: it is {package.status_enum.phrase}.")
    return package


def refresh_total(session: Session, package: CarePackage) -> costing.PackageCost:
    cost = costing.cost_package(lines_of(session, package.id), package.start_on, package.end_on)
    package.total_pence = cost.total_pence
    return cost


def listed_service(session: Session, service_id: int, today: date, *, person_id: int) -> Service | None:
    """The service if this person can choose it today: published, from a vetted provider not
    suspended, listed for everyone or the person's own."""
    return session.exec(
        select(Service).join(Provider, Provider.id == Service.provider_id)
        .where(Service.id == service_id, Service.published, may_be_chosen_by(person_id, today))
    ).first()


def add_line(session: Session, scope: Scope, *, package_id: int, service_id: int, quantity: str,
             weekly: bool, outcome_id: int | None, today: date) -> PackageLine:
    package = editable_package(session, scope, package_id)
    service = listed_service(session, service_id, today, person_id=package.person_id)
    if service is None:
        raise ServiceError("This service cannot be chosen: the provider has taken it off the list "
                           "or is not checked by the council at the moment.", field="service_id")
    if outcome_id is None:
        raise ServiceError("Choose the outcome this support is for", field="outcome_id")
    outcome = session.exec(select(Outcome).where(
        Outcome.id == outcome_id, Outcome.person_id == package.person_id)).first()
    if outcome is None:
        raise ServiceError("Choose one of the outcomes in your support plan", field="outcome_id")
    try:
        hundredths = costing.parse_quantity(quantity, unit=service.unit, weekly=weekly)
    except costing.QuantityError as problem:
        raise ServiceError(str(problem), field="quantity") from None
    count = session.exec(select(func.count()).select_from(PackageLine)
                         .where(PackageLine.package_id == package.id)).one()
    if count >= MOST_LINES:
        raise ServiceError(f"A package can have up to {MOST_LINES} lines", field="service_id")
    provider = session.get(Provider, service.provider_id)
    line = PackageLine(package_id=package.id, provider_id=provider.id, service_id=service.id,
                       outcome_id=outcome.id, provider_name=provider.name, title=service.title,
                       category=service.category, unit=service.unit,
                       unit_price_pence=service.price_pence, quantity_hundredths=hundredths,
                       weekly=weekly)
    session.add(line)
    session.flush()
    record_event(session, scope, package, "line_added", f"{service.title} from {provider.name}", line.id)
    refresh_total(session, package)
    session.flush()
    return line


def remove_line(session: Session, scope: Scope, *, package_id: int, line_id: int) -> None:
    package = editable_package(session, scope, package_id)
    line = session.exec(select(PackageLine).where(
        PackageLine.id == line_id, PackageLine.package_id == package.id)).first()
    if line is None:
        raise LookupError(line_id)
    record_event(session, scope, package, "line_removed", f"{line.title} from {line.provider_name}")
    # The timeline keeps its entries about the line (their words name it); only the link goes.
    for event in session.exec(select(PackageEvent).where(PackageEvent.line_id == line.id)):
        event.line_id = None
        session.add(event)
    session.flush()
    session.delete(line)
    session.flush()
    refresh_total(session, package)
    session.flush()


def change_line(session: Session, scope: Scope, *, package_id: int, line_id: int, quantity: str,
                outcome_id: int | None) -> PackageLine:
    """Change how much of a line, or its outcome. A line whose amount changes goes back to its
    provider to accept when the package is sent."""
    package = editable_package(session, scope, package_id)
    line = session.exec(select(PackageLine).where(
        PackageLine.id == line_id, PackageLine.package_id == package.id)).first()
    if line is None:
        raise LookupError(line_id)
    outcome = session.exec(select(Outcome).where(
        Outcome.id == outcome_id, Outcome.person_id == package.person_id)).first() if outcome_id else None
    if outcome is None:
        raise ServiceError("Choose one of the outcomes in your support plan", field="outcome_id")
    try:
        hundredths = costing.parse_quantity(quantity, unit=line.unit, weekly=line.weekly)
    except costing.QuantityError as problem:
        raise ServiceError(str(problem), field="quantity") from None
    if hundredths != line.quantity_hundredths:
        line.quantity_hundredths = hundredths
        line.response, line.response_note = LineResponse.NOT_SENT.value, ""
        line.responded_by_id = line.responded_at = None
    line.outcome_id = outcome.id
    session.add(line)
    record_event(session, scope, package, "line_changed",
                 f"{line.title}: {costing.format_quantity(hundredths)} {line.unit}"
                 f"{'' if hundredths == costing.HUNDREDTHS else 's'} {'each week' if line.weekly else 'once'}",
                 line.id)
    refresh_total(session, package)
    session.flush()
    return line


def change_dates(session: Session, scope: Scope, *, package_id: int, start_on: date | None,
                 end_on: date | None) -> CarePackage:
    package = editable_package(session, scope, package_id)
    check_dates(session.get(Budget, package.budget_id), start_on, end_on)
    if package.supersedes_id is not None:
        replaced = session.get(CarePackage, package.supersedes_id)
        if start_on < replaced.start_on:
            raise ServiceError(f"A new version cannot start before the one it replaces, "
                               f"{replaced.start_on:%-d %B %Y}", field="start_on")
    package.start_on, package.end_on = start_on, end_on
    session.add(package)
    record_event(session, scope, package, "dates_changed", f"{start_on:%-d %B %Y} to {end_on:%-d %B %Y}")
    refresh_total(session, package)
    session.flush()
    return package


def comment(session: Session, scope: Scope, *, package: CarePackage, note: str) -> PackageEvent:
    """Anyone who can see the package (it was loaded through the scope) may add to its timeline."""
    note = clean_text(note, field="note", label="Your comment", max_length=2000, multiline=True)
    event = record_event(session, scope, package, "comment", note)
    session.flush()
    return event


def lines_with_problems(session: Session, package_id: int, today: date) -> list[tuple[PackageLine, str | None]]:
    """Each line, with why it cannot go ahead today (or None): its service was withdrawn or
    deleted since it was added, or its provider is no longer vetted or is suspended. One query."""
    rows = session.exec(
        select(PackageLine, Service.published, takes_new_work(today))
        .join(Provider, Provider.id == PackageLine.provider_id)
        .outerjoin(Service, Service.id == PackageLine.service_id)
        .where(PackageLine.package_id == package_id).order_by(PackageLine.id)
    ).all()
    return [(line, line_problem(line, published, listed)) for line, published, listed in rows]


def line_problem(line: PackageLine, published: bool | None, listed: bool) -> str | None:
    if not listed:
        return (f"{line.provider_name} cannot take new work at the moment: "
                "its checks are not up to date or it is suspended.")
    if not published:
        return f"{line.provider_name} no longer offers “{line.title}”."
    return None
