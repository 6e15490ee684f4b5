"""The council's money figures rolled up across every budget (insight/council_figures.py): a
copy for speed, worked out again from the ledger every 15 minutes, never written by hand."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from marketplace.models.types import UTCDateTime


class CouncilMonthTotal(SQLModel, table=True):
    """The ledger's month totals (LedgerMonthTotal) summed over every budget with the same
    funding source and category."""

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(index=True)
    funding_source: str = Field(max_length=20)
    category_key: str | None = Field(default=None, max_length=40)
    kind: str = Field(max_length=20)
    amount_pence: int
    moved_in_pence: int
    worked_out_at: datetime = Field(sa_type=UTCDateTime)


class CouncilProviderMonth(SQLModel, table=True):
    """Money spent with one provider in one month, from budgets with the same funding source
    and category."""

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(index=True)
    funding_source: str = Field(max_length=20)
    category_key: str | None = Field(default=None, max_length=40)
    provider_id: int = Field(foreign_key="provider.id")
    spent_pence: int


class CouncilTopProvider(SQLModel, table=True):
    """One of the providers paid most in the insight pages' usual period (the last 12 months),
    kept so the money page need not sum every provider's months on each view. Worked out from
    CouncilProviderMonth in the same sweep, for every choice of funding source and category
    (None here means all of them)."""

    id: int | None = Field(default=None, primary_key=True)
    first_month: date
    last_month: date
    funding_source: str | None = Field(default=None, max_length=20)
    category_key: str | None = Field(default=None, max_length=40)
    provider_id: int = Field(foreign_key="provider.id")
    spent_pence: int


class CouncilChoice(SQLModel, table=True):
    """How many vetted providers people can choose in one postcode district for one kind of
    support (the browse rule, on the day it was worked out), and their price range."""

    id: int | None = Field(default=None, primary_key=True)
    district: str = Field(max_length=8)
    category: str = Field(max_length=40)
    providers: int
    lowest_pence: int
    highest_pence: int
    worked_out_at: datetime = Field(sa_type=UTCDateTime)


class CouncilDistrict(SQLModel, table=True):
    """How many budget holders live in one postcode district."""

    id: int | None = Field(default=None, primary_key=True)
    district: str = Field(max_length=8)
    people: int
