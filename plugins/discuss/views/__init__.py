"""The Discuss blueprint; each module of this package adds its routes to ``bp``."""

from flask import Blueprint

bp = Blueprint(
    "discuss",
    __name__,
    template_folder="../templates",
    static_folder="../static",
    static_url_path="/static",
)

# Importing the modules registers their routes.
from . import activity, admin, composer, feeds, flags, lists, social, staff, topics  # noqa: E402, F401
