"""Migrations are the schema: they build it on SQLite and PostgreSQL and agree with the
models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from space.config import DEFAULT_PLUGINS
from space.db import db
from tests.conftest import make_app


@pytest.fixture
def database_url(empty_database_url):
    """Migrations start from a database without any table."""
    return empty_database_url


# SQLite cannot reflect expression indexes such as lower(username), so on SQLite those two
# are left out of the comparison; PostgreSQL reflects and compares them.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrations_build_a_schema_identical_to_the_models(database_url, tmp_path):
    # Every built-in area enabled: their tables are part of the one history.
    app = make_app(database_url, tmp_path, SPACE_PLUGINS=DEFAULT_PLUGINS)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], differences
        db.engine.dispose()


def test_migrations_downgrade_to_nothing_and_up_again(database_url, tmp_path):
    app = make_app(database_url, tmp_path, SPACE_PLUGINS=DEFAULT_PLUGINS)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory)
        downgrade(directory=directory, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=directory)
        assert "user" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_init_creates_the_database_and_loads_demo_content_once(database_url, tmp_path):
    app = make_app(database_url, tmp_path, SPACE_PLUGINS=DEFAULT_PLUGINS)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["space", "init", "--demo-if-empty"])
    assert result.exit_code == 0, result.output
    assert "admin" in result.output and "Database created." in result.output
    again = runner.invoke(args=["space", "init", "--demo-if-empty"])
    assert again.exit_code == 0 and "Database is up to date." in again.output
    assert "Demo content loaded" not in again.output
    with app.app_context():
        db.engine.dispose()
