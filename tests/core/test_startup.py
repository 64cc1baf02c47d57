"""Starting the app leaves what few requests need unimported (the API and its libraries,
bleach, Markdown, icalendar, and on SQLite the PostgreSQL dialect), and the API still
answers, builds its URLs and describes itself once it is first used.

This module is also a plugin (``plugin`` below) whose API blueprint is given as an object,
as a third-party plugin may do, rather than as a "module:attribute" reference.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from flask import url_for

from space import api
from space.api.blueprint import Blueprint
from space.plugins import Plugin

ROOT = Path(__file__).resolve().parents[2]
AREAS = ["blog", "discuss", "events"]
FIRST_USE = [
    "flask_smorest", "marshmallow", "webargs", "apispec", "bleach", "markdown", "icalendar",
    "whoosh", "space.api.setup", "space.api.users", "space.moderation.api",
    "plugins.blog.api", "plugins.discuss.api", "plugins.events.api",
    "sqlalchemy.dialects.postgresql", "space.search.postgres",
]  # fmt: skip

bp = Blueprint("api-startup", __name__, description="A plugin's API blueprint object.")


@bp.route("/ping")
def ping():
    return {"pong": True}


plugin = Plugin(name="startup", api_blueprints=[bp])


@pytest.fixture
def app_config():
    return {"SPACE_PLUGINS": [*AREAS, __name__]}


def test_starting_the_app_imports_neither_the_api_nor_what_pages_rarely_use(tmp_path):
    config = {
        "SPACE_DATABASE_URL": f"sqlite:///{tmp_path / 'space.db'}",
        "SPACE_SECRET_KEY": "test-secret",
        "SPACE_SEARCH_PATH": str(tmp_path / "search"),
        "SPACE_UPLOAD_DIR": str(tmp_path / "uploads"),
        "SPACE_PLUGINS": AREAS,
    }
    code = (
        "import json, sys\n"
        "from space import create_app\n"
        f"create_app(json.loads({json.dumps(config)!r}))\n"
        f"print(json.dumps([name for name in {FIRST_USE!r} if name in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_pages_link_to_the_api_document_without_loading_the_api(app, client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/api/v1/openapi.json"' in page
    assert not api.is_loaded(app)


def test_the_first_api_request_after_pages_were_served_is_answered_by_the_api(app, client):
    assert client.get("/").status_code == 200
    served = app.url_map
    response = client.get("/api/v1/users")
    assert response.status_code == 200
    assert "items" in response.get_json()
    assert api.is_loaded(app)
    # The rules went to a new map: the one requests were being routed with is left whole.
    assert app.url_map is not served
    assert not any(rule.rule.startswith("/api/v1/users") for rule in served.iter_rules())


def test_api_urls_build_in_a_request_before_the_api_is_loaded(app):
    assert not api.is_loaded(app)
    with app.test_request_context("/"):
        assert url_for("api-users.get_user", username="ada") == "/api/v1/users/ada"
        assert url_for("api-discuss.list_topics") == "/api/v1/discuss/topics"
    assert api.is_loaded(app)


def test_api_urls_build_outside_requests_before_the_api_is_loaded(app):
    # The app fixture holds an app context, whose URL adapter was made before the API.
    assert not api.is_loaded(app)
    assert url_for("api-blog.list_stories") == "http://localhost/api/v1/blog/stories"


def test_unknown_endpoints_still_fail_to_build_once_the_api_is_loaded(app):
    from werkzeug.routing import BuildError

    with app.test_request_context("/"), pytest.raises(BuildError):
        url_for("api-users.no_such_view")


def test_the_document_describes_a_plugin_api_given_as_a_blueprint_object(app, client):
    assert client.get("/api/v1/startup/ping").get_json() == {"pong": True}
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/startup/ping" in document["paths"]
    assert {"/api/v1/users", "/api/v1/discuss/topics", "/api/v1/blog/stories"} <= set(
        document["paths"]
    )
