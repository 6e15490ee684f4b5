"""The helper every area's demo loader uses: it finds or makes rows and counts what it made,
so a second run can say it made nothing. It imports no area, so areas can import it."""

from datetime import date

from sqlmodel import Session, select

from marketplace.auth.passwords import hash_password
from marketplace.dates import today_in_uk
from marketplace.models import Person, Provider, Role, User

DEMO_PASSWORD = "care-budget-demo"


class DemoData:
    def __init__(self, session: Session, *, today: date | None = None):
        self.session = session
        self.today = today or today_in_uk()
        self.created = 0
        # Filled in by the accounts loader, which runs first; later areas look people up here.
        self.users: dict[str, User] = {}
        self.people: dict[str, Person] = {}
        self.providers: dict[str, Provider] = {}
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
