"""Personal budgets and the money ledger (balanced, append-only postings)."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from marketplace.models.audit import forbid_changes
from marketplace.models.types import UTCDateTime, utcnow


class FundingSource(StrEnum):
    COUNCIL = "council"
    NHS = "nhs"
    JOINT = "joint"

    @property
    def label(self) -> str:
        return {"council": "Council", "nhs": "NHS", "joint": "Council and NHS jointly"}[self.value]


class PaymentSchedule(StrEnum):
    UP_FRONT = "up_front"
    FOUR_WEEKLY = "four_weekly"

    @property
    def label(self) -> str:
        return {"up_front": "Whole amount up front", "four_weekly": "Every 4 weeks"}[self.value]


class Budget(SQLModel, table=True):
    """A person's personal budget for one period. Its money lives only in ledger postings."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    period_start: date
    period_end: date
    allocation_pence: int  # the amount agreed for the whole period
    funding_source: str = Field(max_length=20)
    schedule: str = Field(max_length=20)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BudgetCategory(SQLModel, table=True):
    """An optional split of the allocation, such as personal care or short breaks."""

    __table_args__ = (UniqueConstraint("budget_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    key: str = Field(max_length=40)
    name: str = Field(max_length=80)
    allocation_pence: int


class LedgerTransaction(SQLModel, table=True):
    """One money event. Its postings sum to zero; the idempotency key makes retries harmless."""

    __table_args__ = (
        # Statements list a budget's transactions newest first (by date, then id) and page
        # them; a page's balance sums the later changes of its month from this index alone.
        Index("ix_ledgertransaction_budget_statement", "budget_id", "effective_on", "id", "unspent_change_pence"),
        # The statement's provider filter lists the providers a budget has paid, one index
        # step each.
        Index("ix_ledgertransaction_budget_provider", "budget_id", "provider_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    kind: str = Field(max_length=40, index=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    content_hash: str = Field(max_length=64)  # tells a true replay from a clash of keys
    effective_on: date = Field(index=True)  # the day the money moved, as shown on statements
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    on_behalf_of_id: int | None = Field(default=None, foreign_key="person.id")
    category_id: int | None = Field(default=None, foreign_key="budgetcategory.id")
    provider_id: int | None = Field(default=None, foreign_key="provider.id")
    memo: str = Field(max_length=500)
    reason: str | None = Field(default=None, max_length=1000)
    # Kept by ledger.post() from the postings, which stay the truth (`flask ledger check`):
    # the change to the money not yet spent (Balances' "unspent"), and the size of the move
    # (the sum of the legs that add money). A transaction never changes, so neither do these.
    unspent_change_pence: int = 0
    moved_pence: int = 0


class Posting(SQLModel, table=True):
    """One leg of a transaction: the change to one account's balance, in pence."""

    # balances() sums one budget's postings grouped by account.
    __table_args__ = (Index("ix_posting_budget_account", "budget_id", "account"),)

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="ledgertransaction.id", index=True)
    budget_id: int = Field(foreign_key="budget.id")
    account: str = Field(max_length=120)
    amount_pence: int


class LedgerBalance(SQLModel, table=True):
    """One account's balance in one budget: the sum of its postings, kept by ledger.post() in
    the same transaction and under the same budget lock, so figures read one row instead of
    summing every posting. The postings stay the truth: `flask ledger check` proves they agree."""

    __table_args__ = (UniqueConstraint("budget_id", "account"),)

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="budget.id")
    account: str = Field(max_length=120)
    balance_pence: int = Field(default=0)


class LedgerMonthTotal(SQLModel, table=True):
    """How much one kind of account (available, committed, payable, paid, funding,
    contribution: ledger.account_kind) moved in one budget, month and category: kept by
    ledger.post() like LedgerBalance, so spending by month and by category reads a few rows."""

    # One budget's months (its statement figures); every budget's months (the council's figures).
    __table_args__ = (Index("ix_ledgermonthtotal_budget_month", "budget_id", "month", "category_id", "kind"),
                      Index("ix_ledgermonthtotal_month_kind", "month", "kind"))

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="budget.id")
    month: date  # the first day of the month the money moved (its effective day)
    category_id: int | None = Field(default=None, foreign_key="budgetcategory.id")
    kind: str = Field(max_length=20)
    amount_pence: int = Field(default=0)
    # What moved in, not out: each transaction's net movement of this kind, when above zero.
    # For set-aside accounts that is money newly set aside, which the net total cannot show
    # because spending takes money out of the same accounts.
    moved_in_pence: int = Field(default=0)


class BudgetForecast(SQLModel, table=True):
    """A running budget's forecast (budgets/forecast.py) as the morning sweep worked it out, so
    the council can list everyone at risk without forecasting 10,000 budgets per page. The
    budget's own pages always forecast afresh; a test proves the sweep's figures equal them."""

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="budget.id", unique=True)
    worked_out_on: date = Field(index=True)  # the money page shows the latest
    weekly_spend_pence: int
    spend_to_come_pence: int
    left_at_end_pence: int
    runs_out_on: date | None = Field(default=None, index=True)
    # More than 8 weeks' worth would go unused: at risk of being taken back.
    money_left_over: bool = Field(index=True)


forbid_changes(LedgerTransaction)
forbid_changes(Posting)
