"""Blog: stories from pitch to publication through editorial review, with revisions, a
discussion topic per published story, feeds and translations. Served at /blog."""

from flask_babel import lazy_gettext as _l

from space.plugins import Plugin

from . import hooks, models  # noqa: F401 - models register their tables
from .views import bp

plugin = Plugin(
    name="blog",
    blueprint=bp,
    url_prefix="/blog",
    hooks=hooks,
    api_blueprints=[f"{__name__}.api:bp"],  # imported when the API is first used
    title=_l("Blog"),
)
