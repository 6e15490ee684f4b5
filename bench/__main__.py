"""python -m bench: measure the main pages against a bare-Flask floor, at one or more scales."""

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

from bench.data import SCALES
from bench.pages import select_pages
from bench.run import run
from bench.server import default_workers


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", action="append", choices=list(SCALES),
                        help="data size; repeat to compare (default: small and large)")
    parser.add_argument("--duration", type=float, default=10.0,
                        help="seconds each page is measured for (default 10)")
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds of load before measuring each page (default: a fifth of "
                             "the duration, at most 2)")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="clients sending requests at once (default 8)")
    parser.add_argument("--load-processes", type=int, default=2,
                        help="processes the clients are spread over (default 2)")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="gunicorn workers (default 2 × cores + 1)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="a PostgreSQL server to make scratch databases on (default: "
                             "BENCH_DATABASE_URL, else SQLite files)")
    parser.add_argument("--pages", help="comma-separated page names (default: all)")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent,
                        help="where results.md and results.json go (default: bench/)")
    parser.add_argument("--note", help="a sentence for the report, e.g. what else the machine "
                                       "was doing")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    arguments = parse_arguments(argv)
    scales = arguments.scale or ["small", "large"]
    warmup = arguments.warmup if arguments.warmup is not None else min(2.0, arguments.duration / 5)
    pages = select_pages(arguments.pages.split(",") if arguments.pages else None)
    settings = {
        "command_line": shlex.join(arg for arg in argv if "://" not in arg),
        "scales": scales, "duration": arguments.duration, "warmup": warmup,
        "concurrency": arguments.concurrency, "load_processes": arguments.load_processes,
        "workers": arguments.workers,
    }
    started = time.monotonic()

    def say(message: str) -> None:
        print(f"{time.monotonic() - started:6.1f} s  {message}", flush=True)

    run(scales=scales, database_url=arguments.database_url, pages=pages, settings=settings,
        output_dir=arguments.output, note=arguments.note, say=say)
    return 0


if __name__ == "__main__":
    sys.exit(main())
