"""Events map benchmark: the GeoJSON of 10,000 events, for the whole world and for a city.

    .venv/bin/python bench/geojson.py [--events 10000] [--runs 30]

Builds a temporary SQLite database with the events plugin, inserts ``--events`` upcoming
events in cities all over the world (population-weighted, a fifth of them around Paris so a
city viewport holds many; 2 % recurring weekly, 5 % online, 3 % in a private group), then
times, as an anonymous reader:

- the service ``geo.geojson`` for the whole world (capped at the ``map_max_events`` setting,
  2,000 by default, and uncapped), and for a viewport around Paris;
- the HTTP endpoint ``/events/map.geojson`` (request, query, JSON) for the same areas.

Quality bar (issue 6): a fixed number of queries and, here, at most 50 ms for 10,000 events.
Numbers are for comparing changes on one machine (the minimum, and the CPU time of this
process, are the least disturbed by other work on it); prints only, writes nothing.
``make bench`` calls ``measure`` and reports the HTTP cases against the target.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARIS_BBOX = "2.0,48.6,2.7,49.1"
WORLD_BBOX = "-180,-90,180,90"
SEED = 6


def build(app, count: int) -> None:
    from sqlalchemy import insert

    from plugins.events import gazetteer
    from plugins.events.models import Event, EventType, Mode
    from plugins.events.services import times
    from space.accounts.models import Group, GroupVisibility
    from space.db import db, utcnow

    rng = random.Random(SEED)
    group = Group(name="secret", title="Secret", visibility=GroupVisibility.PRIVATE)
    db.session.add(group)
    db.session.flush()
    places = [gazetteer.lookup(name, 1)[0] for name in (
        "Tokyo", "Delhi", "Shanghai", "Sao Paulo", "Mexico City", "Cairo", "Mumbai", "Beijing",
        "Dhaka", "Osaka", "New York", "Karachi", "Buenos Aires", "Istanbul", "Kolkata",
        "Lagos", "Manila", "Rio de Janeiro", "Moscow", "Lima", "London", "Bangkok", "Jakarta",
        "Berlin", "Madrid", "Nairobi", "Stockholm", "Sydney", "Toronto", "Suva", "Apia",
    )]  # fmt: skip
    paris = gazetteer.lookup("Paris", 1, "FR")[0]
    now = utcnow().replace(second=0, microsecond=0)
    types = list(EventType)
    rows = []
    for i in range(count):
        place = paris if rng.random() < 0.2 else rng.choice(places)
        start_at = now + timedelta(days=rng.randint(0, 365), minutes=15 * rng.randint(0, 95))
        local = times.to_local(start_at, place.timezone)
        mode = rng.choices([Mode.IN_PERSON, Mode.HYBRID, Mode.ONLINE], [80, 15, 5])[0]
        recurring = rng.random() < 0.02
        rows.append({
            "title": f"Event {i} in {place.name}", "slug": f"event-{i}",
            "timezone": place.timezone, "start_local": local,
            "end_local": local + timedelta(hours=2), "start_at": start_at,
            "end_at": start_at + timedelta(hours=2),
            "last_end_at": start_at + timedelta(weeks=9, hours=2) if recurring
            else start_at + timedelta(hours=2),
            "rrule": "FREQ=WEEKLY;COUNT=10" if recurring else "", "mode": mode,
            "lat": None if mode == Mode.ONLINE else place.lat + rng.uniform(-0.15, 0.15),
            "lon": None if mode == Mode.ONLINE else place.lon + rng.uniform(-0.15, 0.15),
            "city": place.name, "country_code": place.country_code,
            "event_type": rng.choice(types), "languages": [], "report_links": [],
            "group_id": group.id if rng.random() < 0.03 else None,
        })  # fmt: skip
    db.session.execute(insert(Event), rows)
    db.session.commit()


def timed(function, runs: int) -> tuple[float, float, float, float, object]:
    """(min, median, p95 of wall time, min of this process's CPU time) in ms, and a result.
    CPU time leaves out the waits when other processes share the machine."""
    function()  # warm caches (settings, gazetteer, Babel)
    walls, cpus, result = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    walls.sort()
    p95 = walls[int(0.95 * (len(walls) - 1))]
    return walls[0], statistics.median(walls), p95, min(cpus), result


class Case(NamedTuple):
    """One timed case: wall-time min / median / p95 and CPU min in ms; features shown of
    the total that match; the response's size (HTTP cases)."""

    label: str
    least: float
    median: float
    p95: float
    cpu: float
    shown: int
    total: int
    kib: float | None = None


def measure(events: int = 10_000, runs: int = 30, log=print) -> list[Case]:
    """Build ``events`` events in a temporary database and time the service and the HTTP
    endpoint (see the module's docstring)."""
    from space import create_app
    from space.accounts import groups
    from space.db import db

    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "TESTING": True, "SPACE_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "SPACE_SECRET_KEY": "bench", "SPACE_SEARCH_PATH": f"{tmp}/search",
            "SPACE_UPLOAD_DIR": f"{tmp}/uploads", "SPACE_JOBS_ON_REQUEST": False,
            "SPACE_PLUGINS": ["discuss", "events"], "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "localhost",
        })  # fmt: skip
        with app.app_context():
            db.create_all()
            groups.ensure_automatic_groups()
            db.session.commit()
            began = time.perf_counter()
            build(app, events)
            log(f"built {events:,} events in {time.perf_counter() - began:.1f} s "
                f"(SQLite, Python {sys.version.split()[0]})")  # fmt: skip

            from plugins.events.services import area, geo
            from plugins.events.services.filters import Filters
            from space.accounts.models import Anonymous

            anonymous = Anonymous()
            for label, bbox, limit in [
                ("service, world, capped", WORLD_BBOX, None),
                ("service, world, uncapped", WORLD_BBOX, events),
                ("service, Paris viewport", PARIS_BBOX, None),
            ]:
                with app.test_request_context():
                    box = area.parse_bbox(bbox)
                    least, median, p95, cpu, found = timed(
                        lambda box=box, limit=limit: geo.geojson(anonymous, Filters(), box,
                                                                   limit),
                        runs,
                    )  # fmt: skip
                cases.append(Case(label, least, median, p95, cpu, len(found["features"]),
                                  found["total"]))  # fmt: skip

            client = app.test_client()
            for label, bbox in (("HTTP, world (capped)", WORLD_BBOX),
                                ("HTTP, Paris viewport", PARIS_BBOX)):  # fmt: skip

                def fetch(bbox=bbox):
                    response = client.get("/events/map.geojson", query_string={"bbox": bbox})
                    assert response.status_code == 200
                    return response

                least, median, p95, cpu, response = timed(fetch, runs)
                body = response.get_json(force=True)
                cases.append(Case(label, least, median, p95, cpu, len(body["features"]),
                                  body["total"], len(response.data) / 1024))  # fmt: skip
            db.session.remove()
            db.engine.dispose()
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    cases = measure(args.events, args.runs)
    print(f"\n{'case':30} {'min':>8} {'median':>8} {'p95':>8} {'cpu min':>8}  "
          "features / total")  # fmt: skip
    for case in cases:
        size = f"  ({case.kib:,.0f} KiB)" if case.kib is not None else ""
        print(f"{case.label:30} {case.least:5.1f} ms {case.median:5.1f} ms {case.p95:5.1f} ms "
              f"{case.cpu:5.1f} ms  {case.shown:,} / {case.total:,}{size}")  # fmt: skip


if __name__ == "__main__":
    main()
