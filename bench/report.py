"""bench/REPORT.md: the machine, the dataset, the targets, each page under load with its
ratio to the ceiling, each page's SQL statements in-process, and the findings written by
hand in bench/FINDINGS.md (why a target is missed, what a profile showed, what changed).
"""

from __future__ import annotations

import os
import platform
import re
import sqlite3
import statistics
from datetime import UTC, datetime
from pathlib import Path

from bench.targets import BackendRun, Target, mark
from bench.wsgi import CEILING_URL

ROOT = Path(__file__).resolve().parent.parent
FINDINGS = ROOT / "bench" / "FINDINGS.md"
LOAD_HEADER = "page|path|reader|req/s|p50 ms|p99 ms|ratio to ceiling|errors|SQL".split("|")


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    return found.group(1).strip() if found else platform.machine()


def ram_gib() -> float:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return 0.0
    found = re.search(r"^MemTotal:\s+(\d+) kB", text, re.M)
    return int(found.group(1)) / 2**20 if found else 0.0


def postgres_version(database_url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(text("SHOW server_version"))
    finally:
        engine.dispose()


def machine(*, load_tool: str, postgres_url: str | None) -> list[tuple[str, str]]:
    """(label, value) pairs describing where the numbers come from."""
    import gunicorn

    rows = [
        ("CPU", f"{cpu_model()}, {os.cpu_count()} cores"),
        ("RAM", f"{ram_gib():.1f} GiB"),
        ("System", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
    ]
    if postgres_url:
        rows.append(("PostgreSQL", postgres_version(postgres_url)))
    rows += [
        ("Server", f"gunicorn {gunicorn.__version__}, 2 sync workers, 127.0.0.1"),
        ("Load", load_tool),
        ("Load average at start", " ".join(f"{n:.2f}" for n in os.getloadavg())),
        ("Date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    return rows


def _table(header: list[str], rows: list[list[str]], right: int = 0) -> list[str]:
    """A markdown table; the last ``right`` columns are aligned right."""
    align = ["---"] * (len(header) - right) + ["---:"] * right
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _who(who: str) -> str:
    return f"as {who}" if who else "logged out"


def _load_section(run: BackendRun) -> list[str]:
    ceilings = run.ceilings
    rows = []
    if ceilings:
        rows.append(
            [
                f"**ceiling** (mean of {len(ceilings)} runs)",
                f"`{CEILING_URL}`",
                "logged out",
                f"{run.ceiling_rps:,.0f}",
                f"{statistics.median(c.p50_ms for c in ceilings):.1f}",
                f"{statistics.median(c.p99_ms for c in ceilings):.1f}",
                "100%",
                str(sum(c.errors for c in ceilings)),
                "0",
            ]
        )
    for measured in run.loads:
        cost = run.cost(measured.page.label, measured.who)
        result = measured.result
        rows.append(
            [
                measured.page.label,
                f"`{measured.page.path}`",
                _who(measured.who),
                f"{result.rps:,.0f}",
                f"{result.p50_ms:.1f}",
                f"{result.p99_ms:.1f}",
                f"**{run.ratio(measured):.1%}**",
                str(result.errors),
                str(cost.queries) if cost else "",
            ]
        )
    memory = ", ".join(f"{mb:.0f} MB" for mb in run.workers_mb) or "not measured"
    rates = [c.rps for c in ceilings]
    span = f"from {min(rates):,.0f} to {max(rates):,.0f} requests/s" if rates else "never"
    search = f", search: {run.search_backend}" if run.search_backend else ""
    return [
        f"### {run.name}{search}",
        "",
        *_table(LOAD_HEADER, rows, right=6),
        "",
        f"The ceiling ran before the first page and after each page, {span}; a page's ratio "
        "is to the mean of the ceiling's runs just before and after it (its p50 and p99 here "
        f"are the medians of its runs). Workers' resident memory after the run (VmRSS): "
        f"{memory}.",
        "",
    ]


def _cost_section(runs: list[BackendRun]) -> list[str]:
    keys = []
    for run in runs:
        for cost in run.costs:
            if (cost.page.label, cost.who) not in keys:
                keys.append((cost.page.label, cost.who))
    header = ["page", "reader"]
    for run in runs:
        header += [f"SQL ({run.name})", f"p50 ms ({run.name})", f"CPU ms ({run.name})"]
    rows = []
    for label, who in keys:
        row = [label, _who(who)]
        for run in runs:
            cost = run.cost(label, who)
            flag = "" if cost is None or cost.status == 200 else f" (HTTP {cost.status})"
            row += (
                [f"{cost.queries}{flag}", f"{cost.p50_ms:.1f}", f"{cost.cpu_ms:.1f}"]
                if cost
                else ["", "", ""]
            )
        rows.append(row)
    return _table(header, rows, right=3 * len(runs))


def render(
    *,
    machine_rows: list[tuple[str, str]],
    runs: list[BackendRun],
    targets: list[Target],
    geojson_cases: list,
    settings: str,
    duration_s: float,
    rounds: int,
) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand — findings go in "
        "bench/FINDINGS.md, which is copied at the end. Absolute numbers belong to this "
        "machine; **the ratios to the ceiling are what compare across machines**: the "
        "ceiling is a route of the same app, served by the same workers in the same run, "
        "that answers the topic page's bytes from memory.",
        "",
        "## Machine",
        "",
        *[f"- {label}: {value}" for label, value in machine_rows],
        f"- Settings: {settings}",
        f"- This run took {duration_s / 60:.1f} minutes.",
        "",
        "## Dataset",
        "",
    ]
    labels = list(dict.fromkeys(label for run in runs for label in run.counts))
    lines += _table(
        ["", *[run.name for run in runs]],
        [[label, *[f"{run.counts.get(label, 0):,}" for run in runs]] for label in labels],
        right=len(runs),
    )
    lines += ["", "## Targets", ""]
    lines += _table(
        ["target", "where", "", "measured"],
        [[t.name, t.where, mark(t), t.value] for t in targets],
        right=1,
    )
    lines += [
        "",
        "Search is judged on the in-process p50 (one request, no queue, no load generator "
        "sharing the CPUs); its p50 under load is in the tables below. The GeoJSON figure is "
        "the slower median of bench/geojson.py's HTTP cases.",
        "",
        "## Under load",
        "",
        "Each page loaded for the same time by the same number of connections as there are "
        "workers; *SQL* is the statements one request issues (counted in-process).",
        "",
    ]
    for run in runs:
        lines += _load_section(run)
    lines += [
        "## In-process",
        "",
        "Through the Flask test client (no server, no network): the SQL statements one "
        f"request issues, after a warm-up request; then of {rounds} more, the median wall "
        "time and the least CPU time (this process's: what a change to the code moves, "
        "and what other work on the machine disturbs least).",
        "",
        *_cost_section(runs),
        "",
        "## Map GeoJSON (bench/geojson.py, 10,000 events, SQLite)",
        "",
        *_table(
            ["case", "min ms", "median ms", "p95 ms", "CPU min ms", "features / total"],
            [
                [
                    c.label,
                    f"{c.least:.1f}",
                    f"{c.median:.1f}",
                    f"{c.p95:.1f}",
                    f"{c.cpu:.1f}",
                    f"{c.shown:,} / {c.total:,}",
                ]
                for c in geojson_cases
            ],
            right=5,
        ),
        "",
    ]
    if FINDINGS.exists():
        lines += [FINDINGS.read_text().strip(), ""]
    return "\n".join(lines)
