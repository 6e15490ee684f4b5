"""How a request's transaction ends. One that only read ends with COMMIT, so the statements
psycopg prepared stay prepared for the next request (a ROLLBACK drops them all, and PostgreSQL
then plans every statement again). One that may have written without the view committing, or
that failed, ends with ROLLBACK: nothing half-written is ever kept."""

import pytest
from sqlalchemy import event, func, text
from sqlmodel import select

from marketplace.audit import audit
from marketplace.auth.permissions import public
from marketplace.db import get_session
from marketplace.models import AuditLog, User
from marketplace.storage import statement_writes


@pytest.mark.parametrize("statement, writes", [
    ('SELECT "user".id FROM "user" WHERE "user".id = %(user_id)s', False),
    ("  select count(*) from invoice", False),
    ("WITH lowest AS (SELECT review.provider_id FROM review) SELECT * FROM lowest", False),
    ("SELECT person.updated_at, person.last_update FROM person", False),
    ("BEGIN IMMEDIATE", False),
    ("INSERT INTO auditlog (action) VALUES (?)", True),
    ("UPDATE budget SET name = %(name)s", True),
    ("delete from notification", True),
    ("WITH gone AS (DELETE FROM notification RETURNING id) SELECT count(*) FROM gone", True),
    ("SELECT budget.id FROM budget WHERE budget.id = %(id)s FOR UPDATE", True),
    ("SELECT budget.id FROM budget FOR SHARE", True),
    ("SET LOCAL statement_timeout = 5000", True),
    ("LOCK TABLE budget", True),
    ("COPY (SELECT 1) TO STDOUT", True),
])
def test_only_a_plain_select_or_with_counts_as_reading(statement, writes):
    assert statement_writes(statement) is writes


@pytest.fixture
def endings(app):
    """How each request's transaction ended, with pages that read, write or fail."""
    ended = []
    engine = app.extensions["engine"]
    event.listen(engine, "commit", lambda _connection: ended.append("COMMIT"))
    event.listen(engine, "rollback", lambda _connection: ended.append("ROLLBACK"))

    @public
    def reads():
        return str(get_session().exec(select(func.count()).select_from(User)).one())

    @public
    def writes_then_refuses():
        # As a service that flushed part of a change and then refused, caught by its view.
        session = get_session()
        audit(session, action="test.half_written", actor=None)
        session.flush()
        return "refused", 400

    @public
    def writes_and_commits():
        session = get_session()
        audit(session, action="test.kept", actor=None)
        session.commit()
        return str(session.exec(select(func.count()).select_from(AuditLog)).one())

    @public
    def adds_without_flushing():
        audit(get_session(), action="test.never_flushed", actor=None)
        return "added"

    @public
    def reads_then_fails():
        get_session().exec(select(func.count()).select_from(User)).one()
        raise RuntimeError("something went wrong after reading")

    for view in (reads, writes_then_refuses, writes_and_commits, adds_without_flushing, reads_then_fails):
        app.add_url_rule(f"/test/{view.__name__}", view_func=view)
    return ended


def _actions(session) -> list[str]:
    return list(session.exec(select(AuditLog.action).order_by(AuditLog.id)))


def test_a_request_that_only_read_ends_with_commit(client, endings):
    assert client.get("/test/reads").status_code == 200
    assert endings == ["COMMIT"]


def test_a_write_the_view_did_not_commit_is_rolled_back(client, endings, session):
    assert client.get("/test/writes_then_refuses").status_code == 400
    assert endings == ["ROLLBACK"]
    assert _actions(session) == []


def test_an_object_added_but_not_flushed_is_never_written(client, endings, session):
    assert client.get("/test/adds_without_flushing").status_code == 200
    assert "COMMIT" not in endings
    assert _actions(session) == []


def test_a_request_that_failed_after_reading_ends_with_rollback(client, endings):
    with pytest.raises(RuntimeError):
        client.get("/test/reads_then_fails")
    assert endings == ["ROLLBACK"]


def test_reading_after_the_view_committed_ends_with_commit(client, endings, session):
    assert client.get("/test/writes_and_commits").get_data(as_text=True) == "1"
    assert endings == ["COMMIT", "COMMIT"]
    assert _actions(session) == ["test.kept"]


def test_postgresql_keeps_a_page_s_statements_prepared_from_request_to_request(app, client, endings, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("only psycopg prepares statements")
    for _ in range(7):  # psycopg prepares a statement on its fifth use
        client.get("/test/reads")
    with app.extensions["engine"].connect() as connection:  # the pool's one connection
        prepared = connection.execute(text("SELECT statement FROM pg_prepared_statements")).scalars().all()
    assert any('FROM "user"' in statement for statement in prepared)
