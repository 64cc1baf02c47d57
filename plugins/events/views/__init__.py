"""The events' pages. Each module adds its routes to ``bp``."""

from flask import Blueprint

bp = Blueprint("events", __name__, template_folder="../templates", static_folder="../static",
               static_url_path="/static")  # fmt: skip

# Importing the modules registers their routes.
from . import admin, calendar, editing, feeds, flags, map, pages, registration  # noqa: E402, F401
