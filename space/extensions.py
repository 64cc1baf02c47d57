"""Extension instances, created unbound; ``create_app`` binds them to an app."""

import click
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from space.db import db
from space.security import rate_limit_key


class DeferredMigrate:
    """Flask-Migrate, set up on first use: importing Alembic costs every worker ~0.2 s at
    start, and only ``flask db`` and ``flask space init`` need it."""

    def init_app(self, app, database, **kwargs) -> None:
        app.extensions["migrate"] = _Pending(app, database, kwargs)
        app.cli.add_command(_DbCommands("db"))


class _Pending:
    def __init__(self, app, database, kwargs):
        self._app, self._database, self._kwargs = app, database, kwargs

    def __getattr__(self, name):
        from flask_migrate import Migrate

        Migrate(self._app, self._database, **self._kwargs)  # replaces this placeholder
        return getattr(self._app.extensions["migrate"], name)


class _DbCommands(click.Group):
    """``flask db …``: Flask-Migrate's own group, loaded when a command is asked for."""

    def __init__(self, name):
        super().__init__(name, help="Database migrations (Flask-Migrate).")

    def make_context(self, info_name, args, parent=None, **extra):
        from flask_migrate.cli import db as migrate_commands

        return migrate_commands.make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        from flask_migrate.cli import db as migrate_commands

        # Its group callback sets g.directory and g.x_arg for the subcommands.
        return migrate_commands.invoke(ctx)


class AppLimiter(Limiter):
    """Flask-Limiter, configured again by every app it is bound to.

    Limiter keeps the key prefix of the first ``init_app``, adds up storage options and
    remembers a storage it found dead; a process that builds several apps (the tests, a
    command run from a worker) must not inherit another app's prefix, options or outage.
    """

    def init_app(self, app) -> None:
        self._key_prefix = app.config.get("RATELIMIT_KEY_PREFIX", "")
        self._storage_options = {}
        self._storage_dead = False
        super().init_app(app)


migrate = DeferredMigrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = AppLimiter(key_func=rate_limit_key, default_limits=[])

__all__ = ["db", "migrate", "login_manager", "babel", "csrf", "limiter"]
