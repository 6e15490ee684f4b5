"""SQL statements per request, counted in-process: the app with production settings, the
Flask test client, and a SQLAlchemy before_cursor_execute listener on the app's engine."""

from sqlalchemy import event

from bench.load import CsrfTokenFinder
from bench.pages import DEMO_ACCOUNTS, Page
from marketplace import create_app
from marketplace.demo import DEMO_PASSWORD


def _counts_as_statement(statement: str) -> bool:
    # BEGIN IMMEDIATE is how SQLite starts each transaction here; PostgreSQL's driver starts
    # them without a statement. Leaving it out counts the same work the same on both.
    return not statement.lstrip().upper().startswith("BEGIN")


# Production cookies are Secure and CSRF checks the referrer over HTTPS, so the test client
# speaks HTTPS like the proxy in front of the app would.
SITE = "https://localhost"


def _signed_in_client(app, email: str):
    client = app.test_client()
    finder = CsrfTokenFinder()
    finder.feed(client.get("/sign-in", base_url=SITE).get_data(as_text=True))
    response = client.post("/sign-in", base_url=SITE, headers={"Referer": f"{SITE}/sign-in"},
                           data={"email": email, "password": DEMO_PASSWORD,
                                 "csrf_token": finder.token})
    if response.status_code != 302:
        raise RuntimeError(f"in-process sign-in as {email} answered {response.status_code}")
    return client


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

    clients = {}
    results = {}
    try:
        for page in pages:
            if page.role not in clients:
                clients[page.role] = (app.test_client() if page.role is None
                                      else _signed_in_client(app, DEMO_ACCOUNTS[page.role]))
            client = clients[page.role]
            url = page.url(path_values)
            client.get(url, base_url=SITE)
            statements.clear()
            response = client.get(url, base_url=SITE)
            results[page.name] = {"status": response.status_code, "statements": len(statements),
                                  "sql": list(statements)}
    finally:
        app.extensions["engine"].dispose()
    return results
