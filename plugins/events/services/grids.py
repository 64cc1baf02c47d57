"""The month and week calendars: days in the viewer's zone, each with the occurrences that
happen on it.

A timed occurrence shows on the days it covers in the viewer's zone (18:00 in Paris is noon
in New York); an all-day event keeps its own dates wherever it is seen from, as calendars do.
A grid costs a fixed number of queries: the private groups (and the viewer's groups), the
events overlapping the grid (at most ``GRID_MAX``, soonest first; ``truncated`` says when
there were more), their cancelled occurrences and the viewer's answers.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select

from space.db import db, utcnow

from ..access import visible
from ..models import Answer, Event, Registration
from . import times
from .events import cancelled_starts
from .filters import FIRST_YEAR, LAST_YEAR, Filters, day_start
from .times import Occurrence

# Events one grid shows at most (a recurring event counts once).
GRID_MAX = 500
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Entry:
    """An occurrence on one day: ``starts_before``/``ends_after`` when it spans days."""

    event: Event
    occurrence: Occurrence
    starts_before: bool = False
    ends_after: bool = False
    answer: Answer | None = None

    @property
    def cancelled(self) -> bool:
        return self.event.is_cancelled or self.occurrence.cancelled

    @property
    def all_day(self) -> bool:
        return self.event.all_day or self.starts_before or self.ends_after


@dataclass
class Day:
    day: date
    entries: list[Entry] = field(default_factory=list)
    in_month: bool = True
    today: bool = False


@dataclass
class Month:
    year: int
    month: int
    weeks: list[list[Day]]
    prev: tuple[int, int] | None
    next: tuple[int, int] | None
    today: date
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not any(day.entries for week in self.weeks for day in week)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def weekdays(self) -> list[date]:
        """The days of the first row, for the column headings."""
        return [day.day for day in self.weeks[0]]


@dataclass
class Week:
    year: int
    week: int
    days: list[Day]
    prev: tuple[int, int] | None
    next: tuple[int, int] | None
    today: date
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not any(day.entries for day in self.days)


def answers(user, event_ids) -> dict[int, Answer]:
    """``user``'s answers to the events (one query; nothing for anonymous readers)."""
    if not getattr(user, "is_authenticated", False) or not event_ids:
        return {}
    rows = db.session.execute(
        select(Registration.event_id, Registration.answer).where(
            Registration.user_id == user.id, Registration.event_id.in_(sorted(set(event_ids))))
    )  # fmt: skip
    return {event_id: Answer(answer) for event_id, answer in rows}


def local_day(occurrence: Occurrence, moment: datetime, zone: str, all_day: bool) -> date:
    """The day ``moment`` of the occurrence falls on for a viewer in ``zone``; an all-day
    event keeps its own dates wherever it is seen from."""
    if all_day:
        return (occurrence.start_local + (moment - occurrence.start_at)).date()
    return times.to_local(moment, zone).date()


def days_of(event: Event, occurrence: Occurrence, zone: str) -> tuple[date, date]:
    """The first and last day the occurrence covers for a viewer in ``zone``."""
    first = local_day(occurrence, occurrence.start_at, zone, event.all_day)
    last = local_day(occurrence, occurrence.end_at - _TICK, zone, event.all_day)
    return first, max(first, last)


