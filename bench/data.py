"""The data generator: the demo accounts (made by the app's own demo loader), then bulk rows
at a named scale, then a check that the bulk rows keep the invariants service-made data keeps.

Bulk rows are written with COPY on PostgreSQL and batched executemany on SQLite, with ids
chosen here so related rows need no round trip; sequences are moved past them afterwards.
"""

import itertools
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, Table, func, select, text
from sqlmodel import Session

from marketplace.models import CaseAssignment, Person, Provider, Role, User

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


def generate(engine: Engine, scale: Scale) -> Dataset:
    from marketplace.demo import load_demo_data

    started = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        load_demo_data(session)
    random_numbers = random.Random(SEED)
    dataset = Dataset(scale)
    with engine.begin() as connection:
        password_hash = connection.execute(
            select(User.__table__.c.password_hash).where(User.__table__.c.email == "sam@example.org")
        ).scalar_one()
        _people(connection, scale, password_hash, random_numbers)
        _providers(connection, scale, random_numbers)
        move_sequences_past_ids(connection, [User.__table__, Person.__table__,
                                             CaseAssignment.__table__, Provider.__table__])
    with engine.connect() as connection:
        problems = broken_invariants(connection)
        if problems:
            raise InvariantBroken("; ".join(problems))
        dataset.path_values.update(_path_values(connection))
        for table in (User.__table__, Person.__table__, Provider.__table__):
            dataset.rows[table.name] = connection.execute(
                select(func.count()).select_from(table)).scalar_one()
    dataset.seconds = (datetime.now(UTC) - started).total_seconds()
    return dataset


DISTRICTS = [f"LS{n}" for n in range(1, 30)] + [f"BD{n}" for n in range(1, 24)]
FIRST_NAMES = ["Amira", "Ben", "Chloe", "Dev", "Ellis", "Fatima", "George", "Hana", "Isaac",
               "Jade", "Kofi", "Lena", "Mo", "Niamh", "Owen", "Pia", "Rhys", "Sana", "Tom", "Uma"]
LAST_NAMES = ["Ahmed", "Brown", "Clarke", "Davies", "Evans", "Green", "Hussain", "Jones",
              "Khan", "Lewis", "Patel", "Roberts", "Smith", "Taylor", "Walker", "Wood"]


def _people(connection: Connection, scale: Scale, password_hash: str, rng: random.Random) -> None:
    """Budget holders (the demo ones already exist) and the professionals who support them."""
    users, people, cases = User.__table__, Person.__table__, CaseAssignment.__table__
    now = datetime.now(UTC)
    first_user, first_person = next_id(connection, users), next_id(connection, people)
    holders = scale.budgets - 2  # Sam and Jo hold the other two budgets
    names = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(holders)]

    def user_rows():
        for n in range(PROFESSIONALS):
            yield {"id": first_user + n, "email": f"professional{n}@bench.example",
                   "name": f"Professional {n}", "role": Role.PROFESSIONAL.value,
                   "password_hash": password_hash, "session_token": f"bench-{first_user + n}",
                   "failed_sign_ins": 0, "locked_until": None, "created_at": now}
        for n in range(holders):
            user_id = first_user + PROFESSIONALS + n
            yield {"id": user_id, "email": f"holder{n}@bench.example",
                   "name": names[n],
                   "role": Role.PERSON.value, "password_hash": password_hash,
                   "session_token": f"bench-{user_id}", "failed_sign_ins": 0,
                   "locked_until": None, "created_at": now}

    bulk_insert(connection, users, user_rows())
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


PROVIDER_KINDS = ["care_agency", "personal_assistant", "day_service", "equipment_supplier"]
PROVIDER_WORDS = ["Bright", "Kind", "Oak", "River", "Meadow", "Hill", "Willow", "Harbour",
                  "Sun", "Stone", "Heather", "Moor", "Beck", "Dale", "Fern", "Lark"]


def _providers(connection: Connection, scale: Scale, rng: random.Random) -> None:
    providers = Provider.__table__
    first = next_id(connection, providers)
    now = datetime.now(UTC)
    bulk_insert(connection, providers, (
        {"id": first + n, "name": f"{rng.choice(PROVIDER_WORDS)}{rng.choice(PROVIDER_WORDS).lower()} "
                                  f"Care {n}",
         "kind": rng.choice(PROVIDER_KINDS),
         "description": "Support at home and out and about, from a small local team.",
         "created_at": now - timedelta(days=rng.randrange(1, 1000))}
        for n in range(scale.providers)
    ))


def broken_invariants(connection: Connection) -> list[str]:
    """What service-made data always satisfies; each check names what it found wrong."""
    users, people, cases = User.__table__, Person.__table__, CaseAssignment.__table__
    checks = {
        "a budget holder account without a person profile": select(func.count()).select_from(
            users.outerjoin(people, people.c.user_id == users.c.id)
        ).where(users.c.role == Role.PERSON.value, people.c.id.is_(None)),
        "a person profile on an account that is not a budget holder's": select(func.count()).select_from(
            people.join(users, people.c.user_id == users.c.id)
        ).where(users.c.role != Role.PERSON.value),
        "a case assigned to someone who is not a professional": select(func.count()).select_from(
            cases.join(users, cases.c.professional_id == users.c.id)
        ).where(users.c.role != Role.PROFESSIONAL.value),
    }
    return [f"{found} × {problem}" for problem, query in checks.items()
            if (found := connection.execute(query).scalar_one())]


def _path_values(connection: Connection) -> dict[str, object]:
    providers = Provider.__table__
    return {
        "provider_id": connection.execute(
            select(providers.c.id).where(providers.c.name == "Brightpath Home Care")).scalar_one(),
    }
