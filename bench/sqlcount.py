"""The in-process pass: the app with production settings and the Flask test client. For each
page it counts SQL statements per request (a SQLAlchemy before_cursor_execute listener) and
splits the time of a request into SQL, template rendering and the rest, so a slow page
says where its time goes."""

import time

from flask import before_render_template, template_rendered
from sqlalchemy import event

from bench.pages import VISITORS, Page
from bench.visitors import TestClientBrowser, prepare
from marketplace.factory import create_app

# Timed requests per page: up to this many, within about this many seconds (at least one).
TIMED_REQUESTS, TIMING_SECONDS = 5, 2.0


def _counts_as_statement(statement: str) -> bool:
    # BEGIN IMMEDIATE is how SQLite starts each transaction here; PostgreSQL's driver starts
    # them without a statement. Leaving it out counts the same work the same on both.
    return not statement.lstrip().upper().startswith("BEGIN")


class _Stopwatch:
    def __init__(self):
        self.statements: list[str] = []
        self.sql_seconds = 0.0
        self.render_seconds = 0.0
        self.sql_while_rendering = 0.0  # lazy loads inside a template: SQL, not rendering
        self._sql_started: list[float] = []
        self._render_started: list[float] = []

    def reset(self) -> None:
        self.statements.clear()
        self.sql_seconds = self.render_seconds = self.sql_while_rendering = 0.0

    def before_sql(self, _connection, _cursor, statement, *_args):
        if _counts_as_statement(statement):
            self.statements.append(statement)
        self._sql_started.append(time.perf_counter())

    def after_sql(self, *_args):
        seconds = time.perf_counter() - self._sql_started.pop()
        self.sql_seconds += seconds
        if self._render_started:
            self.sql_while_rendering += seconds

    def before_render(self, *_args, **_kwargs):
        self._render_started.append(time.perf_counter())

    def after_render(self, *_args, **_kwargs):
        started = self._render_started.pop()
        if not self._render_started:  # form widgets render templates inside the page's own
            self.render_seconds += time.perf_counter() - started


def count_statements(*, database_url: str, secret_key: str, pages: list[Page],
                     path_values: dict) -> dict[str, dict]:
    """For each page: the status and statements of its second request (the first may warm
    caches every later request finds warm), then the mean time of a few more."""
    # One app in this one process: its own rate-limit counts are the only ones.
    app = create_app({"APP_ENV": "production", "SECRET_KEY": secret_key,
                      "DATABASE_URL": database_url, "WEB_CONCURRENCY": "1"})
    watch = _Stopwatch()
    engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", watch.before_sql)
    event.listen(engine, "after_cursor_execute", watch.after_sql)
    before_render_template.connect(watch.before_render, app)
    template_rendered.connect(watch.after_render, app)

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
            watch.reset()
            status, _, _ = browser.get(url)
            statements = list(watch.statements)
            watch.reset()
            started, timed = time.perf_counter(), 0
            while timed < TIMED_REQUESTS and (not timed or time.perf_counter() - started < TIMING_SECONDS):
                browser.get(url)
                timed += 1
            total = (time.perf_counter() - started) / timed
            sql = watch.sql_seconds / timed
            render = (watch.render_seconds - watch.sql_while_rendering) / timed
            results[page.name] = {
                "status": status, "statements": len(statements), "sql": statements,
                "in_process_ms": {"total": round(total * 1000, 1), "sql": round(sql * 1000, 1),
                                  "templates": round(render * 1000, 1),
                                  "other": round((total - sql - render) * 1000, 1)},
            }
    finally:
        before_render_template.disconnect(watch.before_render, app)
        template_rendered.disconnect(watch.after_render, app)
        engine.dispose()
    return results
