"""Demo accounts and content, so every screen has something realistic to show.

Idempotent: each record is looked up by a natural key first and only made when missing.
"""

from sqlmodel import Session, select

from marketplace.auth.passwords import hash_password
from marketplace.budgets.demo import load_budget_demo
from marketplace.models import CaseAssignment, Person, Provider, ProviderMember, Role, User
from marketplace.providers.demo import load_provider_demo, load_review_demo

DEMO_PASSWORD = "care-budget-demo"

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


class DemoData:
    """Counts what it makes, so a second run can say it made nothing."""

    def __init__(self, session: Session):
        self.session = session
        self.created = 0
        self._password_hash: str | None = None

    def password_hash(self) -> str:
        if self._password_hash is None:
            self._password_hash = hash_password(DEMO_PASSWORD)
        return self._password_hash

    def user(self, email: str, name: str, role: Role) -> User:
        user = self.session.exec(select(User).where(User.email == email)).first()
        if user is None:
            user = User(email=email, name=name, role=role.value, password_hash=self.password_hash())
            self.add(user)
        return user

    def add(self, row):
        self.session.add(row)
        self.session.flush()
        self.created += 1
        return row

    def get_or_add(self, model, defaults: dict | None = None, **key):
        row = self.session.exec(select(model).filter_by(**key)).first()
        return row if row is not None else self.add(model(**key, **(defaults or {})))


def load_demo_data(session: Session) -> int:
    from marketplace.advocacy.demo import load_advocacy_demo
    from marketplace.packages.demo import load_package_demo


    demo = DemoData(session)
    users = {email: demo.user(email, name, role) for email, name, role in DEMO_USERS}
    people = {
        email: demo.get_or_add(Person, {"name": users[email].name, "postcode_district": district},
                               user_id=users[email].id)
        for email, district in (("sam@example.org", "LS6"), ("jo@example.org", "LS7"))
    }
    providers = {
        name: demo.get_or_add(Provider, {"kind": kind, "description": description}, name=name)
        for name, kind, description in DEMO_PROVIDERS
    }
    demo.get_or_add(ProviderMember, {"is_owner": True},
                    provider_id=providers["Brightpath Home Care"].id,
                    user_id=users["care@brightpath.example"].id)
    for person in people.values():
        demo.get_or_add(CaseAssignment, person_id=person.id,
                        professional_id=users["priya@example.org"].id)
    load_provider_demo(demo, users, people)
    load_budget_demo(demo, users=users, people=people, providers=providers)
    load_review_demo(demo, people)
    load_advocacy_demo(demo, users, people)
    load_package_demo(demo, users, people)
    session.commit()
    return demo.created
