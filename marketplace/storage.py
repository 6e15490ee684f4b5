"""The database without Flask: making an engine, and the row locking money relies on.

Lost updates are real on both engines unless we lock:
- SQLite ignores SELECT ... FOR UPDATE, so every transaction starts with BEGIN IMMEDIATE:
  a writer waits for the other to finish instead of reading stale figures.
- PostgreSQL takes a row lock with SELECT ... FOR UPDATE inside the transaction.
"""

import re
import time
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import Engine, event, exc
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, create_engine, select

Row = TypeVar("Row", bound=SQLModel)

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def normalise_database_url(database_url: str) -> str:
    """postgresql://… (as hosts usually give it) means the psycopg 3 driver here."""
    for prefix in ("postgresql://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url.removeprefix(prefix)
    return database_url


def make_engine(database_url: str, **kwargs) -> Engine:
    database_url = normalise_database_url(database_url)
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            **kwargs,
        )
        _make_sqlite_transactions_immediate(engine)
    else:
        # Short OLTP queries: PostgreSQL's JIT compiler costs more than it saves on the big browse
        # and statement queries (0.7–1.2 s measured at 50,000 providers), so it is off.
        engine = create_engine(database_url, connect_args={"options": "-c jit=off"}, **kwargs)
        _ping_connections_that_sat_idle(engine)
        _keep_every_statement_prepared(engine)
    _note_writes(engine)
    return engine


# psycopg prepares a statement on its fifth use and keeps 100 per connection, dropping the least
# used. The app runs about 100 to 150 different statements (each built once), so with 100 a
# connection serving every page would keep preparing and dropping them.
PREPARED_PER_CONNECTION = 400


def _keep_every_statement_prepared(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.prepared_max = PREPARED_PER_CONNECTION


# A connection back in the pool within this long is trusted as it is; an older one is pinged.
IDLE_SECONDS_BEFORE_PING = 10


def _ping_connections_that_sat_idle(engine: Engine) -> None:
    """A connection can die while it waits in the pool (the database restarted, a firewall
    dropped it), so one that sat idle is pinged before use and replaced if dead. Pinging every
    checkout, as `pool_pre_ping` does, costs each request a round trip to the database; a
    busy worker's connection is never idle that long."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < IDLE_SECONDS_BEFORE_PING:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error:
            alive = False
        if not alive:
            # The pool drops this connection and checks out another (a fresh one if need be).
            raise exc.DisconnectionError("the pooled connection no longer answers")


_WROTE = "wrote_in_this_transaction"
_READS = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)
# Words that can make a SELECT or WITH statement change or lock rows (a data-modifying WITH,
# SELECT ... FOR UPDATE): such a statement counts as writing.
_MAY_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|SHARE|LOCK)\b", re.IGNORECASE)
_BEGINS = re.compile(r"\s*BEGIN\b", re.IGNORECASE)


@lru_cache(maxsize=2048)
def statement_writes(statement: str) -> bool:
    """Whether a statement may change the database (or lock rows), erring towards yes: only
    a plain SELECT or WITH reads. Starting the transaction (SQLite's BEGIN IMMEDIATE) is not a
    write. Kept per statement text: the app's statements are built once, so the same texts recur."""
    if _BEGINS.match(statement):
        return False
    return not _READS.match(statement) or _MAY_WRITE.search(statement) is not None


def _note_writes(engine: Engine) -> None:
    """Mark each transaction that ran a statement that may write, or that failed, so
    only_read() can tell a transaction that did nothing but read."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.info[_WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, _cursor, statement, *_args):
        if statement_writes(statement):
            connection.info[_WROTE] = True

    @event.listens_for(engine, "handle_error")
    def _on_error(context):
        if context.connection is not None:
            context.connection.info[_WROTE] = True


def only_read(session: Session) -> bool:
    """Whether the session's open transaction has only read: no statement that may write, none
    that failed, and nothing waiting to be flushed. Such a transaction can end with COMMIT as
    well as ROLLBACK: the database is the same either way."""
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return False
    return session.connection().info.get(_WROTE) is False


def _make_sqlite_transactions_immediate(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_row(session: Session, model: type[Row], row_id: int) -> Row | None:
    """Load a row and hold it locked until the transaction ends (a no-op lock on SQLite,
    where BEGIN IMMEDIATE already serialises writers)."""
    return session.exec(select(model).where(model.id == row_id).with_for_update()).first()


def insert_or_update(session: Session, model: type[SQLModel], rows: list[dict], *, key: str) -> None:
    """Insert the rows, or update the ones whose `key` column is already there: one statement,
    so two workers writing the same rows at once cannot both insert."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(model.__table__)
    session.execute(statement.on_conflict_do_update(
        index_elements=[key], set_={column: statement.excluded[column] for column in rows[0] if column != key}),
        rows)
