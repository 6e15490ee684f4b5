"""Provider organisations, their staff, services, vetting checks and reviews."""

from datetime import date, datetime

from sqlalchemy import text
from sqlmodel import Field, Index, SQLModel, UniqueConstraint

from marketplace.models.types import UTCDateTime, utcnow


def trigram_index(name: str, column: str) -> Index:
    """On PostgreSQL a pg_trgm GIN index, so browse's case-blind `column ILIKE '%word%'` is an
    index search; SQLite ignores the PostgreSQL options and builds a plain index."""
    return Index(name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


class Provider(SQLModel, table=True):
    __table_args__ = (trigram_index("ix_provider_name_trgm", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    kind: str = Field(default="care_agency", max_length=40, index=True)
    description: str = Field(default="", max_length=5000)
    contact_email: str = Field(default="", max_length=320)
    contact_phone: str = Field(default="", max_length=40)
    access_notes: str = Field(default="", max_length=2000)
    cqc_number: str = Field(default="", max_length=20)
    suspended_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    suspension_reason: str = Field(default="", max_length=2000)
    # Someone a budget holder asked to use (their own provider or personal assistant): vetted by
    # the council like anyone else, but offered only to that person and never in public browse.
    private_for_person_id: int | None = Field(default=None, foreign_key="person.id")
    # The last day it is listed: kept by providers.listing, so browse filters with an index.
    listed_until: date | None = Field(default=None, index=True)
    # Kept in step with visible reviews by the review service, so browse can sort by rating
    # with an index instead of averaging every review on every page.
    review_count: int = Field(default=0)
    average_rating: float | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProviderMember(SQLModel, table=True):
    """A staff account of a provider organisation."""

    __table_args__ = (UniqueConstraint("provider_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    user_id: int = Field(foreign_key="user.id", unique=True, index=True)
    is_owner: bool = Field(default=False)


class ProviderArea(SQLModel, table=True):
    """A postcode district a provider serves, e.g. LS6 (one row each, so browse can use an index)."""

    __table_args__ = (
        UniqueConstraint("provider_id", "district"),
        Index("ix_providerarea_district_provider", "district", "provider_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    district: str = Field(max_length=8)


class ProviderLanguage(SQLModel, table=True):
    """A language a provider's staff can support people in."""

    __table_args__ = (
        UniqueConstraint("provider_id", "language"),
        Index("ix_providerlanguage_language_provider", "language", "provider_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    language: str = Field(max_length=60)


class Service(SQLModel, table=True):
    """A listing: what a provider offers, per unit, at a price in pence.

    Never deleted once made (care packages and invoices will point at it): staff withdraw it.
    A withdrawn service is never published, so browse, compare and profiles, which show only
    published services, leave it out; the provider's own list still shows it.
    """

    __table_args__ = (
        Index("ix_service_browse", "published", "category", "price_pence"),
        Index("ix_service_provider_published", "provider_id", "published", "price_pence"),
        trigram_index("ix_service_title_trgm", "title"),
        trigram_index("ix_service_description_trgm", "description"),
        Index("ix_service_category_shown_until", "category", "shown_until"),
        # Browse: which shown services of a category are under a price, and whose they are,
        # read from the index alone (no row visits), cheapest first for the price order.
        Index("ix_service_shown_category_price", "category", "price_pence", "provider_id", "days",
              "shown_until", postgresql_where=text("shown_until IS NOT NULL"),
              sqlite_where=text("shown_until IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id")
    category: str = Field(max_length=40)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=5000)
    unit: str = Field(max_length=20)
    price_pence: int
    minimum_units: int = Field(default=1)
    # Days available as bits: Monday = 1, Tuesday = 2, … Sunday = 64 (see providers.catalogue).
    days: int = Field(default=0)
    published: bool = Field(default=False)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The last day people may see it: kept by providers.listing, so browse filters with an index.
    shown_until: date | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VettingCheck(SQLModel, table=True):
    """Evidence a provider recorded (e.g. insurance), and the commissioner's decision on it."""

    __table_args__ = (
        Index("ix_vettingcheck_validity", "provider_id", "kind", "status", "expires_on"),
        Index("ix_vettingcheck_queue", "status", "submitted_at"),
        # The council's "running out soon" list reads only checks expiring in a window of days.
        Index("ix_vettingcheck_expiry", "status", "expires_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id")
    kind: str = Field(max_length=40)
    reference: str = Field(max_length=100)
    issued_on: date
    expires_on: date
    status: str = Field(default="pending", max_length=20)  # pending, verified, rejected
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    rejection_reason: str = Field(default="", max_length=2000)


class Review(SQLModel, table=True):
    """A budget holder's review of a provider they have paid (one each, editable)."""

    __table_args__ = (UniqueConstraint("provider_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    rating: int
    text: str = Field(max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reply_text: str | None = Field(default=None, max_length=2000)
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replied_by_id: int | None = Field(default=None, foreign_key="user.id")
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_reason: str = Field(default="", max_length=2000)
    # Written by an advocate (with approve_invoices) for the person, and shown as such.
    by_advocate: bool = Field(default=False)
    hidden_by_id: int | None = Field(default=None, foreign_key="user.id")



class ProviderChange(SQLModel, table=True):
    """A change to who a provider says it is, for the council to see.

    A change of kind waits here until the council approves it (the provider keeps its old kind
    meanwhile); a new name takes effect at once and waits here until the council has seen it.
    """

    __table_args__ = (Index("ix_providerchange_queue", "status", "requested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    field: str = Field(max_length=20)  # name, kind
    old_value: str = Field(max_length=200)
    new_value: str = Field(max_length=200)
    status: str = Field(default="waiting", max_length=20)  # waiting, approved, refused, seen
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    requested_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    reason: str = Field(default="", max_length=2000)


class StaffInvitation(SQLModel, table=True):
    """An owner's invitation for someone to join their organisation's account. No account is
    made until the invitee accepts and sets their own password; only the token's hash is kept."""

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    invited_name: str = Field(max_length=200)
    invited_email: str = Field(max_length=320)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    invited_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    accepted_user_id: int | None = Field(default=None, foreign_key="user.id")
