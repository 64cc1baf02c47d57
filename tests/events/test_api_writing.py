"""Events in the JSON API, writing: creating from JSON (wall-clock times and a zone, a city
or coordinates, a repeat object), changing only what is sent, cancelling an event or one
occurrence, and registering (capacity and the waitlist) — bad input is a 4xx naming the
field, never a 500."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from plugins.events import gazetteer
from plugins.events.models import Answer, Event, EventStatus, Registration
from plugins.events.services import registration
from plugins.events.services.events import Repeat
from space.db import db
from space.notify import Notification
from space.trust import TrustLevel

from .conftest import local_now, reload
from .test_api import API, bearer


def city(name: str) -> gazetteer.Place:
    return gazetteer.lookup(name)[0]


def local(days: int, hour: int = 18, zone: str = "America/Sao_Paulo") -> datetime:
    return datetime.combine(local_now(zone).date() + timedelta(days=days), time(hour))


def body(**overrides) -> dict:
    """A meetup in São Paulo in ten days, 18:00–20:00 local."""
    sao_paulo = city("São Paulo")
    values = {"title": "Encontro da comunidade", "timezone": sao_paulo.timezone,
              "start": local(10).isoformat(), "end": local(10, 20).isoformat(),
              "place_id": sao_paulo.id, "venue": "Biblioteca Mário de Andrade",
              "languages": ["pt"], "description": "Vamos **editar** juntos."}  # fmt: skip
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not ...}


def told(user, kind: str) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.kind == kind))  # fmt: skip


def second_tuesday_after(day: date) -> date:
    """The second Tuesday of the month after ``day``'s."""
    month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return month + timedelta(days=(1 - month.weekday()) % 7 + 7)


def dst_gap() -> datetime:
    """A wall-clock time that does not exist in Stockholm: 02:30 on next year's last Sunday
    of March."""
    day = date(local_now().year + 1, 3, 31)
    day -= timedelta(days=(day.weekday() - 6) % 7)
    return datetime.combine(day, time(2, 30))


def test_create_an_event_from_json(client, make):
    organizer = make.organizer()
    response = client.post(f"{API}/events", json=body(capacity=2), headers=bearer(organizer))
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    event = db.session.get(Event, made["id"])
    assert made["timezone"] == "America/Sao_Paulo"
    assert made["start_local"] == local(10).isoformat()
    assert made["start_at"] == (local(10) + timedelta(hours=3)).isoformat() + "+00:00"
    assert made["place"]["city"] == "São Paulo" and made["place"]["country_code"] == "BR"
    assert made["place"]["venue"] == "Biblioteca Mário de Andrade"
    assert made["organizers"][0]["username"] == organizer.username
    assert made["registration"]["capacity"] == 2 and made["can"]["edit"]
    assert "<strong>editar</strong>" in made["description_html"]
    assert made["topic_id"] is not None and event.topic_id == made["topic_id"]
    assert event.user_id == organizer.id and event.languages == ["pt"]


def test_create_with_coordinates_online_and_a_monthly_repeat(client, make):
    headers = bearer(make.organizer())
    nairobi = city("Nairobi")
    response = client.post(f"{API}/events", headers=headers, json=body(
        place_id=None, lat=-1.29, lon=36.82, timezone=nairobi.timezone))  # fmt: skip
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["place"]["city"] == "Nairobi"
    assert response.get_json()["place"]["lat"] == -1.29

    online = client.post(f"{API}/events", headers=headers, json=body(
        mode="online", meeting_url="https://meet.example.org/room", place_id=None))  # fmt: skip
    assert online.status_code == 201 and online.get_json()["place"] is None

    day = second_tuesday_after(local_now().date())
    start = datetime.combine(day, time(18))
    monthly = client.post(f"{API}/events", headers=headers, json=body(
        start=start.isoformat(), end=(start + timedelta(hours=2)).isoformat(),
        repeat={"frequency": "monthly", "count": 6}))  # fmt: skip
    assert monthly.status_code == 201, monthly.get_json()
    made = monthly.get_json()
    assert made["rrule"] == "FREQ=MONTHLY;BYDAY=+2TU;COUNT=6"
    assert made["repeat"]["week_of_month"] == 2 and made["repeat"]["weekday"] == "TU"
    assert [o["start_local"][:10] for o in made["next_occurrences"]][:1] == [day.isoformat()]
    assert all(datetime.fromisoformat(o["start_local"]).weekday() == 1
               and 8 <= datetime.fromisoformat(o["start_local"]).day <= 14
               for o in made["next_occurrences"])  # fmt: skip

    weekly = client.post(
        f"{API}/events",
        headers=headers,
        json=body(
            repeat={"frequency": "weekly", "interval": 2, "until": str(day + timedelta(days=60))}
        ),
    )
    assert weekly.get_json()["rrule"].startswith("FREQ=WEEKLY;INTERVAL=2;UNTIL=")


