"""A copy of everything the service holds about one person (UK GDPR right of access), as a ZIP
of a CSV and a JSON file per table. No Flask here; the caller commits the audit entry.

Each table is one entry in PARTS. Which rows belong is worked out from the foreign keys: a row
is theirs when a column points at their account, their person record, or a row already taken
from an earlier table (their budgets, so the budgets' postings; their care packages, so the
packages' lines). tests/test_your_data.py fails while a table pointing at a person or user
has no entry, so a new table cannot be left out by accident.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from sqlalchemy import Table, or_, select
from sqlmodel import Session, SQLModel

from marketplace.audit import audit
from marketplace.csv_safety import SafeWriter
from marketplace.models import (
    AdvocateLink,
    AuditLog,
    Authenticator,
    Budget,
    BudgetCategory,
    CarePackage,
    CaseAssignment,
    Contribution,
    Invoice,
    InvoiceVisit,
    LedgerTransaction,
    Notification,
    NotificationSetting,
    Outcome,
    OwnProviderRequest,
    PackageEvent,
    PackageLine,
    PasswordReset,
    Payment,
    PaymentSettings,
    PayoutAccount,
    Person,
    PlanComment,
    Posting,
    Provider,
    ProviderChange,
    ProviderMember,
    RecoveryCode,
    Review,
    StaffInvitation,
    SupportPlan,
    User,
    VettingCheck,
)

# The secrets that prove who someone is: never written into a file, not even for their owner,
# since a downloaded copy may be kept somewhere less safe than the service.
SECRETS = frozenset({"password_hash", "session_token", "token_hash", "code_hash", "secret"})


@dataclass(frozen=True)
class Part:
    model: type[SQLModel]
    about: str  # what the file holds, in the ZIP's read-me
    leave_out: frozenset[str] = field(default_factory=frozenset)
    staff_only: bool = False  # a budget holder's copy never has rows here

    @property
    def table(self) -> Table:
        return self.model.__table__


PARTS: list[Part] = [
    Part(User, "your account: name, email address, role"),
    Part(Person, "your profile"),
    Part(SupportPlan, "your support plan"),
    Part(Outcome, "the outcomes in your support plan"),
    Part(PlanComment, "comments on your support plan"),
    Part(OwnProviderRequest, "people not on the list you asked to pay"),
    Part(Provider, "your own providers, whom only you can choose"),
    Part(Budget, "your personal budgets"),
    Part(BudgetCategory, "how your budgets are split into kinds of support"),
    Part(LedgerTransaction, "every movement of money in your budgets"),
    Part(Posting, "the amounts in each movement of money"),
    Part(Payment, "payments to providers from your budgets"),
    Part(Contribution, "money you paid into your budgets"),
    Part(Invoice, "invoices from providers for your support"),
    Part(InvoiceVisit, "the visits each invoice is for"),
    Part(CarePackage, "your care packages"),
    Part(PackageLine, "the lines of your care packages"),
    Part(PackageEvent, "the timeline of your care packages"),
    Part(Review, "reviews you wrote"),
    Part(AdvocateLink, "your advocates and what they may do"),
    Part(CaseAssignment, "the professionals who support you"),
    Part(Notification, "your notifications"),
    Part(NotificationSetting, "whether we email you"),
    Part(AuditLog, "what you did, and what was done for you, with the date and address"),
    Part(Authenticator, "when you set up two-step sign-in"),
    Part(RecoveryCode, "which recovery codes you have used"),
    Part(PasswordReset, "when you asked to reset your password"),
    # Staff tables: a budget holder has no rows in them, but they point at accounts.
    Part(PaymentSettings, "payment limits you set", staff_only=True),
    Part(PayoutAccount, "payout accounts you allowed to be paid by hand", staff_only=True),
    Part(ProviderChange, "changes to a provider you asked for or decided", staff_only=True),
    Part(ProviderMember, "organisations you work for", staff_only=True),
    Part(StaffInvitation, "staff invitations you sent or accepted", staff_only=True),
    Part(VettingCheck, "provider checks you sent or decided", staff_only=True),
]


def _columns(part: Part) -> list:
    return [column for column in part.table.columns
            if column.name not in SECRETS and column.name not in part.leave_out]


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _rows_of(session: Session, part: Part, taken: dict[str, set[int]]) -> list[dict]:
    """Rows whose id, or a column pointing at an earlier table, is among the rows already taken."""
    table = part.table
    [key] = table.primary_key.columns
    conditions = []
    if taken.get(table.name):
        conditions.append(key.in_(taken[table.name]))
    for column in table.columns:
        for foreign_key in column.foreign_keys:
            ids = taken.get(foreign_key.column.table.name)
            if ids:
                conditions.append(column.in_(ids))
    if not conditions:
        return []
    rows = session.execute(select(table).where(or_(*conditions)).order_by(key)).mappings().all()
    return [dict(row) for row in rows]


def collect(session: Session, *, user: User) -> dict[str, list[dict]]:
    """Every row about this account, by table name, with the secrets left out."""
    taken: dict[str, set[int]] = {User.__tablename__: {user.id}}
    collected = {}
    # Tables pointed at come before the tables pointing at them.
    order = {table.name: n for n, table in enumerate(SQLModel.metadata.sorted_tables)}
    for part in sorted(PARTS, key=lambda part: order[part.table.name]):
        rows = _rows_of(session, part, taken)
        if part.table.name != User.__tablename__:
            [key] = part.table.primary_key.columns
            taken[part.table.name] = {row[key.name] for row in rows}
        names = [column.name for column in _columns(part)]
        collected[part.table.name] = [{name: _plain(row[name]) for name in names} for row in rows]
    return collected


def _csv(part: Part, rows: list[dict]) -> str:
    out = io.StringIO()
    writer = SafeWriter(out)
    names = [column.name for column in _columns(part)]
    writer.writerow(names)
    for row in rows:
        writer.writerow([json.dumps(row[name]) if isinstance(row[name], dict | list) else row[name]
                         for name in names])
    return out.getvalue()


def _read_me(user: User, made_on: str) -> str:
    lines = [f"Everything Manage your care budget holds about {user.name}, on {made_on}.", "",
             "Each table is here twice: as a CSV file (for a spreadsheet) and as a JSON file.",
             "Money is in pence: 1250 means £12.50. Times are in UTC.", ""]
    lines += [f"{part.table.name}: {part.about}" for part in PARTS]
    return "\n".join(lines) + "\n"


def export_zip(session: Session, *, user: User, made_at: datetime) -> bytes:
    """The ZIP, and an audit entry saying it was downloaded (the caller commits)."""
    collected = collect(session, user=user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("read-me.txt", _read_me(user, made_at.date().isoformat()))
        for part in PARTS:
            rows = collected[part.table.name]
            archive.writestr(f"csv/{part.table.name}.csv", _csv(part, rows))
            archive.writestr(f"json/{part.table.name}.json", json.dumps(rows, indent=2, ensure_ascii=False))
    audit(session, action="your_data.downloaded", actor=user, object_type="user", object_id=user.id,
          detail={"rows": {name: len(rows) for name, rows in collected.items() if rows}})
    return buffer.getvalue()
