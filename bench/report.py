"""Figures from samples, targets met or missed, and the report (Markdown and JSON)."""

import json
import math
from pathlib import Path

from bench.load import Sample

MIN_RATIO_TO_FLOOR = 0.25
MAX_P95_GROWTH = 1.5
MAX_STATEMENTS = 10
MAX_IN_PROCESS_MS = 15  # at the larger scale
MAX_TEMPLATES_MS = 3  # at every scale
WRITE_PATH_MAX_P95_MS = 250


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of values already sorted."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def figures(sample: Sample) -> dict:
    latencies = sorted(sample.latencies)
    return {
        "requests": len(latencies),
        "seconds": round(sample.elapsed, 2),
        "rps": round(len(latencies) / sample.elapsed, 2) if sample.elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "failures": dict(sample.failures),
        "connections": sample.connections,
        "mean_body_bytes": round(sample.body_bytes / len(latencies)) if latencies else 0,
    }


def page_verdicts(page: dict) -> dict:
    """Targets that can be judged from one scale alone."""
    return {
        "ratio_to_floor": "met" if page["ratio_to_floor"] >= MIN_RATIO_TO_FLOOR else "missed",
        "sql_statements": "met" if page["sql_statements"] <= MAX_STATEMENTS else "missed",
        "templates": "met" if page["in_process_ms"]["templates"] <= MAX_TEMPLATES_MS else "missed",
        "answers": ("met" if page["requests"] and not page["failures"]
                    and page["in_process_status"] == 200 else "missed"),
    }


def compare_scales(scales: dict) -> list[dict]:
    """Each page at the smallest and largest scale run, with the growth of its p95."""
    names = list(scales)
    if len(names) < 2:
        return []
    smaller, larger = scales[names[0]], scales[names[-1]]
    larger_pages = {page["name"]: page for page in larger["pages"]}
    rows = []
    for page in smaller["pages"]:
        other = larger_pages.get(page["name"])
        if other is None:
            continue
        growth = round(other["p95_ms"] / page["p95_ms"], 2) if page["p95_ms"] else math.nan
        verdicts = {
            "ratio_to_floor": _all_met(page, other, "ratio_to_floor"),
            "sql_statements": _all_met(page, other, "sql_statements"),
            "templates": _all_met(page, other, "templates"),
            "answers": _all_met(page, other, "answers"),
            "p95_growth": "met" if growth <= MAX_P95_GROWTH else "missed",
            "in_process": "met" if other["in_process_ms"]["total"] <= MAX_IN_PROCESS_MS else "missed",
        }
        rows.append({
            "name": page["name"], "smaller": names[0], "larger": names[-1],
            "ratio_to_floor": [page["ratio_to_floor"], other["ratio_to_floor"]],
            "p95_ms": [page["p95_ms"], other["p95_ms"]],
            "p95_growth": growth,
            "sql_statements": [page["sql_statements"], other["sql_statements"]],
            "in_process_ms": other["in_process_ms"]["total"],
            "verdicts": verdicts,
            "all_met": all(verdict == "met" for verdict in verdicts.values()),
        })
    return rows


def _all_met(page: dict, other: dict, target: str) -> str:
    both = (page["verdicts"][target], other["verdicts"][target])
    return "met" if both == ("met", "met") else "missed"


def write(report: dict, output_dir: Path) -> tuple[Path, Path]:
    output_dir.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = output_dir / "results.json", output_dir / "results.md"
    json_path.write_text(json.dumps(report, indent=2, sort_keys=False) + "\n")
    markdown_path.write_text(markdown(report))
    return json_path, markdown_path


def _ms(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.1f}"


def _failures(failures: dict) -> str:
    return ", ".join(f"{count} × {reason}" for reason, count in failures.items()) or "none"


