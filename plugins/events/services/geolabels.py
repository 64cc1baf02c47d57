"""The map's time labels: "May 3, 2026, 4:00 PM · 6:00 PM (Europe/Paris)", a moment in the
viewer's zone with the event's own wall-clock time and zone when the zone differs, formatted
by Babel in the current locale.

The map labels thousands of events a request, so what Babel formats is kept across requests
(``for_viewer``): for each locale and viewer's zone, the days and the clock times, and whole
labels with the GeoJSON's ``when``, by the start as the database gives it. A label depends only
on those, so kept ones are never stale. Memory is bounded: at most ``MAX_VIEWERS`` label sets
(the least recently used goes first) of at most ``MAX_LABELS`` labels (emptied when full),
about 500 bytes each: 10 MB at worst, 1 MB for the 2,000 events of a world map in one zone.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, time

from babel.dates import format_date, format_time, get_datetime_format
from flask_babel import get_locale
from flask_babel import gettext as _

from . import times

# How many viewers' label sets (locale and zone), and labels in each, are kept at most.
MAX_VIEWERS = 4
MAX_LABELS = 5_000

quote = json.encoder.encode_basestring  # a str as a JSON string (C); non-ASCII kept as is


def moment(value) -> datetime:
    """A UTC moment from the database (text on SQLite)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def wall(value) -> datetime:
    """A naive wall-clock time from the database (text on SQLite)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def iso(value: datetime) -> str:
    return f"{value:%Y-%m-%dT%H:%M:%SZ}"  # a UTC moment


class Labels:
    """The labels of one locale in one viewer's zone (see the module's docstring)."""

    def __init__(self, zone: str, locale):
        self.zone_name = zone
        self.zone = times.zone(zone)
        self.locale = locale
        self.pattern = get_datetime_format("medium", locale=locale).replace("'", "")
        self.own = _("%(time)s (%(zone)s)")
        self._days: dict[tuple[int, int, int], str] = {}
        self._clocks: dict[tuple[int, int], str] = {}
        self.kept: dict[tuple, tuple[str, str]] = {}

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

    def when(self, start_raw, start_local_raw, zone: str, all_day) -> tuple[str, str]:
        """(``when``, the label) of a start as the database gives it (UTC moment, wall-clock
        time, the event's zone, all day), kept."""
        key = (start_raw, start_local_raw, sys.intern(zone), all_day)
        found = self.kept.get(key)
        if found is None:
            start_at = moment(start_raw)
            label = self.label(start_at, wall(start_local_raw), zone, bool(all_day))
            if len(self.kept) >= MAX_LABELS:
                self.kept.clear()
            found = self.kept[key] = (iso(start_at), label)
        return found


_viewers: dict[tuple[str, str], Labels] = {}


def for_viewer(zone: str) -> Labels:
    """The labels of the current locale in ``zone`` (kept across requests)."""
    locale = get_locale()
    key = (str(locale or "en"), zone)
    found = _viewers.pop(key, None)
    if found is None:
        while len(_viewers) >= MAX_VIEWERS:
            _viewers.pop(next(iter(_viewers)), None)  # the least recently used
        found = Labels(zone, locale or "en")
    _viewers[key] = found  # the most recently used last
    return found
