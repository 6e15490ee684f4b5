"""The Flask side of the database: the app's engine and one session per request.

The engine itself, and row locking, live in marketplace.storage (no Flask), so rules and
command-line tasks use them without an app.
"""

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine
from sqlmodel import Session

from marketplace.audit import CLIENT_ADDRESS
from marketplace.storage import make_engine, only_read


def init_app(app: Flask) -> None:
    app.extensions["engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["engine"]


def get_session() -> Session:
    """The request's session: made on first use, closed (rolled back if uncommitted) at teardown."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
        if has_request_context():
            # Audit entries written in this request record where it came from.
            g.db_session.info[CLIENT_ADDRESS] = request.remote_addr
    return g.db_session


def _close_session(exc=None) -> None:
    """End the request's transaction. One that only read ends with COMMIT, which for the
    database is the same as ROLLBACK; psycopg keeps its prepared statements over a COMMIT but
    drops them all at a ROLLBACK, and without them PostgreSQL plans every statement again on
    every request (planning cost more than running on most pages). Anything else, or any
    request that failed, rolls back as before."""
    session = g.pop("db_session", None)
    if session is None:
        return
    if exc is None and only_read(session):
        session.commit()
    session.close()
