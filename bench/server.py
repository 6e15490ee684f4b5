"""Serve the app (or the floor) with gunicorn and production settings, for one run."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from marketplace.config import PROJECT_ROOT

APP_TARGET = "app:app"
FLOOR_TARGET = "bench.floor:floor_app_from_environment()"
START_TIMEOUT_SECONDS = 60


def default_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A gunicorn process on 127.0.0.1: start(), wait_until_healthy(), and stop with __exit__."""

    def __init__(self, target: str, *, database_url: str, secret_key: str, workers: int,
                 log_path: Path):
        self.target = target
        self.port = free_port()
        self.log_path = log_path
        self.command = [
            sys.executable, "-m", "gunicorn",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers),
            # Threaded workers keep connections alive between requests, as behind a proxy;
            # one thread each, so a worker runs one request at a time like a sync worker.
            "--worker-class", "gthread", "--threads", "1",
            "--keep-alive", "30",
            "--graceful-timeout", "5",
            # Measure slow pages rather than kill them: the default 30 s would cut a long CSV.
            "--timeout", "300",
            "--log-level", "warning",
            target,
        ]
        self.environment = {
            **os.environ,
            "APP_ENV": "production",
            "SECRET_KEY": secret_key,
            "DATABASE_URL": database_url,
            # Production refuses per-worker rate-limit counts with several workers: share them in
            # Redis as production does (RATELIMIT_STORAGE_URI picks another store).
            **({"WEB_CONCURRENCY": "1"} if workers == 1 else
               {"RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")}),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command, cwd=PROJECT_ROOT, env=self.environment,
            stdout=self._log, stderr=subprocess.STDOUT,
        )

    def __exit__(self, *_exc) -> None:
        """Stop the server (the signature lets an ExitStack call it)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn for {self.target} stopped; see {self.log_path}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn for {self.target} did not answer in time; see {self.log_path}")
