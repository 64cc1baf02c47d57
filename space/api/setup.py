"""Registering the API on an app, when it is first used (``space.api.load``): flask-smorest's
``Api``, then the core's and the enabled plugins' API blueprints.

This may happen after the app has served requests, so the URL rules go to a copy of the URL
map that replaces the old one once complete: a request routed meanwhile in another thread
sees the old map or the new one, never one half-updated (Werkzeug re-sorts a map's lists in
place as rules are added).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from importlib import import_module

from flask_smorest import Api

from space.api import API_DESCRIPTION, CORE_BLUEPRINTS, DOCS, PREFIX, auth
from space.extensions import csrf


class _Api(Api):
    """flask-smorest's ``Api``, describing the blueprints in the OpenAPI document only when
    the document is first read. Describing every schema of every endpoint was most of
    registering the API, and most processes never serve the document.

    The document's URL is registered by ``space.api.init_app`` (pages link to it before the
    API is loaded), and errors are answered by ``space.errors`` for the whole app."""

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

    def _make_doc_blueprint_name(self) -> str:
        return DOCS

    def _register_doc_blueprint(self) -> None:
        pass

    def _register_error_handlers(self) -> None:
        pass

    def register_blueprint(self, blp, *, parameters=None, **options) -> None:
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undescribed.append((blp, name, parameters))


def resolve(blueprint):
    """A blueprint, or the blueprint a ``"module:attribute"`` reference names."""
    if not isinstance(blueprint, str):
        return blueprint
    module, _, attribute = blueprint.partition(":")
    return getattr(import_module(module), attribute)


def register(app, registry) -> _Api:
    """Register the API on ``app``; the caller publishes the returned ``Api``."""
    with _late_setup(app):
        api = _Api(app, spec_kwargs={"info": {"description": API_DESCRIPTION}})
        api.spec.components.security_scheme(
            auth.SECURITY_SCHEME,
            {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal API token (space_…), created in your settings.",
            },
        )
        names = app.extensions["space.api.blueprints"]
        blueprints = [(resolve(ref), PREFIX) for ref in CORE_BLUEPRINTS]
        for plugin in registry.plugins.values():
            prefix = f"{PREFIX}/{plugin.name}"
            blueprints.extend((resolve(ref), prefix) for ref in plugin.api_blueprints)
        for blueprint, url_prefix in blueprints:
            csrf.exempt(blueprint)
            auth.api_limit(blueprint)
            api.register_blueprint(blueprint, url_prefix=url_prefix)
            names.add(blueprint.name)
    return api


@contextmanager
def _late_setup(app):
    """Let ``app`` take blueprints even after its first request, adding their URL rules to a
    copy of its URL map that replaces the live one at the end."""
    live = app.url_map
    staged = _copy(live)
    # Instance attributes, shadowing the methods for the duration of the registration only.
    app._check_setup_finished = _setup_is_never_finished
    live.add = staged.add
    try:
        yield
    finally:
        del live.add
        del app._check_setup_finished
    staged.update()
    app.url_map = staged


def _setup_is_never_finished(f_name: str) -> None:
    return None


def _copy(live):
    staged = type(live)(
        default_subdomain=live.default_subdomain,
        strict_slashes=live.strict_slashes,
        merge_slashes=live.merge_slashes,
        redirect_defaults=live.redirect_defaults,
        converters=live.converters,
        sort_parameters=live.sort_parameters,
        sort_key=live.sort_key,
        host_matching=live.host_matching,
    )
    for rule in live.iter_rules():
        twin = type(rule)(
            rule.rule,
            **rule.get_empty_kwargs(),
            merge_slashes=rule.merge_slashes,
            websocket=rule.websocket,
        )
        # Flask's own mark: answer OPTIONS for this rule.
        if hasattr(rule, "provide_automatic_options"):
            twin.provide_automatic_options = rule.provide_automatic_options
        staged.add(twin)
    return staged
