"""``flask space backup`` / ``restore``: a backup of the demo (and an uploaded image) restores
into a fresh database with the same rows, the same image and the same search results; on
SQLite and PostgreSQL, and from one to the other. Damaged or foreign files, databases with
accounts and databases behind their migrations are refused with a message.

The helpers (``site``, ``fresh_database``, ``content``, ``found``…) serve the areas' test
too (tests/plugins/test_backup_areas.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import ARRAY, Integer, create_engine, func, inspect, select, text
from sqlalchemy import Enum as SqlEnum
from werkzeug.datastructures import FileStorage

from space import backup, search, uploads
from space.accounts.models import User
from space.backup import archive
from space.backup.dump import backed_up_columns, backed_up_tables, migrations
from space.db import db
from tests.conftest import PG_URL, _new_schema, _pg_url, make_app
from tests.core.test_uploads import png

IMAGE = png(7, 5)
CORE_QUERIES = ["Amara", "Sofia Lindqvist", "volunteers", "board", "editor"]


# ---------------------------------------------------------------------------- helpers


@contextmanager
def fresh_database(folder: Path, *, postgres: bool):
    """The URL of another empty database, made as tests/conftest.py makes one per test: an
    SQLite file in ``folder``, or a schema of the PostgreSQL test database (dropped after)."""
    if not postgres:
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder / 'space.db'}"
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    schema = _new_schema(admin)
    try:
        yield _pg_url(schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def site(url: str, folder: Path, plugins=()):
    """An app on ``url`` whose search index and uploads live in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return make_app(url, folder, SPACE_PLUGINS=list(plugins))


def space(app, *args):
    """Run ``flask space *args`` against ``app``; returns click's result."""
    return app.test_cli_runner().invoke(args=["space", *args])


def ok(result):
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def demo_site(app, image: bytes = IMAGE):
    """Migrate, load the small demo and upload ``image`` as the demo admin."""
    ok(space(app, "init"))
    ok(space(app, "demo"))
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        upload = uploads.save(FileStorage(io.BytesIO(image), "cat.png"), admin)
        db.session.commit()
        return upload.filename


def _plain(value):
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return repr(getattr(value, "value", value))  # an enum member as what it stands for


def content(app) -> dict[str, tuple[int, str]]:
    """Per backed-up table: its row count and a SHA-256 of every row, read through the
    models' types (so SQLite and PostgreSQL compare alike)."""
    found = {}
    with app.app_context():
        for table in backed_up_tables():
            columns = backed_up_columns(table)
            digest, count = hashlib.sha256(), 0
            query = select(*columns).order_by(*table.primary_key.columns)
            for row in db.session.execute(query):
                digest.update("|".join(_plain(v) for v in row).encode() + b"\n")
                count += 1
            found[table.name] = (count, digest.hexdigest())
        db.session.remove()
    return found


def found(app, queries) -> dict[str, list[str]]:
    """The keys each query finds for an admin (who may find everything)."""
    results = {}
    with app.app_context():
        known = search.types()
        for words in queries:
            parsed = search.parse(words, known_types=known)
            hits = search.backend().search(parsed, {search.EVERYTHING, search.PUBLIC}, 1, 100)
            results[words] = sorted(f"{hit.type}:{hit.id}" for hit in hits.hits)
        db.session.remove()
    return results


def rows(app) -> int:
    return sum(count for count, _digest in content(app).values())


def manifest_of(path: Path) -> dict:
    """The manifest of the backup at ``path``, as stored."""
    with tarfile.open(path, "r:gz") as tar:
        return json.loads(tar.extractfile(archive.MANIFEST).read())


