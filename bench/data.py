"""The data generator: the demo accounts (made by the app's own demo loader), then bulk rows
at a named scale, then a check that the bulk rows keep the invariants service-made data keeps.

Bulk rows are written with COPY on PostgreSQL and batched executemany on SQLite, with ids
chosen here so related rows need no round trip; sequences are moved past them afterwards.
"""

import itertools
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, Engine, Table, and_, func, or_, select, text
from sqlmodel import Session

from marketplace import ledger
from marketplace.budgets.kept_forecasts import keep_forecasts
from marketplace.budgets.service import instalments
from marketplace.categories import SUPPORT_CATEGORIES
from marketplace.dates import financial_year, today_in_uk
from marketplace.insight.council_figures import refresh_council_figures
from marketplace.models import (
    Budget,
    BudgetCategory,
    CarePackage,
    CaseAssignment,
    LedgerTransaction,
    Outcome,
    PackageLine,
    PackageStatus,
    Person,
    Posting,
    Provider,
    ProviderArea,
    ProviderLanguage,
    ProviderMember,
    Role,
    Service,
    User,
    VettingCheck,
)
from marketplace.packages import costing
from marketplace.providers.catalogue import (
    CHECK_KINDS,
    LANGUAGES,
    REQUIRED_CHECKS,
    UNITS,
)
from marketplace.providers.demo import SERVICES_BY_KIND
from marketplace.providers.listing import refresh_listings
from marketplace.providers.vetting import is_listed

BATCH_ROWS = 5_000
PROFESSIONALS = 20
# Fixed, so two runs at one scale hold the same data.
SEED = 20261126


@dataclass(frozen=True)
class Scale:
    name: str
    providers: int
    services_per_provider: int
    budgets: int
    postings_per_budget: int
    # The demo budget holder's budget gets this many postings (the "busy" budget).
    busy_budget_postings: int


SCALES = {
    scale.name: scale
    for scale in (
        Scale("tiny", providers=40, services_per_provider=4, budgets=20, postings_per_budget=10,
              busy_budget_postings=200),
        Scale("small", providers=1_000, services_per_provider=4, budgets=1_000,
              postings_per_budget=100, busy_budget_postings=100),
        Scale("large", providers=50_000, services_per_provider=4, budgets=10_000,
              postings_per_budget=100, busy_budget_postings=100_000),
    )
}


class InvariantBroken(RuntimeError):
    pass


@dataclass
class Dataset:
    scale: Scale
    rows: dict[str, int] = field(default_factory=dict)  # table → rows after generating
    # Values the page table's paths may name, e.g. {"provider_id": 17}.
    path_values: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0


def chunks(rows: Iterable, size: int = BATCH_ROWS) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def bulk_insert(connection: Connection, table: Table, rows: Iterable[dict]) -> int:
    """Insert many rows fast; every row has the same keys, ids included."""
    if connection.dialect.name == "postgresql":
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        columns = list(first)
        names = ", ".join(f'"{name}"' for name in columns)
        written = 0
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in itertools.chain([first], rows):
                    copy.write_row([row[name] for name in columns])
                    written += 1
        return written
    written = 0
    for batch in chunks(rows):
        connection.execute(table.insert(), batch)
        written += len(batch)
    return written


