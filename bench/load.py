"""The load generator: keep-alive HTTP clients (stdlib http.client) in threads, spread over a
few processes so the clients are not held back by one interpreter lock."""

import http.client
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from bench.visitors import PROXY_HEADERS


@dataclass
class Sample:
    """What the clients saw while a page was driven (after the warm-up)."""

    latencies: list[float] = field(default_factory=list)  # seconds, one per answered request
    failures: dict[str, int] = field(default_factory=dict)  # "status 500", "connection" …
    connections: int = 0
    body_bytes: int = 0
    # From the end of the warm-up to the last measured answer: the time the requests took.
    elapsed: float = 0.0

    def merge(self, other: "Sample") -> None:
        self.elapsed = max(self.elapsed, other.elapsed)
        self.latencies.extend(other.latencies)
        for reason, count in other.failures.items():
            self.failures[reason] = self.failures.get(reason, 0) + count
        self.connections += other.connections
        self.body_bytes += other.body_bytes


# Every client waits for this many answers, however long they take, so a page slower than
# the measuring time is still measured (its throughput is then answers over time taken).
MIN_ANSWERS_PER_CLIENT = 2


def _client(port: int, path: str, headers: dict, measure_from: float, stop_at: float,
            sample: Sample, lock: threading.Lock) -> None:
    mine = Sample()
    connection = None
    measured = 0
    while True:
        started = time.monotonic()
        if started >= stop_at and measured >= MIN_ANSWERS_PER_CLIENT:
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
                measured += 1
                mine.failures["connection"] = mine.failures.get("connection", 0) + 1
            continue
        if started < measure_from:
            continue
        measured += 1
        mine.elapsed = finished - measure_from
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
