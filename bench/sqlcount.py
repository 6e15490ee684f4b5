"""SQL statements per request, counted in-process: the app with production settings, the
Flask test client, and a SQLAlchemy before_cursor_execute listener on the app's engine."""

from sqlalchemy import event

from bench.pages import VISITORS, Page
from bench.visitors import TestClientBrowser, prepare
from marketplace import create_app


def _counts_as_statement(statement: str) -> bool:
    # BEGIN IMMEDIATE is how SQLite starts each transaction here; PostgreSQL's driver starts
    # them without a statement. Leaving it out counts the same work the same on both.
    return not statement.lstrip().upper().startswith("BEGIN")


def count_statements(*, database_url: str, secret_key: str, pages: list[Page],
                     path_values: dict) -> dict[str, dict]:
    """For each page: the status and the statements of its second request (the first may
    warm caches that every later request finds warm)."""
    app = create_app({"APP_ENV": "production", "SECRET_KEY": secret_key,
                      "DATABASE_URL": database_url})
    statements: list[str] = []

    @event.listens_for(app.extensions["engine"], "before_cursor_execute")
    def _count(_connection, _cursor, statement, *_args):
        if _counts_as_statement(statement):
            statements.append(statement)

    browsers = {}
    results = {}
    try:
        for page in pages:
            if page.visitor not in browsers:
                browsers[page.visitor] = TestClientBrowser(app)
                prepare(browsers[page.visitor], VISITORS[page.visitor], path_values)
            browser = browsers[page.visitor]
            url = page.url(path_values)
            browser.get(url)
            statements.clear()
            status, _, _ = browser.get(url)
            results[page.name] = {"status": status, "statements": len(statements),
                                  "sql": list(statements)}
    finally:
        app.extensions["engine"].dispose()
    return results
