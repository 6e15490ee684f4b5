"""Test fixtures: a database built by migrations, emptied after every test; an app per test.

Set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run everything on
PostgreSQL: each test process makes its own database from it and drops it at the end.
"""

import os
import uuid
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session

from marketplace import migrate
from marketplace.factory import create_app
from marketplace.providers.search import is_search_table
from marketplace.storage import normalise_database_url

pytest.register_assert_rewrite("tests.client_request")

# `pytest --hypothesis-profile=long` runs the property tests far longer (registered here because
# the option is read before test modules are imported).
settings.register_profile(
    "long", max_examples=1000, stateful_step_count=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

from tests.client_request import ClientRequest  # noqa: E402  (after the rewrite hook)


def _postgres_database(admin_url: str):
    """Make a fresh database next to the one TEST_DATABASE_URL names; yield its URL."""
    admin_url = normalise_database_url(admin_url)
    name = f"care_budget_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def migrated_database(tmp_path_factory, label: str):
    """A new database built by the migrations: PostgreSQL when TEST_DATABASE_URL is set."""
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if admin_url:
        databases = _postgres_database(admin_url)
        url = next(databases)
    else:
        databases = None
        url = f"sqlite:///{tmp_path_factory.mktemp(label) / 'test.sqlite3'}"
    migrate.upgrade(url)
    try:
        yield url
    finally:
        if databases is not None:
            databases.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with migrated_database(tmp_path_factory, "db") as url:
        yield url


@pytest.fixture(scope="session")
def _plain_engine(database_url):
    """For arranging, checking and cleaning up. Unlike the app's engine it does not begin
    SQLite transactions IMMEDIATE, so a test that has read something never blocks the app."""
    engine = create_engine(normalise_database_url(database_url), connect_args=(
        {"check_same_thread": False} if database_url.startswith("sqlite") else {}))
    yield engine
    engine.dispose()


def _empty_every_table(engine) -> None:
    # The search documents empty themselves (triggers) as services go; FTS5's own tables on
    # SQLite must not be emptied behind its back.
    tables = [t for t in inspect(engine).get_table_names()
              if t != "alembic_version" and not is_search_table(t)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{t}"' for t in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            # Plain sqlite3 connection here: foreign keys are off, so the order does not matter.
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
def app_config(database_url):
    return {"APP_ENV": "test", "DATABASE_URL": database_url, "WTF_CSRF_ENABLED": False}


@pytest.fixture
def app(app_config, _plain_engine):
    app = create_app(app_config)
    yield app
    app.extensions["engine"].dispose()
    _empty_every_table(_plain_engine)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app, _plain_engine):
    """A database session for arranging and checking, outside any request."""
    with Session(_plain_engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def client_request(client, session):
    return ClientRequest(client, session)


@pytest.fixture
def fake_stripe():
    """The stand-in Stripe API on 127.0.0.1, fresh for each test."""
    from marketplace.payments.fake_stripe import FakeStripe

    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def stripe_on(app, fake_stripe):
    """The app talks to the fake Stripe (the real client, pointed at it); returns the fake."""
    from tests.factories_payments import stripe_config

    app.config.update(stripe_config(fake_stripe))
    return fake_stripe
