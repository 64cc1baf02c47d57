"""``create``: write a backup of the current app's database and uploaded images.

Every table of ``db.metadata`` (the core's and those of the enabled plugins) is read inside
one transaction — REPEATABLE READ and read-only on PostgreSQL, one read transaction on
SQLite — so the tables agree with each other while the site keeps serving. Rows stream in
primary-key order (a large site never sits in memory) into table files in a staging folder
beside the target, then go into the file with the uploaded images the ``upload`` rows of
that transaction name (an image's file is written before its row, so each one is there).

Left out: computed columns, and rebuildable tables — those declared with
``info={"backup": False}`` and the search index (a table with a tsvector column, see
search/postgres.py). The search index, whatever its backend, is rebuilt by a restore.
"""

from __future__ import annotations

import importlib.metadata
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from flask import current_app
from sqlalchemy import DateTime, Enum, String, TypeDecorator, inspect, select, type_coerce
from sqlalchemy.engine import Connection

from space.backup.archive import (
    BackupError,
    HashingWriter,
    Manifest,
    encoder,
    kind_of,
    pack,
    sha256_of,
    table_member,
)
from space.db import db, utcnow
from space.search.entry import TSVector

# Rows fetched at a time from the database.
BATCH = 1000

Progress = Callable[[list, str], object]  # (items, label) -> context manager giving an iterable


def create(path: Path, *, progress: Progress | None = None) -> Manifest:
    """Write a backup of the database and the uploaded images to ``path``; return its manifest.

    ``path`` must not exist; the file appears complete or not at all. ``progress(items,
    label)``, when given, wraps the tables being read in a context manager that yields them
    (a click progress bar). Raises BackupError when ``path`` exists, when the database is
    not at this Space's migration head (run ``flask space init``), or when a column holds a
    type no kind describes.
    """
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists already; choose another name")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder")
    tables = backed_up_tables()
    head = head_revision()
    upload_dir = Path(current_app.config["SPACE_UPLOAD_DIR"])
    manifest = Manifest(
        space_version=_version(),
        revision=head,
        database=db.engine.dialect.name,
        created_at=utcnow().isoformat(),
    )
    with tempfile.TemporaryDirectory(prefix=".space-backup-", dir=path.parent) as staging:
        with _snapshot() as conn:
            revision = current_revision(conn)
            if revision != head:
                raise BackupError(
                    f"the database is at migration {revision or 'none'}, this Space at "
                    f"{head}: run `flask space init` first"
                )
            known = set(db.metadata.tables) | {"alembic_version"}
            manifest.tables_left_out = sorted(set(inspect(conn).get_table_names()) - known)
            with (progress or quiet)(tables, "Backing up") as bar:
                for table in bar:
                    manifest.tables[table.name] = _dump_table(conn, table, Path(staging))
            names = _upload_names(conn)
        for name in names:
            file = upload_dir / name
            if file.is_file():
                manifest.uploads[name] = {"size": file.stat().st_size, "sha256": sha256_of(file)}
            else:
                manifest.uploads_missing.append(name)
        pack(path, manifest, Path(staging), upload_dir)
    return manifest


def backed_up_tables() -> list:
    """The tables a backup holds, by name: ``db.metadata``'s, less rebuildable ones — those
    declared with ``info={"backup": False}`` and search indexes (a tsvector column)."""
    return [
        table
        for table in sorted(db.metadata.tables.values(), key=lambda table: table.name)
        if table.info.get("backup", True)
        and not any(isinstance(column.type, TSVector) for column in table.columns)
    ]


def backed_up_columns(table) -> list:
    """The columns of ``table`` a backup holds: all but computed ones."""
    return [column for column in table.columns if column.computed is None]


def migrations():
    """Alembic's view of Space's migrations (``migrations/``)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def head_revision() -> str:
    return migrations().get_current_head()


def current_revision(conn: Connection) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _snapshot() -> Iterator[Connection]:
    """A connection inside one transaction that only reads, every read from one snapshot."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # pysqlite begins a transaction only before a write: begin one by hand, so that
            # every SELECT reads the same state of the file.
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("BEGIN")
            try:
                yield conn
            finally:
                conn.exec_driver_sql("ROLLBACK")
            return
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


def _stored(column):
    """``column`` read as what the database keeps: an enum as its text, a decorated type as
    the type underneath — except zone-aware datetimes (``UTCDateTime``), read aware in UTC."""
    type_ = column.type
    while isinstance(type_, TypeDecorator) and not isinstance(type_.impl_instance, DateTime):
        type_ = type_.impl_instance
    if isinstance(type_, Enum):
        type_ = String()
    return column if type_ is column.type else type_coerce(column, type_).label(column.name)


def _dump_table(conn: Connection, table, staging: Path) -> dict:
    columns = backed_up_columns(table)
    kinds = [kind_of(column.type) for column in columns]
    encode = encoder(kinds)
    query = (
        select(*(_stored(column) for column in columns))
        .order_by(*table.primary_key.columns)
        .execution_options(yield_per=BATCH)
    )
    writer = HashingWriter(staging / table_member(table.name))
    try:
        for row in conn.execute(query):
            writer.write(encode(row))
    finally:
        checksum = writer.close()
    return {
        "columns": [f"{column.name}:{kind}" for column, kind in zip(columns, kinds, strict=True)],
        "rows": writer.lines,
        "sha256": checksum,
    }


def _upload_names(conn: Connection) -> list[str]:
    from space.uploads import Upload

    return list(conn.scalars(select(Upload.filename).order_by(Upload.id)))


def quiet(items, label):
    """No progress shown: the items as they are."""
    return nullcontext(items)


def _version() -> str:
    try:
        return importlib.metadata.version("space")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
