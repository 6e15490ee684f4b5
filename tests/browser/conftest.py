"""Browser tests: the real app served on 127.0.0.1 with demo data, driven by Debian's Chromium.

Without a Chromium they skip with a reason, unless REQUIRE_BROWSER=1 (as in CI), when they fail.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from sqlmodel import Session
from werkzeug.serving import make_server

from marketplace.demo import load_demo_data
from marketplace.factory import create_app
from tests.conftest import migrated_database

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def _find_chromium() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    candidates = [configured] if configured else [*CHROMIUM_CANDIDATES, shutil.which("chromium")]
    return next((path for path in candidates if path and Path(path).exists()), None)


@pytest.fixture(scope="session")
def chromium_path():
    path = _find_chromium()
    if path is None:
        message = "No Chromium found (install Debian's chromium package or set CHROMIUM_PATH)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; REQUIRE_BROWSER=1 says browser tests must run")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(chromium_path):
    return {"executable_path": chromium_path, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def live_database_url(tmp_path_factory):
    """Its own database, apart from the one the other tests empty after each test."""
    with migrated_database(tmp_path_factory, "live") as url:
        yield url


@pytest.fixture(scope="session")
def live_server(live_database_url, chromium_path):
    """The app with CSRF on, as people use it, serving the demo data."""
    app = create_app({"APP_ENV": "test", "DATABASE_URL": live_database_url, "WTF_CSRF_ENABLED": True})
    with Session(app.extensions["engine"], expire_on_commit=False) as session:
        load_demo_data(session)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["engine"].dispose()
