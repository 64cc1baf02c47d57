"""``restore``: load a backup into an empty database, then bring it to this Space's schema.

The steps, each only once the one before it succeeded:

1. unpack the file into a temporary folder and check it (manifest, checksums, a migration
   this Space knows): a damaged or foreign file stops here, the database untouched;
2. check the database holds no accounts (``force`` skips this) and empty it by undoing
   every migration;
3. migrate to the backup's revision, so that the tables have the columns the rows were read
   from (the tables are reflected from the database, not taken from today's models);
4. in one transaction, load every table, parents before children — a column referring to
   its own table, or closing a cycle (a topic's accepted post), is inserted NULL and set
   once every row is in — then check the row counts against the manifest and, on
   PostgreSQL, move each id sequence past the largest id;
5. migrate to this Space's head (an older backup restores into a newer Space) and make the
   automatic groups, as ``flask space init`` does;
6. put the uploaded images back under SPACE_UPLOAD_DIR.

The search index is rebuilt afterwards by the caller (the command runs ``reindex``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import Integer, MetaData, and_, bindparam, func, inspect, select, text, update
from sqlalchemy.exc import SAWarning, SQLAlchemyError
from sqlalchemy.schema import sort_tables_and_constraints

from space.accounts import groups
from space.accounts.models import User
from space.backup.archive import (
    BackupError,
    Manifest,
    column_kinds,
    read_rows,
    table_member,
    unpack,
)
from space.backup.dump import Progress, current_revision, migrations, quiet
from space.db import db

# Rows sent to the database at a time.
BATCH = 1000


def restore(source: Path, *, force: bool = False, progress: Progress | None = None) -> Manifest:
    """Restore the backup ``source`` into the current app's database; return its manifest.

    Refuses (BackupError) a database that has accounts unless ``force``, whose content is
    then dropped. A file that is not a readable Space backup, or was made by a Space whose
    migrations this one does not know, is refused before the database is touched. Should
    loading fail, its transaction is rolled back: the database is left empty.
    """
    with tempfile.TemporaryDirectory(prefix=".space-restore-") as folder:
        manifest = unpack(Path(source), Path(folder))
        if not _known(manifest.revision):
            raise BackupError(
                f"the backup is at migration {manifest.revision}, which this Space does not "
                "know: restore it with the Space version that made it, or a newer one"
            )
        db.session.remove()  # no session may hold locks on tables about to be dropped
        _empty(force)
        _migrate(manifest.revision)
        try:
            _load(manifest, Path(folder), progress or quiet)
        except SQLAlchemyError as error:
            reason = getattr(error, "orig", None) or error
            raise BackupError(
                f"the rows could not be loaded, so none were ({reason}); the database is left empty"
            ) from None
        _migrate("head")
        groups.ensure_automatic_groups()
        db.session.commit()
        _put_uploads(manifest, Path(folder))
    return manifest


def _known(revision: str) -> bool:
    try:
        return migrations().get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for a revision it cannot resolve
        return False


def _migrate(revision: str, *, down: bool = False) -> None:
    from alembic import command

    config = current_app.extensions["migrate"].migrate.get_config()
    (command.downgrade if down else command.upgrade)(config, revision)


def _empty(force: bool) -> None:
    """Leave the database without tables, or raise BackupError when it holds what must stay."""
    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        revision = current_revision(conn)
        accounts = User.__tablename__ in tables and conn.scalar(select(User.id).limit(1))
    if accounts and not force:
        raise BackupError(
            "the database has accounts already: restore into an empty database, or add "
            "--force to drop everything in it first"
        )
    if revision is None and tables:
        raise BackupError(
            "the database has tables no Space migration made: restore into an empty database"
        )
    if revision is not None:
        if not _known(revision):
            raise BackupError(
                f"the database is at migration {revision}, which this Space does not know"
            )
        _migrate("base", down=True)


def _load(manifest: Manifest, folder: Path, progress: Progress) -> None:
    with db.engine.begin() as conn:
        schema = MetaData()
        with warnings.catch_warnings():
            # SQLite cannot reflect expression indexes (lower(username)); loading needs none.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
            schema.reflect(conn)
        missing = [name for name in manifest.tables if name not in schema.tables]
        if missing:
            raise BackupError(
                f"migration {manifest.revision} makes no table {', '.join(missing)}: "
                "the backup does not match its own revision"
            )
        order, deferred = _plan([schema.tables[name] for name in manifest.tables])
        with progress(order, "Restoring") as bar:
            for table in bar:
                _insert(conn, table, manifest.tables[table.name], folder, deferred[table.name])
        for table in order:
            if deferred[table.name]:
                _set_later(conn, table, manifest.tables[table.name], folder, deferred[table.name])
        for table in order:
            count = conn.scalar(select(func.count()).select_from(table))
            if count != manifest.tables[table.name]["rows"]:
                raise BackupError(
                    f"{table.name} holds {count} rows after loading, the backup "
                    f"{manifest.tables[table.name]['rows']}"
                )
        if conn.dialect.name == "postgresql":
            _move_sequences(conn, order)


def _plan(tables: list) -> tuple[list, dict[str, list[str]]]:
    """The tables in loading order, and per table the columns to fill in afterwards: those
    referring to their own table, and the nullable ones closing a cycle of references.

    Raises BackupError for a cycle of required (NOT NULL) references, which no order loads.
    """

    def sort(cut: set) -> tuple[list, set]:
        order, remaining = [], set()
        for table, constraints in sort_tables_and_constraints(
            tables, filter_fn=lambda constraint: constraint in cut or None
        ):
            if table is None:
                remaining.update(constraints)
            else:
                order.append(table)
        return order, remaining

    order, cycles = sort(set())
    cut = {key for key in cycles if all(column.nullable for column in key.columns)}
    if cycles:
        order, remaining = sort(cut)
        if remaining - cut:
            names = sorted({key.table.name for key in remaining - cut})
            raise BackupError(f"required references go round in a cycle: {', '.join(names)}")
    later = {table.name: set() for table in tables}
    for key in cut:
        later[key.table.name].update(key.column_keys)
    for table in tables:
        for key in table.foreign_keys:
            if key.column.table is table and key.parent.nullable:
                later[table.name].add(key.parent.name)
    return order, {name: sorted(columns) for name, columns in later.items()}


def _columns(table, entry: dict) -> tuple[list[str], list[str]]:
    names = [name for name, _kind in column_kinds(entry)]
    unknown = [name for name in names if name not in table.c]
    if unknown:
        raise BackupError(f"{table.name} has no column {', '.join(unknown)} at this revision")
    return names, [kind for _name, kind in column_kinds(entry)]


def _rows(conn, table, entry: dict, folder: Path):
    """The table's rows from the file as dicts; zone-aware datetimes as naive UTC on SQLite,
    which keeps no zone (as ``UTCDateTime`` stores them)."""
    names, kinds = _columns(table, entry)
    naive = conn.dialect.name == "sqlite"
    for values in read_rows(folder / table_member(table.name), kinds):
        if naive:
            values = [_naive_utc(value) for value in values]
        yield dict(zip(names, values, strict=True))


def _naive_utc(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _insert(conn, table, entry: dict, folder: Path, later: list[str]) -> None:
    statement, batch = table.insert(), []
    for row in _rows(conn, table, entry, folder):
        for name in later:
            row[name] = None
        batch.append(row)
        if len(batch) >= BATCH:
            conn.execute(statement, batch)
            batch = []
    if batch:
        conn.execute(statement, batch)


def _set_later(conn, table, entry: dict, folder: Path, later: list[str]) -> None:
    """Fill in the columns ``_insert`` left NULL, row by row through the primary key."""
    keys = [column.name for column in table.primary_key.columns]
    if not keys or any(name not in dict(column_kinds(entry)) for name in keys):
        raise BackupError(f"{table.name} refers to itself but has no primary key to update by")
    statement = (
        update(table)
        .where(and_(*(table.c[name] == bindparam(f"key_{name}") for name in keys)))
        .values({name: bindparam(f"value_{name}") for name in later})
    )
    batch = []
    for row in _rows(conn, table, entry, folder):
        if all(row[name] is None for name in later):
            continue
        batch.append(
            {f"key_{name}": row[name] for name in keys}
            | {f"value_{name}": row[name] for name in later}
        )
        if len(batch) >= BATCH:
            conn.execute(statement, batch)
            batch = []
    if batch:
        conn.execute(statement, batch)


def _move_sequences(conn, tables: list) -> None:
    """Start every integer id sequence after the largest id loaded (PostgreSQL)."""
    quote = conn.dialect.identifier_preparer
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        name = quote.format_table(table)
        sequence = conn.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": name, "column": keys[0].name},
        )
        if sequence:
            largest = f"SELECT COALESCE(MAX({quote.quote(keys[0].name)}), 0) + 1 FROM {name}"
            conn.execute(
                text(f"SELECT setval(:sequence, ({largest}), false)"), {"sequence": sequence}
            )


def _put_uploads(manifest: Manifest, folder: Path) -> None:
    """Copy the images into SPACE_UPLOAD_DIR; each appears whole under its name or not at all."""
    target = Path(current_app.config["SPACE_UPLOAD_DIR"])
    target.mkdir(parents=True, exist_ok=True)
    for name in manifest.uploads:
        source = folder / "uploads" / name
        fd, temporary = tempfile.mkstemp(dir=target, prefix=".upload-")
        try:
            os.close(fd)
            shutil.copyfile(source, temporary)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
