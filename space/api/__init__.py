"""JSON API under /api/v1 with its OpenAPI document (flask-smorest), and the pages that
manage personal API tokens.

Every blueprint registered on the API (the core's and the plugins' ``api_blueprints``) gets
the same treatment: token or session authentication and scopes (``space.api.auth``), no CSRF
check (writes need a token, which a forged cross-site request cannot carry) and the
``SPACE_RATELIMIT_API`` rate limit. The document is at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

import threading

from flask_smorest import Api

from space.extensions import csrf

PREFIX = "/api/v1"

API_DESCRIPTION = """The Space API: the same people, groups and rules as the site.

Authenticate with a personal API token from your settings page:
`Authorization: Bearer space_…`. The `read` scope allows GET requests, `write` the rest.
A signed-in browser session may read, but not change anything.

Errors are JSON: `{"code", "status", "message", "errors"}`, where `errors` holds messages
per location and field, e.g. `{"json": {"website": ["…"]}}`. Lists are paginated:
`?page=&per_page=` (at most 100) give `{"items", "page", "per_page", "total"}`.
"""


class _Api(Api):
    """flask-smorest's ``Api``, describing the blueprints in the OpenAPI document only when
    the document is first read. Describing every schema of every endpoint was most of
    registering the API in ``create_app``, and most processes never serve the document."""

    def __init__(self, *args, **kwargs):
        self._undescribed: list = []
        self._describing = threading.Lock()
        self._spec = None
        super().__init__(*args, **kwargs)

    @property
    def spec(self):
        if self._undescribed:
            with self._describing:
                while self._undescribed:
                    blueprint, name, parameters = self._undescribed.pop(0)
                    blueprint.register_views_in_doc(
                        self, self._app, self._spec, name=name, parameters=parameters
                    )
                    self._spec.tag({"name": name, "description": blueprint.description})
        return self._spec

    @spec.setter
    def spec(self, value) -> None:
        self._spec = value

    def register_blueprint(self, blp, *, parameters=None, **options) -> None:
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undescribed.append((blp, name, parameters))


def init_app(app, registry) -> None:
    from space.api import auth, groups, me, notifications, token_views, users
    from space.moderation import api as review

    api = _Api(app, spec_kwargs={"info": {"description": API_DESCRIPTION}})
    api.spec.components.security_scheme(
        auth.SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (space_…), created in your settings.",
        },
    )
    app.extensions["space.api"] = api
    names = app.extensions.setdefault("space.api.blueprints", set())

    def add(blueprint, url_prefix: str) -> None:
        csrf.exempt(blueprint)
        auth.api_limit(blueprint)
        api.register_blueprint(blueprint, url_prefix=url_prefix)
        names.add(blueprint.name)

    for blueprint in (me.bp, me.tokens_bp, users.bp, groups.bp, notifications.bp, review.bp):
        add(blueprint, PREFIX)
    for plugin in registry.plugins.values():
        for blueprint in plugin.api_blueprints:
            add(blueprint, f"{PREFIX}/{plugin.name}")
    auth.init_app(app)
    app.register_blueprint(token_views.bp)
