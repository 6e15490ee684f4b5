"""The load generator: keep-alive HTTP clients (stdlib http.client) in threads, spread over a
few processes so the clients are not held back by one interpreter lock."""

import http.client
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

USER_AGENT = "care-budget-bench/1"
# The app runs behind a proxy that ends TLS; the clients say what that proxy would say.
PROXY_HEADERS = {"User-Agent": USER_AGENT, "X-Forwarded-Proto": "https"}


class SignInFailed(RuntimeError):
    pass


class CsrfTokenFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name") == "csrf_token":
            self.token = attributes.get("value")


def _cookies_from(response: http.client.HTTPResponse, jar: dict) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            jar[name] = morsel.value


def _cookie_header(jar: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the real form (CSRF token and all); return the Cookie header to send.

    Each sign-in starts a new session and ends the account's previous one, so the harness
    signs each role in once per server and every client shares that cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    jar: dict[str, str] = {}
    connection.request("GET", "/sign-in", headers=PROXY_HEADERS)
    response = connection.getresponse()
    finder = CsrfTokenFinder()
    finder.feed(response.read().decode())
    _cookies_from(response, jar)
    if response.status != 200 or not finder.token:
        raise SignInFailed(f"the sign-in form answered {response.status} without a CSRF token")
    body = urlencode({"email": email, "password": password, "csrf_token": finder.token})
    connection.request("POST", "/sign-in", body=body, headers={
        **PROXY_HEADERS,
        # Over HTTPS, CSRF protection also checks the form came from this site.
        "Referer": f"https://127.0.0.1:{port}/sign-in",
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": _cookie_header(jar),
    })
    response = connection.getresponse()
    response.read()
    _cookies_from(response, jar)
    connection.close()
    if response.status != 302 or "/sign-in" in (response.getheader("Location") or ""):
        raise SignInFailed(f"signing in as {email} answered {response.status}")
    return _cookie_header(jar)


@dataclass
class Sample:
    """What the clients saw while a page was driven (after the warm-up)."""

    latencies: list[float] = field(default_factory=list)  # seconds, one per answered request
    failures: dict[str, int] = field(default_factory=dict)  # "status 500", "connection" …
    connections: int = 0
    body_bytes: int = 0

    def merge(self, other: "Sample") -> None:
        self.latencies.extend(other.latencies)
        for reason, count in other.failures.items():
            self.failures[reason] = self.failures.get(reason, 0) + count
        self.connections += other.connections
        self.body_bytes += other.body_bytes


def _client(port: int, path: str, headers: dict, measure_from: float, stop_at: float,
            sample: Sample, lock: threading.Lock) -> None:
    mine = Sample()
    connection = None
    while True:
        started = time.monotonic()
        if started >= stop_at:
            break
        try:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                mine.connections += 1
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            finished = time.monotonic()
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException):
            if connection is not None:
                connection.close()
            connection = None
            if started >= measure_from:
                mine.failures["connection"] = mine.failures.get("connection", 0) + 1
            continue
        if started < measure_from:
            continue
        if response.status == 200:
            mine.latencies.append(finished - started)
            mine.body_bytes += len(body)
        else:
            reason = f"status {response.status}"
            mine.failures[reason] = mine.failures.get(reason, 0) + 1
    if connection is not None:
        connection.close()
    with lock:
        sample.merge(mine)


def _drive_in_this_process(port: int, path: str, cookie: str | None, threads: int,
                           start_at: float, warmup: float, duration: float) -> Sample:
    headers = {**PROXY_HEADERS, "Connection": "keep-alive"}
    if cookie:
        headers["Cookie"] = cookie
    sample, lock = Sample(), threading.Lock()
    measure_from = start_at + warmup
    stop_at = measure_from + duration
    pause = start_at - time.monotonic()
    if pause > 0:
        time.sleep(pause)
    clients = [
        threading.Thread(target=_client,
                         args=(port, path, headers, measure_from, stop_at, sample, lock))
        for _ in range(threads)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    return sample


class LoadGenerator:
    """`concurrency` clients spread over up to `processes` processes; reuse for every page."""

    def __init__(self, *, concurrency: int, processes: int, warmup: float, duration: float):
        self.concurrency = concurrency
        self.processes = max(1, min(processes, concurrency))
        self.warmup = warmup
        self.duration = duration
        self._pool = ProcessPoolExecutor(max_workers=self.processes)

    def __enter__(self) -> "LoadGenerator":
        return self

    def __exit__(self, *_exc) -> None:
        self._pool.shutdown()

    def drive(self, port: int, path: str, cookie: str | None) -> Sample:
        shares = [self.concurrency // self.processes] * self.processes
        for index in range(self.concurrency % self.processes):
            shares[index] += 1
        # Every process starts its clients at the same moment, a little after this one.
        start_at = time.monotonic() + 0.3
        futures = [
            self._pool.submit(_drive_in_this_process, port, path, cookie, threads,
                              start_at, self.warmup, self.duration)
            for threads in shares
        ]
        total = Sample()
        for future in futures:
            total.merge(future.result())
        return total
