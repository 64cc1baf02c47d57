"""The map's data: upcoming in-person and hybrid events as GeoJSON, "near a city within N km",
the online events listed beside the map, and the plain list by country and city for browsers
without JavaScript.

Everything here reads only the columns it needs, as rows (no ORM objects), in one query (plus
one for the cancelled occurrences of recurring events, when there are some), and the map's
endpoint writes its GeoJSON as text (``geojson_text``), so that 10,000 events answer in a few
tens of milliseconds. The events are those ``user`` may see
(``access.visible``), narrowed by the list's filters (``services/filters.py``), the map's
viewport (``BBox``) and the circle around a city (``Near``), and capped at the
``map_max_events`` setting (the GeoJSON then says ``truncated`` and the ``total``).
Times are labelled in the viewer's zone (``filters.zone``) with the event's own zone when it
differs, formatted by Babel in the current locale (``geolabels``). Coordinates are rounded
to 5 decimals (about a metre).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.parse import quote as url_quote

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import String, func, or_, select, type_coerce

from space.db import db, utcnow

from .. import access, formatting
from ..models import Event, EventStatus, Mode
from ..settings import value
from . import geolabels, times
from .area import BBox, Near
from .events import cancelled_starts
from .filters import Filters

ON_MAP = (Mode.IN_PERSON, Mode.HYBRID)
ONLINE_LIMIT = 20
DECIMALS = 5  # of the coordinates sent: about a metre


# --- the query --------------------------------------------------------------------------------

# Read as the database gives them: the times as text on SQLite (parsed here, faster than
# the column types' processing of thousands of rows), the enums as their values. The lists
# (``spots``) also read the city and country; the GeoJSON does not.
COLUMNS = (
    Event.id, Event.title, Event.slug, Event.lat, Event.lon,
    type_coerce(Event.start_at, String).label("start_at"),
    type_coerce(Event.start_local, String).label("start_local"),
    type_coerce(Event.end_local, String).label("end_local"),
    Event.timezone, Event.all_day, Event.rrule,
    type_coerce(Event.mode, String).label("mode"),
    type_coerce(Event.event_type, String).label("event_type"),
    (Event.status == EventStatus.CANCELLED).label("cancelled"),
)  # fmt: skip
PLACE = (Event.city, Event.country_code)
WIDTH = len(COLUMNS)


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
            slug = url_quote(slug, safe="")
        return f"{head}{event_id}{middle}{slug}{end}"

    return url


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


def _upcoming(row, lower: datetime, upper: datetime | None, cancelled: dict):
    """The next occurrence of the recurring event of ``row`` (see ``_next``), None when it
    has none left in the dates."""
    start_local = geolabels.wall(row[6])
    series = _Series(row[0], row[8], row[10], start_local, geolabels.wall(row[7]),
                     geolabels.moment(row[5]))  # fmt: skip
    found = _next(series, lower, cancelled.get(row[0], frozenset()))
    if found is None or (upper is not None and found[0] >= upper):
        return None
    return found


def _rows(query):
    """Rows of a query of ``COLUMNS``, executed at the Core level (no ORM loading)."""
    return db.session.connection().execute(query).all()


def _capped(where: list, limit: int, columns: tuple):
    """The first ``limit`` rows by date and how many match, in one query: the count is an
    uncorrelated subquery (computed once), and the rows come in the order of the date index,
    so the database stops at ``limit``."""
    total = select(func.count(Event.id)).where(*where).correlate(None).scalar_subquery()
    rows = _rows(select(*columns, total.label("total")).where(*where)
                 .order_by(Event.start_at, Event.id).limit(limit))  # fmt: skip
    return rows, (rows[0].total if rows else 0)


def _select(user, filters: Filters, bbox: BBox | None, near: Near | None, limit: int | None,
            now: datetime | None, columns: tuple):  # fmt: skip
    """The rows of upcoming events with a place that ``user`` may see, soonest first (at
    most ``limit``, default the ``map_max_events`` setting), how many match in all, and the
    dates' bounds."""
    now = now or utcnow()
    limit = int(limit if limit is not None else value("map_max_events"))
    dated, lower, upper = _dates(filters, now)
    where = [access.visible(user), Event.mode.in_(ON_MAP), Event.lat.is_not(None),
             Event.lon.is_not(None), *dated, *filters.conditions()]  # fmt: skip
    if bbox is not None and not bbox.is_world:
        where.append(bbox.condition())
    if near is None:
        rows, total = _capped(where, limit, columns)
    else:  # the circle's box from SQL, the circle itself here; capped after
        where.append(near.condition())
        rows = _rows(select(*columns).where(*where).order_by(Event.start_at, Event.id))
        rows = [row for row in rows if near.contains(row.lat, row.lon)]
        total = len(rows)
        rows = rows[:limit]
    return rows, total, lower, upper


def _spots(rows, total: int, lower: datetime, upper: datetime | None, zone: str):
    """Rows (``COLUMNS`` then ``PLACE``) as ``Spot``s (recurring events at their next
    occurrence), and the total less the recurring events with nothing left in the dates."""
    cancelled = cancelled_starts([row.id for row in rows if row.rrule])
    labels, url, found = geolabels.for_viewer(zone), _url_maker(), []
    for row in rows:
        (event_id, title, slug, lat, lon, start_raw, start_local, _end, event_zone, all_day,
         rule, mode, kind, off, city, country) = row[:WIDTH + 2]  # fmt: skip
        start_at, start_local = geolabels.moment(start_raw), geolabels.wall(start_local)
        off = bool(off)
        if rule:
            upcoming = _upcoming(row, lower, upper, cancelled)
            if upcoming is None:
                total -= 1
                continue
            start_at, start_local, skipped = upcoming
            off = off or skipped
        found.append(Spot(event_id, title, url(event_id, slug), lat, lon, start_at, start_local,
                          geolabels.iso(start_at),
                          labels.label(start_at, start_local, event_zone, all_day), mode, kind,
                          off, city or "", country or ""))  # fmt: skip
    return found, total


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
    rows, total, lower, upper = _select(user, filters, bbox, near, limit, now, COLUMNS + PLACE)
    return _spots(rows, total, lower, upper, filters.zone)


# --- GeoJSON ----------------------------------------------------------------------------------


def _features(rows, total: int, lower: datetime, upper: datetime | None, zone: str,
              as_text: bool):  # fmt: skip
    """Rows (``COLUMNS``) as GeoJSON features, recurring events at their next occurrence,
    and the total less the recurring events with nothing left in the dates. Features are
    dictionaries, or JSON text when ``as_text``: written here, in half the time of building
    the dictionaries and ``json.dumps``, with ``json``'s own escaping of strings. A start's
    label and ``when`` are kept by ``geolabels`` (made once per locale and viewer's zone)."""
    cancelled = cancelled_starts([row[0] for row in rows if row[10]])
    labels, url, found = geolabels.for_viewer(zone), _url_maker(), []
    kept, when_of, quote, append = labels.kept, labels.when, geolabels.quote, found.append
    for row in rows:
        (event_id, title, slug, lat, lon, start_raw, start_local, _end, event_zone, all_day,
         rule, mode, kind, off) = row[:WIDTH]  # fmt: skip
        if rule:
            upcoming = _upcoming(row, lower, upper, cancelled)
            if upcoming is None:
                total -= 1
                continue
            start_at, start_local, skipped = upcoming
            label = labels.label(start_at, start_local, event_zone, bool(all_day))
            when, off = geolabels.iso(start_at), off or skipped
        else:
            found_when = kept.get((start_raw, start_local, event_zone, all_day))
            if found_when is None:
                found_when = when_of(start_raw, start_local, event_zone, all_day)
            when, label = found_when
        if as_text:  # ":.5f" is round(x, DECIMALS), written 3 times faster than its repr
            append(f'{{"type":"Feature","id":{event_id},"geometry":{{"type":"Point",'
                   f'"coordinates":[{lon:.5f},{lat:.5f}]}},"properties":{{"title":{quote(title)},'
                   f'"url":{quote(url(event_id, slug))},"when":"{when}","when_label":'
                   f'{quote(label)},"mode":{quote(mode)},"type":{quote(kind)},"cancelled":'
                   f'{"true" if off else "false"}}}}}')  # fmt: skip
        else:
            append({"type": "Feature", "id": event_id,
                    "geometry": {"type": "Point",
                                 "coordinates": [round(lon, DECIMALS), round(lat, DECIMALS)]},
                    "properties": {"title": title, "url": url(event_id, slug), "when": when,
                                   "when_label": label, "mode": mode, "type": kind,
                                   "cancelled": bool(off)}})  # fmt: skip
    return found, total


def geojson(
    user,
    filters: Filters,
    bbox: BBox | None = None,
    limit: int | None = None,
    *,
    near: Near | None = None,
    now: datetime | None = None,
) -> dict:
    """A GeoJSON FeatureCollection of the upcoming events on the map (those of ``spots``:
    at most ``limit``, soonest first), with ``truncated`` (more than ``limit``) and
    ``total``. One query, and one more for the cancelled occurrences when recurring events
    are among them."""
    rows, total, lower, upper = _select(user, filters, bbox, near, limit, now, COLUMNS)
    found, total = _features(rows, total, lower, upper, filters.zone, as_text=False)
    return {"type": "FeatureCollection", "features": found,
            "truncated": total > len(found), "total": total}  # fmt: skip


def geojson_text(
    user,
    filters: Filters,
    bbox: BBox | None = None,
    limit: int | None = None,
    *,
    near: Near | None = None,
    now: datetime | None = None,
) -> str:
    """``geojson`` as JSON text: compact, non-ASCII as is (what the map's endpoint sends)."""
    rows, total, lower, upper = _select(user, filters, bbox, near, limit, now, COLUMNS)
    found, total = _features(rows, total, lower, upper, filters.zone, as_text=True)
    truncated = "true" if total > len(found) else "false"
    return (f'{{"type":"FeatureCollection","features":[{",".join(found)}],'
            f'"truncated":{truncated},"total":{int(total)}}}')  # fmt: skip


# --- beside the map ---------------------------------------------------------------------------


def online(
    user, filters: Filters, *, limit: int = ONLINE_LIMIT, now: datetime | None = None
) -> tuple[list[Spot], int]:
    """Upcoming online events ``user`` may see (soonest first, at most ``limit``), and how
    many there are."""
    dated, lower, upper = _dates(filters, now or utcnow())
    where = [access.visible(user), Event.mode == Mode.ONLINE, *dated, *filters.conditions()]
    rows, total = _capped(where, limit, COLUMNS + PLACE)
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
