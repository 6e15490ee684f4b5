"""`flask demo-data`: demo accounts and content, so every screen has something realistic to show.

Each area loads its own part, in the order of DEMO_AREAS (budgets need the providers they pay;
reviews need the payments; provider payments need the approved invoices). Idempotent: each record is looked up by a natural key first and
only made when missing.
"""

from collections.abc import Callable

from sqlmodel import Session

from marketplace.advocacy.demo import load_advocacy_demo
from marketplace.auth.demo import load_two_step_demo
from marketplace.budgets.demo import load_budget_demo
from marketplace.dates import today_in_uk
from marketplace.demo_data import DemoData
from marketplace.insight.council_figures import refresh_council_figures
from marketplace.invoices.demo import load_invoice_demo
from marketplace.models import CaseAssignment, Person, Provider, ProviderMember, Role
from marketplace.notifications.demo import load_notification_demo
from marketplace.own_providers.demo import load_own_provider_demo
from marketplace.packages.demo import load_challenge_demo, load_package_demo
from marketplace.payments.demo import load_payments_demo
from marketplace.plans.demo import load_plan_demo
from marketplace.providers.demo import load_provider_demo, load_review_demo

DEMO_USERS = [
    ("sam@example.org", "Sam Taylor", Role.PERSON),
    ("jo@example.org", "Jo Khan", Role.PERSON),
    ("alex@example.org", "Alex Morgan", Role.ADVOCATE),
    ("care@brightpath.example", "Dee Brightwell", Role.PROVIDER),
    ("priya@example.org", "Priya Shah", Role.PROFESSIONAL),
    ("council@example.org", "Council budgets team", Role.COMMISSIONER),
]

DEMO_PROVIDERS = [
    ("Brightpath Home Care", "care_agency", "Home care across north Leeds: personal care, meals and medication support, from people who stay with you."),
    ("Meanwood Day Opportunities", "day_service", "A friendly day centre with art, gardening, cooking and trips out."),
    ("Kirkstall Mobility Aids", "equipment_supplier", "Wheelchairs, rails, bath lifts and repairs, with home visits to fit them."),
]


def load_accounts(demo: DemoData) -> None:
    """The accounts in the README, Sam's and Jo's records, Brightpath's staff and Priya's caseload."""
    demo.users = {email: demo.user(email, name, role) for email, name, role in DEMO_USERS}
    demo.people = {
        email: demo.get_or_add(Person, {"name": demo.users[email].name, "postcode_district": district},
                               user_id=demo.users[email].id)
        for email, district in (("sam@example.org", "LS6"), ("jo@example.org", "LS7"))
    }
    demo.providers = {
        name: demo.get_or_add(Provider, {"kind": kind, "description": description}, name=name)
        for name, kind, description in DEMO_PROVIDERS
    }
    demo.get_or_add(ProviderMember, {"is_owner": True},
                    provider_id=demo.providers["Brightpath Home Care"].id,
                    user_id=demo.users["care@brightpath.example"].id)
    for person in demo.people.values():
        demo.get_or_add(CaseAssignment, person_id=person.id,
                        professional_id=demo.users["priya@example.org"].id)


DEMO_AREAS: list[Callable[[DemoData], None]] = [
    load_accounts,
    load_two_step_demo,
    load_provider_demo,
    load_budget_demo,
    load_review_demo,
    load_advocacy_demo,
    load_payments_demo,
    load_package_demo,
    load_challenge_demo,
    load_plan_demo,
    load_invoice_demo,
    load_own_provider_demo,
    load_notification_demo,
]


def load_demo_data(session: Session) -> int:
    """Load every area and commit once; returns how many records were made."""
    demo = DemoData(session)
    for load in DEMO_AREAS:
        load(demo)
    # The council's figures from everything above, as the 15-minute sweep would work them out.
    refresh_council_figures(session.connection(), today=today_in_uk())
    session.commit()
    return demo.created
