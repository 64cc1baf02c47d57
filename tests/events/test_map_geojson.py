"""The map's GeoJSON as its endpoint writes it (``geo.geojson_text``): the same document as
``geo.geojson``'s dictionaries whatever the titles and slugs hold, coordinates to 5 decimals,
and time labels kept across requests for each locale and viewer's zone."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from babel.dates import format_date
from sqlalchemy import insert

from plugins.events.models import Event, Mode
from plugins.events.services import area, geo, geolabels, times
from plugins.events.services import events as event_service
from plugins.events.services.filters import Filters
from space.accounts.models import Anonymous, User
from space.db import db, utcnow

from .conftest import local_now, reload

TITLES = [
    'A "quoted" title with a back\\slash',
    "Line\nbreak, tab\t and a control \x01 character",
    "</script><script>alert(1)</script>",
    "Ünïcødé café 東京 🎉 and separators \u2028\u2029",
]
SLUGS = ["quoted-title", "café-tôt", "a/b?c=d&e", "plain"]


def _insert(title: str, slug: str, *, days: int = 1, lat: float, lon: float,
            start: datetime | None = None, **columns) -> int:  # fmt: skip
    """One upcoming event row (``days`` from now, or at ``start``), inserted as it is (titles
    and slugs the forms would clean)."""
    start = start or utcnow().replace(microsecond=0) + timedelta(days=days)
    local = times.to_local(start, "Europe/Stockholm")
    row = dict(title=title, slug=slug, timezone="Europe/Stockholm", start_local=local,
               end_local=local + timedelta(hours=2), start_at=start,
               end_at=start + timedelta(hours=2), last_end_at=start + timedelta(hours=2),
               mode=Mode.IN_PERSON, lat=lat, lon=lon, city="Stockholm", country_code="SE",
               languages=[], report_links=[], **columns)  # fmt: skip
    return db.session.execute(insert(Event).returning(Event.id), [row]).scalar_one()


def _events(make) -> dict[str, int]:
    """Odd titles and slugs, a cancelled event, an all-day one and a recurring one."""
    from plugins.events.services.events import Repeat

    found = {slug: _insert(title, slug, days=n + 1, lat=59.123456789 + n, lon=18.987654321)
             for n, (title, slug) in enumerate(zip(TITLES, SLUGS, strict=True))}  # fmt: skip
    db.session.commit()
    cancelled = make.event(title="Rained off", days=6)
    event_service.cancel(make.admin(), reload(cancelled), "Rain")
    day = local_now().date() + timedelta(days=8)
    found["all-day"] = make.event(title="All day", all_day=True, start=datetime.combine(
        day, datetime.min.time()), end=datetime.combine(day, datetime.min.time())).id  # fmt: skip
    first = datetime.combine(local_now().date() - timedelta(days=3), datetime.min.time())
    found["weekly"] = make.event(title="Weekly", start=first.replace(hour=18),
                                 end=first.replace(hour=20),
                                 repeat=Repeat("weekly", count=10)).id  # fmt: skip
    found["cancelled"] = cancelled.id
    db.session.commit()
    return found


def test_the_text_is_the_json_of_the_dictionaries(app, make):
    found = _events(make)
    anonymous = Anonymous()
    for zone in ("UTC", "America/New_York", "Asia/Kolkata"):
        for bbox, limit in ((None, None), (None, 3), (area.parse_bbox("0,0,10,10"), None)):
            filters = Filters(zone=zone)
            expected = geo.geojson(anonymous, filters, bbox, limit)
            text = geo.geojson_text(anonymous, filters, bbox, limit)
            assert json.loads(text) == expected, (zone, bbox, limit)
    collection = geo.geojson(anonymous, Filters())
    assert collection["total"] == len(found) and collection["truncated"] is False
    by_id = {feature["id"]: feature for feature in collection["features"]}
    assert [by_id[found[slug]]["properties"]["title"] for slug in SLUGS] == TITLES
    assert by_id[found["café-tôt"]]["properties"]["url"].endswith(
        f"/events/{found['café-tôt']}/caf%C3%A9-t%C3%B4t"
    )
    assert by_id[found["a/b?c=d&e"]]["properties"]["url"].endswith("/a%2Fb%3Fc%3Dd%26e")
    assert by_id[found["quoted-title"]]["geometry"]["coordinates"] == [18.98765, 59.12346]
    assert by_id[found["cancelled"]]["properties"]["cancelled"] is True
    assert by_id[found["weekly"]]["properties"]["when"] > utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_endpoint_sends_the_text_the_api_the_dictionaries(client, make):
    _events(make)
    response = client.get("/events/map.geojson", query_string={"bbox": "-180,-90,180,90"})
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    body = response.get_data(as_text=True)
    assert body.startswith('{"type":"FeatureCollection","features":[{"type":"Feature","id":')
    assert "café 東京 🎉" in body  # non-ASCII as is
    api = client.get("/api/v1/events/events.geojson", query_string={"bbox": "-180,-90,180,90"})
    assert api.status_code == 200
    assert json.loads(body) == api.get_json() and len(api.get_json()["features"]) == 7


def _label(client, **args) -> str:
    response = client.get("/events/map.geojson", query_string=args)
    assert response.status_code == 200
    return response.get_json(force=True)["features"][0]["properties"]["when_label"]


def test_kept_labels_follow_the_locale_and_the_viewers_zone(client, make, login):
    event = make.event(timezone="Europe/Stockholm")
    english = _label(client)
    french = _label(client, lang="fr")
    day = event.start_local.date()
    assert format_date(day, "medium", locale="en") in english
    assert format_date(day, "medium", locale="fr") in french and french != english
    assert _label(client, lang="en") == english  # the kept English labels, not the French
    viewer = make.member()
    db.session.get(User, viewer.id).timezone = "America/New_York"
    db.session.commit()
    login(viewer)
    new_york = _label(client)
    assert new_york != english and ("12:00\u202fPM" in new_york or "12:00 PM" in new_york)


def test_kept_labels_are_bounded(app, make, monkeypatch):
    monkeypatch.setattr(geolabels, "MAX_LABELS", 3)
    monkeypatch.setattr(geolabels, "MAX_VIEWERS", 2)
    for n in range(5):
        _insert(f"Event {n}", f"event-{n}", days=n + 1, lat=59.3, lon=18.1)
    db.session.commit()
    for zone in ("UTC", "Europe/Paris", "UTC", "Asia/Tokyo"):
        assert len(geo.geojson(Anonymous(), Filters(zone=zone))["features"]) == 5
        assert len(geolabels.for_viewer(zone).kept) <= 3
    # the least recently used viewer's labels went first
    assert [zone for _locale, zone in geolabels._viewers] == ["UTC", "Asia/Tokyo"]
    # what was kept before a clear-out is made again, the same
    first = geo.geojson(Anonymous(), Filters(zone="UTC"))
    assert geo.geojson(Anonymous(), Filters(zone="UTC")) == first


def test_an_all_day_event_and_one_at_midnight_keep_their_own_labels(app):
    midnight = datetime.combine(local_now().date() + timedelta(days=4), datetime.min.time())
    start = times.to_utc(midnight, "Europe/Stockholm")
    ids = [_insert(f"Event {n}", f"event-{n}", start=start, lat=59.3, lon=18.1, all_day=all_day)
           for n, all_day in enumerate((True, False))]  # fmt: skip
    db.session.commit()
    filters = Filters(zone="Europe/Stockholm")
    for _ in range(2):  # made, then kept
        found = geo.geojson(Anonymous(), filters)["features"]
        labels = {feature["id"]: feature["properties"]["when_label"] for feature in found}
        assert labels[ids[0]] == format_date(midnight.date(), "medium", locale="en")
        assert labels[ids[1]].startswith(labels[ids[0]]) and labels[ids[1]] != labels[ids[0]]
