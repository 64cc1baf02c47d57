"""Events in the JSON API, reading: the OpenAPI document, the lists with their filters, one
event, its occurrences and registrations, the GeoJSON — with the pages' rules (a private
group's event is a 404 exactly like a missing one, and in no list) and a fixed number of
queries."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from plugins.events.models import Mode
from plugins.events.services import events, registration
from plugins.events.services.events import Repeat
from space.accounts.models import User
from space.api import tokens
from space.db import db

from .conftest import ZONE, local_now, reload

API = "/api/v1/events"


def bearer(user, scopes=("read", "write")) -> dict:
    _token, secret = tokens.create(user, "tests", list(scopes))
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def operations(document) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters" and path.startswith(API)
    }


def ids(client, headers=None, **query) -> list[int]:
    response = client.get(f"{API}/events", query_string=query, headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_the_openapi_document_lists_the_events_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    one = f"{API}/events/{{event_id}}"
    assert operations(document) == {
        ("GET", f"{API}/events"),
        ("POST", f"{API}/events"),
        ("GET", f"{API}/events.geojson"),
        ("GET", one),
        ("PATCH", one),
        ("POST", f"{one}/cancel"),
        ("GET", f"{one}/occurrences"),
        ("POST", f"{one}/occurrences/{{key}}/cancel"),
        ("GET", f"{one}/registration"),
        ("POST", f"{one}/registration"),
        ("DELETE", f"{one}/registration"),
        ("GET", f"{one}/registrations"),
    }
    paths = document["paths"]
    assert paths[f"{API}/events"]["post"]["security"] == [{"bearerAuth": []}]
    assert {} in paths[f"{API}/events"]["get"]["security"]
    assert "422" in paths[f"{API}/events"]["post"]["responses"]
    for path, item in paths.items():
        for method, operation in item.items():
            if path.startswith(API) and method != "parameters":
                assert operation.get("summary"), (method, path)
    schemas = document["components"]["schemas"]
    assert "start_local" in schemas["EventDetail"]["properties"]
    assert schemas["EventInput"]["properties"]["mode"]["enum"] == ["in_person", "online", "hybrid"]
    listed = {p["name"] for p in paths[f"{API}/events"]["get"]["parameters"]}
    assert {"from", "to", "type", "mode", "country", "language", "organizer", "q", "past",
            "page"} <= listed  # fmt: skip


def test_upcoming_events_soonest_first_with_filters(client, make):
    later = make.event(days=9, title="Wiki loves monuments")
    soon = make.event(days=2, title="Library edit-a-thon", event_type="editathon")
    online = make.event(days=5, title="Online training", mode=Mode.ONLINE,
                        meeting_url="https://meet.example.org/x", languages=["fr"])  # fmt: skip
    over = make.past_event(title="Last week's meetup")

    body = client.get(f"{API}/events").get_json()
    assert [item["id"] for item in body["items"]] == [soon.id, online.id, later.id]
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 20
    item = body["items"][0]
    assert item["title"] == "Library edit-a-thon" and item["event_type"] == "editathon"
    assert item["timezone"] == ZONE and item["start_local"].endswith("T18:00:00")
    assert item["start_at"].endswith("+00:00")
    assert item["occurrence"]["key"] == soon.start_local.strftime("%Y%m%dT%H%M%S")
    assert item["place"]["city"] == "Stockholm" and item["place"]["country_code"] == "SE"
    assert item["organizers"][0]["id"] == soon.user_id
    assert item["registration"] == {
        "enabled": True, "open": True, "reason": "", "can_leave": True, "deadline": None,
        "capacity": None, "places_left": None, "full": False, "going": 0, "waitlisted": 0,
        "interested": 0,
    }  # fmt: skip
    assert item["url"].startswith("http://localhost/events/") and item["my_answer"] is None
    assert body["items"][1]["place"] is None and "description" not in item

    assert ids(client, q="edit-a-thon") == [soon.id]
    assert ids(client, type="editathon") == [soon.id]
    assert ids(client, mode="online") == [online.id]
    assert ids(client, language="fr") == [online.id]
    assert ids(client, country="SE") == [soon.id, later.id]
    day = local_now().date()
    assert ids(client, **{"from": str(day + timedelta(days=4)),
                          "to": str(day + timedelta(days=6))}) == [online.id]  # fmt: skip
    assert ids(client, past="true") == [over.id]
    assert ids(client, page=2) == []
    assert client.get(f"{API}/events", query_string={"mine": "true"}).status_code == 401
    owner = db.session.get(User, soon.user_id)
    assert ids(client, bearer(owner), mine="true") == [soon.id]


@pytest.mark.parametrize("query, field", [
    ({"from": "someday"}, "from"), ({"type": "party"}, "type"), ({"mode": "telepathy"}, "mode"),
    ({"country": "XX"}, "country"), ({"from": "2025-03-02", "to": "2025-03-01"}, "to"),
    ({"page": "0"}, "page"), ({"past": "maybe"}, "past"), ({"q": "x" * 300}, "q"),
])  # fmt: skip
def test_a_bad_filter_is_a_422_naming_it(client, make, query, field):
    response = client.get(f"{API}/events", query_string=query)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and list(body["errors"]["query"]) == [field]


def test_a_private_groups_event_is_a_404_to_outsiders_exactly_like_a_missing_one(client, make):
    organizer = make.organizer()
    secret = make.private_group_event(organizer, title="The board's retreat", capacity=3)
    public = make.event(title="Open meetup")
    outsider, admin = make.member(), make.admin()
    people = {"anonymous": {}, "outsider": bearer(outsider), "organizer": bearer(organizer),
              "admin": bearer(admin)}  # fmt: skip
    paths = ["", "/occurrences", "/registrations", "/registration"]

    missing = {path: client.get(f"{API}/events/999999{path}", headers=people["outsider"])
               for path in paths}  # fmt: skip
    for who in ("anonymous", "outsider"):
        for path in paths:
            response = client.get(f"{API}/events/{secret.id}{path}", headers=people[who])
            if who == "anonymous" and path == "/registration":
                assert response.status_code == 401
                continue
            assert response.status_code == 404, (who, path)
            assert response.get_json() == missing[path].get_json()
        assert ids(client, people[who]) == [public.id]
        geo = client.get(f"{API}/events.geojson", headers=people[who]).get_json()
        assert [f["id"] for f in geo["features"]] == [public.id]
    hidden = client.post(f"{API}/events/{secret.id}/registration", json={"answer": "going"},
                         headers=people["outsider"])  # fmt: skip
    assert hidden.status_code == 404
    assert reload(secret).going_count == 0

    for who in ("organizer", "admin"):
        assert client.get(f"{API}/events/{secret.id}", headers=people[who]).status_code == 200
        assert set(ids(client, people[who])) == {secret.id, public.id}
        geo = client.get(f"{API}/events.geojson", headers=people[who]).get_json()
        assert {f["id"] for f in geo["features"]} == {secret.id, public.id}


def test_one_event_with_times_place_counts_and_what_you_may_do(client, make):
    organizer, reader = make.organizer(), make.member()
    event = make.event(organizer, mode=Mode.HYBRID, meeting_url="https://meet.example.org/h",
                       capacity=10, description="Bring **a laptop**.")  # fmt: skip
    registration.register(make.member(), reload(event), "going")
    db.session.commit()

    anonymous = client.get(f"{API}/events/{event.id}").get_json()
    assert anonymous["description"] == "Bring **a laptop**."
    assert "<strong>a laptop</strong>" in anonymous["description_html"]
    assert anonymous["timezone"] == ZONE
    local = event.start_local.isoformat()
    assert anonymous["start_local"] == local and anonymous["start_at"] == reload(
        event).start_at.isoformat()  # fmt: skip
    assert anonymous["registration"]["going"] == 1
    assert anonymous["registration"]["places_left"] == 9
    assert anonymous["can"] == {"edit": False, "manage": False, "register": False,
                                "flag": False}  # fmt: skip
    assert anonymous["meeting_url"] is None and anonymous["my_registration"] is None
    assert anonymous["recurring"] is False and anonymous["repeat"] is None
    assert anonymous["report"] is None and anonymous["sequence"] == 0

    headers = bearer(reader)
    mine = client.get(f"{API}/events/{event.id}", headers=headers).get_json()
    assert mine["can"] == {"edit": False, "manage": False, "register": True, "flag": True}
    assert mine["meeting_url"] is None  # registration needed for the link
    client.post(f"{API}/events/{event.id}/registration", json={"answer": "going"},
                headers=headers)  # fmt: skip
    mine = client.get(f"{API}/events/{event.id}", headers=headers).get_json()
    assert mine["my_registration"]["answer"] == "going"
    assert mine["meeting_url"] == "https://meet.example.org/h"

    theirs = client.get(f"{API}/events/{event.id}", headers=bearer(organizer)).get_json()
    assert theirs["can"] == {"edit": True, "manage": True, "register": True, "flag": False}
    assert theirs["meeting_url"] == "https://meet.example.org/h"
    assert client.get(f"{API}/events/0").status_code == 404


def test_occurrences_of_a_recurring_event_with_a_cancelled_one(client, make):
    organizer = make.organizer()
    event = make.event(organizer, days=1, repeat=Repeat("weekly", count=5))
    second = event.start_local + timedelta(days=7)
    events.cancel_occurrence(organizer, reload(event), second)
    db.session.commit()

    body = client.get(f"{API}/events/{event.id}/occurrences").get_json()
    assert body["total"] == 5
    assert [o["cancelled"] for o in body["items"]] == [False, True, False, False, False]
    assert body["items"][1]["key"] == second.strftime("%Y%m%dT%H%M%S")
    assert body["items"][1]["start_local"] == second.isoformat()
    detail = client.get(f"{API}/events/{event.id}").get_json()
    assert detail["repeat"] == {"frequency": "weekly", "interval": 1, "week_of_month": None,
                                "weekday": None, "until": None, "count": 5}  # fmt: skip
    assert len(detail["next_occurrences"]) == 5 and detail["next_occurrences"][1]["cancelled"]

    page = client.get(f"{API}/events/{event.id}/occurrences",
                      query_string={"per_page": 2, "page": 2}).get_json()  # fmt: skip
    assert [o["index"] for o in page["items"]] == [2, 3]
    end = (reload(event).start_at + timedelta(days=8)).isoformat()
    narrow = client.get(f"{API}/events/{event.id}/occurrences", query_string={"to": end})
    assert narrow.get_json()["total"] == 2
    for query in ({"from": "soon"}, {"from": "0001-01-01T00:00:00"},
                  {"to": "9999-12-31T23:59:59-12:00"}):  # fmt: skip
        bad = client.get(f"{API}/events/{event.id}/occurrences", query_string=query)
        assert bad.status_code == 422 and list(bad.get_json()["errors"]["query"]) == list(query)
    naive = client.get(f"{API}/events/{event.id}/occurrences",
                       query_string={"to": end.replace("+00:00", "")})  # fmt: skip
    assert naive.get_json()["total"] == 2
    backwards = client.get(f"{API}/events/{event.id}/occurrences",
                           query_string={"from": end, "to": "2000-01-01T00:00:00Z"})  # fmt: skip
    assert backwards.status_code == 422

    events.cancel(organizer, reload(event), "Rain")
    db.session.commit()
    body = client.get(f"{API}/events/{event.id}/occurrences").get_json()
    assert all(o["cancelled"] for o in body["items"])


def test_registrations_show_public_names_to_all_and_every_name_to_organizers(client, make):
    organizer = make.organizer()
    event = make.event(organizer)
    shown, shy, waiting = make.member(), make.member(), make.member()
    registration.register(shown, reload(event), "going")
    registration.register(shy, reload(event), "going", public=False)
    registration.register(waiting, reload(event), "interested")
    db.session.commit()

    def names(headers=None, **query):
        response = client.get(f"{API}/events/{event.id}/registrations", query_string=query,
                              headers=headers or {})  # fmt: skip
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        return [r["user"]["username"] for r in body["items"]], body

    found, body = names()
    assert found == [shown.username]
    assert (body["counted"], body["others"], body["names_all"]) == (2, 1, False)
    assert names(bearer(shy))[0] == [shown.username, shy.username]
    found, body = names(bearer(organizer))
    assert found == [shown.username, shy.username] and body["names_all"]
    assert body["items"][1]["public"] is False
    assert names(answer="interested")[0] == [waiting.username]
    assert names(answer="waitlisted")[0] == []
    bad = client.get(f"{API}/events/{event.id}/registrations", query_string={"answer": "no"})
    assert bad.status_code == 422


def test_the_geojson_with_filters_area_and_near(client, make):
    from plugins.events import gazetteer

    stockholm = make.event(title="In Stockholm")
    nairobi_city = gazetteer.lookup("Nairobi")[0]
    nairobi = make.event(title="In Nairobi", place_id=nairobi_city.id,
                         timezone=nairobi_city.timezone)  # fmt: skip
    make.event(mode=Mode.ONLINE, meeting_url="https://meet.example.org/o")

    def found(**query):
        response = client.get(f"{API}/events.geojson", query_string=query)
        assert response.status_code == 200, response.get_json()
        return {f["id"] for f in response.get_json()["features"]}

    assert found() == {stockholm.id, nairobi.id}
    assert found(bbox="30,-5,40,5") == {nairobi.id}
    assert found(near=str(nairobi_city.id), km="100") == {nairobi.id}
    assert found(q="Stockholm") == {stockholm.id}
    body = client.get(f"{API}/events.geojson").get_json()
    assert body["type"] == "FeatureCollection" and body["truncated"] is False
    feature = next(f for f in body["features"] if f["id"] == nairobi.id)
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["title"] == "In Nairobi"
    for query, field in (({"bbox": "1,2,3"}, "bbox"), ({"near": "0"}, "near"),
                         ({"near": str(nairobi_city.id), "km": "9999"}, "km"),
                         ({"type": "bogus"}, "type")):  # fmt: skip
        response = client.get(f"{API}/events.geojson", query_string=query)
        assert response.status_code == 422, query
        assert list(response.get_json()["errors"]["query"]) == [field]


def _many(make, count: int, organizer) -> None:
    """``count`` events, half of them over, the others with two registrations each; and
    one recurring event."""
    people = [make.member(), make.member()]
    made = []
    for n in range(count):
        days = 1 + n % 20 if n % 2 == 0 else -(1 + n % 5)
        made.append(make.event(organizer, days=days, title=f"Event {n}"))
    make.event(organizer, days=1, repeat=Repeat("weekly", count=4), title="Weekly")
    for event in made:
        if event.start_local > local_now():
            for person in people:
                registration.register(person, reload(event), "going")
    db.session.commit()


# The token, the settings, the private groups, the caller's groups, then the list's own
# (``services/listing``: a count, the recurring events, their cancelled occurrences, one page
# of one-time events, the page's events, their organizers, the caller's answers).
LIST_BUDGETS = {"/events": 11, "/events?past=true": 10, "/events?mine=true": 11,
                "/events.geojson": 6}  # fmt: skip


@pytest.mark.parametrize("path", list(LIST_BUDGETS))
def test_lists_cost_the_same_queries_for_3_and_40_events(client, make, count_queries, path):
    organizer = make.organizer()
    headers = bearer(organizer)

    def cost() -> tuple[int, int]:
        client.get(f"{API}{path}", headers=headers)  # warm caches
        with count_queries() as counter:
            response = client.get(f"{API}{path}", headers=headers)
        assert response.status_code == 200
        body = response.get_json()
        return counter.count, len(body.get("items") or body.get("features"))

    _many(make, 3, organizer)
    small, shown = cost()
    _many(make, 37, organizer)
    large, more = cost()
    assert large == small == LIST_BUDGETS[path] and more > shown


def test_one_event_costs_the_same_queries_whatever_its_registrations(client, make,
                                                                     count_queries):  # fmt: skip
    organizer = make.organizer()
    event = make.event(organizer, repeat=Repeat("weekly", count=3))
    headers = bearer(organizer)

    def cost(path: str) -> int:
        client.get(f"{API}/events/{event.id}{path}", headers=headers)  # warm caches
        with count_queries() as counter:
            response = client.get(f"{API}/events/{event.id}{path}", headers=headers)
        assert response.status_code == 200
        return counter.count

    paths = ["", "/registrations", "/occurrences", "/registration"]
    before = [cost(path) for path in paths]
    for _n in range(12):
        registration.register(make.member(), reload(event), "going")
    db.session.commit()
    assert [cost(path) for path in paths] == before == [7, 7, 6, 6]


def test_an_all_day_event_keeps_its_days(client, make):
    day = local_now().date() + timedelta(days=3)
    event = make.event(all_day=True, start=datetime.combine(day, time()),
                       end=datetime.combine(day + timedelta(days=1), time()))  # fmt: skip
    body = client.get(f"{API}/events/{event.id}").get_json()
    assert body["all_day"] is True
    assert body["start_local"] == f"{day.isoformat()}T00:00:00"
    assert body["end_local"] == f"{(day + timedelta(days=2)).isoformat()}T00:00:00"
