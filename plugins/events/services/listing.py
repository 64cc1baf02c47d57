"""What readers browse: upcoming and past occurrences, "my events", the month and week
calendars, one event's page, and the sitemap's addresses.

Lists are of occurrences: a recurring event shows once per time it happens. SQL narrows the
events by their UTC times (``start_at``, and ``end_at`` or ``last_end_at``) and the filters;
Python expands the occurrences of the few recurring events in the window (their wall-clock
time repeats, see ``times``) and merges them with the one-time events. Every page costs a
fixed number of queries whatever the number of events: the private groups (and the viewer's
groups), a count, the recurring events, one page of one-time events, the cancelled
occurrences, the page's events with their group and organizers, and the viewer's answers.
Everything goes through ``access.visible(user)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from space.db import db, utcnow
from space.paging import Page

from ..access import public, visible
from ..models import Answer, Event, Organizer, Registration
from ..settings import value
from . import times
from .events import cancelled_starts
from .filters import FilterError, Filters, parse  # noqa: F401 - the contract
from .grids import Day, Month, Week, answers, local_day, month, week  # noqa: F401
from .times import Occurrence

# Answers that make an event one of "my events".
TAKING_PART = (Answer.GOING, Answer.WAITLISTED, Answer.INTERESTED)
SITEMAP_EVENTS = 20_000


@dataclass(frozen=True)
class Item:
    """One occurrence in a list: its event (with group and organizers loaded), when, the day
    it shows under (in the viewer's zone; an all-day event's own dates) and, for a signed-in
    viewer, their answer."""

    event: Event
    occurrence: Occurrence
    day: date
    answer: Answer | None = None

    @property
    def cancelled(self) -> bool:
        return self.event.is_cancelled or self.occurrence.cancelled


def event_options() -> list:
    """Loader options for what an event card shows: its group and organizers."""
    return [joinedload(Event.group),
            selectinload(Event.organizers).joinedload(Organizer.user)]  # fmt: skip


def load_events(ids) -> dict[int, Event]:
    """The events with ``ids`` and what cards show (two queries)."""
    if not ids:
        return {}
    found = db.session.scalars(
        select(Event).where(Event.id.in_(sorted(set(ids)))).options(*event_options())
        .execution_options(populate_existing=True)
    ).unique()  # fmt: skip
    return {event.id: event for event in found}


def _occurrences(
    user,
    conditions: list,
    lower: datetime | None,
    upper: datetime | None,
    page: int,
    *,
    zone: str,
    ended_by: datetime | None = None,
) -> Page:
    """One page of the occurrences of the events meeting ``conditions`` that overlap
    [lower, upper), soonest first — or, with ``ended_by``, those over by then, latest first."""
    size = max(1, int(value("events_per_page")))
    wanted = page * size
    newest_first = ended_by is not None
    where = [visible(user), *conditions]
    single = [Event.rrule == ""]
    repeating = [Event.rrule != ""]
    if lower is not None:
        single.append(Event.end_at > lower)
        repeating.append(or_(Event.last_end_at.is_(None), Event.last_end_at > lower))
    if upper is not None:
        single.append(Event.start_at < upper)
        repeating.append(Event.start_at < upper)
    if ended_by is not None:
        single.append(Event.end_at <= ended_by)
        repeating.append(Event.start_at < ended_by)
    total = db.session.scalar(select(func.count(Event.id)).where(*where, *single)) or 0
    recurring = list(db.session.scalars(select(Event).where(*where, *repeating)))
    cancelled = cancelled_starts([event.id for event in recurring])
    merged: list[tuple[datetime, int, Occurrence | None]] = []
    for event in recurring:
        found = times.occurrences(
            event, lower, upper, cancelled=cancelled.get(event.id, frozenset())
        )
        if ended_by is not None:
            found = [o for o in found if o.end_at <= ended_by]
        total += len(found)
        merged += [(o.start_at, event.id, o) for o in found]
    order = (Event.start_at.desc(), Event.id.desc()) if newest_first else (Event.start_at, Event.id)
    rows = db.session.execute(select(Event.id, Event.start_at).where(*where, *single)
                              .order_by(*order).limit(wanted))  # fmt: skip
    merged += [(start_at, event_id, None) for event_id, start_at in rows]
    merged.sort(key=lambda entry: (entry[0], entry[1]), reverse=newest_first)
    chosen = merged[wanted - size : wanted]
    events = load_events([event_id for _, event_id, _ in chosen])
    mine = answers(user, list(events))
    items = []
    for _start, event_id, occurrence in chosen:
        event = events[event_id]
        if occurrence is None:
            occurrence = times.occurrences(event)[0]
        day = local_day(occurrence, occurrence.start_at, zone, event.all_day)
        items.append(Item(event, occurrence, day, mine.get(event_id)))
    return Page(items, page, size, total)


def _upcoming(user, conditions, bounds, page, zone, now) -> Page:
    lower, upper = bounds
    now = now or utcnow()
    return _occurrences(user, conditions, max(lower, now) if lower else now, upper, page,
                        zone=zone)  # fmt: skip


def _past(user, conditions, bounds, page, zone, now) -> Page:
    lower, upper = bounds
    now = now or utcnow()
    upper = min(upper, now) if upper else now  # what starts later cannot be over
    return _occurrences(user, conditions, lower, upper, page, zone=zone, ended_by=now)


def upcoming(user, filters: Filters, page: int = 1, *, now: datetime | None = None) -> Page:
    """Occurrences not yet over (those going on included), soonest first."""
    return _upcoming(user, filters.conditions(), filters.bounds(), page, filters.zone, now)


def past(user, filters: Filters, page: int = 1, *, now: datetime | None = None) -> Page:
    """Occurrences that are over, the latest first."""
    return _past(user, filters.conditions(), filters.bounds(), page, filters.zone, now)


def mine_condition(user):
    """SQL: events ``user`` organizes or answered going, waitlisted or interested."""
    return or_(
        Event.id.in_(select(Registration.event_id).where(
            Registration.user_id == user.id, Registration.answer.in_(TAKING_PART))),
        Event.id.in_(select(Organizer.event_id).where(Organizer.user_id == user.id)),
    )  # fmt: skip


def mine(user, page: int = 1, *, ended: bool = False, zone: str = "UTC",
         now: datetime | None = None) -> Page:  # fmt: skip
    """The occurrences of the events ``user`` organizes or takes part in (going, on the
    waitlist, interested): those to come, or (``ended``) those that are over."""
    pick = _past if ended else _upcoming
    return pick(user, [mine_condition(user)], (None, None), page, zone, now)


# --- one event --------------------------------------------------------------------------------


def load(event_id: int) -> Event | None:
    """One event with its group and organizers (two queries), or None."""
    return load_events([event_id]).get(event_id)


def next_occurrences(event: Event, *, now: datetime | None = None, limit: int = 10,
                     cancelled: frozenset[datetime] = frozenset()) -> list[Occurrence]:  # fmt: skip
    """The event's next ``limit`` occurrences not over at ``now`` (cancelled ones marked)."""
    return times.occurrences(event, now or utcnow(), None, cancelled=cancelled)[:limit]


def occurrence(event: Event, key: str, cancelled: frozenset[datetime] = frozenset()
               ) -> Occurrence | None:  # fmt: skip
    """The occurrence named ``key`` (its local start, ``20250328T180000``), or None."""
    try:
        start = datetime.strptime(key, "%Y%m%dT%H%M%S")
    except (TypeError, ValueError):
        return None
    found = times.occurrences(event, cancelled=cancelled)
    return next((o for o in found if o.start_local == start), None)


def sitemap_urls() -> list[tuple[str, datetime | None]]:
    """Addresses of the events anonymous readers may see, the latest changed first."""
    rows = db.session.execute(
        select(Event.id, Event.slug, Event.updated_at).where(public())
        .order_by(Event.updated_at.desc(), Event.id.desc()).limit(SITEMAP_EVENTS)
    )  # fmt: skip
    return [(url_for("events.event", event_id=event_id, slug=slug), updated_at)
            for event_id, slug, updated_at in rows]  # fmt: skip
