"""Demo plans and packages, made through the same services people use (so every rule applies):
Sam's plan with four outcomes, an agreed package with a version 2 waiting for Priya (Brightpath
from 8 to 10 hours a week) and a draft; Jo's package waiting for Priya for 8 working days (so the
council has been told), and Jo's package that Priya turned down and Jo challenged.

Made once: a second run finds Sam's packages and adds nothing.
"""

from datetime import UTC, datetime, time, timedelta

from sqlmodel import select

from marketplace.budgets.demo import SAMS_AGREED_PACKAGE, packages_online_from
from marketplace.budgets.overview import current_budget
from marketplace.models import (
    CarePackage,
    Outcome,
    PackageEvent,
    Person,
    Provider,
    ProviderMember,
    Role,
    Service,
    User,
)
from marketplace.packages import building, lifecycle, versions
from marketplace.packages.access import lines_of
from marketplace.packages.clock import warn_about_slow_reviews
from marketplace.plans import service as plans
from marketplace.scope import Scope, for_caseload_person, scope_for
from marketplace.workdays import add_working_days

SAM_OUTCOMES = [
    "Get up and dressed by 9 so I can get to the allotment",
    "Go to the evening club with my friends every week",
    "Keep my flat clean and tidy",
    "Cook a proper meal for my brother once a month",
]
MEANWOOD_STAFF = ("hello@meanwood.example", "Mo Hussain")
WAITING_WORKING_DAYS = 8  # more than the 5 the council promises


def load_package_demo(demo) -> None:
    session, users, people = demo.session, demo.users, demo.people
    sam_person = people["sam@example.org"]
    if session.exec(select(CarePackage.id).where(CarePackage.person_id == sam_person.id)).first():
        return
    today = demo.today
    sam, alex, priya = users["sam@example.org"], users["alex@example.org"], users["priya@example.org"]
    brightpath_staff = users["care@brightpath.example"]
    meanwood_staff = _meanwood_staff(demo)

    sam_scope = _scope(session, sam, sam_person)
    plans.save_plan(session, sam_scope, what_matters="My allotment, my cat Pip and seeing my brother Tom.",
                    needs="Help getting up and washed in the morning, and with cleaning.",
                    agreed_on=today - timedelta(days=30), review_on=today + timedelta(days=150))
    outcomes = [plans.add_outcome(session, sam_scope, text=text) for text in SAM_OUTCOMES]

    def service(provider_name: str, title: str) -> Service:
        return session.exec(select(Service).join(Provider, Provider.id == Service.provider_id)
                            .where(Provider.name == provider_name, Service.title == title)).one()

    budget = current_budget(session, sam_person.id, today)
    # Packages end with the budget year at the latest.
    four_weeks = {"start_on": today, "end_on": min(today + timedelta(days=27), budget.period_end), "today": today}
    # The agreed package has run for four weeks (billed by the invoices demo) and has four to go.
    # In the budget year's first four weeks only one instalment is paid in, which pays for four
    # weeks of support, not eight, so the package is four weeks from the year's first day.
    started = packages_online_from(demo, budget)
    weeks = 8 if today - started >= timedelta(weeks=4) else 4
    agreed = building.create_package(session, sam_scope, title=SAMS_AGREED_PACKAGE, start_on=started,
                                     end_on=min(started + timedelta(weeks=weeks, days=-1), budget.period_end),
                                     today=today)
    for provider_name, title, quantity, outcome in (
            ("Brightpath Home Care", "Personal care at home", "8", outcomes[0]),
            ("Meanwood Day Opportunities", "Evening club", "1", outcomes[1])):
        building.add_line(session, sam_scope, package_id=agreed.id, service_id=service(provider_name, title).id,
                          quantity=quantity, weekly=True, outcome_id=outcome.id, today=today)
    lifecycle.submit(session, sam_scope, package_id=agreed.id, today=today)
    lifecycle.cosign(session, _scope(session, alex, sam_person), package_id=agreed.id)
    _accept_lines(session, agreed, [brightpath_staff, meanwood_staff])
    lifecycle.approve(session, _scope(session, priya, sam_person), package_id=agreed.id, today=today)

    draft = building.create_package(session, sam_scope, title="Help at home", **four_weeks)
    building.add_line(session, sam_scope, package_id=draft.id,
                      service_id=service("Brightpath Home Care", "Cleaning, laundry and shopping").id,
                      quantity="2", weekly=True, outcome_id=outcomes[2].id, today=today)

    jo_person = people["jo@example.org"]
    jo_scope = _scope(session, users["jo@example.org"], jo_person)
    jo_outcome = plans.add_outcome(session, jo_scope, text="Stay living in my own home")
    waiting = building.create_package(session, jo_scope, title="Support at home", **four_weeks)
    building.add_line(session, jo_scope, package_id=waiting.id,
                      service_id=service("Brightpath Home Care", "Personal care at home").id,
                      quantity="7", weekly=True, outcome_id=jo_outcome.id, today=today)
    lifecycle.submit(session, jo_scope, package_id=waiting.id, today=today)
    _accept_lines(session, waiting, [brightpath_staff])
    _happened_working_days_ago(session, waiting, WAITING_WORKING_DAYS, today)

    # Sam changes Brightpath from 8 to 10 hours a week: version 2, co-signed by Alex, accepted by
    # Brightpath, waiting for Priya (the agreed version carries on until she decides).
    version = versions.start_new_version(session, sam_scope, package_id=agreed.id, today=today)
    brightpath_line = next(line for line in lines_of(session, version.id)
                           if line.provider_name == "Brightpath Home Care")
    building.change_line(session, sam_scope, package_id=version.id, line_id=brightpath_line.id, quantity="10",
                         outcome_id=brightpath_line.outcome_id)
    lifecycle.submit(session, sam_scope, package_id=version.id, today=today)
    lifecycle.cosign(session, _scope(session, alex, sam_person), package_id=version.id)
    _accept_lines(session, version, [brightpath_staff])

    # Jo asks for overnight sitting; Priya turns it down; Jo challenges, so the council may decide.
    nights = building.create_package(session, jo_scope, title="Nights for my daughter to rest", **four_weeks)
    building.add_line(session, jo_scope, package_id=nights.id,
                      service_id=service("Brightpath Home Care", "Overnight sitting").id,
                      quantity="1", weekly=True, outcome_id=jo_outcome.id, today=today)
    lifecycle.submit(session, jo_scope, package_id=nights.id, today=today)
    _accept_lines(session, nights, [brightpath_staff])
    lifecycle.reject(session, _scope(session, priya, jo_person), package_id=nights.id,
                     reasons="Your assessment does not show a need for support at night.")
    lifecycle.challenge(session, jo_scope, package_id=nights.id,
                        reasons="My daughter is up with me three nights a week and she is exhausted. "
                                "The assessment was before my fall.")
    warn_about_slow_reviews(session, today)
    demo.created += 6


