"""Every CSV the service writes goes through here, so no cell can run as a spreadsheet formula.

A spreadsheet treats a cell starting with =, +, -, @ (or a tab or carriage return, which some
programs skip before looking) as a formula: a provider renamed `=HYPERLINK(…)` would otherwise
run in the statement of everyone it has been paid by. Such cells get a leading apostrophe, which
spreadsheets show as text (OWASP's advice). Plain numbers like -12.50 are left alone.
"""

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet will read it safely: text that could start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer, with every cell made safe first. Use this instead of csv.writer."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
