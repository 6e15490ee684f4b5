"""Plain factory functions with sensible defaults: make only what a test is about."""

import itertools
from functools import cache

import pyotp
from sqlmodel import Session, select

from marketplace.auth import two_step
from marketplace.auth.passwords import hash_password
from marketplace.models import CaseAssignment, Person, Provider, ProviderMember, Role, User

DEFAULT_PASSWORD = "correct horse battery"

_numbers = itertools.count(1)


@cache
def _default_password_hash() -> str:
    return hash_password(DEFAULT_PASSWORD)


def create_user(session: Session, *, role: Role = Role.PERSON, email: str | None = None,
                name: str | None = None, password: str = DEFAULT_PASSWORD, provider: Provider | None = None) -> User:
    n = next(_numbers)
    user = User(
        email=email or f"user{n}@example.org",
        name=name or f"Test {role.value.title()} {n}",
        role=role.value,
        password_hash=_default_password_hash() if password == DEFAULT_PASSWORD else hash_password(password),
    )
    session.add(user)
    session.flush()
    if role is Role.PERSON:
        session.add(Person(user_id=user.id, name=user.name))
    if role is Role.PROVIDER:
        provider = provider or create_provider(session)
        session.add(ProviderMember(provider_id=provider.id, user_id=user.id, is_owner=True))
    session.commit()
    return user


def set_up_two_step(session: Session, user: User) -> str:
    """Two-step sign-in turned on through the service, as the person would; returns the app's
    secret key, for working out codes."""
    new = two_step.start_set_up(session, user=user)
    two_step.confirm_set_up(session, user=user, code=pyotp.TOTP(new.secret).now())
    session.commit()
    return new.secret


def person_of(session: Session, user: User) -> Person:
    return session.exec(select(Person).where(Person.user_id == user.id)).one()


def create_provider(session: Session, *, name: str | None = None, kind: str = "care_agency", **fields) -> Provider:
    provider = Provider(name=name or f"Test Provider {next(_numbers)}", kind=kind, **fields)
    session.add(provider)
    session.commit()
    return provider


def assign_case(session: Session, *, person: Person, professional: User) -> CaseAssignment:
    assignment = CaseAssignment(person_id=person.id, professional_id=professional.id)
    session.add(assignment)
    session.commit()
    return assignment
