"""The benchmark's dataset: ``flask space demo --size large`` in a database of its own,
built once and kept under bench/.data/ until the migrations or the demo code change.

An SQLite file always (with its Whoosh index next to it); a PostgreSQL copy too when
BENCH_DATABASE_URL names a database — it is built in the schema ``space_bench`` there, which
the benchmark drops and recreates, and nothing else in that database is touched.

``sqlite(...)`` and ``postgres(...)`` return a ``Dataset``: the environment that points
the app at it, and its counts. A run works on a copy of the SQLite file, so every run
starts from the same data; the PostgreSQL copy keeps what runs add (view counts, reading
positions).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
PG_SCHEMA = "space_bench"
# Session cookies must stay valid between the login and the load, and across workers.
SECRET = "bench-secret-key"
# What the dataset is made of: when one of these changes, it is built again.
SOURCES = ("migrations/**/*.py", "space/demo*.py", "plugins/*/demo*.py")
COUNTED = {
    "people": "user",
    "topics": "discuss_topic",
    "posts": "discuss_post",
    "stories": "blog_story",
    "events": "events_event",
    "registrations": "events_registration",
}


@dataclass
class Dataset:
    """One built dataset: its backend's name, the app's environment, and its counts."""

    name: str
    env: dict[str, str]
    counts: dict[str, int] = field(default_factory=dict)


def fingerprint(extra: str = "") -> str:
    """A hash of the files the dataset is built from, and of ``extra`` (the options)."""
    digest = hashlib.sha256(extra.encode())
    for pattern in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            if "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def demo_options(posts: int) -> list[str]:
    """``flask space demo`` arguments for the large dataset with ``posts`` posts."""
    return ["--size", "large", "--posts", str(posts)]


def _flask(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, check=True)


def settings(database_url: str, folder: Path) -> dict[str, str]:
    """The app's environment for a dataset in ``database_url`` with its files in ``folder``."""
    return {
        "SPACE_DATABASE_URL": database_url,
        "SPACE_SEARCH_PATH": str(folder / "search"),
        "SPACE_UPLOAD_DIR": str(folder / "uploads"),
        "SPACE_SECRET_KEY": SECRET,
        "SPACE_JOBS_ON_REQUEST": "0",
    }


def _build(env: dict[str, str], options: list[str]) -> None:
    _flask(env, "space", "init")
    _flask(env, "space", "demo", *options)


def settle(url: str, schema: str | None = None) -> None:
    """Planner statistics, and on PostgreSQL no dead rows, as a site that has been running a
    while has them: the demo's counters are set by updating every post, and autovacuum may
    be off (it is on the benchmark machine), which left PostgreSQL planning without
    statistics over 100,000 dead rows."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if schema is None:
                connection.execute(text("ANALYZE"))
                return
            tables = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                {"schema": schema},
            ).scalars()
            names = ", ".join(f'"{schema}"."{name}"' for name in tables)
            connection.execute(text(f"VACUUM (ANALYZE) {names}"))
    finally:
        engine.dispose()


def _fresh(stamp: Path, key: str, fresh: bool) -> bool:
    return fresh or not stamp.exists() or stamp.read_text() != key


def sqlite(*, posts: int, fresh: bool = False, log=print) -> Dataset:
    """The SQLite dataset, built when missing or stale; the run gets a copy of it."""
    built, run = DATA / "sqlite", DATA / "sqlite-run"
    options = demo_options(posts)
    key = fingerprint(" ".join(options))
    stamp = built / "fingerprint"
    if _fresh(stamp, key, fresh):
        log(f"Building the SQLite dataset (space demo {' '.join(options)}) …")
        shutil.rmtree(built, ignore_errors=True)
        built.mkdir(parents=True)
        _build(settings(f"sqlite:///{built / 'space.db'}", built), options)
        settle(f"sqlite:///{built / 'space.db'}")
        stamp.write_text(key)  # last: an interrupted build is built again
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(built, run)
    env = settings(f"sqlite:///{run / 'space.db'}", run)
    return Dataset("SQLite", env, counts(env["SPACE_DATABASE_URL"]))


def postgres(url: str, *, posts: int, fresh: bool = False, log=print) -> Dataset:
    """The PostgreSQL dataset in schema ``space_bench`` of ``url``, built when stale."""
    folder = DATA / "postgres"
    options = demo_options(posts)
    key = fingerprint(" ".join(options) + url)
    stamp = folder / "fingerprint"
    separator = "&" if "?" in url else "?"
    scoped = f"{url}{separator}options=-csearch_path%3D{PG_SCHEMA}"
    env = settings(scoped, folder)
    if _fresh(stamp, key, fresh):
        log(f"Building the PostgreSQL dataset (space demo {' '.join(options)}) …")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
                connection.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
        finally:
            engine.dispose()
        _build(env, options)
        settle(url, PG_SCHEMA)
        stamp.write_text(key)
    return Dataset("PostgreSQL", env, counts(scoped))


@contextmanager
def environment(env: dict[str, str]):
    """``os.environ`` with ``env`` added, restored afterwards (to build an app in-process
    exactly as the served one is built)."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def counts(database_url: str) -> dict[str, int]:
    """Rows in the dataset's main tables (those that exist), by what they hold."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            return {
                label: connection.scalar(text(f'SELECT count(*) FROM "{table}"'))
                for label, table in COUNTED.items()
                if table in tables
            }
    finally:
        engine.dispose()
