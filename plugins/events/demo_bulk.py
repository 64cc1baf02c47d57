"""The large demo's events (``flask space demo --size large``): 5,000 events over two years
in 50 cities and six online time zones, with 20,000 registrations of the demo people.

Going through the services one event at a time would take minutes; these are written in
bulk (one INSERT … RETURNING for the events, one for their organizers, one for the
registrations) with what the services would have worked out computed here: the UTC moments
from the wall-clock times and zones (``times.to_utc``), the cooked descriptions, the
counters (going beyond a capacity waits on the waitlist, in the order people answered).
They get no discussion topic. Their search documents are queued. The same every time
(``random.Random(SEED)``).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from space import search
from space.db import db
from space.markup import render, slugify

from . import gazetteer
from .demo_events import BULK_CITIES, BULK_ONLINE_ZONES, BULK_TEXTS, BULK_TITLES, MEET
from .models import Answer, Event, EventStatus, EventType, Mode, Organizer, Registration
from .services import indexing, times

SEED = 66
EVENTS = 5000
REGISTRATIONS = 20_000
BATCH = 500
TYPES = [EventType.MEETUP, EventType.EDITATHON, EventType.TRAINING, EventType.MEETUP,
         EventType.CONFERENCE, EventType.OTHER]  # fmt: skip
LANGUAGES = ["en", "fr", "es", "ar", "pt", "de", "sw", "hi", "ja", "sv"]
COUNTER = {Answer.GOING: "going_count", Answer.WAITLISTED: "waitlist_count",
           Answer.INTERESTED: "interested_count"}  # fmt: skip


def spread(count: int, total: int, most: int, rng: random.Random) -> list[int]:
    """How many registrations each of ``count`` events gets (at most ``most`` each), adding
    up to ``total`` exactly when possible: pairs of events share twice the mean."""
    mean, extra = divmod(total, count) if count else (0, 0)
    found = []
    for n in range(0, count - 1, 2):
        pair = min(2 * mean + (2 if n + 1 < 2 * extra else 0), 2 * most)
        low = max(0, pair - most)
        first = rng.randint(low, min(pair, most))
        found += [first, pair - first]
    if len(found) < count:
        found.append(mean + (1 if count - 1 < extra else 0))
    return [min(n, most) for n in found]


def _when(rng: random.Random, today, zone: str) -> dict:
    day = today + timedelta(days=rng.randint(-365, 365))
    start = datetime.combine(day, time(rng.choice([9, 10, 14, 17, 18, 19])))
    end = start + timedelta(hours=rng.randint(2, 4))
    found = {"timezone": zone, "start_local": start, "end_local": end,
             "start_at": times.to_utc(start, zone), "end_at": times.to_utc(end, zone),
             "all_day": False, "rrule": ""}  # fmt: skip
    found["last_end_at"] = found["end_at"]
    if rng.random() < 0.03:  # weekly, a few times
        repeats = rng.randint(4, 10)
        found["rrule"] = f"FREQ=WEEKLY;COUNT={repeats}"
        found["last_end_at"] = times.to_utc(end + timedelta(weeks=repeats - 1), zone)
    return found


def _event(n: int, rng: random.Random, places, cooked, people, now) -> dict:
    roll = rng.random()
    mode = Mode.IN_PERSON if roll < 0.7 else Mode.ONLINE if roll < 0.85 else Mode.HYBRID
    place = None if mode == Mode.ONLINE else rng.choice(places)
    zone = place.timezone if place else rng.choice(BULK_ONLINE_ZONES)
    city = place.name if place else "Online"
    title = rng.choice(BULK_TITLES).format(city=city, n=n)
    text = rng.randrange(len(BULK_TEXTS))
    cancelled = rng.random() < 0.03
    row = {
        "title": title, "slug": slugify(title, fallback="event")[:100],
        "description": BULK_TEXTS[text], "cooked": cooked[text],
        **_when(rng, now.date(), zone),
        "mode": mode, "meeting_url": f"{MEET}bulk-{n}" if mode != Mode.IN_PERSON else "",
        "venue": "Community centre" if place else "", "address": "",
        "place_id": place.id if place else None, "city": place.name if place else "",
        "country_code": place.country_code if place else "",
        "lat": round(place.lat + rng.uniform(-0.05, 0.05), 5) if place else None,
        "lon": round(place.lon + rng.uniform(-0.05, 0.05), 5) if place else None,
        "event_type": EventType.ONLINE_SESSION if mode == Mode.ONLINE else rng.choice(TYPES),
        "languages": sorted(rng.sample(LANGUAGES, rng.randint(1, 2))),
        "status": EventStatus.CANCELLED if cancelled else EventStatus.SCHEDULED,
        "cancel_reason": "Postponed: a new date will follow." if cancelled else "",
        "user_id": rng.choice(people).id, "group_id": None, "affiliate": "",
        "registration": True, "capacity": rng.randint(2, 5) if rng.random() < 0.25 else None,
        "registration_deadline": None, "going_count": 0, "interested_count": 0,
        "waitlist_count": 0, "report": "", "report_cooked": "", "report_links": [],
        "sequence": 1 if cancelled else 0,
    }  # fmt: skip
    row["created_at"] = row["updated_at"] = min(now, row["start_at"]) - timedelta(days=30)
    return row


def _answers(row: dict, who: list, rng: random.Random) -> list[dict]:
    """The registrations of one event (its counters updated in ``row``), oldest first."""
    found = []
    for index, person in enumerate(who):
        roll = rng.random()
        answer = Answer.GOING if roll < 0.7 else Answer.INTERESTED if roll < 0.9 else (
            Answer.NOT_GOING)  # fmt: skip
        if answer == Answer.GOING and row["capacity"] is not None and (
                row["going_count"] >= row["capacity"]):  # fmt: skip
            answer = Answer.WAITLISTED
        if answer in COUNTER:
            row[COUNTER[answer]] += 1
        when = row["created_at"] + timedelta(hours=index + 1)
        found.append({"user_id": person.id, "answer": answer, "public": rng.random() < 0.85,
                      "created_at": when, "updated_at": when})  # fmt: skip
    return found


def bulk(people: list, now: datetime, count: int = EVENTS,
         registrations: int = REGISTRATIONS) -> list[int]:  # fmt: skip
    """Write ``count`` events with ``registrations`` registrations of ``people``; returns
    the events' ids."""
    rng = random.Random(SEED)
    places = [gazetteer.lookup(name)[0] for name in BULK_CITIES]
    cooked = [str(render(text)) for text in BULK_TEXTS]
    rows, plans = [], []
    for n, size in enumerate(spread(count, registrations, len(people), rng), start=1):
        row = _event(n, rng, places, cooked, people, now)
        plans.append(_answers(row, rng.sample(people, size), rng))
        rows.append(row)
    ids = list(db.session.scalars(
        insert(Event).returning(Event.id, sort_by_parameter_order=True), rows))  # fmt: skip
    db.session.execute(insert(Organizer), [
        {"event_id": event_id, "user_id": row["user_id"], "position": 0}
        for event_id, row in zip(ids, rows, strict=True)])  # fmt: skip
    answers = [{**answer, "event_id": event_id}
               for event_id, plan in zip(ids, plans, strict=True) for answer in plan]  # fmt: skip
    if answers:
        db.session.execute(insert(Registration), answers)
    for start in range(0, len(ids), BATCH):
        found = db.session.scalars(
            select(Event).options(selectinload(Event.user))
            .where(Event.id.in_(ids[start:start + BATCH]))
        )  # fmt: skip
        for event in found:
            search.queue_index(indexing.document(event, frozenset()))
    return ids
