"""Events: a calendar and a map of what the community organizes — registration and waitlists,
recurring events, iCalendar feeds, reports, and an offline city list. Served at /events."""

from flask_babel import lazy_gettext as _l

from space.plugins import Plugin

from . import hooks, models  # noqa: F401 - models register their tables
from .api import bp as api_bp
from .views import bp

plugin = Plugin(
    name="events",
    blueprint=bp,
    url_prefix="/events",
    hooks=hooks,
    api_blueprints=[api_bp],
    title=_l("Events"),
)
