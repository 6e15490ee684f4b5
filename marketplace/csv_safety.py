"""Every CSV the service writes goes through here, so no cell can run as a spreadsheet formula.

A spreadsheet treats a cell starting with =, +, -, @ (or a tab or carriage return, which some
programs skip before looking) as a formula: a provider renamed `=HYPERLINK(…)` would otherwise
run in the statement of everyone it has been paid by. Such cells get a leading apostrophe, which
spreadsheets show as text (OWASP's advice). Plain numbers like -12.50 are left alone.
"""

import csv
import re
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
# In a column's cells each after a newline: a cell starting as a formula has one of these (and
# so might a cell with a newline in it, which is then checked like the rest).
_AFTER_A_NEWLINE = tuple("\n" + start for start in FORMULA_STARTS)
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

    def write_text_columns(self, rows: Sequence[Sequence[str]], text_columns: Sequence[int]) -> None:
        """Many rows of strings at once, checking only `text_columns`: for a long CSV whose
        other columns hold only what the service writes itself (dates, amounts, its own
        words), which no one can make start a formula. Each column is first searched whole,
        in one step, for a cell that could start a formula; only then are its cells checked
        one by one, as safe_cell would."""
        rows = list(rows)
        for column in text_columns:
            cells = list(map(itemgetter(column), rows))
            column_text = "\n" + "\n".join(cells)
            if not any(start in column_text for start in _AFTER_A_NEWLINE):
                continue
            for index, cell in enumerate(cells):
                if cell[:1] in _FORMULA_FIRST and not _PLAIN_NUMBER.match(cell):
                    rows[index] = [*rows[index][:column], "'" + cell, *rows[index][column + 1:]]
        self._writer.writerows(rows)
