"""Events: a calendar and a map of what the community organizes — registration and waitlists,
recurring events, iCalendar feeds, reports, and an offline city list. Served at /events."""

from flask_babel import lazy_gettext as _l

from space.plugins import Plugin

from . import hooks, models  # noqa: F401 - models register their tables
from .views import bp

plugin = Plugin(
    name="events",
    blueprint=bp,
    url_prefix="/events",
    hooks=hooks,
    api_blueprints=[f"{__name__}.api:bp"],  # imported when the API is first used
    title=_l("Events"),
)
