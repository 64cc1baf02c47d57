"""Core benchmark: create_app start-up time and, for each core page, the SQL queries it
issues and its in-process latency, on demo content plus 200 extra people and 60 groups.

Run with `make bench`; writes bench/REPORT.md. Numbers are for comparing changes on one
machine; the load test with a ceiling (gunicorn + a load generator) comes with the areas.
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from space import create_app  # noqa: E402
from space.db import db  # noqa: E402

PAGES = [
    ("home", "/", None),
    ("profile (in 60 groups)", "/u/member", None),
    ("groups list", "/groups", None),
    ("group page", "/g/volunteers", None),
    ("search", "/search?q=volunteers", None),
    ("code of conduct", "/code-of-conduct", None),
    ("notifications", "/notifications", "admin"),
    ("settings", "/settings", "member"),
    ("admin users", "/admin/users", "admin"),
    ("admin audit log", "/admin/audit", "admin"),
    ("API groups", "/api/v1/groups", None),
]
ROUNDS = 40


def startup_seconds(runs: int = 7) -> float:
    code = (
        "import time; t = time.perf_counter(); from space import create_app; "
        "create_app({'SPACE_PLUGINS': []}); print(time.perf_counter() - t)"
    )
    times = [
        float(subprocess.check_output([sys.executable, "-c", code], cwd=ROOT, text=True))
        for _ in range(runs)
    ]
    return statistics.median(times)


def build(tmp: Path):
    app = create_app(
        {
            "SPACE_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            "SPACE_SECRET_KEY": "bench",
            "SPACE_SEARCH_PATH": str(tmp / "search"),
            "SPACE_JOBS_ON_REQUEST": False,
            "SPACE_PLUGINS": [],
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["space", "init", "--demo-if-empty"]).exit_code == 0
    with app.app_context():
        from space.accounts import groups, services

        admin = services.by_username("admin")
        member = services.by_username("member")
        for n in range(200):
            services.create_user(f"person{n}", f"person{n}@example.org", "bench-password-1")
        for n in range(60):
            group = groups.create_group(name=f"bench-{n:02d}", title=f"Bench {n}", by=admin)
            groups.add_member(group, member)
        db.session.commit()
    return app


def measure(app):
    rows = []
    for label, path, who in PAGES:
        client = app.test_client()
        if who:
            client.post("/login", data={"login": who, "password": "space-demo-pass"})
        statements = []

        def count(*args, _statements=statements):
            _statements.append(1)

        with app.app_context():
            engine = db.engine
        client.get(path)  # warm up
        event.listen(engine, "before_cursor_execute", count)
        client.get(path)
        event.remove(engine, "before_cursor_execute", count)
        timings = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        timings.sort()
        rows.append((label, path, len(statements), statistics.median(timings), timings[-2]))
    return rows


def main() -> None:
    startup = startup_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        rows = measure(build(Path(tmp)))
    lines = [
        "# Core benchmark",
        "",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}, SQLite, in-process test client "
        f"({ROUNDS} requests a page). Regenerate with `make bench`.",
        "",
        f"`create_app()` median of 7 fresh processes (imports included): **{startup:.2f} s**",
        "",
        "| page | path | SQL queries | p50 ms | p95 ms |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [f"| {a} | `{b}` | {c} | {d:.1f} | {e:.1f} |" for a, b, c, d, e in rows]
    report = "\n".join(lines) + "\n"
    (ROOT / "bench" / "REPORT.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
