"""Reading numbers from addresses: query strings and path ids, at the edge, in one place.

Python's int() takes other scripts' digits ("٣" is 3), superscripts fail in int() though
str.isdigit() says yes ("²"), and any length of digits; the database's integer column does not.
Everything here takes ASCII digits only and numbers the database can hold, and answers None
(or, for a path id, no match: 404) for anything else.
"""

import re

from werkzeug.routing import IntegerConverter

DATABASE_INT_MAX = 2**31 - 1  # PostgreSQL's integer; SQLite holds more, so this is the limit
_WHOLE_NUMBER = re.compile(r"[0-9]{1,10}", re.ASCII)


def whole_number(text: str | None, *, minimum: int = 0, maximum: int = DATABASE_INT_MAX) -> int | None:
    """The number `text` spells in ASCII digits, if it is between minimum and maximum."""
    if text is None or not _WHOLE_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def record_id(text: str | None) -> int | None:
    """An id as a database row could have it: 1 to the largest integer column value."""
    return whole_number(text, minimum=1)


def page_number(args, name: str = "page") -> int | None:
    """The page asked for: 1 when none is given, None (the caller answers 404) when it is not
    a page number at all."""
    if name not in args:
        return 1
    return whole_number(args.get(name), minimum=1)


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in our routes: ASCII digits and a value a database id can have, else 404."""

    regex = r"[0-9]+"

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = 0,  # noqa: A002
                 max: int | None = DATABASE_INT_MAX, signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