DECIDED_CHALLENGE = "Shopping on Saturdays"


def load_challenge_demo(demo) -> None:
    """Jo asks for help with shopping on Saturdays; Priya asks for changes, Jo challenges, and
    the council decides: a challenge that has ended, next to Jo's that still waits."""
    session, users = demo.session, demo.users
    jo_person = demo.people["jo@example.org"]
    if session.exec(select(CarePackage.id).where(CarePackage.person_id == jo_person.id,
                                                 CarePackage.title == DECIDED_CHALLENGE)).first():
        return
    jo_scope = _scope(session, users["jo@example.org"], jo_person)
    outcome = session.exec(select(Outcome).where(Outcome.person_id == jo_person.id)).first()
    cleaning = session.exec(select(Service).join(Provider, Provider.id == Service.provider_id).where(
        Provider.name == "Brightpath Home Care", Service.title == "Cleaning, laundry and shopping")).one()
    budget = current_budget(session, jo_person.id, demo.today)
    package = building.create_package(session, jo_scope, title=DECIDED_CHALLENGE, start_on=demo.today,
                                      end_on=min(demo.today + timedelta(days=27), budget.period_end),
                                      today=demo.today)
    building.add_line(session, jo_scope, package_id=package.id, service_id=cleaning.id, quantity="3", weekly=True,
                      outcome_id=outcome.id, today=demo.today)
    lifecycle.submit(session, jo_scope, package_id=package.id, today=demo.today)
    _accept_lines(session, package, [users["care@brightpath.example"]])
    lifecycle.request_changes(session, _scope(session, users["priya@example.org"], jo_person),
                              package_id=package.id, note="Shopping can be done online. Take the line out.")
    lifecycle.challenge(session, jo_scope, package_id=package.id,
                        reasons="I cannot use a computer, and going to the shops is how I see people.")
    lifecycle.request_changes(session, scope_for(session, users["council@example.org"]), package_id=package.id,
                              note="You need help to shop in person. Three hours is more than a weekly shop "
                                   "takes: ask for two and send it again.")
    demo.created += 1


def _happened_working_days_ago(session, package: CarePackage, working_days: int, today) -> None:
    """Date a package's steps so far (sent, accepted, reached Priya) and their timeline entries
    to `working_days` working days ago: the demo's story is that it has waited that long."""
    when = datetime.combine(add_working_days(today, -working_days), time(10), UTC)
    package.submitted_at = package.providers_accepted_at = package.review_requested_at = when
    session.add(package)
    for event in session.exec(select(PackageEvent).where(PackageEvent.package_id == package.id)):
        event.at = when
        session.add(event)
    session.flush()


def _scope(session, user: User, person: Person | None = None) -> Scope:
    """The scope `user` has on a page about `person`, as the pages build it."""
    scope = scope_for(session, user, acting_for_person_id=person.id if person else None)
    if user.role == Role.PROFESSIONAL:
        return for_caseload_person(session, scope, person.id)
    return scope


def _meanwood_staff(demo) -> User:
    email, name = MEANWOOD_STAFF
    staff = demo.user(email, name, Role.PROVIDER)
    meanwood = demo.session.exec(select(Provider).where(Provider.name == "Meanwood Day Opportunities")).one()
    demo.get_or_add(ProviderMember, {"is_owner": True}, provider_id=meanwood.id, user_id=staff.id)
    return staff


def _accept_lines(session, package: CarePackage, staff: list[User]) -> None:
    for user in staff:
        scope = _scope(session, user)
        for line in lines_of(session, package.id):
            if line.provider_id == scope.provider_id:
                lifecycle.respond(session, scope, line_id=line.id, accept=True, note="We look forward to it.")
