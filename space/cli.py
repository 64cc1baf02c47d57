"""``flask --app wsgi space …`` commands."""

from __future__ import annotations

from flask.cli import AppGroup

space_cli = AppGroup("space", help="Manage Space.")


def init_app(app, registry) -> None:
    from space.api import cli as api_cli
    from space.search import cli as search_cli

    if "space" not in app.cli.commands:
        app.cli.add_command(space_cli)
    api_cli.register(space_cli)
    search_cli.register(space_cli)
    registry.hook.register_commands(cli=space_cli)
