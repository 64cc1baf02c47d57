"""Time zones and recurrences: the wall-clock times organizers type, and the moments they are.

An event's times are wall-clock times in its zone. ``to_utc`` turns one into a moment,
refusing a time that does not exist (inside a daylight-saving gap) and taking the first of
an ambiguous one (the hour repeated when clocks go back). A recurring event repeats its
wall-clock time: 18:00 every Tuesday in Europe/Paris stays 18:00 in Paris across DST
changes, so its UTC moment moves by an hour. ``occurrences`` expands the rule (dateutil)
on local times and converts each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from flask_babel import gettext as _

from ..models import Event

# Recurrences are expanded at most this far, whatever their rule says.
HORIZON_DAYS = 3 * 366
FREQUENCIES = ("daily", "weekly", "monthly")


class TimeError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# ZoneInfo keeps only a few zones strongly; a calendar page with events in many zones
# otherwise reads their files again and again (bench/FINDINGS.md).
@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise TimeError(_("Unknown time zone."), "timezone") from None


def to_utc(local: datetime, zone_name: str, field: str = "start") -> datetime:
    """The moment wall-clock ``local`` (naive) is in ``zone_name``."""
    tz = zone(zone_name)
    aware = local.replace(tzinfo=tz, fold=0)
    moment = aware.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != local:
        raise TimeError(
            _("This time does not exist in %(zone)s: the clocks change then.", zone=zone_name),
            field,
        )
    return moment


def to_local(moment: datetime, zone_name: str) -> datetime:
    """``moment`` as a naive wall-clock time in ``zone_name``."""
    return moment.astimezone(zone(zone_name)).replace(tzinfo=None)


@dataclass(frozen=True)
class Occurrence:
    """One time an event happens: its wall-clock and UTC times; ``index`` 0 is the first."""

    event_id: int
    index: int
    start_local: datetime
    end_local: datetime
    start_at: datetime
    end_at: datetime
    cancelled: bool = False

    @property
    def key(self) -> str:
        """Stable name of the occurrence (its local start), for URLs and RECURRENCE-ID."""
        return self.start_local.strftime("%Y%m%dT%H%M%S")


def build_rule(
    frequency: str,
    *,
    interval: int = 1,
    weekday_position: tuple[int, int] | None = None,
    until: date | None = None,
    count: int | None = None,
    max_count: int = 200,
) -> str:
    """An RRULE (without DTSTART) from the form's choices: daily, weekly (every ``interval``
    weeks) or monthly by weekday (``weekday_position`` = (n, weekday), n in 1..4 or -1 for the
    last), ending on ``until`` or after ``count`` occurrences — an end is required."""
    if frequency not in FREQUENCIES:
        raise TimeError(_("Choose how often the event repeats."), "repeat")
    if not 1 <= interval <= 52:
        raise TimeError(_("Repeat every 1 to 52."), "interval")
    if until is None and count is None:
        raise TimeError(_("Say when the repetition ends."), "repeat_until")
    if count is not None and not 2 <= count <= max_count:
        raise TimeError(_("Between 2 and %(n)d occurrences.", n=max_count), "repeat_count")
    parts = [f"FREQ={frequency.upper()}"]
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if frequency == "monthly" and weekday_position is not None:
        n, weekday = weekday_position
        if n not in (1, 2, 3, 4, -1) or not 0 <= weekday <= 6:
            raise TimeError(_("Choose which weekday of the month."), "repeat")
        parts.append(f"BYDAY={n:+d}{('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU')[weekday]}")
    if count is not None:
        parts.append(f"COUNT={count}")
    else:
        parts.append(f"UNTIL={until.strftime('%Y%m%d')}T235959")
    return ";".join(parts)


def starts(rule: str, first: datetime, limit: int) -> list[datetime]:
    """The first ``limit`` local starts of ``rule`` from ``first`` (within the horizon)."""
    horizon = first + timedelta(days=HORIZON_DAYS)
    found = []
    for start in rrulestr(rule, dtstart=first):
        if start > horizon or len(found) >= limit:
            break
        found.append(start)
    return found


def _starts(event: Event, until_local: datetime) -> list[datetime]:
    if not event.rrule:
        return [event.start_local]
    rule = rrulestr(event.rrule, dtstart=event.start_local)
    horizon = event.start_local + timedelta(days=HORIZON_DAYS)
    return list(rule.between(event.start_local, min(until_local, horizon), inc=True))


def occurrences(
    event: Event,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    cancelled: frozenset[datetime] = frozenset(),
) -> list[Occurrence]:
    """The event's occurrences overlapping [start, end) (UTC moments; None: unbounded), with
    those whose local start is in ``cancelled`` marked cancelled. An occurrence whose
    wall-clock time falls into a DST gap keeps that (impossible) time in ``start_local``, as
    RECURRENCE-ID names it, while its UTC moment moves forward by the gap, as calendars do."""
    tz = zone(event.timezone)
    duration = event.end_local - event.start_local
    until_local = (
        to_local(end, event.timezone) + timedelta(days=1) if end is not None
        else event.start_local + timedelta(days=HORIZON_DAYS)
    )  # fmt: skip
    found = []
    for index, local_start in enumerate(_starts(event, until_local)):
        start_at = local_start.replace(tzinfo=tz).astimezone(UTC)
        local_end = local_start + duration
        end_at = local_end.replace(tzinfo=tz).astimezone(UTC)
        if end is not None and start_at >= end:
            break
        if start is not None and end_at <= start:
            continue
        found.append(Occurrence(event.id, index, local_start, local_end, start_at, end_at,
                                local_start in cancelled))  # fmt: skip
    return found


def last_end(event: Event) -> datetime | None:
    """End (UTC) of the event's last occurrence."""
    if not event.rrule:
        return event.end_at
    every = occurrences(event)
    return every[-1].end_at if every else event.end_at
