"""Fixtures: ``app`` on a fresh database (SQLite, or PostgreSQL when SPACE_TEST_DATABASE_URL
is set), ``client``, ``runner``, ``login`` and a SQL query counter."""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DBAPIError

from space import create_app
from space.accounts import groups
from space.db import db

PG_URL = os.environ.get("SPACE_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def _pg_admin():
    if not PG_URL:
        yield None
        return
    engine = create_engine(
        PG_URL,
        isolation_level="AUTOCOMMIT",
        connect_args={"options": "-csynchronous_commit=off"},
    )
    yield engine
    engine.dispose()


# PostgreSQL schemas this process emptied after a test, for the next tests to reuse: making
# and dropping the ~50 tables of a schema cost 0.45 s a test, emptying them 0.03 s.
_emptied: list[str] = []


@pytest.fixture(scope="session")
def _pg_schemas(_pg_admin):
    yield _emptied
    if _pg_admin is not None:
        with _pg_admin.connect() as conn:
            for schema in _emptied:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    _emptied.clear()


def _pg_url(schema: str) -> str:
    separator = "&" if "?" in PG_URL else "?"
    # Commits do not wait for the disk (synchronous_commit=off): the tests never crash the
    # server, and what a killed client committed stays.
    return f"{PG_URL}{separator}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"


def _new_schema(admin) -> str:
    schema = "t_" + uuid.uuid4().hex[:12]
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return schema


def _empty_or_drop(admin, schema: str) -> None:
    """Empty ``schema`` for reuse when it holds only tables of the models (rows deleted,
    sequences restarted); otherwise (a migration's alembic_version, a test's own table, a
    foreign-key cycle, a lock left behind) drop it."""
    with admin.connect() as conn:
        present = set(conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = :schema"
        ), {"schema": schema}).scalars())  # fmt: skip
        ours = [t.name for t in reversed(db.metadata.sorted_tables) if t.name in present]
        if present and len(ours) == len(present):
            try:
                conn.execute(text("SET lock_timeout = '5s'"))
                for name in ours:
                    conn.execute(text(f'DELETE FROM "{schema}"."{name}"'))
                sequences = conn.execute(text(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = :schema"
                ), {"schema": schema}).scalars().all()  # fmt: skip
                for sequence in sequences:
                    conn.execute(text(f'ALTER SEQUENCE "{schema}"."{sequence}" RESTART'))
                _emptied.append(schema)
                return
            except DBAPIError:
                pass
            finally:
                conn.execute(text("RESET lock_timeout"))
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def database_url(tmp_path, _pg_admin, _pg_schemas):
    """An empty database per test: an SQLite file, or a PostgreSQL schema (perhaps one an
    earlier test left, emptied, with the models' tables still there; see
    ``empty_database_url`` for one without tables)."""
    if _pg_admin is None:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    schema = _pg_schemas.pop() if _pg_schemas else _new_schema(_pg_admin)
    yield _pg_url(schema)
    _empty_or_drop(_pg_admin, schema)


@pytest.fixture
def empty_database_url(tmp_path, _pg_admin):
    """A database without any table: an SQLite file, or a new PostgreSQL schema."""
    if _pg_admin is None:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    schema = _new_schema(_pg_admin)
    yield _pg_url(schema)
    with _pg_admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def make_app(database_url, tmp_path, **overrides):
    config = {
        "TESTING": True,
        "SPACE_DATABASE_URL": database_url,
        "SPACE_SECRET_KEY": "test-secret",
        "SPACE_SEARCH_PATH": str(tmp_path / "search"),
        "SPACE_UPLOAD_DIR": str(tmp_path / "uploads"),
        "SPACE_JOBS_ON_REQUEST": False,
        "SPACE_VIEW_COUNT_SECONDS": 0,
        "SPACE_PLUGINS": [],
        "RATELIMIT_ENABLED": False,
        # Cheap hashing keeps the suite fast; production uses scrypt.
        "SPACE_PASSWORD_HASH": "pbkdf2:sha256:1000",
        "SERVER_NAME": "localhost",
    }
    config.update(overrides)
    app = create_app(config)
    _apps.append(app)
    return app


# Every app a test builds, so its connection pool is closed when the test ends (an open
# PostgreSQL connection collected later warns, and warnings fail the suite).
_apps: list = []


@pytest.fixture(autouse=True)
def _close_pools():
    yield
    while _apps:
        with _apps.pop().app_context():
            db.engine.dispose()


@pytest.fixture
def app_config():
    """Override in a test module to change settings: return a dict."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_config):
    app = make_app(database_url, tmp_path, **app_config)
    with app.app_context():
        db.create_all()
        groups.ensure_automatic_groups()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


class FreshContextClient(FlaskClient):
    """Runs each request in its own app context, as a server does: a fresh ``g`` and a
    fresh database session, so a view that forgets to commit fails its test. Afterwards the
    test's own session forgets what it loaded, so the test reads what the request wrote."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_token(client, path="/login") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


@pytest.fixture
def login(client):
    """``login(user)`` signs the test client in through the real form."""

    def do(user, password="correct horse battery"):
        token = csrf_token(client)
        response = client.post(
            "/login", data={"login": user.username, "password": password, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    return do


@pytest.fixture
def post(client):
    """``post(path, data)`` sends a form with a valid CSRF token."""

    def do(path, data=None, *, token_from="/", **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", csrf_token(client, token_from))
        return client.post(path, data=payload, **kwargs)

    return do


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter:`` counts SQL statements issued inside."""

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting
