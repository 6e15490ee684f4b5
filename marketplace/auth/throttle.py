"""Slowing down password guessing without letting anyone lock someone else out.

Failed sign-ins are counted for each email address from each client address, and for each
email address from anywhere. After a few failures each further try must wait longer (doubling,
up to a ceiling); a success from that address clears its count. A stranger guessing from their
own address only slows themselves down, so the account's owner still gets in; guessing spread
over many addresses meets the gentler count for the address as a whole. The counts are kept for
addresses with no account too, so the answer never tells whether an account exists.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlmodel import Session

from marketplace.models import SignInThrottle
from marketplace.models.types import utcnow


@dataclass(frozen=True)
class Rule:
    scope: str
    free_failures: int  # failures allowed before any wait
    longest_wait: timedelta
    per_client_address: bool  # counted for each client address, or from anywhere


FROM_ONE_ADDRESS = Rule("email+ip", free_failures=5, longest_wait=timedelta(minutes=15), per_client_address=True)
FROM_ANYWHERE = Rule("email", free_failures=20, longest_wait=timedelta(minutes=1), per_client_address=False)
RULES = (FROM_ONE_ADDRESS, FROM_ANYWHERE)

# Two-step codes are only asked for after a right password, so a stranger cannot use them to
# hold the owner up: the count from anywhere may be strict. Six digits give a million codes;
# with these waits, guessing one takes years, not days.
CODE_RULES = (
    Rule("code+ip", free_failures=5, longest_wait=timedelta(minutes=15), per_client_address=True),
    Rule("code", free_failures=10, longest_wait=timedelta(minutes=15), per_client_address=False),
)


def _key(rule: Rule, email: str, ip: str | None) -> str:
    text = f"{rule.scope}|{email}|{ip or ''}" if rule.per_client_address else f"{rule.scope}|{email}"
    return hashlib.sha256(text.encode()).hexdigest()


def wait_needed(session: Session, *, email: str, ip: str | None, now: datetime | None = None,
                rules: tuple[Rule, ...] = RULES) -> timedelta | None:
    """How long this client must still wait before trying this email again, if at all."""
    now = now or utcnow()
    keys = [_key(rule, email, ip) for rule in rules]
    waits = [row.wait_until - now for row in session.execute(
        select(SignInThrottle).where(SignInThrottle.key.in_(keys))).scalars()
        if row.wait_until is not None and row.wait_until > now]
    return max(waits) if waits else None


def record_failure(session: Session, *, email: str, ip: str | None, now: datetime | None = None,
                   rules: tuple[Rule, ...] = RULES) -> None:
    now = now or utcnow()
    for rule in rules:
        key = _key(rule, email, ip)
        row = session.execute(select(SignInThrottle).where(SignInThrottle.key == key)).scalar_one_or_none()
        if row is None:
            row = SignInThrottle(key=key, failures=0)
        row.failures += 1
        row.last_failure_at = now
        beyond = row.failures - rule.free_failures
        if beyond > 0:
            row.wait_until = now + min(timedelta(seconds=2 ** min(beyond, 20)), rule.longest_wait)
        session.add(row)


def record_success(session: Session, *, email: str, ip: str | None, rules: tuple[Rule, ...] = RULES,
                   also_from_anywhere: bool = False) -> None:
    """A right password clears the count from this address (not the count from anywhere, so a
    guesser cannot reset it by signing in to their own account). A right two-step code, given
    only after a right password, proves both and clears the count from anywhere too."""
    keys = [_key(rule, email, ip) for rule in rules if rule.per_client_address or also_from_anywhere]
    session.execute(delete(SignInThrottle).where(SignInThrottle.key.in_(keys)))


def describe_wait(wait: timedelta) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
