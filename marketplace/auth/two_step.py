"""Two-step sign-in: a code from an authenticator app (TOTP, RFC 6238) after the password,
or one of the recovery codes shown when it was set up. Staff (professionals, the council and
provider staff) must use it; budget holders and advocates may. The caller commits.

Wrong codes are slowed down like wrong passwords (auth.throttle.CODE_RULES), per account and
client address, and more strictly per account from anywhere."""

import hashlib
import secrets
from dataclasses import dataclass

import pyotp
import segno
from sqlalchemy import delete, select
from sqlmodel import Session

from marketplace.audit import audit
from marketplace.auth import throttle
from marketplace.auth.passwords import password_matches
from marketplace.errors import ServiceError
from marketplace.models import Authenticator, RecoveryCode, Role, User
from marketplace.models.types import utcnow
from marketplace.models.user import new_session_token

ISSUER = "Manage your care budget"
REQUIRED_FOR = frozenset({Role.PROFESSIONAL, Role.COMMISSIONER, Role.PROVIDER})
RECOVERY_CODE_COUNT = 10
# A code from the step before or after is accepted too: phones' clocks drift.
ALLOWED_DRIFT_STEPS = 1
WRONG_CODE = "Enter the 6-digit code from your authenticator app, or a recovery code"


def required_for(user: User) -> bool:
    return user.role_enum in REQUIRED_FOR


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise(code: str) -> str:
    """People type codes with spaces or dashes, and paste them with line breaks."""
    return "".join(c for c in code if c.isascii() and c.isalnum()).lower()


def authenticator_of(session: Session, user: User) -> Authenticator | None:
    return session.execute(select(Authenticator).where(Authenticator.user_id == user.id)).scalar_one_or_none()


def is_set_up(session: Session, user: User) -> bool:
    found = authenticator_of(session, user)
    return found is not None and found.confirmed_at is not None


def set_up_column(user_id_column):
    """Whether the user has a confirmed authenticator, as a column read with the user."""
    return (select(Authenticator.id).where(Authenticator.user_id == user_id_column,
                                           Authenticator.confirmed_at.is_not(None))
            .exists())


@dataclass(frozen=True)
class NewAuthenticator:
    secret: str
    uri: str

    def qr_code_data_uri(self) -> str:
        """The QR code drawn here, as an SVG data URI: no outside service ever sees the secret."""
        return segno.make(self.uri, error="m").svg_data_uri(scale=5, border=2)


def start_set_up(session: Session, *, user: User, secret: str | None = None) -> NewAuthenticator:
    """A new secret, not yet in use until confirmed with a code from the app. Any earlier
    unconfirmed one is replaced; a confirmed one stays until this one is confirmed."""
    secret = secret or pyotp.random_base32()
    pending = session.execute(select(Authenticator).where(
        Authenticator.user_id == user.id)).scalar_one_or_none()
    if pending is not None and pending.confirmed_at is not None:
        raise ServiceError("Two-step sign-in is already set up. Remove it first to use another app")
    if pending is None:
        pending = Authenticator(user_id=user.id, secret=secret)
    pending.secret = secret
    session.add(pending)
    session.flush()
    return NewAuthenticator(secret=secret, uri=pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=ISSUER))


def pending_set_up(session: Session, *, user: User) -> NewAuthenticator | None:
    found = authenticator_of(session, user)
    if found is None or found.confirmed_at is not None:
        return None
    return NewAuthenticator(secret=found.secret, uri=pyotp.TOTP(found.secret).provisioning_uri(
        name=user.email, issuer_name=ISSUER))


