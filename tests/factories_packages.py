"""Support plans and care packages, made through the services as people would make them."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from marketplace.models import (
    Budget,
    CarePackage,
    LineResponse,
    Outcome,
    Person,
    Provider,
    Role,
    Service,
    User,
)
from marketplace.packages import building, lifecycle
from marketplace.packages.access import lines_of
from marketplace.plans import service as plans
from marketplace.scope import Scope, for_caseload_person, scope_for
from tests.factories import assign_case, create_user, person_of
from tests.factories_budget import create_budget
from tests.factories_providers import create_listed_provider

TODAY = date(2026, 12, 1)


def scope_of(session: Session, user: User, person: Person | None = None) -> Scope:
    """The scope `user` would have on a page about `person` (a professional: only if on their caseload)."""
    scope = scope_for(session, user, acting_for_person_id=person.id if person else None)
    if user.role == Role.PROFESSIONAL and person is not None:
        return for_caseload_person(session, scope, person.id) or scope
    return scope


def add_outcome(session: Session, user: User, person: Person, text: str = "Get to the allotment twice a week") -> Outcome:
    outcome = plans.add_outcome(session, scope_of(session, user, person), text=text)
    session.commit()
    return outcome


def draft_package(session: Session, user: User, person: Person, *, lines: list[tuple[Service, str]] = (),
                  outcome: Outcome | None = None, start_on: date = date(2026, 12, 1),
                  end_on: date = date(2026, 12, 28), weekly: bool = True, title: str = "My support") -> CarePackage:
    """A draft (by `user`, for `person`) with a line per (service, quantity) for one outcome."""
    scope = scope_of(session, user, person)
    package = building.create_package(session, scope, title=title, start_on=start_on, end_on=end_on, today=TODAY)
    outcome = outcome or (plans.outcomes_of(session, person.id) or [None])[0] or plans.add_outcome(
        session, scope, text="Stay well at home")
    for service, quantity in lines:
        building.add_line(session, scope, package_id=package.id, service_id=service.id, quantity=quantity,
                          weekly=weekly, outcome_id=outcome.id, today=TODAY)
    session.commit()
    return package


def accept_every_line(session: Session, provider_user: User, package: CarePackage) -> None:
    scope = scope_of(session, provider_user)
    for line in lines_of(session, package.id):
        if line.response == LineResponse.ACCEPTED.value:  # kept unchanged in a new version
            continue
        lifecycle.respond(session, scope, line_id=line.id, accept=True, note="")
    session.commit()


def agreed_package(session: Session, *, holder: User, person: Person, provider_user: User, professional: User,
                   lines: list[tuple[Service, str]], **draft_fields) -> CarePackage:
    """A package built, sent, accepted by its providers and agreed by the professional."""
    package = draft_package(session, holder, person, lines=lines, **draft_fields)
    lifecycle.submit(session, scope_of(session, holder, person), package_id=package.id, today=TODAY)
    session.commit()
    accept_every_line(session, provider_user, package)
    lifecycle.approve(session, scope_of(session, professional, person), package_id=package.id, today=TODAY)
    session.commit()
    return package


@dataclass
class AgreedWorld:
    """Sam, whose professional Priya has agreed Brightpath's 8 hours a week at £22 (4 weeks)."""

    sam: User
    person: Person
    budget: Budget
    provider: Provider
    service: Service
    provider_user: User
    priya: User
    package: CarePackage


def agreed_world(session: Session, *, paid_in_pence: int = 200_000) -> AgreedWorld:
    sam = create_user(session, role=Role.PERSON, name="Sam Taylor")
    person = person_of(session, sam)
    budget = create_budget(session, person=person, paid_in_pence=paid_in_pence)
    provider = create_listed_provider(session, name="Brightpath Home Care", price_pence=2200, unit="hour")
    service = session.exec(select(Service).where(Service.provider_id == provider.id)).one()
    provider_user = create_user(session, role=Role.PROVIDER, provider=provider)
    priya = create_user(session, role=Role.PROFESSIONAL, name="Priya Shah")
    assign_case(session, person=person, professional=priya)
    add_outcome(session, sam, person)
    package = agreed_package(session, holder=sam, person=person, provider_user=provider_user, professional=priya,
                             lines=[(service, "8")])
    return AgreedWorld(sam, person, budget, provider, service, provider_user, priya, package)
