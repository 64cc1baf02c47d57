"""``make bench``: the load benchmark with a ceiling in the same run, and bench/REPORT.md.

    .venv/bin/python -m bench.run [--fresh] [--seconds 10] [--connections 2] [--posts 100000]
    BENCH_DATABASE_URL=postgresql+psycopg://… adds a run on PostgreSQL.

1. The dataset (dataset.py): ``space demo --size large``, built once and cached.
2. In-process (pages.py): the SQL statements and the latency of each page, logged out and in.
3. Under load (server.py, load.py): gunicorn with 2 sync workers serving bench/wsgi.py; the
   ceiling, then each page for ``--seconds`` logged out (the topic page and Discuss latest
   also signed in through the login form) followed by the ceiling again; then the workers'
   memory.
4. ``create_app`` start-up in fresh processes; the map's GeoJSON at 10,000 events
   (geojson.py); a profile of the slowest page (profile.py, when pyinstrument is there).
5. The targets (targets.py) and the report (report.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench import dataset, geojson, load, pages, report, server, targets, wsgi
from bench.profile import profile

ROOT = Path(__file__).resolve().parent.parent
STARTUP_RUNS = 7
IN_PROCESS_ROUNDS = 15


def log(message: str) -> None:
    print(message, flush=True)


def startup_seconds(env: dict[str, str], runs: int = STARTUP_RUNS) -> float:
    """Median time of ``create_app()`` in fresh processes, imports included, with compiled
    bytecode as a deployed server has it: PYTHONDONTWRITEBYTECODE (which this machine's
    environment may set) would make every process compile every module again. Bytecode goes
    to bench/.data/pycache, written by a first run that is not counted."""
    code = (
        "import time; t = time.perf_counter(); from space import create_app; "
        "create_app(); print(time.perf_counter() - t)"
    )
    environment = {**os.environ, **env, "PYTHONPYCACHEPREFIX": str(dataset.DATA / "pycache")}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    times = [
        float(
            subprocess.check_output(
                [sys.executable, "-c", code], cwd=ROOT, text=True, env=environment
            )
        )
        for _ in range(runs + 1)
    ]
    return statistics.median(times[1:])


@contextmanager
def app_on(data: dataset.Dataset):
    """The benchmarked app on ``data``, in-process; its connections closed afterwards."""
    from space.db import db

    with dataset.environment(data.env):
        app = wsgi.build()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def in_process(data: dataset.Dataset) -> tuple[list[pages.Page], list[pages.Cost], str]:
    """The pages chosen in ``data``, their in-process costs, and the search backend."""
    from space import search

    with app_on(data) as app:
        chosen = pages.choose(app)
        costs = pages.measure(app, chosen + pages.CORE_PAGES, rounds=IN_PROCESS_ROUNDS)
        return chosen, costs, search.backend_name(app)


def under_load(data: dataset.Dataset, run: targets.BackendRun, chosen, args, wrk) -> None:
    """Serve ``data`` with gunicorn; load the ceiling, then each page followed by the
    ceiling again, so that each page's ratio is to the ceiling measured around it."""
    topic = next(page for page in chosen if page.label == pages.TOPIC)

    def measure(path: str, headers: dict[str, str], seconds: float) -> load.Result:
        for _ in range(4):  # warm up both workers (templates compile on first use)
            served.get(path, headers)
        return load.run(
            served.url + path,
            seconds=seconds,
            connections=args.connections,
            headers=headers,
            wrk=wrk,
        )

    def ceiling() -> float:
        run.ceilings.append(measure(wsgi.CEILING_URL, {}, max(2.0, args.seconds / 2)))
        return run.ceilings[-1].rps

    with server.Server(data.env, ceiling_source=topic.path) as served:
        cookie = {"Cookie": served.login(pages.READER, pages.PASSWORD)}
        before = ceiling()
        log(f"  ceiling: {before:,.0f} req/s")
        for page in chosen:
            readers = [("", {})] + ([(pages.READER, cookie)] if page.logged_in_load else [])
            for who, headers in readers:
                result = measure(page.path, headers, args.seconds)
                after = ceiling()
                measured = targets.Measured(page, who, result, (before + after) / 2)
                run.loads.append(measured)
                before = after
                log(
                    f"  {page.label}{' as ' + who if who else ''}: {result.rps:,.0f} req/s, "
                    f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
                    f"{run.ratio(measured):.1%} of the ceiling ({after:,.0f} req/s after it)"
                    + (f", {result.errors} errors" if result.errors else "")
                )
        run.workers_mb = served.workers_rss_mb()


def bench_backend(data: dataset.Dataset, args, wrk) -> targets.BackendRun:
    log(f"{data.name}: {', '.join(f'{v:,} {k}' for k, v in data.counts.items())}")
    chosen, costs, search_backend = in_process(data)
    run = targets.BackendRun(data.name, data.counts, search_backend, costs=costs)
    log(f"  in-process: {len(costs)} measurements")
    under_load(data, run, chosen, args, wrk)
    return run


def slowest_profile(data: dataset.Dataset, run: targets.BackendRun) -> str:
    """Profile the load page with the lowest throughput into bench/.data/profile.txt;
    returns a sentence saying which page it was."""
    slowest = min(run.loads, key=lambda measured: measured.result.rps)
    with app_on(data) as app:
        try:
            text = profile(app, slowest.page.path, who=slowest.who)
        except ImportError:
            return "pyinstrument is not installed (`make install` adds it): no profile."
    (dataset.DATA / "profile.txt").write_text(text)
    who = f" as {slowest.who}" if slowest.who else ""
    return (
        f"the slowest page, {slowest.page.label}{who} (`{slowest.page.path}`), is "
        "profiled in bench/.data/profile.txt"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the dataset")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument(
        "--posts", type=int, default=100_000, help="discussion posts in the dataset"
    )
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "REPORT.md")
    args = parser.parse_args(argv)
    began = time.monotonic()
    postgres_url = os.environ.get("BENCH_DATABASE_URL")

    wrk = None if args.python_load else load.ensure_wrk()
    tool = load.wrk_version(wrk) if wrk else "Python generator (bench/load.py)"
    datasets = [dataset.sqlite(posts=args.posts, fresh=args.fresh, log=log)]
    if postgres_url:
        datasets.append(dataset.postgres(postgres_url, posts=args.posts, fresh=args.fresh, log=log))
    machine = report.machine(
        load_tool=f"{tool}, {args.connections} connections, {args.seconds:g} s per page",
        postgres_url=postgres_url,
    )

    runs = [bench_backend(data, args, wrk) for data in datasets]
    startup = startup_seconds(datasets[0].env)
    log(f"create_app: {startup:.2f} s")
    cases = geojson.measure(log=log)
    http = [case.median for case in cases if case.label.startswith("HTTP")]
    note = slowest_profile(datasets[0], runs[0])
    log(note)

    found = targets.evaluate(
        runs,
        topic=pages.TOPIC,
        search=pages.SEARCH,
        startup_s=startup,
        geojson_ms=max(http, default=None),
    )
    text = report.render(
        machine_rows=machine,
        runs=runs,
        targets=found,
        geojson_cases=cases,
        settings=f"dataset `flask space demo {' '.join(dataset.demo_options(args.posts))}`; {note}",
        duration_s=time.monotonic() - began,
        rounds=IN_PROCESS_ROUNDS,
    )
    args.out.write_text(text)
    log(f"Wrote {args.out} in {(time.monotonic() - began) / 60:.1f} minutes.")
    for target in found:
        log(f"  {targets.mark(target)} {target.name} {target.where}: {target.value}")


if __name__ == "__main__":
    main()
