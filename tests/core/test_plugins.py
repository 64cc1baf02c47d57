"""The plugin contract, proved by tests/plugins/greetings."""

import pytest

from space import create_app, notify
from space.db import db
from space.permissions import can
from space.plugins import PluginError, hook
from tests import factories
from tests.conftest import make_app

GREETINGS = "tests.plugins.greetings"


@pytest.fixture
def app_config():
    return {"SPACE_PLUGINS": [GREETINGS]}


def test_plugin_blueprint_is_served_under_its_name(client):
    response = client.get("/greetings/")
    assert response.status_code == 200
    assert b"<h1>Greetings</h1>" in response.data


def test_plugin_nav_item_appears_and_marks_the_current_page(client):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/greetings/">Greetings</a>' in home
    page = client.get("/greetings/").get_data(as_text=True)
    assert 'href="/greetings/" aria-current="page"' in page


def test_plugin_outlets_render_on_core_pages(client):
    factories.user("ada")
    assert b'id="greetings-panel"' in client.get("/").data
    assert b'<p id="greetings-profile">Greeted ada</p>' in client.get("/u/ada").data


def test_plugin_action_is_checked_by_can_with_hide_as_404(app, client, login):
    newcomer = factories.user("newbie")
    regular = factories.user("reg", trust_level=3)
    assert can(regular, "greetings.secret")
    assert not can(newcomer, "greetings.secret")
    assert client.get("/greetings/secret").status_code == 404
    login(newcomer)
    assert client.get("/greetings/secret").status_code == 404
    client.post("/logout", data={"csrf_token": "x"})


def test_regular_reads_the_plugin_secret(client, login):
    login(factories.user("reg", trust_level=3))
    assert client.get("/greetings/secret").data == b"the secret greeting"


def test_plugin_notification_type_renders_in_the_list(app, client, login):
    ada = factories.user("ada")
    notify.notify(ada.id, "greeting", who="bob")
    db.session.commit()
    login(ada)
    page = client.get("/notifications").get_data(as_text=True)
    assert "bob greets you" in page


def test_plugin_cli_command_is_under_flask_space(runner):
    result = runner.invoke(args=["space", "greet", "world"])
    assert result.exit_code == 0
    assert "Hello, world!" in result.output


def test_hooks_are_per_app(app, tmp_path, database_url):
    other = make_app(database_url, tmp_path / "other", SPACE_PLUGINS=[])
    with other.app_context():
        assert hook().nav_items(user=None) == []
    assert hook().nav_items(user=None)


def test_unknown_plugin_fails_loudly(tmp_path):
    with pytest.raises(PluginError):
        create_app(
            {
                "SPACE_PLUGINS": ["no_such_plugin_here"],
                "SPACE_SECRET_KEY": "x",
                "SPACE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            }
        )


def test_a_plugin_enabled_twice_is_refused(tmp_path):
    with pytest.raises(PluginError):
        create_app(
            {
                "SPACE_PLUGINS": [GREETINGS, GREETINGS],
                "SPACE_SECRET_KEY": "x",
                "SPACE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            }
        )


class TestWithThePluginSwitchedOff:
    @pytest.fixture
    def app_config(self):
        return {"SPACE_PLUGINS": []}

    def test_core_pages_still_work(self, client):
        factories.user("ada")
        for path in ["/", "/u/ada", "/groups", "/login", "/register", "/code-of-conduct"]:
            assert client.get(path).status_code == 200, path

    def test_plugin_routes_are_gone(self, client):
        assert client.get("/greetings/").status_code == 404

    def test_nav_and_outlets_are_empty(self, client):
        home = client.get("/").get_data(as_text=True)
        assert "/greetings/" not in home
        assert "greetings-panel" not in home