@pytest.mark.parametrize("changes, path", [
    ({"title": ...}, ["title"]),
    ({"title": "   "}, ["title"]),
    ({"timezone": "Mars/Olympus"}, ["timezone"]),
    ({"start": "tomorrow"}, ["start"]),
    ({"start": "2030-01-01T18:00:00+02:00"}, ["start"]),
    ({"end": lambda: local(9).isoformat()}, ["end"]),
    ({"end": lambda: local(50).isoformat()}, ["end"]),
    ({"mode": "online", "place_id": None}, ["meeting_url"]),
    ({"mode": "online", "meeting_url": "javascript:alert(1)"}, ["meeting_url"]),
    ({"mode": "teleport"}, ["mode"]),
    ({"place_id": 1}, ["place_id"]),
    ({"place_id": None}, ["place_id"]),
    ({"place_id": None, "lat": 100, "lon": 0}, ["lat"]),
    ({"capacity": 0}, ["capacity"]),
    ({"capacity": "ten"}, ["capacity"]),
    ({"deadline": lambda: local(11).isoformat()}, ["deadline"]),
    ({"group_id": 999}, ["group_id"]),
    ({"organizers": ["nobody-by-this-name"]}, ["organizers"]),
    ({"repeat": {"frequency": "weekly"}}, ["repeat", "until"]),
    ({"repeat": {"frequency": "yearly", "count": 2}}, ["repeat", "frequency"]),
    ({"repeat": {"frequency": "weekly", "count": 2, "until": "2099-01-01"}},
     ["repeat", "count"]),
    ({"repeat": {"frequency": "weekly", "count": 9999}}, ["repeat", "count"]),
    ({"repeat": {"frequency": "weekly", "interval": 60, "count": 3}}, ["repeat", "interval"]),
    ({"languages": ["en", "fr", "de", "es", "pt", "it"]}, ["languages"]),
    ({"colour": "blue"}, ["colour"]),
    ({"start": "9999-12-31T23:00:00"}, ["start"]),
    ({"start": "0001-01-01T01:00:00"}, ["start"]),
    ({"repeat": {"frequency": "daily", "until": "9999-12-31"}}, ["repeat", "until"]),
    ({"description": "bad\x00text"}, ["description"]),
    ({"topic": "https://elsewhere.example.org/t/x/1"}, ["topic"]),
])  # fmt: skip
def test_bad_input_is_a_422_naming_the_field(client, make, changes, path):
    # Dates are made when the test runs: the event itself is dated then (body), and the
    # suite may cross midnight in São Paulo between collecting and running.
    changes = {name: value() if callable(value) else value for name, value in changes.items()}
    headers = bearer(make.organizer())
    response = client.post(f"{API}/events", headers=headers, json=body(**changes))
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]["json"]
    for key in path:
        assert list(errors) == [key], errors
        errors = errors[key]
    assert isinstance(errors, list) and errors[0]
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_a_time_in_a_dst_gap_is_refused(client, make):
    gap = dst_gap()
    response = client.post(f"{API}/events", headers=bearer(make.organizer()), json=body(
        timezone="Europe/Stockholm", place_id=city("Stockholm").id, start=gap.isoformat(),
        end=(gap + timedelta(hours=2)).isoformat()))  # fmt: skip
    assert response.status_code == 422
    assert "clocks change" in response.get_json()["errors"]["json"]["start"][0]


def test_unreadable_bodies_and_who_may_not_create(client, make):
    organizer = make.organizer()
    headers = bearer(organizer)
    raw = client.post(f"{API}/events", data="{not json", headers={
        **headers, "Content-Type": "application/json"})  # fmt: skip
    assert raw.status_code == 400
    form = client.post(f"{API}/events", data={"title": "x"}, headers=headers)
    assert form.status_code == 415
    deep = client.post(f"{API}/events", data="[" * 100_000, headers={
        **headers, "Content-Type": "application/json"})  # fmt: skip
    assert deep.status_code == 400
    listed = client.post(f"{API}/events", json=[1, 2], headers=headers)
    assert listed.status_code == 422
    assert client.post(f"{API}/events", json=body()).status_code == 401
    read_only = client.post(f"{API}/events", json=body(), headers=bearer(organizer, ["read"]))
    assert read_only.status_code == 403
    newcomer = make.member(trust_level=TrustLevel.NEW)
    assert client.post(f"{API}/events", json=body(), headers=bearer(newcomer)).status_code == 403
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_patch_changes_only_what_is_sent_and_tells_participants(client, make):
    organizer, helper, outsider, participant = (make.organizer(), make.member(),
                                                make.member(), make.member())  # fmt: skip
    event = make.event(organizer, organizers=[helper.username], capacity=5,
                       repeat=Repeat("weekly", count=3))  # fmt: skip
    registration.register(participant, reload(event), "going")
    db.session.commit()
    path = f"{API}/events/{event.id}"

    renamed = client.patch(path, json={"title": "A better title"}, headers=bearer(organizer))
    assert renamed.status_code == 200, renamed.get_json()
    made = renamed.get_json()
    assert made["title"] == "A better title" and made["sequence"] == 0
    assert made["rrule"] == reload(event).rrule == "FREQ=WEEKLY;COUNT=3"
    assert [o["username"] for o in made["organizers"]] == [organizer.username, helper.username]
    assert made["registration"]["capacity"] == 5 and made["place"]["city"] == "Stockholm"
    assert told(participant, "events.updated") == 0

    later = (event.start_local + timedelta(hours=1)).isoformat()
    moved = client.patch(path, json={"start": later, "end": (
        event.end_local + timedelta(hours=1)).isoformat()}, headers=bearer(helper))  # fmt: skip
    assert moved.status_code == 200 and moved.get_json()["sequence"] == 1
    assert moved.get_json()["start_local"] == later
    assert told(participant, "events.updated") == 1

    nairobi = city("Nairobi")
    elsewhere = client.patch(path, json={"place_id": nairobi.id, "repeat": None},
                             headers=bearer(organizer))  # fmt: skip
    made = elsewhere.get_json()
    assert made["place"]["city"] == "Nairobi" and made["place"]["lat"] == nairobi.lat
    assert made["rrule"] == "" and made["repeat"] is None

    refused = client.patch(path, json={"capacity": -1}, headers=bearer(organizer))
    assert refused.status_code == 422 and list(refused.get_json()["errors"]["json"]) == [
        "capacity"]  # fmt: skip
    assert client.patch(path, json={"title": "Mine now"}, headers=bearer(outsider)
                        ).status_code == 404  # fmt: skip
    assert client.patch(f"{API}/events/999999", json={"title": "x"},
                        headers=bearer(organizer)).status_code == 404  # fmt: skip
    assert reload(event).title == "A better title"


def test_patch_keeps_an_all_day_events_days(client, make):
    organizer = make.organizer()
    day = local_now().date() + timedelta(days=4)
    event = make.event(organizer, all_day=True, start=datetime.combine(day, time()),
                       end=datetime.combine(day + timedelta(days=1), time()))  # fmt: skip
    response = client.patch(f"{API}/events/{event.id}", json={"title": "Two days"},
                            headers=bearer(organizer))  # fmt: skip
    assert response.status_code == 200, response.get_json()
    fresh = reload(event)
    assert (fresh.start_local, fresh.end_local) == (event.start_local, event.end_local)
    assert fresh.sequence == 0