def repack(source: Path, target: Path, change) -> Path:
    """A copy of the backup ``source`` whose members (name -> bytes, the manifest parsed)
    ``change(manifest, members)`` edits in place."""
    with tarfile.open(source, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    manifest = json.loads(members.pop(archive.MANIFEST))
    change(manifest, members)
    with tarfile.open(target, "w:gz") as tar:
        for name, data in [(archive.MANIFEST, json.dumps(manifest).encode()), *members.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture
def source(empty_database_url, tmp_path):
    """The demo site (core only, migrated) with one uploaded image."""
    app = site(empty_database_url, tmp_path / "source")
    app.image = demo_site(app)
    return app


@pytest.fixture
def target(tmp_path):
    """A fresh site on another empty database of the same kind."""
    with fresh_database(tmp_path / "target", postgres=bool(PG_URL)) as url:
        yield site(url, tmp_path / "target")


@pytest.fixture
def made(source, tmp_path):
    """A backup of ``source``."""
    path = tmp_path / "site.tar.gz"
    result = ok(space(source, "backup", str(path)))
    assert "Backed up" in result.output and path.is_file()
    return path


@pytest.fixture(scope="module")
def demo_backup(tmp_path_factory):
    """A backup of the core demo, made once for the tests that only read it."""
    folder = tmp_path_factory.mktemp("demo")
    with fresh_database(folder / "db", postgres=bool(PG_URL)) as url:
        app = site(url, folder / "site")
        demo_site(app)
        ok(space(app, "backup", str(folder / "demo.tar.gz")))
        with app.app_context():
            db.engine.dispose()
    return folder / "demo.tar.gz"


# ---------------------------------------------------------------------------- round trips


def test_a_restore_gives_back_every_row_the_image_and_the_search(source, target, made):
    before = content(source)
    assert before["user"][0] == 8 and before["upload"][0] == 1
    result = ok(space(target, "restore", str(made)))
    assert "Restored" in result.output and "Indexed" in result.output
    assert content(target) == before
    image = Path(target.config["SPACE_UPLOAD_DIR"]) / source.image
    assert image.read_bytes() == IMAGE
    with target.test_client() as client, client.get(f"/uploads/{source.image}") as served:
        assert served.status_code == 200 and served.data == IMAGE
    expected = found(source, CORE_QUERIES)
    assert all(expected.values()), expected
    assert found(target, CORE_QUERIES) == expected


def test_new_rows_after_a_restore_take_fresh_ids(target, demo_backup):
    ok(space(target, "restore", str(demo_backup)))
    result = ok(space(target, "create-user", "late", "late@example.org", "--password", "x" * 12))
    assert "Created late" in result.output
    with target.app_context():
        assert db.session.scalar(select(func.max(User.id))) == 9
        db.session.remove()


def test_the_file_holds_a_manifest_tables_and_uploads_but_no_search_index(source, made):
    with tarfile.open(made, "r:gz") as tar:
        names = tar.getnames()
    manifest = manifest_of(made)
    assert names[0] == archive.MANIFEST
    assert f"uploads/{source.image}" in names and "tables/user.jsonl" in names
    assert not any("search" in name for name in names)
    with source.app_context():
        assert manifest["revision"] == migrations().get_current_head()
        db.session.remove()
    assert manifest["database"] == ("postgresql" if PG_URL else "sqlite")
    assert manifest["tables"]["user"]["rows"] == 8
    assert "created_at:datetime" in manifest["tables"]["user"]["columns"]
    assert manifest["uploads"][source.image]["size"] == len(IMAGE)
    assert manifest["space_version"] and manifest["created_at"].endswith("+00:00")


def test_an_older_backup_restores_into_a_newer_space(source, target, made, tmp_path):
    """A backup made at the migration before the head: restored at that migration, then
    upgraded. What the older schema lacked is taken out of the file first."""
    with source.app_context():
        older = migrations().get_revision(migrations().get_current_head()).down_revision
        db.session.remove()
    with fresh_database(tmp_path / "older", postgres=bool(PG_URL)) as url:
        scratch = site(url, tmp_path / "older")
        with scratch.app_context():
            from alembic import command

            command.upgrade(scratch.extensions["migrate"].migrate.get_config(), older)
            with db.engine.connect() as conn:
                found = inspect(conn)
                schema = {
                    name: {column["name"] for column in found.get_columns(name)}
                    for name in found.get_table_names()
                }
            db.engine.dispose()

    def at_older_revision(manifest, members):
        manifest["revision"] = older
        for name in list(manifest["tables"]):
            entry = manifest["tables"][name]
            if name not in schema:
                del manifest["tables"][name], members[f"tables/{name}.jsonl"]
                continue
            keep = [i for i, c in enumerate(entry["columns"]) if c.split(":")[0] in schema[name]]
            lines = members[f"tables/{name}.jsonl"].splitlines(keepends=True)
            data = b"".join(
                json.dumps([json.loads(line)[i] for i in keep]).encode() + b"\n" for line in lines
            )
            entry["columns"] = [entry["columns"][i] for i in keep]
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            members[f"tables/{name}.jsonl"] = data

    old = repack(made, tmp_path / "older.tar.gz", at_older_revision)
    ok(space(target, "restore", str(old)))
    with target.app_context():
        assert migrations().get_current_head() in str(
            db.session.scalar(text("SELECT version_num FROM alembic_version"))
        )
        db.session.remove()
    assert content(target)["user"] == content(source)["user"]


@pytest.mark.skipif(not PG_URL, reason="moving between SQLite and PostgreSQL needs PostgreSQL")
def test_a_sqlite_backup_restores_into_postgresql_and_back(tmp_path):
    with fresh_database(tmp_path / "lite", postgres=False) as url:
        lite = site(url, tmp_path / "lite")
        demo_site(lite)
    expected, searched = content(lite), found(lite, CORE_QUERIES)
    ok(space(lite, "backup", str(tmp_path / "lite.tar.gz")))
    with fresh_database(tmp_path / "pg", postgres=True) as url:
        pg = site(url, tmp_path / "pg")
        ok(space(pg, "restore", str(tmp_path / "lite.tar.gz")))
        assert content(pg) == expected
        assert found(pg, CORE_QUERIES) == searched
        ok(space(pg, "backup", str(tmp_path / "pg.tar.gz")))
    with fresh_database(tmp_path / "back", postgres=False) as url:
        back = site(url, tmp_path / "back")
        ok(space(back, "restore", str(tmp_path / "pg.tar.gz")))
        assert content(back) == expected
    # Every row was written the same from both databases: the table files are identical.
    checksums = [
        {name: entry["sha256"] for name, entry in manifest_of(path)["tables"].items()}
        for path in (tmp_path / "lite.tar.gz", tmp_path / "pg.tar.gz")
    ]
    assert checksums[0] == checksums[1]


# ---------------------------------------------------------------------------- refusals


def test_a_database_with_accounts_is_refused_unless_forced(source, target, made):
    ok(space(target, "init"))
    ok(space(target, "create-user", "someone", "s@example.org", "--password", "x" * 12))
    refused = space(target, "restore", str(made))
    assert refused.exit_code == 1 and "has accounts already" in refused.output
    assert "Traceback" not in refused.output
    with target.app_context():
        assert [u.username for u in db.session.scalars(select(User))] == ["someone"]
        db.session.remove()
    ok(space(target, "restore", "--force", str(made)))
    assert content(target) == content(source)


def test_an_initialized_empty_database_is_restored_into(source, target, made):
    ok(space(target, "init"))
    ok(space(target, "restore", str(made)))
    assert content(target) == content(source)


def _damaged(manifest, members):
    members["tables/user.jsonl"] = members["tables/user.jsonl"].replace(b"admin", b"ADMIN")


def _extra(manifest, members):
    members["../../etc/passwd"] = b"root"


def _missing(manifest, members):
    del members["tables/user.jsonl"]


def _newer_format(manifest, members):
    manifest["format_version"] = 99


def _unknown_revision(manifest, members):
    manifest["revision"] = "ffffffffffff"


def _foreign_manifest(manifest, members):
    manifest["format"] = "something-else"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_damaged, "fails its checksum"),
        (_extra, "does not list"),
        (_missing, "incomplete"),
        (_newer_format, "format version 99"),
        (_unknown_revision, "does not know"),
        (_foreign_manifest, "not a Space backup"),
    ],
)
def test_a_changed_backup_is_refused_and_the_database_kept(
    target, demo_backup, tmp_path, change, words
):
    bad = repack(demo_backup, tmp_path / "bad.tar.gz", change)
    _refused_and_kept(target, bad, words)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"just some text\n", "not a readable backup"),
        (None, "not a readable backup"),  # the real file, cut in the middle
        (b"", "not a readable backup"),
    ],
)
def test_a_foreign_or_truncated_file_is_refused_and_the_database_kept(
    target, demo_backup, tmp_path, data, words
):
    bad = tmp_path / "bad.tar.gz"
    whole = demo_backup.read_bytes()
    bad.write_bytes(whole[: len(whole) // 2] if data is None else data)
    _refused_and_kept(target, bad, words)


def test_a_tar_without_a_manifest_is_refused(target, tmp_path):
    bad = tmp_path / "other.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        info = tarfile.TarInfo("notes.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    _refused_and_kept(target, bad, "no manifest")


def _refused_and_kept(target, bad: Path, words: str) -> None:
    """``restore --force bad`` fails with ``words`` and no traceback; the database is as it
    was (one account)."""
    ok(space(target, "init"))
    ok(space(target, "create-user", "keeper", "k@example.org", "--password", "x" * 12))
    result = space(target, "restore", "--force", str(bad))
    assert result.exit_code == 1, result.output
    assert words in result.output and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    with target.app_context():
        assert [u.username for u in db.session.scalars(select(User))] == ["keeper"]
        db.session.remove()


def test_backup_refuses_a_database_its_migrations_did_not_make(runner, tmp_path):
    # The ``app`` fixture makes its tables with create_all: no migration revision.
    result = runner.invoke(args=["space", "backup", str(tmp_path / "never.tar.gz")])
    assert result.exit_code == 1 and "flask space init" in result.output
    assert list(tmp_path.glob("*.tar.gz")) == []


def test_backup_names_its_file_by_time_and_never_overwrites(source, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ok(space(source, "backup"))
    (made,) = tmp_path.glob("space-backup-*.tar.gz")
    assert len(made.name) == len("space-backup-20250101-120000.tar.gz")
    folder = tmp_path / "backups"
    folder.mkdir()
    ok(space(source, "backup", str(folder)))
    assert len(list(folder.glob("space-backup-*.tar.gz"))) == 1
    again = space(source, "backup", str(made))
    assert again.exit_code == 1 and "exists already" in again.output
    assert not list(tmp_path.glob(".*partial")) and not list(tmp_path.glob(".space-backup-*"))


# ---------------------------------------------------------------------------- consistency


def test_the_backup_reads_one_snapshot_while_the_site_writes(source, tmp_path):
    """A row committed by someone else once the backup has started is not in it, and the
    writer does not wait for the backup (SQLite in WAL mode, PostgreSQL)."""
    url = source.config["SQLALCHEMY_DATABASE_URI"]
    writer = create_engine(url, connect_args={} if PG_URL else {"timeout": 0.2})
    outcome = []

    def write_meanwhile(tables, label):
        def tables_then_write():
            for number, table in enumerate(tables):
                yield table
                if number == 0:  # the snapshot is taken: another connection writes
                    try:
                        with writer.begin() as conn:
                            conn.execute(text("INSERT INTO site_setting (key, value) "
                                              "VALUES ('during', '1')"))  # fmt: skip
                        outcome.append("written")
                    except Exception as error:  # SQLite: database is locked
                        outcome.append(type(error).__name__)

        return _Context(tables_then_write())

    try:
        with source.app_context():
            before = db.session.scalar(text("SELECT count(*) FROM site_setting"))
            db.session.remove()
            manifest = backup.create(tmp_path / "during.tar.gz", progress=write_meanwhile)
    finally:
        writer.dispose()
    assert manifest.tables["site_setting"]["rows"] == before
    assert outcome == ["written"]


class _Context:
    def __init__(self, items):
        self.items = items

    def __enter__(self):
        return self.items

    def __exit__(self, *exc):
        return False


# ---------------------------------------------------------------------------- the format


def test_every_kind_of_value_comes_back_the_same(tmp_path):
    values = [
        7, 2.5, True, "bien sûr\n\u2028", {"a": [1, None]}, datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
        datetime(2025, 3, 1, 9, 30, 5, 123456), date(2025, 3, 1), time(23, 59, 1),
        Decimal("12.3400"), b"\x00\xffbytes", uuid.UUID(int=5), None,
    ]  # fmt: skip
    kinds = ["int", "float", "bool", "str", "json", "datetime", "datetime", "date", "time",
             "decimal", "bytes", "uuid", "str"]  # fmt: skip
    writer = archive.HashingWriter(tmp_path / "t.jsonl")
    writer.write(archive.encoder(kinds)(values))
    writer.close()
    (back,) = archive.read_rows(tmp_path / "t.jsonl", kinds)
    assert back == values
    assert [type(v) for v in back] == [type(v) for v in values]
    assert back[5].tzinfo is not None and back[6].tzinfo is None


def test_kinds_follow_what_a_column_stores():
    from space.accounts.models import TrustLevelType
    from space.db import UTCDateTime

    assert archive.kind_of(UTCDateTime()) == "datetime"
    assert archive.kind_of(TrustLevelType()) == "int"
    assert archive.kind_of(SqlEnum("a", "b", name="ab")) == "str"
    assert archive.kind_of(Integer()) == "int"
    with pytest.raises(backup.BackupError, match="cannot be backed up"):
        archive.kind_of(ARRAY(Integer))
