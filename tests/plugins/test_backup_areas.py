"""A backup of the small demo with Discuss, Blog and Events on restores into a fresh
database with every row of every area, its uploaded image and the same search results —
on the database the suite runs on, and from SQLite into PostgreSQL when it is reachable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import PG_URL
from tests.core.test_backup import (
    IMAGE,
    content,
    demo_site,
    found,
    fresh_database,
    manifest_of,
    ok,
    site,
    space,
)

ROOT = Path(__file__).resolve().parents[2]
AREAS = ["discuss", "blog", "events"]
QUERIES = ["welcome", "meetups accessible", "photos", "story", "event", "Stockholm", "Amara"]


@pytest.fixture
def source(empty_database_url, tmp_path):
    app = site(empty_database_url, tmp_path / "source", AREAS)
    app.image = demo_site(app)
    return app


def _restored_like(source, backup, url, folder):
    """Restore ``backup`` into a site on ``url``; check it against ``source``."""
    target = site(url, folder, AREAS)
    ok(space(target, "restore", str(backup)))
    expected = content(source)
    assert content(target) == expected
    assert (folder / "uploads" / source.image).read_bytes() == IMAGE
    searched = found(source, QUERIES)
    assert all(searched.values()), searched
    assert found(target, QUERIES) == searched
    return target, expected


def test_every_area_comes_back_from_a_backup(source, tmp_path):
    rows = content(source)
    for table in ("discuss_post", "discuss_topic", "blog_story", "blog_story_revision",
                  "events_event", "events_registration", "upload"):  # fmt: skip
        assert rows[table][0] > 0, table
    backup = tmp_path / "areas.tar.gz"
    result = ok(space(source, "backup", str(backup)))
    assert "Not in the backup" not in result.output  # every area is on
    with fresh_database(tmp_path / "target", postgres=bool(PG_URL)) as url:
        _restored_like(source, backup, url, tmp_path / "target")


def test_a_process_with_areas_switched_off_names_their_tables_and_backs_up_the_rest(
    source, tmp_path
):
    """In a process where Blog and Events are off their models are never imported: their
    tables are named as left out, and the rest restores."""
    backup = tmp_path / "discuss.tar.gz"
    environment = {
        **os.environ,
        "SPACE_DATABASE_URL": source.config["SQLALCHEMY_DATABASE_URI"],
        "SPACE_SECRET_KEY": "test-secret",
        "SPACE_UPLOAD_DIR": source.config["SPACE_UPLOAD_DIR"],
        "SPACE_SEARCH_PATH": source.config["SPACE_SEARCH_PATH"],
        "SPACE_PLUGINS": "discuss",
    }
    finished = subprocess.run(
        [str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "space", "backup",
         str(backup)],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr
    left_out = finished.stdout.split("Not in the backup (their plugin is off): ")[1].split(", ")
    assert {"blog_story", "events_event"} <= {name.strip() for name in left_out}
    with tarfile.open(backup) as tar:
        tables = json.loads(tar.extractfile("manifest.json").read())["tables"]
    assert "discuss_post" in tables and "blog_story" not in tables
    with fresh_database(tmp_path / "target", postgres=bool(PG_URL)) as url:
        target = site(url, tmp_path / "target", ["discuss"])
        ok(space(target, "restore", str(backup)))
        expected, restored = content(source), content(target)
        assert {name: restored[name] for name in tables} == {
            name: expected[name] for name in tables
        }
        assert restored["blog_story"][0] == 0


@pytest.mark.skipif(not PG_URL, reason="moving from SQLite to PostgreSQL needs PostgreSQL")
def test_every_area_moves_from_sqlite_to_postgresql(tmp_path):
    with fresh_database(tmp_path / "lite", postgres=False) as url:
        lite = site(url, tmp_path / "lite", AREAS)
        lite.image = demo_site(lite)
    backup = tmp_path / "lite.tar.gz"
    ok(space(lite, "backup", str(backup)))
    with fresh_database(tmp_path / "pg", postgres=True) as url:
        pg, _rows = _restored_like(lite, backup, url, tmp_path / "pg")
        ok(space(pg, "backup", str(tmp_path / "pg.tar.gz")))
    # Written the same from both databases: every table file is identical.
    tables = [manifest_of(path)["tables"] for path in (backup, tmp_path / "pg.tar.gz")]
    assert {n: e["sha256"] for n, e in tables[0].items()} == {
        n: e["sha256"] for n, e in tables[1].items()
    }
