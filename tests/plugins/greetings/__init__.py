"""A test plugin proving the plugin contract: a blueprint, a nav item, an action, a template
outlet, search documents, a notification type and a CLI command."""

from flask import Blueprint, render_template
from flask_login import current_user

from space.permissions import require
from space.plugins import Plugin
from tests.plugins.greetings import hooks

bp = Blueprint("greetings", __name__, template_folder="templates")


@bp.get("/")
def index():
    require(current_user, "greetings.read")
    return render_template("greetings/index.html")


@bp.get("/secret")
def secret():
    require(current_user, "greetings.secret")
    return "the secret greeting"


plugin = Plugin(name="greetings", blueprint=bp, hooks=hooks, title="Greetings")