def next_id(connection: Connection, table: Table) -> int:
    return (connection.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def move_sequences_past_ids(connection: Connection, tables: Iterable[Table]) -> None:
    """PostgreSQL: the next id the app makes must not clash with the ids chosen here."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM \"{table.name}\"))"
        ))


@dataclass
class Made:
    """What generate() made in bulk (ids at or above these are the generator's)."""

    first_provider: int = 0
    listed: list[int] = field(default_factory=list)  # vetted, not suspended
    planned_listed: int = 0
    provider_names: dict[int, str] = field(default_factory=dict)
    council_id: int = 0
    big_package_id: int = 0


def generate(engine: Engine, scale: Scale) -> Dataset:
    from marketplace.demo import load_demo_data

    started = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        load_demo_data(session)
    rng = random.Random(SEED)
    dataset, made = Dataset(scale), Made()
    today = today_in_uk()
    users = User.__table__
    with engine.begin() as connection:
        password_hash, made.council_id = connection.execute(
            select(users.c.password_hash, users.c.id).where(users.c.email == "council@example.org")
        ).one()
        holders = _people(connection, scale, password_hash, rng)
        _providers(connection, scale, password_hash, made, today, rng)
        _budgets(connection, scale, holders, made, today, rng)
        made.big_package_id = _packages(connection, today)
        # The postings were written in bulk, past ledger.post(): their balances are summed once.
        ledger.rebuild_kept_balances(connection)
        # And the council's figures, as the 15-minute sweep would have worked them out.
        refresh_council_figures(connection, today=today)
        move_sequences_past_ids(connection, [
            CarePackage.__table__, PackageLine.__table__,
            User.__table__, Person.__table__, CaseAssignment.__table__, Provider.__table__,
            ProviderMember.__table__, ProviderArea.__table__, ProviderLanguage.__table__,
            Service.__table__, VettingCheck.__table__, Budget.__table__, BudgetCategory.__table__,
            LedgerTransaction.__table__, Posting.__table__,
        ])
    with Session(engine) as session:  # the forecasts, as the morning sweep would have kept them
        keep_forecasts(session, today=today)
        session.commit()
    if engine.dialect.name == "postgresql":
        # Fresh statistics and visibility maps, as autovacuum would give a live database in
        # time: without statistics the planner guesses row counts for tables it has just seen
        # grow from nothing, and without visibility maps every index-only scan visits the rows.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    with engine.connect() as connection:
        problems = broken_invariants(connection, made, today)
        if problems:
            raise InvariantBroken("; ".join(problems))
        dataset.path_values.update(_path_values(connection, made))
        for table in (User.__table__, Provider.__table__, Service.__table__, Budget.__table__,
                      LedgerTransaction.__table__, Posting.__table__):
            dataset.rows[table.name] = connection.execute(
                select(func.count()).select_from(table)).scalar_one()
        dataset.rows["postings in the busy budget"] = connection.execute(
            select(func.count()).select_from(Posting.__table__).where(
                Posting.__table__.c.budget_id == dataset.path_values["busy_budget_id"])).scalar_one()
    dataset.seconds = (datetime.now(UTC) - started).total_seconds()
    return dataset


DISTRICTS = ["LS6", "LS7"] + [f"LS{n}" for n in range(1, 30) if n not in (6, 7)] + [
    f"BD{n}" for n in range(1, 24)]
FIRST_NAMES = ["Amira", "Ben", "Chloe", "Dev", "Ellis", "Fatima", "George", "Hana", "Isaac",
               "Jade", "Kofi", "Lena", "Mo", "Niamh", "Owen", "Pia", "Rhys", "Sana", "Tom", "Uma"]
LAST_NAMES = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Green", "Hussain", "Jones",
              "Khan", "Lewis", "Patel", "Roberts", "Smith", "Taylor", "Walker", "Wood"]


def _user_row(user_id: int, email: str, name: str, role: Role, password_hash: str, now) -> dict:
    return {"id": user_id, "email": email, "name": name, "role": role.value,
            "password_hash": password_hash, "session_token": f"bench-{user_id}",
            "created_at": now}


def _people(connection: Connection, scale: Scale, password_hash: str,
            rng: random.Random) -> list[tuple[int, int]]:
    """Budget holders (the demo ones already exist) and the professionals who support them.
    Returns (user id, person id) for each new budget holder."""
    users, people, cases = User.__table__, Person.__table__, CaseAssignment.__table__
    now = datetime.now(UTC)
    first_user, first_person = next_id(connection, users), next_id(connection, people)
    holders = scale.budgets - 2  # Sam and Jo hold the other two budgets
    names = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(holders)]
    bulk_insert(connection, users, itertools.chain(
        (_user_row(first_user + n, f"professional{n}@bench.example", f"Professional {n}",
                   Role.PROFESSIONAL, password_hash, now) for n in range(PROFESSIONALS)),
        (_user_row(first_user + PROFESSIONALS + n, f"holder{n}@bench.example", names[n],
                   Role.PERSON, password_hash, now) for n in range(holders)),
    ))
    bulk_insert(connection, people, (
        {"id": first_person + n, "user_id": first_user + PROFESSIONALS + n,
         "name": names[n], "postcode_district": rng.choice(DISTRICTS), "created_at": now}
        for n in range(holders)
    ))
    first_case = next_id(connection, cases)
    bulk_insert(connection, cases, (
        {"id": first_case + n, "person_id": first_person + n,
         "professional_id": first_user + n % PROFESSIONALS, "assigned_at": now}
        for n in range(holders)
    ))
    return [(first_user + PROFESSIONALS + n, first_person + n) for n in range(holders)]


