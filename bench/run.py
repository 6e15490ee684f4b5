"""One benchmark run: for each scale, a fresh database, data, SQL counts, then load."""

import contextlib
import importlib.metadata
import os
import platform
import secrets
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import data, report, writepath
from bench.load import LoadGenerator
from bench.pages import VISITORS, Page
from bench.server import APP_TARGET, FLOOR_TARGET, Server
from bench.sqlcount import count_statements
from bench.visitors import HttpBrowser, prepare
from marketplace import migrate
from marketplace.storage import make_engine, normalise_database_url

# The floor is measured before the first page and again after every this many pages.
PAGES_BETWEEN_FLOORS = 6

PACKAGES = ["flask", "werkzeug", "jinja2", "sqlalchemy", "sqlmodel", "gunicorn", "psycopg"]


@contextlib.contextmanager
def scratch_database(server_url: str | None, scale: str, work_dir: Path) -> Iterator[str]:
    """A new, empty database for one scale: a SQLite file, or on the PostgreSQL server that
    `server_url` names a database of our own, dropped afterwards."""
    if not server_url:
        yield f"sqlite:///{work_dir / f'bench-{scale}.sqlite3'}"
        return
    admin = create_engine(normalise_database_url(server_url), isolation_level="AUTOCOMMIT")
    name = f"bench_{os.getpid()}_{scale}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _database_version(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        return f"SQLite {sqlite3.sqlite_version}"
    engine = create_engine(normalise_database_url(database_url))
    with engine.connect() as connection:
        version = connection.execute(text("SHOW server_version")).scalar_one()
    engine.dispose()
    return f"PostgreSQL {version}"


def _machine(database: str) -> dict:
    cpu = platform.processor() or "unknown CPU"
    memory = "unknown memory"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB memory"
                break
    packages = {}
    for package in PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            packages[package] = importlib.metadata.version(package)
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory": memory, "system": platform.platform(),
        "python": platform.python_version(), "packages": packages, "database": database,
        "load_average_before": _load_average(),
    }


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run_scale(*, scale: data.Scale, database_url: str, pages: list[Page], settings: dict,
              work_dir: Path, say) -> dict:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        say(f"[{scale.name}] generating data …")
        dataset = data.generate(engine, scale)
    finally:
        engine.dispose()
    say(f"[{scale.name}] {dataset.rows} in {dataset.seconds:.1f} s; counting SQL per page …")
    secret_key = secrets.token_hex(32)
    statements = count_statements(database_url=database_url, secret_key=secret_key,
                                  pages=pages, path_values=dataset.path_values)
    say(f"[{scale.name}] starting the floor and the app …")

    duration, warmup = settings["duration"], settings["warmup"]
    server_settings = {"database_url": database_url, "secret_key": secret_key,
                       "workers": settings["workers"]}
    page_results = []
    with contextlib.ExitStack() as stack:
        floor = Server(FLOOR_TARGET, log_path=work_dir / "floor.log", **server_settings)
        app_server = Server(APP_TARGET, log_path=work_dir / "app.log", **server_settings)
        for server in (floor, app_server):  # both boot at once
            server.start()
            stack.push(server.__exit__)
        for server in (floor, app_server):
            server.wait_until_healthy()
        load = stack.enter_context(LoadGenerator(
            concurrency=settings["concurrency"], processes=settings["load_processes"],
            warmup=warmup, duration=duration))
        say(f"[{scale.name}] servers up; signing visitors in …")
        visitors = sorted({page.visitor for page in pages})
        browsers = {visitor: HttpBrowser(app_server.port) for visitor in visitors}
        with ThreadPoolExecutor() as preparing:  # password checks are slow by design
            list(preparing.map(
                lambda visitor: prepare(browsers[visitor], VISITORS[visitor], dataset.path_values),
                visitors))
        say(f"[{scale.name}] floor …")
        floors = [report.figures(load.drive(floor.port, "/", None))]
        samples, floor_of = {}, {}
        for index, page in enumerate(pages):
            say(f"[{scale.name}] {page.name} …")
            samples[page.name] = load.drive(app_server.port, page.url(dataset.path_values),
                                            browsers[page.visitor].cookie_header())
            floor_of[page.name] = len(floors) - 1  # the floor measured just before this page
            if (index + 1) % PAGES_BETWEEN_FLOORS == 0 or index + 1 == len(pages):
                say(f"[{scale.name}] floor again …")
                floors.append(report.figures(load.drive(floor.port, "/", None)))

    floor_rps = sum(floor["rps"] for floor in floors) / len(floors)
    for page in pages:
        result = {
            "name": page.name, "visitor": page.visitor, "path": page.path,
            "url": page.url(dataset.path_values),
            **report.figures(samples[page.name]),
            "sql_statements": statements[page.name]["statements"],
            "in_process_status": statements[page.name]["status"],
            "in_process_ms": statements[page.name]["in_process_ms"],
        }
        # The floor measured just before and just after the page: the machine's speed drifts
        # within a run (one run's floor went from 737 to 486 requests a second).
        before = floor_of[page.name]
        result["floor_rps"] = round((floors[before]["rps"] + floors[before + 1]["rps"]) / 2, 1)
        result["ratio_to_floor"] = round(result["rps"] / result["floor_rps"], 4) if result["floor_rps"] else 0.0
        result["verdicts"] = report.page_verdicts(result)
        page_results.append(result)
    return {
        "dataset": {"rows": dataset.rows, "seconds": round(dataset.seconds, 1),
                    "path_values": dataset.path_values},
        "floor": {"rps": round(floor_rps, 1), "before": floors[0], "after": floors[-1],
                  "measured": [floor["rps"] for floor in floors]},
        "pages": page_results,
        "sql": {name: counted["sql"] for name, counted in statements.items()},
    }


def run(*, scales: list[str], database_url: str | None, pages: list[Page], settings: dict,
        output_dir: Path, note: str | None, say=print) -> dict:
    started = time.monotonic()
    results = {}
    write_path = None
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        work_dir = Path(scratch)
        machine = None
        for scale_name in scales:
            with scratch_database(database_url, scale_name, work_dir) as url:
                if machine is None:
                    machine = _machine(_database_version(url))
                results[scale_name] = run_scale(
                    scale=data.SCALES[scale_name], database_url=url, pages=pages,
                    settings=settings, work_dir=work_dir, say=say)
                if write_path is None and not url.startswith("sqlite"):
                    say(f"[{scale_name}] write path: {writepath.ATTEMPTS} concurrent commitments …")
                    write_path = writepath.concurrent_commitments(url)
    machine["load_average_after"] = _load_average()
    full_report = {
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "seconds": round(time.monotonic() - started, 1),
        "machine": machine,
        "settings": settings,
        "note": note,
        "scales": results,
        "comparison": report.compare_scales(results),
        "write_path": write_path,
        "write_path_skipped": "Not run: the write-path check needs PostgreSQL (BENCH_DATABASE_URL).",
    }
    json_path, markdown_path = report.write(full_report, output_dir)
    say(f"Wrote {markdown_path} and {json_path}")
    return full_report
