"""The map: GeoJSON (privacy, viewport, cap, near a city, bad input), the map page (CSP, no
inline script, online events beside it), the plain list by country and city, and Leaflet's
files."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

from plugins.events import gazetteer, settings
from plugins.events.models import Event, EventStatus, Mode
from plugins.events.services import area, geo, times
from plugins.events.services import events as event_service
from plugins.events.services.filters import Filters
from space.accounts.models import Anonymous
from space.db import db, utcnow

from .conftest import local_now, reload


def city(name: str, country: str | None = None) -> gazetteer.Place:
    return gazetteer.lookup(name, 1, country)[0]


def geojson(client, **args):
    response = client.get("/events/map.geojson", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    return response.get_json(force=True)


def ids(collection) -> set[int]:
    return {feature["id"] for feature in collection["features"]}


def bulk_events(n: int, *, lat=59.33, lon=18.07, group_id=None, days=3, **columns) -> None:
    """``n`` one-time events inserted at once (for sizes where building each through the
    service would be slow); they start ``days`` from now."""
    start = utcnow().replace(microsecond=0) + timedelta(days=days)
    local = times.to_local(start, "Europe/Stockholm")
    rows = [dict(title=f"Bulk {i}", slug=f"bulk-{i}", timezone="Europe/Stockholm",
                 start_local=local + timedelta(minutes=i),
                 end_local=local + timedelta(minutes=i, hours=2),
                 start_at=start + timedelta(minutes=i),
                 end_at=start + timedelta(minutes=i, hours=2),
                 last_end_at=start + timedelta(minutes=i, hours=2), mode=Mode.IN_PERSON,
                 lat=lat, lon=lon, city="Stockholm", country_code="SE", group_id=group_id,
                 languages=[], report_links=[], **columns)
            for i in range(n)]  # fmt: skip
    db.session.execute(insert(Event), rows)
    db.session.commit()


# --- privacy ----------------------------------------------------------------------------------


def test_geojson_shows_public_events_with_their_properties(client, make):
    event = make.event(title="Edit-a-thon at the library")
    found = geojson(client)
    assert found["type"] == "FeatureCollection"
    assert found["truncated"] is False and found["total"] == 1
    (feature,) = found["features"]
    assert feature["id"] == event.id
    assert feature["geometry"] == {
        "type": "Point",
        "coordinates": [round(event.lon, 5), round(event.lat, 5)],
    }
    props = feature["properties"]
    assert props["title"] == "Edit-a-thon at the library"
    assert props["url"] == f"/events/{event.id}/{event.slug}"
    assert props["when"] == event.start_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert props["mode"] == "in_person" and props["type"] == "meetup"
    assert props["cancelled"] is False
    assert client.get(props["url"]).status_code == 200


def test_private_group_events_only_for_members_and_staff(client, make, login):
    public = make.event()
    organizer = make.organizer()
    private = make.private_group_event(organizer)
    assert ids(geojson(client)) == {public.id}
    outsider = make.member()
    login(outsider)
    assert ids(geojson(client)) == {public.id}
    client.delete_cookie("session", domain="localhost")
    login(organizer)
    assert ids(geojson(client)) == {public.id, private.id}


def test_staff_see_private_group_events(client, make, login):
    private = make.private_group_event()
    login(make.admin())
    assert private.id in ids(geojson(client))


def test_only_upcoming_events_with_a_place(client, make):
    coming = make.event()
    make.past_event()
    make.event(mode=Mode.ONLINE, meeting_url="https://meet.example.org/x", place_id=None)
    hybrid = make.event(mode=Mode.HYBRID, meeting_url="https://meet.example.org/y")
    assert ids(geojson(client)) == {coming.id, hybrid.id}


def test_cancelled_events_are_marked(client, make):
    event = make.event()
    event_service.cancel(make.admin(), reload(event), "Rain")
    db.session.commit()
    (feature,) = geojson(client)["features"]
    assert feature["properties"]["cancelled"] is True


def test_recurring_event_shows_its_next_occurrence_not_the_cancelled_one(client, make):
    from plugins.events.services.events import Repeat

    start = datetime.combine(local_now().date() - timedelta(days=14), datetime.min.time())
    event = make.event(start=start.replace(hour=18), end=start.replace(hour=20),
                       repeat=Repeat("weekly", count=10))  # fmt: skip
    coming = [o for o in times.occurrences(event) if o.end_at > utcnow()]
    event_service.cancel_occurrence(make.admin(), reload(event), coming[0].start_local)
    db.session.commit()
    (feature,) = geojson(client)["features"]
    assert feature["properties"]["when"] == coming[1].start_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert feature["properties"]["cancelled"] is False


# --- viewport ---------------------------------------------------------------------------------


def test_bbox_bounds_the_events(client, make):
    stockholm = make.event()
    paris = make.event(place_id=city("Paris", "FR").id, timezone="Europe/Paris")
    assert ids(geojson(client, bbox="17,59,19,60")) == {stockholm.id}
    assert ids(geojson(client, bbox="1,48,3,49.5")) == {paris.id}
    assert ids(geojson(client, bbox="-180,-90,180,90")) == {stockholm.id, paris.id}
    assert ids(geojson(client, bbox="-80,-10,-70,10")) == set()


def test_bbox_across_the_antimeridian(client, make):
    fiji = make.event(place_id=None, lat=-18.14, lon=178.44, timezone="Pacific/Fiji")
    samoa = make.event(place_id=None, lat=-13.83, lon=-171.76, timezone="Pacific/Apia")
    make.event()  # Stockholm
    assert ids(geojson(client, bbox="170,-30,-165,0")) == {fiji.id, samoa.id}
    assert ids(geojson(client, bbox="175,-30,-175,0")) == {fiji.id}
    # west < east: the box from -170 to 170 does not hold 178.44 nor -171.76
    assert ids(geojson(client, bbox="-170,-30,170,0")) == set()


@pytest.mark.parametrize("bbox", [
    "1,2,3", "1,2,3,4,5", "a,b,c,d", "", "0,10,10,5", "0,10,10,10", "5,0,5,10",
    "-181,0,0,10", "0,-91,10,0", "0,0,181,10", "nan,0,1,1", "0,0,inf,1", "1e999,0,1,1",
    "0x10,0,1,1",
])  # fmt: skip
def test_bad_bbox_is_a_400_with_a_message(client, make, bbox):
    response = client.get("/events/map.geojson", query_string={"bbox": bbox})
    if bbox == "":  # no area: the whole world
        assert response.status_code == 200
        return
    assert response.status_code == 400
    body = response.get_json(force=True)
    assert body["field"] == "bbox" and body["error"]


def test_bad_filters_are_a_400(client):
    for args in ({"from": "yesterday"}, {"type": "party"}, {"country": "XX"},
                 {"near": "1"}, {"near": "abc"}, {"near": str(city("Stockholm").id), "km": "0"},
                 {"near": str(city("Stockholm").id), "km": "5000"}):  # fmt: skip
        response = client.get("/events/map.geojson", query_string=args)
        assert response.status_code == 400, args
        assert response.get_json(force=True)["error"]


def test_filters_are_the_lists(client, make):
    from plugins.events.models import EventType

    training = make.event(event_type=EventType.TRAINING, languages=["sv"])
    make.event()
    assert ids(geojson(client, type="training")) == {training.id}
    assert ids(geojson(client, language="sv")) == {training.id}
    assert ids(geojson(client, country="FR")) == set()
    day = training.start_local.date().isoformat()
    assert training.id in ids(geojson(client, **{"from": day, "to": day}))


# --- the cap ----------------------------------------------------------------------------------


def test_cap_says_truncated_and_the_total(client, make):
    bulk_events(7)
    settings.put("map_max_events", 5)
    db.session.commit()
    found = geojson(client)
    assert len(found["features"]) == 5
    assert found["truncated"] is True and found["total"] == 7
    # soonest first
    whens = [f["properties"]["when"] for f in found["features"]]
    assert whens == sorted(whens)
    assert geojson(client, bbox="0,0,10,10") == {"type": "FeatureCollection", "features": [],
                                                  "truncated": False, "total": 0}  # fmt: skip


def test_service_cap_and_near_refinement(app, make):
    bulk_events(4)
    anonymous = Anonymous()
    collection = geo.geojson(anonymous, Filters(), limit=3)
    assert len(collection["features"]) == 3 and collection["total"] == 4
    near = area.near(city("Stockholm").id, 10)
    collection = geo.geojson(anonymous, Filters(), limit=2, near=near)
    assert len(collection["features"]) == 2 and collection["truncated"] is True


# --- near a city ------------------------------------------------------------------------------


def test_near_a_city_within_n_km(client, make):
    stockholm = make.event()
    uppsala = make.event(place_id=city("Uppsala", "SE").id)  # ~65 km north
    make.event(place_id=city("Gothenburg", "SE").id)  # ~400 km west
    home = city("Stockholm").id
    assert ids(geojson(client, near=home, km=25)) == {stockholm.id}
    assert ids(geojson(client, near=home, km=100)) == {stockholm.id, uppsala.id}
    assert len(geojson(client, near=home, km=500)["features"]) == 3


def test_near_refines_the_bounding_box_with_the_distance(app, make):
    place = city("Stockholm")
    min_lat, min_lon, max_lat, max_lon = gazetteer.bounding_box(place.lat, place.lon, 50)
    corner = make.event(place_id=None, lat=max_lat - 0.01, lon=max_lon - 0.01)  # in the box
    inside = make.event(place_id=None, lat=place.lat + 0.3, lon=place.lon)  # ~33 km
    assert gazetteer.distance_km(place.lat, place.lon, corner.lat, corner.lon) > 50
    found = geo.geojson(Anonymous(), Filters(), near=area.near(place.id, 50))
    assert ids(found) == {inside.id}
    assert found["total"] == 1


def test_near_parsing():
    with pytest.raises(area.GeoError):
        area.near("999999999", 10)
    with pytest.raises(area.GeoError):
        area.near("12abc", 10)
    with pytest.raises(area.GeoError):
        area.parse_km("-5")
    assert area.parse_km(None) == area.KM_DEFAULT
    assert area.parse_km(" 100 ") == 100


# --- the budget -------------------------------------------------------------------------------


def _geojson_queries(client, count_queries) -> int:
    client.get("/events/map.geojson")  # warm: settings, gazetteer
    with count_queries() as counter:
        response = client.get("/events/map.geojson", query_string={"bbox": "-180,-90,180,90"})
    assert response.status_code == 200
    return counter.count


def test_geojson_costs_the_same_queries_for_5_and_300_events(client, make, login,
                                                             count_queries):  # fmt: skip
    member = make.member()
    login(member)
    bulk_events(5)
    small = _geojson_queries(client, count_queries)
    bulk_events(295, days=5)
    large = _geojson_queries(client, count_queries)
    assert len(geojson(client)["features"]) == 300
    assert small == large == 5  # the user, the settings, private groups, theirs, the events


def test_geojson_service_is_one_query(app, make, count_queries):
    bulk_events(50)
    anonymous = Anonymous()
    geo.geojson(anonymous, Filters())  # settings and private groups loaded once
    with count_queries() as counter:
        geo.geojson(anonymous, Filters(), limit=10)
    assert counter.count == 2  # the private groups (no request cache here) and the events


# --- time labels ------------------------------------------------------------------------------


def test_when_label_in_the_viewers_zone_with_the_events_zone(client, make, login):
    from space.accounts.models import User

    make.event(timezone="Europe/Stockholm")
    viewer = make.member()
    db.session.get(User, viewer.id).timezone = "America/New_York"
    db.session.commit()
    login(viewer)
    label = geojson(client)["features"][0]["properties"]["when_label"]
    assert "(Europe/Stockholm)" in label
    assert "6:00\u202fPM" in label or "6:00 PM" in label  # the event's own time
    assert "12:00\u202fPM" in label or "12:00 PM" in label  # New York's


def test_when_label_without_zone_when_the_same(app, make):
    event = make.event(timezone="UTC", place_id=None, lat=51.5, lon=-0.12)
    found = geo.geojson(Anonymous(), Filters(zone="UTC"))
    label = found["features"][0]["properties"]["when_label"]
    assert "(" not in label
    assert str(event.start_local.year) in label


# --- pages ------------------------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


def test_map_page_csp_allows_the_tile_server_and_no_inline_script(client, make):
    make.event()
    response = client.get("/events/map")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert "https://tile.openstreetmap.org" in directives["img-src"].split()
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html
    assert 'id="events-map"' in html and "data-geojson=" in html
    assert "/events/leaflet/leaflet.js" in html and "markercluster/leaflet.markercluster.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html
    assert "GeoNames" in html
    assert "/events/map/list" in html and "<noscript>" in html
    # the tile server is not allowed elsewhere
    other = client.get("/events/map/list").headers["Content-Security-Policy"]
    assert "tile.openstreetmap.org" not in other


def test_tile_server_origin_follows_the_setting(client):
    settings.put("tile_url", "https://{s}.tiles.example.org/osm/{z}/{x}/{y}.png")
    db.session.commit()
    policy = client.get("/events/map").headers["Content-Security-Policy"]
    assert "https://*.tiles.example.org" in policy
    settings.put("tile_url", "javascript:alert(1)//{z}")
    db.session.commit()
    policy = client.get("/events/map").headers["Content-Security-Policy"]
    assert "javascript" not in policy


def test_tile_origin():
    from plugins.events.views.map import tile_origin

    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://tile.openstreetmap.org"
    )
    assert tile_origin("http://localhost:8080/{z}/{x}/{y}.png") == "http://localhost:8080"
    assert tile_origin("https://a.b; script-src *") is None
    assert tile_origin("https://user@evil.org/{z}") is None
    assert tile_origin("data:image/png") is None


def test_map_page_lists_online_events_beside_it(client, make):
    online = make.event(title="Online training", mode=Mode.ONLINE,
                        meeting_url="https://meet.example.org/t", place_id=None)  # fmt: skip
    make.event(title="In person meetup")
    html = client.get("/events/map").get_data(as_text=True)
    aside = html[html.index('class="events-online') :]
    assert "Online training" in aside and f"/events/{online.id}/" in aside
    assert "In person meetup" not in aside


def test_map_page_near_a_city_by_name_and_by_id(client, make):
    place = city("Uppsala", "SE")
    response = client.get("/events/map", query_string={"city": "Uppsala", "km": "25"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'data-center="{place.lat},{place.lon}"' in html and 'data-km="25' in html
    assert f"near={place.id}" in html  # the GeoJSON address carries the city
    response = client.get("/events/map", query_string={"near": place.id, "km": "50"})
    assert response.status_code == 200 and "data-center" in response.get_data(as_text=True)


def test_map_page_bad_input_is_a_400_keeping_what_was_typed(client):
    response = client.get("/events/map", query_string={"city": "Qwxzzyq", "q": "edit"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "No city is called Qwxzzyq" in html and 'value="edit"' in html
    response = client.get("/events/map", query_string={"from": "nope"})
    assert response.status_code == 400
    assert "year-month-day" in response.get_data(as_text=True)


def test_plain_list_grouped_by_country_then_city(client, make):
    paris = make.event(title="Paris meetup", place_id=city("Paris", "FR").id,
                       timezone="Europe/Paris")  # fmt: skip
    uppsala = make.event(title="Uppsala meetup", place_id=city("Uppsala", "SE").id)
    stockholm_late = make.event(title="Stockholm later", days=9)
    stockholm = make.event(title="Stockholm sooner", days=3)
    make.event(title="Online only", mode=Mode.ONLINE, meeting_url="https://meet.example.org/o",
               place_id=None)  # fmt: skip
    make.private_group_event(title="Secret meetup")
    response = client.get("/events/map/list")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Online only" not in html and "Secret meetup" not in html
    order = [html.index(text) for text in ('id="country-FR-title">France',
                                           'id="country-SE-title">Sweden', "Stockholm</h3>",
                                           "Stockholm sooner", "Stockholm later",
                                           "Uppsala</h3>", "Uppsala meetup")]  # fmt: skip
    assert order == sorted(order)
    assert html.index("Paris meetup") < html.index('id="country-SE-title"')
    for event in (paris, uppsala, stockholm, stockholm_late):
        assert f"/events/{event.id}/{event.slug}" in html
    assert not INLINE_SCRIPT.search(html)


def test_plain_list_near_a_city(client, make):
    make.event(title="Stockholm meetup")
    make.event(title="Gothenburg meetup", place_id=city("Gothenburg", "SE").id)
    html = client.get("/events/map/list", query_string={"city": "Gothenburg", "km": "50"}
                      ).get_data(as_text=True)  # fmt: skip
    assert "Gothenburg meetup" in html and "Stockholm meetup" not in html


# --- Leaflet's files --------------------------------------------------------------------------


@pytest.mark.parametrize("path, mimetype", [
    ("leaflet.js", "text/javascript"), ("leaflet.css", "text/css"),
    ("images/marker-icon.png", "image/png"),
    ("markercluster/leaflet.markercluster.js", "text/javascript"),
    ("markercluster/MarkerCluster.Default.css", "text/css"),
])  # fmt: skip
def test_leaflet_files_are_served(client, path, mimetype):
    response = client.get(f"/events/leaflet/{path}")
    body = response.data
    response.close()
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.cache_control.public and response.cache_control.max_age >= 86400
    assert len(body) > 100


@pytest.mark.parametrize("path", [
    "../__init__.py", "..%2f__init__.py", "%2e%2e/%2e%2e/leaflet/__init__.py",
    "images/../../__init__.py", "markercluster/../__init__.py",
    "markercluster/../../leaflet/data/leaflet.js", "/etc/passwd", "leaflet.js.map",
    "leaflet-src.esm.js.map", "nothing.js", "markercluster/", "images", "",
])  # fmt: skip
def test_leaflet_route_serves_nothing_else(client, path):
    response = client.get(f"/events/leaflet/{path}", follow_redirects=True)
    body = response.data
    response.close()
    assert response.status_code == 404
    assert b"import" not in body[:200] and b"leaflet" not in body[:200].lower()


def test_geojson_is_not_cached_publicly(client, make):
    make.event()
    response = client.get("/events/map.geojson")
    assert response.cache_control.private
    assert not response.cache_control.public


def test_events_are_listed_even_when_status_tentative(client, make):
    event = make.event(status=EventStatus.TENTATIVE)
    assert ids(geojson(client)) == {event.id}
    assert json.dumps(geojson(client))  # serializable


def test_near_form_uses_the_city_picker(client):
    html = client.get("/events/map").get_data(as_text=True)
    assert "data-place-picker" in html and 'data-places-url="/events/places"' in html
    assert "/events/static/events/picker.js" in html


def test_a_name_typed_over_the_picked_city_wins(client, make):
    stockholm, gothenburg = city("Stockholm"), city("Gothenburg", "SE")
    response = client.get("/events/map", query_string={
        "near": stockholm.id, "city": "Gothenburg", "km": "50"})  # fmt: skip
    assert f'data-center="{gothenburg.lat},{gothenburg.lon}"' in response.get_data(as_text=True)
    # the picked city's own label keeps the picked id
    response = client.get("/events/map", query_string={
        "near": stockholm.id, "city": stockholm.label, "km": "50"})  # fmt: skip
    assert f'data-center="{stockholm.lat},{stockholm.lon}"' in response.get_data(as_text=True)


def test_geojson_with_recurring_events_costs_one_more_query_whatever_the_size(
    client, make, count_queries
):
    from plugins.events.services.events import Repeat

    first = datetime.combine(local_now().date() - timedelta(days=3), datetime.min.time())
    make.event(start=first.replace(hour=18), end=first.replace(hour=20),
               repeat=Repeat("weekly", count=20))  # fmt: skip
    bulk_events(5)
    small = _geojson_queries(client, count_queries)
    bulk_events(295, days=5)
    large = _geojson_queries(client, count_queries)
    assert len(geojson(client)["features"]) == 301
    assert small == large == 4  # settings, private groups, the events, cancelled occurrences
