"""Space: one Flask application for a community's blog, discussion and events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config → extensions → plugins → blueprints → errors.

    Never touches the database, so it is cheap and safe before migrations run.
    """
    app = Flask(__name__, instance_relative_config=True)
    from space import config as settings

    app.config.from_mapping(settings.load(app.instance_path, config))

    from space import i18n, models, permissions, plugins, security, web  # noqa: F401
    from space.accounts.models import Anonymous
    from space.extensions import babel, csrf, db, limiter, login_manager, migrate

    if app.config["SPACE_PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["SPACE_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_root() / "migrations"), render_as_batch=True)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
        default_translation_directories=str(_root() / "translations"),
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.anonymous_user = Anonymous
    login_manager.login_view = "accounts.login"
    i18n.init_app(app)

    registry = plugins.load(app, app.config["SPACE_PLUGINS"])
    permissions.register(app, permissions.core_actions())
    for actions in registry.hook.register_actions():
        permissions.register(app, actions or [])

    web.register(app, registry)
    app.after_request(security.set_security_headers)
    return app


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent
