"""The map's area: the viewport (``BBox``, from ``bbox=west,south,east,north``) and the circle
of N km around a gazetteer city (``Near``), each with its SQL condition. Input that makes no
sense raises ``GeoError`` with a translated message (the views answer 400).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_

from .. import gazetteer
from ..models import Event

KM_CHOICES = (10, 25, 50, 100, 250, 500)
KM_DEFAULT = 50
KM_MAX = 1000
# Latitudes a viewport spans beyond which scanning by date beats the place index.
WIDE_DEGREES = 30


class GeoError(ValueError):
    """A viewport or a "near" that makes no sense; ``message`` is translated."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


# --- the viewport -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BBox:
    """The map's viewport in degrees; ``west > east`` when it crosses the antimeridian."""

    west: float
    south: float
    east: float
    north: float

    @property
    def is_world(self) -> bool:
        return self.west == -180 and self.east == 180 and self.south == -90 and self.north == 90

    def condition(self):
        lat = Event.lat.between(self.south, self.north)
        if self.north - self.south > WIDE_DEGREES:  # most events: let the date index lead
            lat = (Event.lat + 0).between(self.south, self.north)
        if self.west <= self.east:
            return lat & Event.lon.between(self.west, self.east)
        return lat & or_(Event.lon >= self.west, Event.lon <= self.east)


def parse_bbox(text: str | None) -> BBox | None:
    """``"west,south,east,north"`` (None when absent); ``GeoError`` when it is no area."""
    if text is None or not text.strip():
        return None
    parts = text.split(",")
    if len(parts) != 4 or len(text) > 200:
        raise GeoError(_("The map's area is four numbers: west, south, east, north."), "bbox")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise GeoError(_("The map's area is four numbers: west, south, east, north."),
                       "bbox") from None  # fmt: skip
    if not all(math.isfinite(n) for n in (west, south, east, north)):
        raise GeoError(_("The map's area is four numbers: west, south, east, north."), "bbox")
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90
            and -90 <= north <= 90):  # fmt: skip
        raise GeoError(_("Longitudes go from -180 to 180 and latitudes from -90 to 90."), "bbox")
    if south >= north or west == east:
        raise GeoError(_("The map's area is empty: south must be below north and west differ "
                         "from east."), "bbox")  # fmt: skip
    return BBox(west, south, east, north)


# --- near a city ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Near:
    """The circle of ``km`` around a gazetteer place."""

    place: gazetteer.Place
    km: float

    def condition(self):
        """SQL pre-filter: the circle's bounding box (``contains`` refines it)."""
        min_lat, min_lon, max_lat, max_lon = gazetteer.bounding_box(
            self.place.lat, self.place.lon, self.km
        )
        return Event.lat.between(min_lat, max_lat) & Event.lon.between(min_lon, max_lon)

    def contains(self, lat: float, lon: float) -> bool:
        return gazetteer.distance_km(self.place.lat, self.place.lon, lat, lon) <= self.km


def near(city_id, km=None) -> Near:
    """The circle of ``km`` (default 50) around the city ``city_id``; ``GeoError`` when the
    city is unknown or the distance is not 1 to 1000 km."""
    place = gazetteer.get(city_id) if str(city_id or "").strip().isdigit() else None
    if place is None:
        raise GeoError(_("Pick a city from the list."), "near")
    return Near(place, parse_km(km))


def parse_km(km) -> int:
    text = str(km if km is not None else KM_DEFAULT).strip() or str(KM_DEFAULT)
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= KM_MAX:
        raise GeoError(_("Give a distance from 1 to %(max)d km.", max=KM_MAX), "km")
    return int(text)


def near_name(name: str, km=None) -> Near:
    """The circle around the city best matching ``name`` (typed without the picker)."""
    found = gazetteer.lookup(name.strip(), 1) if name and name.strip() else []
    if not found:
        raise GeoError(_("No city is called %(name)s.", name=name.strip()[:100]), "city")
    return Near(found[0], parse_km(km))