def _matching_step(secret: str, code: str, *, after: int | None) -> int | None:
    """The time step this code belongs to, if it is right and newer than `after`."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    current = totp.timecode(now)
    for step in range(current - ALLOWED_DRIFT_STEPS, current + ALLOWED_DRIFT_STEPS + 1):
        if (after is None or step > after) and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm_set_up(session: Session, *, user: User, code: str) -> list[str]:
    """Turn two-step sign-in on once a code from the app is right. Returns the recovery codes,
    to be shown once: only their hashes are kept."""
    found = authenticator_of(session, user)
    if found is None or found.confirmed_at is not None:
        raise ServiceError("Start setting up two-step sign-in again", "code")
    step = _matching_step(found.secret, _normalise(code), after=None)
    if step is None:
        audit(session, action="two_step.set_up_failed", actor=user, object_type="user", object_id=user.id)
        raise ServiceError("The code is not right. Check the time on your phone is set automatically, "
                           "then enter the code the app shows now", "code")
    found.confirmed_at = utcnow()
    found.last_used_step = step
    session.add(found)
    codes = _new_recovery_codes(session, user)
    audit(session, action="two_step.set_up", actor=user, object_type="user", object_id=user.id)
    session.flush()
    return codes


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(5)[:5]}-{secrets.token_hex(5)[:5]}" for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash(_normalise(code))))
    return codes


class CodeRefused(ServiceError):
    """A wrong or repeated code; the attempt is recorded, so the caller commits."""


def check_code(session: Session, *, user: User, code: str, ip: str | None) -> str:
    """Accept a code from the app (each once) or an unused recovery code; say which."""
    throttle_key = f"two-step|{user.id}"
    wait = throttle.wait_needed(session, email=throttle_key, ip=ip, rules=throttle.CODE_RULES)
    if wait is not None:
        audit(session, action="two_step.throttled", actor=user, object_type="user", object_id=user.id, ip=ip)
        raise CodeRefused(f"Too many tries. Wait {throttle.describe_wait(wait)}, then try again", "code")
    typed = _normalise(code)
    found = authenticator_of(session, user)
    if found is not None and found.confirmed_at is not None:
        step = _matching_step(found.secret, typed, after=found.last_used_step)
        if step is not None:
            found.last_used_step = step
            session.add(found)
            throttle.record_success(session, email=throttle_key, ip=ip, rules=throttle.CODE_RULES,
                                    also_from_anywhere=True)
            return "app"
        recovery = session.execute(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(typed),
            RecoveryCode.used_at.is_(None)).with_for_update()).scalar_one_or_none()
        if recovery is not None:
            recovery.used_at = utcnow()
            session.add(recovery)
            throttle.record_success(session, email=throttle_key, ip=ip, rules=throttle.CODE_RULES,
                                    also_from_anywhere=True)
            audit(session, action="two_step.recovery_code_used", actor=user, object_type="user",
                  object_id=user.id, ip=ip)
            return "recovery code"
    throttle.record_failure(session, email=throttle_key, ip=ip, rules=throttle.CODE_RULES)
    audit(session, action="two_step.failed", actor=user, object_type="user", object_id=user.id, ip=ip)
    raise CodeRefused(WRONG_CODE, "code")


def recovery_codes_left(session: Session, *, user: User) -> int:
    return len(session.execute(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def _turn_off(session: Session, user: User) -> None:
    """No authenticator, no recovery codes, and every session of the account ended."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(delete(Authenticator).where(Authenticator.user_id == user.id))
    user.session_token = new_session_token()
    session.add(user)


def remove(session: Session, *, user: User, password: str) -> None:
    """Turn two-step sign-in off (staff must set it up again before going on). Asks for the
    password, and ends every other session of the account."""
    if not password_matches(user.password_hash, password):
        audit(session, action="two_step.remove_failed", actor=user, object_type="user", object_id=user.id)
        raise ServiceError("Your password is not right", "password")
    _turn_off(session, user)
    audit(session, action="two_step.removed", actor=user, object_type="user", object_id=user.id)
    session.flush()


def reset_for(session: Session, *, user: User, reason: str) -> None:
    """An administrator turns it off on the command line for someone who lost their phone and
    recovery codes, once they have checked who asked."""
    _turn_off(session, user)
    audit(session, action="two_step.removed", actor=None, object_type="user", object_id=user.id,
          detail={"by": "command line", "reason": reason[:500]})
    session.flush()
