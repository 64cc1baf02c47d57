"""Discuss: categories, topics and threaded replies, likes, bookmarks, accepted answers and
the activity behind trust levels. Served at /discuss."""

from flask_babel import lazy_gettext as _l

from space.plugins import Plugin

from . import hooks, models  # noqa: F401 - models register their tables
from .views import bp

plugin = Plugin(
    name="discuss",
    blueprint=bp,
    url_prefix="/discuss",
    hooks=hooks,
    api_blueprints=[f"{__name__}.api:bp"],  # imported when the API is first used
    title=_l("Discuss"),
)
