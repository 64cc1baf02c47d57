"""JSON API under /api/v1 with its OpenAPI document (flask-smorest)."""

from __future__ import annotations

from flask_smorest import Api


def init_app(app, registry) -> None:
    api = Api(app, spec_kwargs={"info": {"description": "The Space API."}})
    app.extensions["space.api"] = api
    for plugin in registry.plugins.values():
        for blueprint in plugin.api_blueprints:
            api.register_blueprint(blueprint, url_prefix=f"/api/v1/{plugin.name}")
