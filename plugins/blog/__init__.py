"""Blog: stories from pitch to publication through editorial review, with revisions, a
discussion topic per published story, feeds and translations. Served at /blog."""

from flask_babel import lazy_gettext as _l

from space.plugins import Plugin

from . import hooks, models  # noqa: F401 - models register their tables
from .api import bp as api_bp
from .views import bp

plugin = Plugin(
    name="blog",
    blueprint=bp,
    url_prefix="/blog",
    hooks=hooks,
    api_blueprints=[api_bp],
    title=_l("Blog"),
)