PROVIDER_WORDS = ["Bright", "Kind", "Oak", "River", "Meadow", "Hill", "Willow", "Harbour",
                  "Sun", "Stone", "Heather", "Moor", "Beck", "Dale", "Fern", "Lark"]
KIND_NAMES = {"care_agency": "Care", "personal_assistant": "Support", "day_service": "Day Centre",
              "equipment_supplier": "Mobility", "other": "Transport"}
SERVICE_TIMES = ["", " (evenings)", " (weekends)", " (short notice)"]
# One provider in UNVETTED_EVERY waits for a check; one in SUSPENDED_EVERY is suspended.
UNVETTED_EVERY, SUSPENDED_EVERY = 50, 49


def _providers(connection: Connection, scale: Scale, password_hash: str, made: Made, today,
               rng: random.Random) -> None:
    """Providers with an owner account, areas, languages, published services and the checks
    their kind needs: most vetted, a few waiting for a check, a few suspended."""
    now = datetime.now(UTC)
    first_provider = made.first_provider = next_id(connection, Provider.__table__)
    first_user = next_id(connection, User.__table__)
    ids = {table: next_id(connection, table.__table__)
           for table in (ProviderMember, ProviderArea, ProviderLanguage, Service, VettingCheck)}
    rows = {table: [] for table in ids}
    providers, owners = [], []
    for n in range(scale.providers):
        provider_id, owner_id = first_provider + n, first_user + n
        kind = rng.choice(list(SERVICES_BY_KIND))
        name = (f"{rng.choice(PROVIDER_WORDS)}{rng.choice(PROVIDER_WORDS).lower()} "
                f"{KIND_NAMES[kind]} {n}")
        unvetted, suspended = n % UNVETTED_EVERY == UNVETTED_EVERY - 1, n % SUSPENDED_EVERY == 5
        if not unvetted and not suspended:
            made.listed.append(provider_id)
            made.provider_names[provider_id] = name
        providers.append({
            "id": provider_id, "name": name, "kind": kind,
            "description": f"{name}: local support from people who stay with you.",
            "contact_email": f"hello{n}@provider.bench.example", "contact_phone": "0113 496 0000",
            "access_notes": "", "cqc_number": f"1-{100000000 + n}" if kind == "care_agency" else "",
            "suspended_at": now - timedelta(days=3) if suspended else None,
            "suspension_reason": "Complaint under investigation" if suspended else "",
            "review_count": 0, "average_rating": None,
            "created_at": now - timedelta(days=rng.randrange(30, 1000)),
        })
        owners.append(_user_row(owner_id, f"owner{n}@provider.bench.example", f"Owner {n}",
                                Role.PROVIDER, password_hash, now))
        rows[ProviderMember].append({"provider_id": provider_id, "user_id": owner_id, "is_owner": True})
        for district in rng.sample(DISTRICTS, 3):
            rows[ProviderArea].append({"provider_id": provider_id, "district": district})
        languages = ["English"] + ([rng.choice(LANGUAGES[1:])] if rng.random() < 0.3 else [])
        for language in languages:
            rows[ProviderLanguage].append({"provider_id": provider_id, "language": language})
        templates = SERVICES_BY_KIND[kind]
        for number in range(scale.services_per_provider):
            category, title, description, unit, low, high, days, minimum = templates[number % len(templates)]
            rows[Service].append({
                "provider_id": provider_id, "category": category,
                "title": title + SERVICE_TIMES[number // len(templates) % len(SERVICE_TIMES)],
                "description": description, "unit": unit,
                "price_pence": rng.randrange(low, high + 1, 10), "minimum_units": minimum,
                "days": sum(1 << index for index, day in enumerate(
                    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
                    if day in days),
                "published": True, "created_at": now, "updated_at": now,
            })
        for position, check in enumerate(REQUIRED_CHECKS[kind]):
            waiting = unvetted and position == 0
            rows[VettingCheck].append({
                "provider_id": provider_id, "kind": check, "reference": f"REF-{n}-{position}",
                "issued_on": today - timedelta(days=300),
                "expires_on": today + timedelta(days=rng.randrange(31, 700)),
                "status": "pending" if waiting else "verified",
                "submitted_at": now - timedelta(days=rng.randrange(1, 60), minutes=n % 1440),
                "submitted_by_id": owner_id,
                "decided_at": None if waiting else now - timedelta(days=1),
                "decided_by_id": None if waiting else made.council_id,
                "rejection_reason": "",
            })
    made.planned_listed = len(made.listed)
    bulk_insert(connection, User.__table__, owners)
    bulk_insert(connection, Provider.__table__, providers)
    for table, table_rows in rows.items():
        for offset, row in enumerate(table_rows):
            row["id"] = ids[table] + offset
        bulk_insert(connection, table.__table__, table_rows)
    # Written in bulk, past the ORM: the vetting dates are worked out once here.
    refresh_listings(connection, range(first_provider, first_provider + scale.providers))


CATEGORY_SPLIT = [("personal_care", 60), ("community_activities", 25), ("transport", 15)]


def _budgets(connection: Connection, scale: Scale, holders: list[tuple[int, int]], made: Made,
             today, rng: random.Random) -> None:
    """A budget for every new budget holder, each with `postings_per_budget` postings of money
    history; the demo budget holder's budget gets the busy budget's postings."""
    budgets_table, categories_table = Budget.__table__, BudgetCategory.__table__
    period_start, period_end = financial_year(today)
    now = datetime.now(UTC)
    first_budget, first_category = next_id(connection, budgets_table), next_id(connection, categories_table)
    budgets, categories = [], []
    for n, (_user_id, person_id) in enumerate(holders):
        allocation = rng.randrange(6_000, 26_000) * 100
        budgets.append({
            "id": first_budget + n, "person_id": person_id, "period_start": period_start,
            "period_end": period_end, "allocation_pence": allocation,
            "funding_source": rng.choice(["council", "council", "nhs", "joint"]),
            "schedule": "four_weekly", "created_by_id": made.council_id, "created_at": now,
        })
        for index, (key, percent) in enumerate(CATEGORY_SPLIT):
            categories.append({"id": first_category + 3 * n + index, "budget_id": first_budget + n,
                               "key": key, "name": SUPPORT_CATEGORIES[key], "allocation_pence": allocation * percent // 100})
    bulk_insert(connection, budgets_table, budgets)
    bulk_insert(connection, categories_table, categories)

    history = _History(connection, made, rng, first_day=period_start,
                       last_day=max(period_start, today - timedelta(days=1)))
    for batch in chunks(list(zip(budgets, holders, strict=True)), 200):
        for budget, (user_id, person_id) in batch:
            category_ids = [row["id"] for row in categories[(budget["id"] - first_budget) * 3:][:3]]
            history.add(budget, transactions=scale.postings_per_budget // 2,
                        planned=[due for due in instalments(Budget(**budget)) if due.due_on <= today],
                        category_ids=category_ids,
                        holder_id=user_id, person_id=person_id)
        history.write()
    for email, postings in (("sam@example.org", scale.busy_budget_postings),
                            ("jo@example.org", scale.postings_per_budget)):
        budget, user_id, person_id = _demo_budget(connection, email)
        already = connection.execute(select(func.count()).select_from(Posting.__table__).where(
            Posting.__table__.c.budget_id == budget["id"])).scalar_one()
        category_ids = list(connection.execute(select(categories_table.c.id).where(
            categories_table.c.budget_id == budget["id"])).scalars())
        # Instalments already came in through the demo; more money comes from contributions.
        history.add(budget, transactions=max(0, postings - already) // 2, planned=[],
                    category_ids=category_ids, holder_id=user_id, person_id=person_id)
        history.write()


def _demo_budget(connection: Connection, email: str) -> tuple[dict, int, int]:
    users, people, budgets = User.__table__, Person.__table__, Budget.__table__
    row = connection.execute(
        select(budgets, users.c.id.label("holder_id"), people.c.id.label("holder_person_id"))
        .join(people, people.c.id == budgets.c.person_id).join(users, users.c.id == people.c.user_id)
        .where(users.c.email == email).order_by(budgets.c.period_start.desc())
    ).mappings().first()
    budget = {column.name: row[column.name] for column in budgets.columns}
    return budget, row["holder_id"], row["holder_person_id"]


PROVIDERS_PER_BUDGET = 4


class _History:
    """Money history in the order the ledger would have accepted it: each round pays money in
    (an instalment, or a contribution once the instalments due are used up), sets it aside for
    a provider's support, then approves and pays two invoices against it."""

    COMMITMENT = ledger.committed_account("example:bench-support")

    def __init__(self, connection: Connection, made: Made, rng: random.Random, *, first_day,
                 last_day):
        self.connection, self.made, self.rng = connection, made, rng
        self.first_day, self.span = first_day, (last_day - first_day).days
        self.next_transaction = next_id(connection, LedgerTransaction.__table__)
        self.next_posting = next_id(connection, Posting.__table__)
        self.transactions: list[dict] = []
        self.postings: list[dict] = []
        self.recorded_at = datetime.now(UTC)

    def _add(self, budget_id: int, *, kind: str, legs: dict, key: str, day, memo: str,
             actor_id: int | None, on_behalf_of_id: int | None = None,
             category_id: int | None = None, provider_id: int | None = None) -> None:
        transaction_id = self.next_transaction
        self.next_transaction += 1
        self.transactions.append({
            "id": transaction_id, "budget_id": budget_id, "kind": kind, "idempotency_key": key,
            "content_hash": ledger._content_hash(
                budget_id=budget_id, kind=kind, legs=sorted(legs.items()), memo=memo, reason=None,
                category_id=category_id, provider_id=provider_id),
            "effective_on": day, "recorded_at": self.recorded_at, "actor_id": actor_id,
            "on_behalf_of_id": on_behalf_of_id, "category_id": category_id,
            "provider_id": provider_id, "memo": memo, "reason": None,
            **ledger.transaction_figures(legs),
        })
        for account, amount in legs.items():
            self.postings.append({"id": self.next_posting, "transaction_id": transaction_id,
                                  "budget_id": budget_id, "account": account, "amount_pence": amount})
            self.next_posting += 1

    def add(self, budget: dict, *, transactions: int, planned: list, category_ids: list[int],
            holder_id: int, person_id: int) -> None:
        budget_id, rng = budget["id"], self.rng
        # A person buys from a few providers, not from a different one every month.
        chosen_providers = rng.sample(self.made.listed, min(PROVIDERS_PER_BUDGET, len(self.made.listed)))
        made_here, round_number = 0, 0
        while made_here < transactions:
            provider_id = rng.choice(chosen_providers)
            provider = self.made.provider_names[provider_id]
            category_id = rng.choice(category_ids) if category_ids else None
            payable = ledger.payable_account(provider_id)
            key = f"bench:{budget_id}:{round_number}"
            if round_number < len(planned):
                instalment = planned[round_number]
                amount = instalment.amount_pence
                money_in = dict(kind="instalment", legs={ledger.FUNDING: -amount, ledger.AVAILABLE: amount},
                                key=instalment.idempotency_key(budget_id), actor_id=self.made.council_id,
                                memo=f"Instalment {instalment.number} of {instalment.count}")
            else:
                amount = rng.randrange(20, 200) * 100
                money_in = dict(kind="contribution",
                                legs={ledger.CONTRIBUTION: -amount, ledger.AVAILABLE: amount},
                                key=f"{key}:contribution", actor_id=holder_id,
                                on_behalf_of_id=person_id, memo="Your contribution")
            first_half = amount // 2
            steps = [money_in, dict(
                kind="commitment", legs={ledger.AVAILABLE: -amount, self.COMMITMENT: amount},
                key=f"{key}:commit", actor_id=holder_id, memo=f"Support from {provider}, 4 weeks",
                category_id=category_id, provider_id=provider_id)]
            for invoice, part in enumerate((first_half, amount - first_half)):
                steps += [dict(kind="invoice_approved", legs={self.COMMITMENT: -part, payable: part},
                               key=f"{key}:invoice:{invoice}", actor_id=holder_id,
                               memo=f"{provider} invoice", category_id=category_id,
                               provider_id=provider_id),
                          dict(kind="payment", legs={payable: -part, ledger.PAID: part},
                               key=f"{key}:payment:{invoice}", actor_id=self.made.council_id,
                               memo=f"Paid {provider}", category_id=category_id,
                               provider_id=provider_id)]
            for step in steps[:transactions - made_here]:
                day = self.first_day + timedelta(days=self.span * made_here // max(1, transactions - 1))
                self._add(budget_id, day=day, **step)
                made_here += 1
            round_number += 1

    def write(self) -> None:
        bulk_insert(self.connection, LedgerTransaction.__table__, self.transactions)
        bulk_insert(self.connection, Posting.__table__, self.postings)
        self.transactions, self.postings = [], []


def _count(connection: Connection, query) -> int:
    return connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def _problems(connection: Connection, queries: dict) -> list[str]:
    return [f"{found} × {problem}" for problem, query in queries.items()
            if (found := _count(connection, query))]


def broken_ledger_invariants(connection: Connection) -> list[str]:
    """The ledger's rules, over every budget: balanced, complete, never below zero."""
    postings, transactions = Posting.__table__, LedgerTransaction.__table__
    guarded = or_(postings.c.account == ledger.AVAILABLE,
                  postings.c.account.startswith(ledger.COMMITTED_PREFIX),
                  postings.c.account.startswith(ledger.PAYABLE_PREFIX))
    running = select(func.sum(postings.c.amount_pence).over(
        partition_by=(postings.c.budget_id, postings.c.account),
        order_by=postings.c.transaction_id).label("balance")).where(guarded).subquery()
    summed = ledger.transaction_figures_from_postings().subquery()
    problems = _problems(connection, {
        "a ledger transaction whose postings do not sum to zero": select(postings.c.transaction_id)
        .group_by(postings.c.transaction_id).having(func.sum(postings.c.amount_pence) != 0),
        "a ledger transaction with fewer than two postings": select(transactions.c.id).select_from(
            transactions.outerjoin(postings, postings.c.transaction_id == transactions.c.id)
        ).group_by(transactions.c.id).having(func.count(postings.c.id) < 2),
        "a posting in another budget than its transaction": select(postings.c.id).join(
            transactions, transactions.c.id == postings.c.transaction_id
        ).where(postings.c.budget_id != transactions.c.budget_id),
        "an available, committed or payable balance that went below zero": select(
            running.c.balance).where(running.c.balance < 0),
        "a ledger transaction of an unknown kind": select(transactions.c.id).where(
            transactions.c.kind.not_in(list(ledger.KINDS))),
        "a ledger transaction whose kept change or size is not the sum of its postings": select(
            transactions.c.id).join(summed, summed.c.transaction_id == transactions.c.id).where(
            or_(transactions.c.unspent_change_pence != summed.c.unspent_change_pence,
                transactions.c.moved_pence != summed.c.moved_pence)),
    })
    accounts = connection.execute(select(postings.c.account).distinct()).scalars()
    if bad := [account for account in accounts if not ledger._ACCOUNT.match(account)]:
        problems.append(f"{len(bad)} × a posting to an account the ledger does not know ({bad[0]})")
    return problems


def broken_invariants(connection: Connection, made: Made, today) -> list[str]:
    """What service-made data always satisfies; each check names what it found wrong."""
    users, people, cases = User.__table__, Person.__table__, CaseAssignment.__table__
    transactions = LedgerTransaction.__table__
    checks, services, providers = VettingCheck.__table__, Service.__table__, Provider.__table__
    members = ProviderMember.__table__
    problems = broken_ledger_invariants(connection)
    problems += _problems(connection, {
        "a budget holder account without a person profile": select(users.c.id).select_from(
            users.outerjoin(people, people.c.user_id == users.c.id)
        ).where(users.c.role == Role.PERSON.value, people.c.id.is_(None)),
        "a person profile on an account that is not a budget holder's": select(people.c.id).select_from(
            people.join(users, people.c.user_id == users.c.id)).where(users.c.role != Role.PERSON.value),
        "a case assigned to someone who is not a professional": select(cases.c.id).select_from(
            cases.join(users, cases.c.professional_id == users.c.id)
        ).where(users.c.role != Role.PROFESSIONAL.value),
        "money committed to or paid to a provider that is not vetted": select(transactions.c.id)
        .join(Provider, Provider.id == transactions.c.provider_id)
        .where(transactions.c.idempotency_key.startswith("bench:"), ~is_listed(today)),
        "a generated provider without exactly one owner": select(providers.c.id).select_from(
            providers.outerjoin(members, and_(members.c.provider_id == providers.c.id,
                                              members.c.is_owner.is_(True)))
        ).where(providers.c.id >= made.first_provider).group_by(providers.c.id)
        .having(func.count(members.c.id) != 1),
        "a check verified without a decision, or pending with one": select(checks.c.id).where(or_(
            and_(checks.c.status == "verified",
                 or_(checks.c.decided_at.is_(None), checks.c.decided_by_id.is_(None))),
            and_(checks.c.status == "pending", checks.c.decided_at.is_not(None)))),
        "a check that expires before it was issued, or of an unknown kind": select(checks.c.id).where(
            or_(checks.c.expires_on <= checks.c.issued_on, checks.c.kind.not_in(list(CHECK_KINDS)))),
        "a service with no price, or an unknown category, unit or days": select(services.c.id).where(or_(
            services.c.price_pence <= 0, services.c.category.not_in(list(SUPPORT_CATEGORIES)),
            services.c.unit.not_in(list(UNITS)), services.c.days < 0, services.c.days > 127)),
    })
    listed = _count(connection, select(Provider.id).where(Provider.id >= made.first_provider,
                                                          is_listed(today)))
    if listed != made.planned_listed:
        problems.append(f"{listed} generated providers are listed, not {made.planned_listed}")
    return problems


PACKAGES_TO_REVIEW = 200
LINES_IN_BIG_PACKAGE = 20


def _packages(connection: Connection, today: date) -> int:
    """Sam's package of 20 lines, each a request to Brightpath (so the builder and Brightpath's
    requests are both full), and 200 of Sam's packages waiting for Priya's review. Returns the
    big package's id."""
    packages, lines = CarePackage.__table__, PackageLine.__table__
    budget, sam_user_id, sam_person_id = _demo_budget(connection, "sam@example.org")
    service = connection.execute(
        select(Service.__table__, Provider.__table__.c.name.label("provider_name"))
        .join(Provider.__table__, Provider.__table__.c.id == Service.__table__.c.provider_id)
        .where(Provider.__table__.c.name == "Brightpath Home Care", Service.__table__.c.published)
        .order_by(Service.__table__.c.id)).mappings().first()
    outcome_ids = connection.execute(select(Outcome.__table__.c.id).where(
        Outcome.__table__.c.person_id == sam_person_id)).scalars().all()
    start_on, now = today, datetime.now(UTC)
    end_on = min(today + timedelta(days=27), budget["period_end"])
    line = costing.CostedLine(service["price_pence"], 200, True, service["category"])
    first_package = next_id(connection, packages)
    common = {"person_id": sam_person_id, "budget_id": budget["id"], "start_on": start_on, "end_on": end_on,
              "version": 1, "supersedes_id": None, "created_by_id": sam_user_id, "created_at": now,
              "submitted_by_id": sam_user_id, "submitted_at": now, "cosign_by": "", "cosigned_by_id": None,
              "cosigned_at": None, "decided_by_id": None, "decided_at": None}
    bulk_insert(connection, packages, itertools.chain(
        [{**common, "id": first_package, "title": "Twenty lines of support",
          "status": PackageStatus.SUBMITTED.value,
          "total_pence": costing.line_total(line, costing.days_in(start_on, end_on)) * LINES_IN_BIG_PACKAGE}],
        ({**common, "id": first_package + n, "title": f"Package to review {n}",
          "status": PackageStatus.AWAITING_REVIEW.value, "total_pence": 0}
         for n in range(1, PACKAGES_TO_REVIEW + 1)),
    ))
    first_line = next_id(connection, lines)
    bulk_insert(connection, lines, (
        {"id": first_line + n, "package_id": first_package, "provider_id": service["provider_id"],
         "service_id": service["id"], "outcome_id": outcome_ids[n % len(outcome_ids)],
         "provider_name": service["provider_name"], "title": service["title"], "category": service["category"],
         "unit": service["unit"], "unit_price_pence": service["price_pence"], "quantity_hundredths": 200,
         "weekly": True, "response": "requested", "response_note": "", "responded_by_id": None,
         "responded_at": None, "created_at": now}
        for n in range(LINES_IN_BIG_PACKAGE)))
    return first_package


def _path_values(connection: Connection, made: Made) -> dict[str, object]:
    from marketplace.budgets.statement import STATEMENT_PAGE_SIZE, Position

    busy_budget, _user_id, _person_id = _demo_budget(connection, "sam@example.org")
    transactions = LedgerTransaction.__table__
    # The last page of the busy budget's statement: the rows older than this one.
    deepest = connection.execute(
        select(transactions.c.effective_on, transactions.c.id)
        .where(transactions.c.budget_id == busy_budget["id"])
        .order_by(transactions.c.effective_on, transactions.c.id)
        .offset(STATEMENT_PAGE_SIZE).limit(1)).first()
    return {
        "provider_id": made.listed[0],
        "compare_1": made.listed[1], "compare_2": made.listed[2], "compare_3": made.listed[3],
        "busy_budget_id": busy_budget["id"],
        "big_package_id": made.big_package_id,
        # (A statement of one page has no deeper page: then it is the first.)
        "deep_statement_position": str(Position(*deepest) if deepest else Position(date.max, 0)),
        # The demo's version 2 of Sam's agreed package: the page with the line-by-line changes.
        "version_package_id": connection.execute(select(CarePackage.__table__.c.id).where(
            CarePackage.__table__.c.version == 2).order_by(CarePackage.__table__.c.id)).scalars().first(),
    }
