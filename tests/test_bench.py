"""The benchmark harness runs end to end at a tiny scale, so it cannot rot unnoticed.

Only the report's completeness is checked here: speed is judged by the harness, never by a test.
"""

import json
import math
import os

from bench import report
from bench.__main__ import main
from bench.pages import PAGES
from bench.run import PAGES_BETWEEN_FLOORS

FIGURES = ["rps", "p50_ms", "p95_ms", "p99_ms", "floor_rps", "ratio_to_floor", "sql_statements"]


def test_a_tiny_run_writes_a_complete_report(tmp_path):
    arguments = ["--scale", "tiny", "--duration", "0.5", "--workers", "1", "--concurrency", "2",
                 "--load-processes", "1", "--output", str(tmp_path)]
    if os.environ.get("TEST_DATABASE_URL"):
        arguments += ["--database-url", os.environ["TEST_DATABASE_URL"]]

    assert main(arguments) == 0

    report = json.loads((tmp_path / "results.json").read_text())
    tiny = report["scales"]["tiny"]
    assert tiny["floor"]["rps"] > 0
    # Before the first page, and after every few pages (the last included).
    assert len(tiny["floor"]["measured"]) == 1 + math.ceil(len(PAGES) / PAGES_BETWEEN_FLOORS)
    assert [page["name"] for page in tiny["pages"]] == [page.name for page in PAGES]
    for page in tiny["pages"]:
        assert page["requests"] > 0, page["name"]
        assert page["failures"] == {}, page["name"]
        assert page["in_process_status"] == 200, page["name"]
        assert all(page[figure] is not None for figure in FIGURES), page["name"]
    markdown = (tmp_path / "results.md").read_text()
    assert all(f"| {page.name} |" in markdown for page in PAGES)
    if os.environ.get("TEST_DATABASE_URL"):
        race = report["write_path"]
        assert race["broken_invariants"] == []
        assert [one["succeeded"] for one in race["rounds"]] == [race["room"]] * len(race["rounds"])


def _page(name, *, ratio, p95, statements, in_process=10.0, templates=2.0):
    page = {"name": name, "ratio_to_floor": ratio, "p95_ms": p95, "sql_statements": statements,
            "requests": 100, "failures": {}, "in_process_status": 200,
            "in_process_ms": {"total": in_process, "templates": templates}}
    page["verdicts"] = report.page_verdicts(page)
    return page


def test_small_and_large_are_compared_page_by_page_against_the_targets():
    scales = {
        "small": {"pages": [_page("steady", ratio=0.5, p95=20.0, statements=4),
                            _page("slows down", ratio=0.5, p95=20.0, statements=4),
                            _page("chatty", ratio=0.1, p95=20.0, statements=11),
                            _page("heavy", ratio=0.5, p95=20.0, statements=4, templates=4.0)]},
        "large": {"pages": [_page("steady", ratio=0.4, p95=29.0, statements=4),
                            _page("slows down", ratio=0.3, p95=40.0, statements=4),
                            _page("chatty", ratio=0.1, p95=20.0, statements=30),
                            _page("heavy", ratio=0.5, p95=20.0, statements=4, in_process=16.0)]},
    }

    rows = {row["name"]: row for row in report.compare_scales(scales)}

    assert rows["steady"]["all_met"]
    assert rows["slows down"]["p95_growth"] == 2.0
    assert rows["slows down"]["verdicts"]["p95_growth"] == "missed"
    assert rows["chatty"]["verdicts"]["ratio_to_floor"] == "missed"
    assert rows["chatty"]["verdicts"]["sql_statements"] == "missed"
    assert rows["chatty"]["sql_statements"] == [11, 30]
    assert rows["slows down"]["verdicts"]["ratio_to_floor"] == "met"
    assert rows["heavy"]["verdicts"]["templates"] == "missed"
    assert rows["heavy"]["verdicts"]["in_process"] == "missed"
    assert rows["heavy"]["in_process_ms"] == 16.0
