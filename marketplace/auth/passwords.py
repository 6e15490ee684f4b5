"""Password rules and hashing (argon2)."""

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Say in plain English what is wrong with a new password, or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if lowered in _common_passwords() or lowered == email.lower() or (name and lowered == name.lower()):
        return "This password is too easy to guess. Try a few words together, like a short sentence"
    if len(set(password)) < 3:
        return "This password is too easy to guess. Try a few words together, like a short sentence"
    return None
