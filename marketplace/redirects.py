"""The one check before following an address a visitor gave us ("next", "back"): it must be a
page on this site, never another site."""

import unicodedata
from urllib.parse import unquote, urlsplit


def local_path(target: str | None) -> str | None:
    """The target if it is a path on this site, else None.

    Browsers drop tabs and newlines from addresses and read a backslash as a slash, so
    "/\\t/evil.example" or "/\\\\evil.example" would become "//evil.example", another site:
    any whitespace, control character or backslash refuses the target, and in its path also
    once decoded (in case something on the way decodes it again; the query may hold anything).
    """
    if not target or not _plainly_local(target) or not _plainly_local(unquote(urlsplit(target).path)):
        return None
    return target


def _plainly_local(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//"):
        return False
    if any(char == "\\" or char.isspace() or unicodedata.category(char).startswith("C") for char in target):
        return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc)
