"""JSON API under /api/v1 with its OpenAPI document (flask-smorest), and the pages that
manage personal API tokens.

Every blueprint registered on the API (the core's and the plugins' ``api_blueprints``) gets
the same treatment: token or session authentication and scopes (``space.api.auth``), no CSRF
check (writes need a token, which a forged cross-site request cannot carry) and the
``SPACE_RATELIMIT_API`` rate limit. The document is at ``/api/v1/openapi.json``.

The API is registered on first use (``load``): importing flask-smorest, marshmallow, webargs
and every area's API module (60 modules) was about 0.2 s of starting the app, and a process
serving pages never needs them. ``init_app`` registers what pages need at once (the token
pages, the document's URL for the footer's link, the authentication hooks); ``load``
registers the rest on the first request under ``/api/`` (before it is routed), on the first
URL built for an endpoint the app does not know yet, or when called (by code that walks
every route, such as tests: ``flask routes`` shows the pages' routes and the document's
only).
"""

from __future__ import annotations

import threading
from functools import partial

from flask import Blueprint, current_app, has_app_context, has_request_context, request
from flask.globals import app_ctx, request_ctx

PREFIX = "/api/v1"
# The largest id a path or a body may name (PostgreSQL's integer).
MAX_ID = 2**31 - 1
# flask-smorest's name for the blueprint serving the document: pages link to
# "api-docs.openapi_json".
DOCS = "api-docs"
# The core's API blueprints, imported when the API is loaded.
CORE_BLUEPRINTS = (
    "space.api.me:bp",
    "space.api.me:tokens_bp",
    "space.api.users:bp",
    "space.api.groups:bp",
    "space.api.notifications:bp",
    "space.moderation.api:bp",
)

API_DESCRIPTION = """The Space API: the same people, groups and rules as the site.

Authenticate with a personal API token from your settings page:
`Authorization: Bearer space_…`. The `read` scope allows GET requests, `write` the rest.
A signed-in browser session may read, but not change anything.

Errors are JSON: `{"code", "status", "message", "errors"}`, where `errors` holds messages
per location and field, e.g. `{"json": {"website": ["…"]}}`. Lists are paginated:
`?page=&per_page=` (at most 100) give `{"items", "page", "per_page", "total"}`.
"""

_loading = threading.Lock()


def init_app(app, registry) -> None:
    from space.api import auth, token_views

    app.extensions.setdefault("space.api.blueprints", set())
    docs = Blueprint(DOCS, __name__, url_prefix=app.config["OPENAPI_URL_PREFIX"])
    path = "/" + app.config["OPENAPI_JSON_PATH"].lstrip("/")
    docs.add_url_rule(path, endpoint="openapi_json", view_func=_openapi_json)
    app.register_blueprint(docs)
    app.wsgi_app = _LoadForApiRequests(app, app.wsgi_app)
    app.url_build_error_handlers.append(partial(_build_after_loading, app))
    auth.init_app(app)
    app.register_blueprint(token_views.bp)


def load(app):
    """The app's flask-smorest ``Api``, registering the API blueprints first if they are not
    yet (once per app, whichever thread asks first)."""
    api = app.extensions.get("space.api")
    if api is None:
        with _loading:
            api = app.extensions.get("space.api")
            if api is None:
                from flask_babel import force_locale

                from space.api import setup

                # Importing the API translates some lazy strings (flask-smorest copies its
                # arguments): under a locale of its own, so that none stays chosen for a
                # request that may be under way in this context.
                with force_locale(app.config["SPACE_DEFAULT_LOCALE"]):
                    api = setup.register(app, app.extensions["space.plugins"])
                app.extensions["space.api"] = api
    return api


def is_loaded(app) -> bool:
    return "space.api" in app.extensions


def _openapi_json():
    return load(current_app)._openapi_json()


class _LoadForApiRequests:
    """WSGI middleware: a request under /api/ finds the API registered before it is routed."""

    def __init__(self, app, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if "space.api" not in self.app.extensions and environ.get("PATH_INFO", "").startswith(
            "/api/"
        ):
            load(self.app)
        return self.wsgi_app(environ, start_response)


def _build_after_loading(app, error, endpoint, values):
    """Flask's URL build error handler: a URL for an endpoint the app does not know may be an
    API endpoint. Register the API, then build again with an adapter for the new URL map."""
    previous = app.url_map
    load(app)
    if has_request_context() or has_app_context():
        context = request_ctx if has_request_context() else app_ctx
        if context.url_adapter is None or context.url_adapter.map is app.url_map:
            return None  # built on the whole map already: the endpoint does not exist
        context.url_adapter = app.create_url_adapter(request if has_request_context() else None)
    elif app.url_map is previous:
        return None
    return app.url_for(endpoint, **values)