def markdown(report: dict) -> str:
    machine, settings = report["machine"], report["settings"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {report['finished_at']} (UTC) with `python -m bench {settings['command_line']}`.",
        "",
        f"- Machine: {machine['cpu']} ({machine['cores']} cores), {machine['memory']}, "
        f"{machine['system']}; load average {machine['load_average_before']} before, "
        f"{machine['load_average_after']} after.",
        f"- Software: Python {machine['python']}, " + ", ".join(
            f"{name} {version}" for name, version in machine["packages"].items())
        + f"; database {machine['database']}.",
        f"- Server: gunicorn, {settings['workers']} workers (gthread, 1 thread each, keep-alive), "
        "APP_ENV=production with a secret key made for the run.",
        f"- Load: {settings['concurrency']} keep-alive clients (stdlib http.client) in "
        f"{settings['load_processes']} processes on the same machine; each page driven "
        f"{settings['duration']} s after a {settings['warmup']} s warm-up, and on until every "
        "client has had two answers (so a page slower than that is still measured: its "
        "throughput is answers over the time they took).",
        "- Throughput is a ratio to the floor (a bare Flask page: three indexed queries, a small "
        "template) served the same way on the same database and measured in the same run: before "
        "the first page and again after every few pages, as the machine's speed drifts within a "
        "run. Each page's ratio uses the mean of the floor measured just before and just after it.",
        "- SQL statements per request: the second request of each page in-process (test client, "
        "production settings), counted by a `before_cursor_execute` listener; SQLite's "
        "`BEGIN IMMEDIATE` is not counted, as PostgreSQL sends no statement to begin.",
    ]
    if report.get("note"):
        lines.append(f"- Note: {report['note']}")
    lines += ["", "## Targets", "",
              f"- every page ≥ {MIN_RATIO_TO_FLOOR} × the floor's throughput in the same run",
              f"- p95 grows ≤ {MAX_P95_GROWTH}× from the smaller to the larger scale",
              f"- ≤ {MAX_STATEMENTS} SQL statements per page at every scale",
              f"- ≤ {MAX_IN_PROCESS_MS} ms per page in-process at the larger scale, of which templates "
              f"≤ {MAX_TEMPLATES_MS} ms at every scale",
              f"- {report.get('write_path_target', 'write path: 50 concurrent commitments on PostgreSQL, exactly the room succeeds, p95 ≤ 250 ms, invariants hold')}",
              ""]

    comparison = report["comparison"]
    if comparison:
        smaller, larger = comparison[0]["smaller"], comparison[0]["larger"]
        lines += [f"## {smaller} vs {larger}", "",
                  f"| page | ratio to floor ({smaller} / {larger}) | p95 ms ({smaller} / {larger}) "
                  f"| p95 growth | SQL ({smaller} / {larger}) | in-process ms ({larger}) | targets |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for row in comparison:
            missed = [target for target, verdict in row["verdicts"].items() if verdict == "missed"]
            lines.append(
                f"| {row['name']} | {row['ratio_to_floor'][0]:.3f} / {row['ratio_to_floor'][1]:.3f} "
                f"| {_ms(row['p95_ms'][0])} / {_ms(row['p95_ms'][1])} | {row['p95_growth']:.2f}× "
                f"| {row['sql_statements'][0]} / {row['sql_statements'][1]} | {_ms(row['in_process_ms'])} "
                f"| {'all met' if not missed else 'missed: ' + ', '.join(missed)} |")
        lines.append("")

    for scale_name, scale in report["scales"].items():
        dataset, floor = scale["dataset"], scale["floor"]
        rows = ", ".join(f"{count:,} {table}" for table, count in dataset["rows"].items())
        lines += [f"## Scale `{scale_name}`", "",
                  f"Data: {rows} (generated and checked in {dataset['seconds']:.1f} s; "
                  f"invariants held).", "",
                  f"Floor: {floor['rps']:,.1f} requests/s on average, measured "
                  f"{', '.join(f'{rps:,.1f}' for rps in floor['measured'])} in turn; p95 "
                  f"{_ms(floor['before']['p95_ms'])} ms first, {_ms(floor['after']['p95_ms'])} ms last.", "",
                  "| page | visitor | path | answers in s | requests/s | floor requests/s | ratio to floor "
                  "| p50 ms | p95 ms | p99 ms | SQL | failures | targets |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for page in scale["pages"]:
            missed = [t for t, verdict in page["verdicts"].items() if verdict == "missed"]
            lines.append(
                f"| {page['name']} | {page['visitor']} | `{page['url']}` | "
                f"{page['requests']:,} in {page['seconds']:.1f} | "
                f"{page['rps']:,.1f} | {page['floor_rps']:,.1f} | {page['ratio_to_floor']:.3f} | "
                f"{_ms(page['p50_ms'])} | "
                f"{_ms(page['p95_ms'])} | {_ms(page['p99_ms'])} | {page['sql_statements']} | "
                f"{_failures(page['failures'])} | "
                f"{'met' if not missed else 'missed: ' + ', '.join(missed)} |")
        lines += ["", f"Where one request's time goes at `{scale_name}`, in-process (mean of up to "
                  "five requests, one at a time, no server or network; SQL is the time in the "
                  "driver's execute, so rows fetched later count as other Python):", "",
                  "| page | total ms | SQL ms | templates ms | other Python ms |",
                  "| --- | --- | --- | --- | --- |"]
        for page in scale["pages"]:
            split = page["in_process_ms"]
            lines.append(f"| {page['name']} | {_ms(split['total'])} | {_ms(split['sql'])} | "
                         f"{_ms(split['templates'])} | {_ms(split['other'])} |")
        lines.append("")

    write_path = report.get("write_path")
    lines += ["## Write path", ""]
    if write_path is None:
        lines.append(report.get("write_path_skipped", "Not run."))
    else:
        lines += [
            f"{write_path['attempts']} concurrent commitments of {write_path['amount_pence']} "
            f"pence against one budget with room for {write_path['room']}, through the ledger "
            f"on {write_path['database']} (threads, a connection each, all released at once), "
            f"{len(write_path['rounds'])} rounds:", "",
            f"- succeeded {write_path['succeeded']}, refused for lack of room "
            f"{write_path['refused']}, other errors {write_path['errors']}",
            f"- latency from the common start to each commit or refusal, in the round with the "
            f"median p95: p50 {_ms(write_path['p50_ms'])} ms, p95 {_ms(write_path['p95_ms'])} ms",
            "- every round (a new budget each): " + "; ".join(
                f"{r['succeeded']} succeeded, {r['refused']} refused, {r['errors']} errors, "
                f"p50 {_ms(r['p50_ms'])} ms, p95 {_ms(r['p95_ms'])} ms" for r in write_path["rounds"]),
            f"- invariants after: {'held' if not write_path['broken_invariants'] else '; '.join(write_path['broken_invariants'])}",
            f"- target: {write_path['verdict']}",
        ]
    lines.append("")
    return "\n".join(lines)
