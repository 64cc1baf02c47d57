"""The large demo's events (``flask space demo --size large``): 5,000 events over two years
in 50 cities and six online time zones, organized by and with 20,000 registrations of the
site's people (the large demo's 500).

Going through the services one event at a time would take minutes; these are written in
bulk (per batch of 500 events, one INSERT … RETURNING for the events, one for their
organizers, one for the registrations, with a progress bar) with what the services would
have worked out computed here: the UTC moments
from the wall-clock times and zones (``times.to_utc``), the cooked descriptions, the
counters (going beyond a capacity waits on the waitlist, in the order people answered).
They get no discussion topic and queue no search document: the command rebuilds the index
after the commit (``space.demo.index_everything``). Rows go in through the tables (Core), not
the entities, which would do the ORM's bookkeeping for every row. The same every time
(``random.Random(SEED)``).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import insert

from space.db import db
from space.demo import progress
from space.markup import render, slugify

from . import gazetteer
from .demo_events import BULK_CITIES, BULK_ONLINE_ZONES, BULK_TEXTS, BULK_TITLES, MEET
from .models import Answer, Event, EventStatus, EventType, Mode, Organizer, Registration
from .services import times

SEED = 66
EVENTS = 5000
REGISTRATIONS = 20_000
BATCH = 500
TABLE = Event.__table__
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
    sizes = spread(count, registrations, len(people), rng)
    ids = []
    batches = [range(n, min(n + BATCH, count)) for n in range(0, count, BATCH)]
    for batch in progress(batches, "Events", count, weight=len):
        rows, plans = [], []
        for n in batch:
            row = _event(n + 1, rng, places, cooked, people, now)
            plans.append(_answers(row, rng.sample(people, sizes[n]), rng))
            rows.append(row)
        made = list(db.session.scalars(
            insert(TABLE).returning(TABLE.c.id, sort_by_parameter_order=True), rows))  # fmt: skip
        db.session.execute(insert(Organizer.__table__), [
            {"event_id": event_id, "user_id": row["user_id"], "position": 0}
            for event_id, row in zip(made, rows, strict=True)])  # fmt: skip
        answers = [{**answer, "event_id": event_id}
                   for event_id, plan in zip(made, plans, strict=True)
                   for answer in plan]  # fmt: skip
        if answers:
            db.session.execute(insert(Registration.__table__), answers)
        ids += made
    return ids
