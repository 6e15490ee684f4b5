"""How much of an agreed package's set-aside money is not needed from a date on (DESIGN §4:
a package ended or replaced gives back its unspent commitment).

Each line keeps what it still needs for the days before the date, less whatever invoices have
already taken from it; the rest of what is left in its `committed` account goes back. Money
already moved out of a line by an approved invoice stays spent.
"""

from datetime import date, timedelta

from sqlmodel import Session

from marketplace import ledger
from marketplace.models import CarePackage, PackageLine
from marketplace.packages import costing
from marketplace.packages.access import lines_of


def line_commitment(package_id: int, line_id: int) -> str:
    """The reference of a line's set-aside money: committed:package:<id>:line:<id>."""
    return f"package:{package_id}:line:{line_id}"


def unspent_from(session: Session, package: CarePackage, from_date: date) -> dict[str, int]:
    """{committed account: pence to give back} for support from `from_date` on (nothing for
    accounts with nothing to give back). Read under the budget lock by the caller."""
    return unspent_of(package, lines_of(session, package.id), ledger.balances(session, package.budget_id),
                      from_date)


def unspent_of(package: CarePackage, lines: list[PackageLine], current: ledger.Balances,
               from_date: date) -> dict[str, int]:
    """unspent_from, for a caller that has already read the package's lines and the budget's
    balances."""
    agreed = costing.cost_package(lines, package.start_on, package.end_on).line_totals
    kept_days = max(0, (min(from_date, package.end_on + timedelta(days=1)) - package.start_on).days)
    releases = {}
    for line, agreed_total in zip(lines, agreed, strict=True):
        reference = line_commitment(package.id, line.id)
        left = current.committed_to(reference)
        if left <= 0:
            continue
        billed = agreed_total - left
        still_needed = costing.line_total(line, kept_days) if kept_days else 0
        keep = min(left, max(0, still_needed - billed))
        if left - keep:
            releases[ledger.committed_account(reference)] = left - keep
    return releases
