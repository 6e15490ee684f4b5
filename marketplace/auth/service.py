"""Accounts: registration, sign-in slowed after failures, and creating staff accounts. The caller commits."""

from sqlalchemy import Select, bindparam
from sqlmodel import Session, select

from marketplace.audit import audit
from marketplace.auth import throttle
from marketplace.auth.passwords import (
    hash_password,
    password_matches,
    password_problem,
    spend_time_like_a_check,
)
from marketplace.errors import ServiceError
from marketplace.models import Person, Provider, ProviderMember, Role, User
from marketplace.models.user import new_session_token


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


class AddressTaken(ServiceError):
    """The email address already has an account. Registration does not say so on screen (it
    emails the owner instead); an invitation, sent to that address, may."""


def _new_user(session: Session, *, email: str, name: str, password: str, role: Role) -> User:
    email = normalise_email(email)
    # The password is judged first, so a weak one gets the same answer whether or not the
    # address is taken.
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise ServiceError(problem, "password")
    if find_user_by_email(session, email) is not None:
        spend_time_like_a_check(password)  # as long as hashing a new password takes
        raise AddressTaken("An account with this email address already exists. Sign in instead", "email")
    user = User(email=email, name=name.strip(), role=role.value, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def register_person(session: Session, *, email: str, name: str, password: str) -> User:
    user = _new_user(session, email=email, name=name, password=password, role=Role.PERSON)
    session.add(Person(user_id=user.id, name=user.name))
    audit(session, action="account.registered", actor=user, object_type="user", object_id=user.id,
          detail={"role": user.role})
    return user


def register_provider(
    session: Session, *, email: str, name: str, password: str, organisation_name: str
) -> User:
    user = _new_user(session, email=email, name=name, password=password, role=Role.PROVIDER)
    provider = Provider(name=organisation_name.strip())
    session.add(provider)
    session.flush()
    session.add(ProviderMember(provider_id=provider.id, user_id=user.id, is_owner=True))
    audit(session, action="account.registered", actor=user, object_type="provider",
          object_id=provider.id, detail={"role": user.role, "organisation": provider.name})
    return user


def add_advocate_account(session: Session, *, email: str, name: str, password: str) -> User:
    """An advocate account, made only while accepting a valid invitation: the account and the
    accepted invitation are saved together or not at all."""
    user = _new_user(session, email=email, name=name, password=password, role=Role.ADVOCATE)
    audit(session, action="account.registered", actor=user, object_type="user", object_id=user.id,
          detail={"role": user.role})
    return user


def create_user(session: Session, *, email: str, name: str, password: str, role: Role) -> User:
    """Create any kind of account (the command line uses this for staff accounts)."""
    if role is Role.PERSON:
        return register_person(session, email=email, name=name, password=password)
    if role is Role.PROVIDER:
        raise ServiceError("Provider accounts belong to an organisation: register them on the website")
    user = _new_user(session, email=email, name=name, password=password, role=role)
    audit(session, action="account.created", actor=None, object_type="user", object_id=user.id,
          detail={"role": user.role})
    return user


class SignInRefused(ServiceError):
    """Sign-in was refused; the message is safe to show: it is the same whether or not the
    email address has an account. The failed attempt is recorded: the caller commits it."""

    def __init__(self, message: str, *, waiting: bool = False):
        super().__init__(message)
        self.waiting = waiting


WRONG_DETAILS = "Enter a correct email address and password"


def check_password(session: Session, *, email: str, password: str, ip: str | None = None) -> User:
    """Check the email and password. After a few failures from one address, each try from
    there must wait longer (auth.throttle); nobody else is held up. A right password is only
    the first step for an account with two-step sign-in: start_session() is the last."""
    email = normalise_email(email)
    wait = throttle.wait_needed(session, email=email, ip=ip)
    user = find_user_by_email(session, email)
    if wait is not None:
        audit(session, action="sign_in.throttled", actor=None, object_type="user" if user else None,
              object_id=user.id if user else None, detail={"email": email[:320]}, ip=ip)
        raise SignInRefused(f"Too many tries. Wait {throttle.describe_wait(wait)}, then try again", waiting=True)
    if user is None:
        spend_time_like_a_check(password)
    if user is None or not password_matches(user.password_hash, password):
        throttle.record_failure(session, email=email, ip=ip)
        audit(session, action="sign_in.failed", actor=None, object_type="user" if user else None,
              object_id=user.id if user else None, detail={"email": email[:320]}, ip=ip)
        raise SignInRefused(WRONG_DETAILS)
    throttle.record_success(session, email=email, ip=ip)
    return user


def start_session(session: Session, *, user: User, ip: str | None = None, second_step: str | None = None) -> User:
    """The person is signed in: a new session token, so a session from before stops working."""
    user.session_token = new_session_token()
    session.add(user)
    audit(session, action="sign_in", actor=user, object_type="user", object_id=user.id, ip=ip,
          detail={"second_step": second_step} if second_step else None)
    return user


def sign_out(session: Session, *, user: User, ip: str | None = None) -> None:
    user.session_token = new_session_token()
    session.add(user)
    audit(session, action="sign_out", actor=user, object_type="user", object_id=user.id, ip=ip)


def user_by_id_with(*also) -> Select:
    """The user whose id is bound as `user_id`, with `also` columns read in the same statement
    (every page needs the unread notification count, and one statement is cheaper than two).
    Build it once: making a statement costs more than running it."""
    return select(User, *also).where(User.id == bindparam("user_id"))


def load_user_from_session_id(session: Session, session_id: str, *, statement: Select) -> tuple[User, tuple] | None:
    """The signed-in user and the values of the statement's other columns, or None."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token or len(user_id) > 18:
        return None
    row = session.exec(statement, params={"user_id": int(user_id)}).first()
    if row is None or row[0].session_token != token:
        return None
    return row[0], tuple(row[1:])


def change_password(session: Session, *, user: User, current_password: str, new_password: str) -> User:
    """Check the current password, set the new one, and end every session of this account: the
    caller signs the person back in with the new session token, so only this one goes on."""
    if not password_matches(user.password_hash, current_password):
        audit(session, action="password.change_failed", actor=user, object_type="user", object_id=user.id)
        raise ServiceError("Your current password is not right", "current_password")
    problem = password_problem(new_password, email=user.email, name=user.name)
    if problem:
        raise ServiceError(problem, "new_password")
    if password_matches(user.password_hash, new_password):
        raise ServiceError("Choose a password you have not used here before", "new_password")
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    session.add(user)
    audit(session, action="password.changed", actor=user, object_type="user", object_id=user.id)
    session.flush()
    return user
