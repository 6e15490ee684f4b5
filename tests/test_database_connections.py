"""Pooled PostgreSQL connections: one that died while it waited is replaced before a request
uses it, and one back in the pool moments ago is used without an extra round trip."""

import pytest
from sqlalchemy import create_engine, text

from marketplace import storage
from marketplace.storage import make_engine, normalise_database_url


@pytest.fixture
def engine(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to lose a connection to")
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _backend_of(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_that_died_while_it_sat_idle_is_replaced(engine, database_url, monkeypatch):
    first = _backend_of(engine)
    admin = create_engine(normalise_database_url(database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:  # as a database restart would
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    admin.dispose()
    monkeypatch.setattr(storage, "IDLE_SECONDS_BEFORE_PING", 0)

    assert _backend_of(engine) not in (first, None)


def test_only_a_connection_that_sat_idle_is_pinged(engine, monkeypatch):
    pings = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(connection) or True)
    for _ in range(3):
        _backend_of(engine)
    assert pings == []

    monkeypatch.setattr(storage, "IDLE_SECONDS_BEFORE_PING", 0)
    _backend_of(engine)
    assert len(pings) == 1
