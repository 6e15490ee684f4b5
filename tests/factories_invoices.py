"""Agreed care packages ready to bill, and invoices, made through the services as people would."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from marketplace.invoices import service as invoices
from marketplace.models import (
    Budget,
    CarePackage,
    Invoice,
    PackageLine,
    Payment,
    Person,
    Provider,
    Role,
    Service,
    User,
)
from marketplace.packages import lifecycle
from marketplace.packages.access import lines_of
from tests.factories import assign_case, create_user, person_of
from tests.factories_budget import create_budget
from tests.factories_packages import accept_every_line, add_outcome, draft_package, scope_of
from tests.factories_providers import create_listed_provider

TODAY = date(2026, 12, 1)
PACKAGE_START, PACKAGE_END = date(2026, 11, 2), date(2026, 11, 29)  # four whole weeks, all past
LAST_WEEK = (date(2026, 11, 23), date(2026, 11, 29))


@dataclass
class BillingWorld:
    sam: User
    person: Person
    budget: Budget
    provider: Provider
    service: Service
    provider_user: User
    priya: User
    package: CarePackage
    line: PackageLine


def agree_package(session: Session, world_user: User, person: Person, professional: User,
                  provider_user: User, service: Service, *, quantity: str = "8", weekly: bool = True,
                  start_on: date = PACKAGE_START, end_on: date = PACKAGE_END) -> CarePackage:
    """Draft, send, accept and approve a package with one line of `service`."""
    package = draft_package(session, world_user, person, lines=[(service, quantity)], weekly=weekly,
                            start_on=start_on, end_on=end_on)
    lifecycle.submit(session, scope_of(session, world_user, person), package_id=package.id, today=TODAY)
    session.commit()
    accept_every_line(session, provider_user, package)
    lifecycle.approve(session, scope_of(session, professional, person), package_id=package.id, today=TODAY)
    session.commit()
    return package


def billing_world(session: Session, *, quantity: str = "8", weekly: bool = True, paid_in_pence: int = 200_000,
                  price_pence: int = 2200, unit: str = "hour",
                  package_dates: tuple[date, date] = (PACKAGE_START, PACKAGE_END)) -> BillingWorld:
    """Sam, with Brightpath's support agreed: 8 hours a week at £22 for four past weeks (£704).

    Pages work out "today" from the clock: they pass package dates just before it."""
    sam = create_user(session, role=Role.PERSON, name="Sam Taylor")
    person = person_of(session, sam)
    budget = create_budget(session, person=person, paid_in_pence=paid_in_pence,
                           period_start=min(date(2026, 4, 1), package_dates[0]),
                           period_end=max(date(2027, 3, 31), package_dates[1]))
    provider = create_listed_provider(session, name="Brightpath Home Care", price_pence=price_pence, unit=unit)
    service = session.exec(select(Service).where(Service.provider_id == provider.id)).one()
    provider_user = create_user(session, role=Role.PROVIDER, provider=provider)
    priya = create_user(session, role=Role.PROFESSIONAL, name="Priya Shah")
    assign_case(session, person=person, professional=priya)
    add_outcome(session, sam, person)
    package = agree_package(session, sam, person, priya, provider_user, service, quantity=quantity, weekly=weekly,
                            start_on=package_dates[0], end_on=package_dates[1])
    line = lines_of(session, package.id)[0]
    return BillingWorld(sam, person, budget, provider, service, provider_user, priya, package, line)


def bill(session: Session, world: BillingWorld, *, reference: str = "BP-1001", period: tuple[date, date] = LAST_WEEK,
         units: str = "8", visits=(), provider_user: User | None = None) -> Invoice:
    invoice = invoices.submit(session, scope_of(session, provider_user or world.provider_user),
                              line_id=world.line.id, reference=reference, period_start=period[0],
                              period_end=period[1], units=units, visits=visits, today=TODAY)
    session.commit()
    return invoice


def approve(session: Session, world: BillingWorld, invoice: Invoice, *, by: User | None = None) -> Payment:
    payment = invoices.approve(session, scope_of(session, by or world.sam, world.person), invoice_id=invoice.id,
                               stripe_enabled=False, today=TODAY)
    session.commit()
    return payment
