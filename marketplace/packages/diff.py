"""What a new version of a package changes, line by line. Plain Python: no Flask, no database.

A line of the new version that was copied from the agreed version remembers that line
(`replaces_line_id`), so each pair is compared: units, price, how often, outcome, and the
package's dates (which change what every weekly line costs). Lines only in the new version are
added; lines only in the old one are removed. Each line's difference is its new cost less its
old cost, so the old total plus the differences is always the new total.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from marketplace.packages import costing

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"


class VersionLine(Protocol):
    """What the diff needs of a line (a PackageLine has all of these)."""

    unit_price_pence: int
    quantity_hundredths: int
    weekly: bool
    category: str
    id: int | None
    replaces_line_id: int | None
    title: str
    provider_name: str
    unit: str
    outcome_id: int


@dataclass(frozen=True)
class LineChange:
    kind: str  # added, removed, changed or same
    old: VersionLine | None
    new: VersionLine | None
    what: tuple[str, ...]  # for a changed line: "units", "price", "how often", "outcome", "dates"
    old_total: int
    new_total: int
    weekly_difference: int

    @property
    def total_difference(self) -> int:
        return self.new_total - self.old_total

    @property
    def line(self) -> VersionLine:
        return self.new if self.new is not None else self.old

    @property
    def units_difference(self) -> int | None:
        """Hundredths of a unit more (or fewer) each week, when a weekly line's units changed."""
        if self.kind != CHANGED or "units" not in self.what or not (self.old.weekly and self.new.weekly):
            return None
        return self.new.quantity_hundredths - self.old.quantity_hundredths


@dataclass(frozen=True)
class VersionDiff:
    changes: tuple[LineChange, ...]
    old_dates: tuple[date, date]
    new_dates: tuple[date, date]
    old_total: int
    new_total: int
    old_weekly: int
    new_weekly: int

    @property
    def dates_changed(self) -> bool:
        return self.old_dates != self.new_dates

    @property
    def total_difference(self) -> int:
        return self.new_total - self.old_total

    @property
    def weekly_difference(self) -> int:
        return self.new_weekly - self.old_weekly

    @property
    def changed(self) -> tuple[LineChange, ...]:
        return tuple(change for change in self.changes if change.kind != SAME)


def _what_changed(old: VersionLine, new: VersionLine, dates_changed: bool) -> tuple[str, ...]:
    what = []
    if old.quantity_hundredths != new.quantity_hundredths or old.unit != new.unit:
        what.append("units")
    if old.unit_price_pence != new.unit_price_pence:
        what.append("price")
    if old.weekly != new.weekly:
        what.append("how often")
    if old.outcome_id != new.outcome_id:
        what.append("outcome")
    if dates_changed and (old.weekly or new.weekly):
        what.append("dates")
    return tuple(what)


def diff_versions(old_lines: Sequence[VersionLine], old_dates: tuple[date, date],
                  new_lines: Sequence[VersionLine], new_dates: tuple[date, date]) -> VersionDiff:
    old_days, new_days = costing.days_in(*old_dates), costing.days_in(*new_dates)
    dates_changed = old_dates != new_dates
    old_by_id = {line.id: line for line in old_lines}
    replaced = {line.replaces_line_id for line in new_lines if line.replaces_line_id in old_by_id}
    changes = []
    for new in new_lines:
        new_total = costing.line_total(new, new_days)
        old = old_by_id.get(new.replaces_line_id)
        if old is None:
            changes.append(LineChange(ADDED, None, new, (), 0, new_total, costing.weekly_cost(new)))
            continue
        what = _what_changed(old, new, dates_changed)
        changes.append(LineChange(CHANGED if what else SAME, old, new, what, costing.line_total(old, old_days),
                                  new_total, costing.weekly_cost(new) - costing.weekly_cost(old)))
    for old in old_lines:
        if old.id not in replaced:
            changes.append(LineChange(REMOVED, old, None, (), costing.line_total(old, old_days), 0,
                                      -costing.weekly_cost(old)))
    old_cost = costing.cost_package(old_lines, *old_dates)
    new_cost = costing.cost_package(new_lines, *new_dates)
    return VersionDiff(tuple(changes), old_dates, new_dates, old_cost.total_pence, new_cost.total_pence,
                       old_cost.weekly_pence, new_cost.weekly_pence)


def signed_units(hundredths: int, unit: str) -> str:
    """+200, "hour" → '+2 hours'; -50 → '-0.5 hours'."""
    sign = "+" if hundredths >= 0 else "−"
    amount = costing.format_quantity(abs(hundredths))
    return f"{sign}{amount} {unit}{'' if abs(hundredths) == costing.HUNDREDTHS else 's'}"