def test_cancel_an_event_and_one_occurrence(client, make):
    organizer, participant, outsider = make.organizer(), make.member(), make.member()
    weekly = make.event(organizer, repeat=Repeat("weekly", count=4))
    registration.register(participant, reload(weekly), "interested")
    db.session.commit()
    headers = bearer(organizer)
    base = f"{API}/events/{weekly.id}"

    second = (weekly.start_local + timedelta(days=7)).strftime("%Y%m%dT%H%M%S")
    done = client.post(f"{base}/occurrences/{second}/cancel", json={"reason": "Holiday"},
                       headers=headers)  # fmt: skip
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["cancelled"] is True and done.get_json()["key"] == second
    assert told(participant, "events.occurrence_cancelled") == 1
    listed = client.get(f"{base}/occurrences").get_json()["items"]
    assert [o["cancelled"] for o in listed] == [False, True, False, False]
    for key in ("20990101T180000", "tomorrow", "20991399T250000"):
        response = client.post(f"{base}/occurrences/{key}/cancel", headers=headers)
        assert response.status_code == 404, key
    assert client.post(f"{base}/occurrences/{second}/cancel",
                       headers=bearer(outsider)).status_code == 404  # fmt: skip
    once = make.event(organizer)
    key = once.start_local.strftime("%Y%m%dT%H%M%S")
    assert client.post(f"{API}/events/{once.id}/occurrences/{key}/cancel",
                       headers=headers).status_code == 422  # fmt: skip

    assert client.post(f"{base}/cancel", json={}, headers=bearer(outsider)).status_code == 404
    cancelled = client.post(f"{base}/cancel", json={"reason": "The venue closed."},
                            headers=headers)  # fmt: skip
    assert cancelled.status_code == 200
    made = cancelled.get_json()
    assert made["status"] == "cancelled" and made["cancelled"] is True
    assert made["cancel_reason"] == "The venue closed."
    assert told(participant, "events.cancelled") == 1
    again = client.post(f"{base}/cancel", headers=headers)
    assert again.status_code == 200 and told(participant, "events.cancelled") == 1
    assert reload(weekly).status == EventStatus.CANCELLED


def test_registration_with_capacity_and_the_waitlist(client, make):
    event = make.event(capacity=1)
    first, second = make.member(), make.member()
    path = f"{API}/events/{event.id}/registration"

    answer = client.post(path, json={"answer": "going"}, headers=bearer(first)).get_json()
    assert answer["answer"] == "going" and answer["public"] is True
    assert answer["registration"]["full"] is True and answer["registration"]["going"] == 1
    waiting = client.post(path, json={"answer": "going", "public": False},
                          headers=bearer(second))  # fmt: skip
    assert waiting.status_code == 200
    assert waiting.get_json()["answer"] == "waitlisted" and waiting.get_json()["public"] is False
    assert waiting.get_json()["registration"]["waitlisted"] == 1

    mine = client.get(path, headers=bearer(second)).get_json()
    assert mine["answer"] == "waitlisted" and mine["created_at"]
    left = client.delete(path, headers=bearer(first))
    assert left.status_code == 200 and left.get_json()["answer"] == "not_going"
    assert client.get(path, headers=bearer(second)).get_json()["answer"] == "going"
    assert told(second, "events.registration") == 1
    fresh = reload(event)
    assert (fresh.going_count, fresh.waitlist_count) == (1, 0)
    nobody = client.get(path, headers=bearer(make.member())).get_json()
    assert nobody["answer"] is None and nobody["created_at"] is None

    for bad in (
        {"answer": "maybe"},
        {"answer": "waitlisted"},
        {},
        {"answer": "going", "public": "perhaps"},
    ):
        response = client.post(path, json=bad, headers=bearer(first))
        assert response.status_code == 422, bad
    assert client.post(path, json={"answer": "going"}).status_code == 401
    assert client.get(path).status_code == 401


def test_a_closed_registration_is_a_422_under_answer(client, make):
    organizer = make.organizer()
    event = make.event(organizer)
    client.post(f"{API}/events/{event.id}/cancel", headers=bearer(organizer))
    response = client.post(f"{API}/events/{event.id}/registration", json={"answer": "going"},
                           headers=bearer(make.member()))  # fmt: skip
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["answer"] == ["This event is cancelled."]
    over = make.past_event()
    response = client.post(
        f"{API}/events/{over.id}/registration",
        json={"answer": "interested"},
        headers=bearer(make.member()),
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Registration.id)).where(
        Registration.answer != Answer.NOT_GOING)) == 0  # fmt: skip
