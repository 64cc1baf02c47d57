"""The events' demo content (``flask space demo``): events in many countries and time zones
(``demo_events.py``), in person, online and hybrid, coming up and over, weekly and monthly
("every second Tuesday") ones with one date cancelled, a cancelled event, a private group's
event, full events with a waitlist, registrations of the demo people and the reports of a
few past events. Never commits.

Everything goes through the services (``events.create``, ``registration.register``,
``events.cancel``/``cancel_occurrence``, ``followup.publish_report``) so counters,
discussion topics, notifications and search are right. An event that is over was made in
the future, registered for, then moved back in time (registration refuses events that are
over), as the blog backdates its stories. Dates are relative to today; everything else is
the same every time. ``size="large"`` adds ``demo_bulk``'s 5,000 events with 20,000
registrations, written in bulk.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import func, select

from space.accounts import groups, services
from space.accounts.models import User
from space.db import db, utcnow

from . import gazetteer
from .demo_events import EVENTS, MEET
from .models import Event, EventStatus, EventType, Mode, Registration
from .services import events, followup, indexing, registration, times
from .services.events import EventInput, Repeat

PEOPLE = ("admin", "moderator", "editor", "leader", "regular", "member", "basic", "newcomer")


@contextmanager
def request_caches():
    """Outside requests (the command), a request context for ``url_for`` and the per-request
    caches; what it left in ``g`` is dropped afterwards."""
    if has_request_context():
        yield
        return
    known = set(g)
    try:
        with current_app.test_request_context():
            yield
    finally:
        for name in set(g) - known:
            g.pop(name, None)


def next_weekday(day: date, weekday: int) -> date:
    """The first ``weekday`` (0: Monday) after ``day``."""
    return day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)


def next_second_tuesday(day: date) -> date:
    """The first second Tuesday of a month after ``day``."""
    month = day.replace(day=1)
    while True:
        found = month + timedelta(days=(1 - month.weekday()) % 7 + 7)
        if found > day:
            return found
        month = (month + timedelta(days=32)).replace(day=1)


def first_day(spec: dict, today: date, ahead: int) -> date:
    """The event's first date; an event that will be over is made ``ahead`` days from now
    first (registration refuses events that are over) and moved back afterwards."""
    repeat = spec.get("repeat") or {}
    if repeat.get("second_tuesday"):
        return next_second_tuesday(today)
    if spec.get("days") is None:
        return next_weekday(today, spec.get("weekday", 0))
    return today + timedelta(days=spec["days"] if spec["days"] > 0 else ahead)


def _repeat(spec: dict, start: date) -> Repeat | None:
    repeat = spec.get("repeat")
    if not repeat:
        return None
    position = None
    if repeat.get("second_tuesday"):
        position = (2, 1)
    until = start + timedelta(days=repeat["until_days"]) if repeat.get("until_days") else None
    return Repeat(repeat["frequency"], interval=repeat.get("interval", 1),
                  weekday_position=position, until=until, count=repeat.get("count"))  # fmt: skip


def event_input(spec: dict, day: date, group_ids: dict[str, int]) -> EventInput:
    place = gazetteer.lookup(spec["city"])[0] if spec.get("city") else None
    zone = place.timezone if place else spec["zone"]
    start_hour, end_hour = spec["hours"]
    all_day = bool(spec.get("all_day_days"))
    start = datetime.combine(day, time(start_hour))
    end = (datetime.combine(day + timedelta(days=spec["all_day_days"] - 1), time())
           if all_day else datetime.combine(day, time(end_hour)))  # fmt: skip
    mode = Mode(spec["mode"])
    return EventInput(
        title=spec["title"], timezone=zone, start=start, end=end, description=spec["text"],
        all_day=all_day, mode=mode,
        meeting_url=f"{MEET}{spec['key']}" if mode != Mode.IN_PERSON else "",
        venue=spec.get("venue", ""), address=spec.get("address", ""),
        place_id=place.id if place and mode != Mode.ONLINE else None,
        event_type=EventType(spec["type"]), languages=list(spec["languages"]),
        status=EventStatus(spec.get("status", "scheduled")),
        group_id=group_ids.get(spec.get("private", "")), organizers=list(spec.get("with", [])),
        registration=spec.get("registration", True), capacity=spec.get("capacity"),
        repeat=_repeat(spec, day),
    )  # fmt: skip


def _register(event: Event, spec: dict, people: dict) -> None:
    for answer in ("going", "interested", "not_going"):
        for name in spec.get(answer, []):
            registration.register(people[name], event, answer, public=name != "newcomer")


def move_back(event: Event, days: int) -> None:
    """Move an event (made in the future) ``days`` days back, its registrations with it:
    the same wall-clock times in its zone, the UTC moments worked out again."""
    shift = timedelta(days=days)
    event.start_local -= shift
    event.end_local -= shift
    event.start_at = times.to_utc(event.start_local, event.timezone)
    event.end_at = times.to_utc(event.end_local, event.timezone)
    event.last_end_at = times.last_end(event)
    event.created_at = event.start_at - timedelta(days=30)
    event.updated_at = event.created_at
    for row in db.session.scalars(select(Registration).where(Registration.event_id == event.id)):
        row.created_at -= shift
        row.updated_at -= shift
    db.session.flush()


def make_event(spec: dict, people: dict, group_ids: dict[str, int], today: date) -> Event:
    """One event of ``demo_events.EVENTS``, with its registrations, cancellations and
    report."""
    ahead = 400  # later than everything else in the demo
    day = first_day(spec, today, ahead)
    organizer = people[spec["by"]]
    event = events.create(organizer, event_input(spec, day, group_ids))
    _register(event, spec, people)
    if spec.get("cancel_nth"):
        index, reason = spec["cancel_nth"]
        occurrence = times.occurrences(event)[index]
        events.cancel_occurrence(organizer, event, occurrence.start_local, reason)
    if spec.get("cancel"):
        events.cancel(organizer, event, spec["cancel"])
    if spec.get("days") is not None and spec["days"] < 0:
        move_back(event, ahead - spec["days"])
        if spec.get("report"):
            attendance, text, links = spec["report"]
            followup.publish_report(organizer, event, attendance, text, links)
    indexing.queue_event(event)
    return event


def load(size: str = "small") -> dict:
    """Create the demo events (the core's demo people and groups must exist); returns how
    to count events and registrations, for the summary."""
    people = {name: services.by_username(name) for name in PEOPLE}
    if any(person is None for person in people.values()):
        return {}
    board = groups.by_name("board")
    group_ids = {"board": board.id} if board is not None else {}
    today = utcnow().date()
    with request_caches():
        for spec in EVENTS:
            if spec.get("private") and spec["private"] not in group_ids:
                continue
            make_event(spec, people, group_ids, today)
        if size == "large":  # everyone organizes and registers, the generated people too
            from . import demo_bulk

            everyone = db.session.scalars(select(User).order_by(User.username)).all()
            demo_bulk.bulk(everyone, utcnow(), demo_bulk.EVENTS, demo_bulk.REGISTRATIONS)
    return {"events": select(func.count(Event.id)),
            "registrations": select(func.count(Registration.id))}  # fmt: skip