def _fill(user, first: date, last: date, filters: Filters, *, now: datetime | None = None
          ) -> tuple[dict[date, list[Entry]], bool, date]:  # fmt: skip
    """Entries by day from ``first`` to ``last`` (in ``filters.zone``), whether some events
    were left out, and today's date there."""
    zone = filters.zone
    today = times.to_local(now or utcnow(), zone).date()
    shown_first = max(first, filters.start) if filters.start else first
    shown_last = min(last, filters.end) if filters.end else last
    by_day: dict[date, list[Entry]] = {}
    if shown_last < shown_first:
        return by_day, False, today
    # A day wider on each side: all-day events keep their own dates, whatever the zone.
    lower = day_start(shown_first, zone) - timedelta(days=1)
    upper = day_start(shown_last + timedelta(days=1), zone) + timedelta(days=1)
    overlapping = or_(
        and_(Event.rrule == "", Event.end_at > lower),
        and_(Event.rrule != "", or_(Event.last_end_at.is_(None), Event.last_end_at > lower)),
    )
    found = list(db.session.scalars(
        select(Event).where(visible(user), *filters.conditions(), Event.start_at < upper,
                            overlapping)
        .order_by(Event.start_at, Event.id).limit(GRID_MAX + 1)
    ))  # fmt: skip
    truncated = len(found) > GRID_MAX
    found = found[:GRID_MAX]
    cancelled = cancelled_starts([event.id for event in found if event.rrule])
    mine = answers(user, [event.id for event in found])
    for event in found:
        for occurrence in times.occurrences(
            event, lower, upper, cancelled=cancelled.get(event.id, frozenset())
        ):
            start, end = days_of(event, occurrence, zone)
            day = max(start, shown_first)
            while day <= min(end, shown_last):
                by_day.setdefault(day, []).append(Entry(
                    event, occurrence, starts_before=day > start, ends_after=day < end,
                    answer=mine.get(event.id)))  # fmt: skip
                day += timedelta(days=1)
    for entries in by_day.values():
        entries.sort(key=lambda e: (not e.all_day, e.occurrence.start_at, e.event.id))
    return by_day, truncated, today


def _months_from(year: int, month: int, step: int) -> tuple[int, int] | None:
    index = year * 12 + month - 1 + step
    found = (index // 12, index % 12 + 1)
    return found if FIRST_YEAR <= found[0] <= LAST_YEAR else None


def valid_month(year: int, month: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12


def month(user, year: int, month: int, filters: Filters, *, first_weekday: int = 0,
          now: datetime | None = None) -> Month:  # fmt: skip
    """The month as weeks of days (each week starting on ``first_weekday``, 0 = Monday, as
    the reader's locale has it), with the occurrences of each day."""
    first = date(year, month, 1)
    last = first.replace(day=monthrange(year, month)[1])
    grid_first = first - timedelta(days=(first.weekday() - first_weekday) % 7)
    grid_last = last + timedelta(days=(first_weekday - last.weekday() - 1) % 7)
    by_day, truncated, today = _fill(user, grid_first, grid_last, filters, now=now)
    days = []
    day = grid_first
    while day <= grid_last:
        days.append(Day(day, by_day.get(day, []), in_month=day.month == month,
                        today=day == today))  # fmt: skip
        day += timedelta(days=1)
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    return Month(year, month, weeks, _months_from(year, month, -1), _months_from(year, month, 1),
                 today, truncated)  # fmt: skip


def valid_week(year: int, week: int) -> bool:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return False
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        return False
    return True


def _week_of(day: date) -> tuple[int, int] | None:
    year, week, _ = day.isocalendar()
    return (year, week) if FIRST_YEAR <= year <= LAST_YEAR else None


def week(user, year: int, week: int, filters: Filters, *, now: datetime | None = None) -> Week:
    """The ISO week (Monday to Sunday) with the occurrences of each day."""
    first = date.fromisocalendar(year, week, 1)
    last = first + timedelta(days=6)
    by_day, truncated, today = _fill(user, first, last, filters, now=now)
    days = [Day(first + timedelta(days=n), by_day.get(first + timedelta(days=n), []),
                today=first + timedelta(days=n) == today) for n in range(7)]  # fmt: skip
    return Week(year, week, days, _week_of(first - timedelta(days=7)),
                _week_of(first + timedelta(days=7)), today, truncated)  # fmt: skip


def this_month(zone: str, now: datetime | None = None) -> tuple[int, int]:
    today = times.to_local(now or utcnow(), zone).date()
    return today.year, today.month


def this_week(zone: str, now: datetime | None = None) -> tuple[int, int]:
    year, week, _ = times.to_local(now or utcnow(), zone).date().isocalendar()
    return year, week
