"""The map's data: upcoming in-person and hybrid events as GeoJSON, "near a city within N km",
the online events listed beside the map, and the plain list by country and city for browsers
without JavaScript.

Everything here reads only the columns it needs, as rows (no ORM objects), in one query (plus
one for the cancelled occurrences of recurring events, when there are some), so that 10,000
events answer in a few milliseconds. The events are those ``user`` may see
(``access.visible``), narrowed by the list's filters (``services/filters.py``), the map's
viewport (``BBox``) and the circle around a city (``Near``), and capped at the
``map_max_events`` setting (the GeoJSON then says ``truncated`` and the ``total``).
Times are labelled in the viewer's zone (``filters.zone``) with the event's own zone when it
differs, formatted by Babel in the current locale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import String, func, or_, select, type_coerce

from space.db import db, utcnow

from .. import access, formatting
from ..models import Event, EventStatus, Mode
from ..settings import value
from . import times
from .area import BBox, Near
from .events import cancelled_starts
from .filters import Filters

ON_MAP = (Mode.IN_PERSON, Mode.HYBRID)
ONLINE_LIMIT = 20


# --- time labels ------------------------------------------------------------------------------


class Labels:
    """ "May 3, 2026, 4:00 PM · 6:00 PM (Europe/Paris)": a moment in the viewer's zone, with the
    event's own wall-clock time and zone when the zone differs. Formatting by Babel is cached
    per day and per minute, so thousands of labels cost little."""

    def __init__(self, zone: str):
        self.zone_name = zone
        self.zone = ZoneInfo(zone)
        self.locale = get_locale() or "en"
        self.pattern = get_datetime_format("medium", locale=self.locale).replace("'", "")
        self.own = _("%(time)s (%(zone)s)")
        self._days: dict[tuple[int, int, int], str] = {}
        self._clocks: dict[tuple[int, int], str] = {}

    def day(self, moment: date) -> str:
        key = (moment.year, moment.month, moment.day)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = format_date(date(*key), "medium", locale=self.locale)
        return found

    def clock(self, moment: datetime) -> str:
        key = (moment.hour, moment.minute)
        found = self._clocks.get(key)
        if found is None:
            found = self._clocks[key] = format_time(time(*key), "short", locale=self.locale)
        return found

    def label(self, start_at: datetime, start_local: datetime, zone: str, all_day: bool) -> str:
        if all_day:
            return self.day(start_local)
        here = start_at.astimezone(self.zone)
        text = self.pattern.replace("{1}", self.day(here)).replace("{0}", self.clock(here))
        if zone == self.zone_name:
            return text
        return f"{text} · {self.own % {'time': self.clock(start_local), 'zone': zone}}"


# --- the query --------------------------------------------------------------------------------

# Read as the database gives them: the times as text on SQLite (parsed here, faster than
# the column types' processing of thousands of rows), the enums as their values.
COLUMNS = (
    Event.id, Event.title, Event.slug, Event.lat, Event.lon,
    type_coerce(Event.start_at, String).label("start_at"),
    type_coerce(Event.start_local, String).label("start_local"),
    type_coerce(Event.end_local, String).label("end_local"),
    Event.timezone, Event.all_day, Event.rrule,
    type_coerce(Event.mode, String).label("mode"),
    type_coerce(Event.event_type, String).label("event_type"),
    (Event.status == EventStatus.CANCELLED).label("cancelled"),
    Event.city, Event.country_code,
)  # fmt: skip


def _dates(filters: Filters, now: datetime) -> tuple[list, datetime, datetime | None]:
    lower, upper = filters.bounds()
    lower = max(lower, now) if lower else now  # the map shows what is still to come
    found = [or_(Event.last_end_at.is_(None), Event.last_end_at > lower)]
    if upper is not None:
        found.append(Event.start_at < upper)
    return found, lower, upper


class Spot(NamedTuple):
    """One event (its next occurrence) at its place: what a marker shows."""

    id: int
    title: str
    url: str
    lat: float
    lon: float
    start_at: datetime
    start_local: datetime
    when: str  # ISO 8601, UTC
    when_label: str
    mode: str
    event_type: str
    cancelled: bool
    city: str
    country_code: str


def _url_maker():
    """``url(id, slug)`` for thousands of events without ``url_for`` each time."""
    marker_id, marker_slug = 987654321, "slug-marker"
    template = url_for("events.event", event_id=marker_id, slug=marker_slug)
    head, tail = template.split(str(marker_id), 1)
    middle, end = tail.split(marker_slug, 1)

    def url(event_id: int, slug: str) -> str:
        if not (slug.isascii() and slug.replace("-", "").isalnum()):
            slug = quote(slug, safe="")
        return f"{head}{event_id}{middle}{slug}{end}"

    return url


def _iso(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"  # a UTC moment


def _moment(value) -> datetime:
    """A UTC moment from the database (text on SQLite)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _wall(value) -> datetime:
    """A naive wall-clock time from the database (text on SQLite)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class _Series(NamedTuple):
    """What ``times.occurrences`` reads of a recurring event."""

    id: int
    timezone: str
    rrule: str
    start_local: datetime
    end_local: datetime
    start_at: datetime


def _next(series: _Series, lower: datetime, cancelled: frozenset[datetime]):
    """The first occurrence of a recurring event ending after ``lower`` that is not
    cancelled (else the first one at all), as (start_at, start_local, cancelled)."""
    if series.start_at >= lower and series.start_local not in cancelled:
        return series.start_at, series.start_local, False  # the series has not begun
    found = []
    for days in (62, times.HORIZON_DAYS):
        found = times.occurrences(series, lower, lower + timedelta(days=days),
                                  cancelled=cancelled)  # fmt: skip
        for occurrence in found:
            if not occurrence.cancelled:
                return occurrence.start_at, occurrence.start_local, False
    if found:
        return found[0].start_at, found[0].start_local, True
    return None


def _spots(rows, total: int, lower: datetime, upper: datetime | None, zone: str):
    """Rows as ``Spot``s (recurring events at their next occurrence), and the total less the
    recurring events with nothing left in the dates."""
    cancelled = cancelled_starts([row.id for row in rows if row.rrule])
    labels, url, found = Labels(zone), _url_maker(), []
    label = labels.label
    for row in rows:
        (event_id, title, slug, lat, lon, start_raw, start_local, end_local, event_zone,
         all_day, rule, mode, kind, off, city, country) = row[:16]  # fmt: skip
        start_at, start_local = _moment(start_raw), _wall(start_local)
        off = bool(off)
        when = (f"{start_raw[:10]}T{start_raw[11:19]}Z" if isinstance(start_raw, str)
                and len(start_raw) >= 19 else _iso(start_at))  # fmt: skip
        if rule:
            series = _Series(event_id, event_zone, rule, start_local, _wall(end_local), start_at)
            upcoming = _next(series, lower, cancelled.get(event_id, frozenset()))
            if upcoming is None or (upper is not None and upcoming[0] >= upper):
                total -= 1
                continue
            start_at, start_local, skipped = upcoming
            off, when = off or skipped, _iso(start_at)
        found.append(Spot(event_id, title, url(event_id, slug), lat, lon, start_at, start_local,
                          when, label(start_at, start_local, event_zone, all_day), mode, kind,
                          off, city or "", country or ""))  # fmt: skip
    return found, total


def _rows(query):
    """Rows of a query of ``COLUMNS``, executed at the Core level (no ORM loading)."""
    return db.session.connection().execute(query).all()


def _capped(where: list, limit: int):
    """The first ``limit`` rows by date and how many match, in one query: the count is an
    uncorrelated subquery (computed once), and the rows come in the order of the date index,
    so the database stops at ``limit``."""
    total = select(func.count(Event.id)).where(*where).correlate(None).scalar_subquery()
    rows = _rows(select(*COLUMNS, total.label("total")).where(*where)
                 .order_by(Event.start_at, Event.id).limit(limit))  # fmt: skip
    return rows, (rows[0].total if rows else 0)


def spots(
    user,
    filters: Filters,
    *,
    bbox: BBox | None = None,
    near: Near | None = None,
    limit: int | None = None,
    now: datetime | None = None,
) -> tuple[list[Spot], int]:
    """Upcoming events with a place that ``user`` may see, soonest first: at most ``limit``
    (default: the ``map_max_events`` setting), and how many there are in all. One query,
    and one more for the cancelled occurrences when recurring events are among them."""
    now = now or utcnow()
    limit = int(limit if limit is not None else value("map_max_events"))
    dated, lower, upper = _dates(filters, now)
    where = [access.visible(user), Event.mode.in_(ON_MAP), Event.lat.is_not(None),
             Event.lon.is_not(None), *dated, *filters.conditions()]  # fmt: skip
    if bbox is not None and not bbox.is_world:
        where.append(bbox.condition())
    if near is None:
        rows, total = _capped(where, limit)
    else:  # the circle's box from SQL, the circle itself here; capped after
        where.append(near.condition())
        rows = _rows(select(*COLUMNS).where(*where).order_by(Event.start_at, Event.id))
        rows = [row for row in rows if near.contains(row.lat, row.lon)]
        total = len(rows)
        rows = rows[:limit]
    return _spots(rows, total, lower, upper, filters.zone)


def geojson(
    user,
    filters: Filters,
    bbox: BBox | None = None,
    limit: int | None = None,
    *,
    near: Near | None = None,
    now: datetime | None = None,
) -> dict:
    """A GeoJSON FeatureCollection of the upcoming events on the map (see ``spots``), with
    ``truncated`` (more than ``limit``) and ``total``."""
    found, total = spots(user, filters, bbox=bbox, near=near, limit=limit, now=now)
    features = [
        {
            "type": "Feature",
            "id": spot.id,
            "geometry": {"type": "Point", "coordinates": [spot.lon, spot.lat]},
            "properties": {
                "title": spot.title,
                "url": spot.url,
                "when": spot.when,
                "when_label": spot.when_label,
                "mode": spot.mode,
                "type": spot.event_type,
                "cancelled": spot.cancelled,
            },
        }
        for spot in found
    ]
    return {"type": "FeatureCollection", "features": features,
            "truncated": total > len(features), "total": total}  # fmt: skip


# --- beside the map ---------------------------------------------------------------------------


def online(
    user, filters: Filters, *, limit: int = ONLINE_LIMIT, now: datetime | None = None
) -> tuple[list[Spot], int]:
    """Upcoming online events ``user`` may see (soonest first, at most ``limit``), and how
    many there are."""
    dated, lower, upper = _dates(filters, now or utcnow())
    where = [access.visible(user), Event.mode == Mode.ONLINE, *dated, *filters.conditions()]
    rows, total = _capped(where, limit)
    return _spots(rows, total, lower, upper, filters.zone)


@dataclass
class CityGroup:
    name: str
    spots: list[Spot]


@dataclass
class CountryGroup:
    code: str
    name: str
    cities: list[CityGroup]


def by_country(found: list[Spot]) -> list[CountryGroup]:
    """``found`` grouped by country (by name) then city (by name), soonest first within."""
    countries: dict[str, dict[str, list[Spot]]] = {}
    for spot in found:
        countries.setdefault(spot.country_code, {}).setdefault(spot.city, []).append(spot)
    groups = []
    for code, cities in countries.items():
        name = formatting.country_name(code) if code else _("Elsewhere")
        groups.append(CountryGroup(code, name, [
            CityGroup(city or _("Other places"), spots)
            for city, spots in sorted(cities.items(), key=lambda pair: (not pair[0], pair[0]))
        ]))  # fmt: skip
    return sorted(groups, key=lambda group: (not group.code, group.name.casefold()))
