"""The events' numbers and switches, kept with the site settings as "events.*"."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from space.site import Setting, Settings

SETTINGS: list[Setting] = [
    Setting("tile_url", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            _l("Map tiles (URL template)"), "map"),
    Setting("tile_attribution",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
            "contributors", _l("Map tiles' attribution (HTML)"), "map"),
    Setting("map_max_events", 2000, _l("Events sent to the map at once, at most"), "map", 100),
    Setting("events_per_page", 20, _l("Events per page"), "lists", 5),
    Setting("open_discussion", True, _l("Open a discussion topic for each new event"), "lists"),
    Setting("discussion_category", "events", _l("Discussion category of events (slug)"),
            "lists"),
    Setting("reminder_hours", 24, _l("Remind participants this many hours before"),
            "registration", 1),
    Setting("max_occurrences", 200, _l("Occurrences of a recurring event, at most"),
            "registration", 1),
]  # fmt: skip

_settings = Settings("events.", SETTINGS)
BY_NAME = _settings.by_name


def defaults() -> dict[str, Any]:
    return _settings.defaults()


def value(name: str) -> Any:
    return _settings.value(name)


def put(name: str, new: Any) -> None:
    _settings.put(name, new)
