"""Cancelling an event or one of its dates (``events.cancel``, ``events.cancel_occurrence``:
a confirmation page, then a POST), and the city picker's lookup (``events.places``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from plugins.events.models import EventStatus, OccurrenceChange
from plugins.events.services import times
from plugins.events.services.events import Repeat
from space.db import db

from .conftest import reload, stockholm_id
from .test_editing_changes import going, notices

# --- the whole event ----------------------------------------------------------------------------


def test_cancelling_asks_first_then_keeps_the_event_and_tells_participants(client, make, login,
                                                                           post):  # fmt: skip
    user = make.organizer()
    event = make.event(user)
    participant, other = make.member(), make.member()
    going(event, participant, other)
    sequence = event.sequence
    login(user)
    page = client.get(f"/events/{event.id}/cancel")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'action="/events/{event.id}/cancel"' in text and 'name="reason"' in text
    assert reload(event).status == EventStatus.SCHEDULED  # asking changed nothing
    response = post(f"/events/{event.id}/cancel", {"reason": "The venue is flooded."},
                    token_from=f"/events/{event.id}/cancel")  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.id}/{event.slug}")
    after = reload(event)
    assert after is not None  # kept, never deleted
    assert after.status == EventStatus.CANCELLED and after.cancel_reason == "The venue is flooded."
    assert after.sequence == sequence + 1
    assert notices(participant, "events.cancelled") == notices(other, "events.cancelled") == 1
    assert notices(user, "events.cancelled") == 0
    # cancelling again changes nothing and tells nobody again
    assert post(f"/events/{event.id}/cancel", {"reason": "again"}).status_code == 302
    assert reload(event).sequence == sequence + 1
    assert notices(participant, "events.cancelled") == 1
    assert "already cancelled" in client.get(f"/events/{event.id}/cancel").get_data(as_text=True)


def test_cancelling_needs_the_form_token(client, make, login):
    user = make.organizer()
    event = make.event(user)
    login(user)
    assert client.post(f"/events/{event.id}/cancel", data={"reason": "x"}).status_code == 400
    assert reload(event).status == EventStatus.SCHEDULED


def test_only_organizers_cancel(client, make, login, post):
    event = make.event()
    login(make.member())
    assert post(f"/events/{event.id}/cancel", {}, token_from="/events/new").status_code == 404
    assert reload(event).status == EventStatus.SCHEDULED


# --- one date -----------------------------------------------------------------------------------


def weekly(make, user, **extra):
    """Every week for four weeks from next week, 18:00 in Paris."""
    return make.event(user, days=7, timezone="Europe/Paris", repeat=Repeat("weekly", count=4),
                      **extra)  # fmt: skip


def key_of(event, index: int, **shift) -> str:
    start = event.start_local + timedelta(weeks=index, **shift)
    return start.strftime("%Y%m%dT%H%M%S")


def test_cancelling_one_date(client, make, login, post):
    user = make.organizer()
    event = weekly(make, user)
    participant = make.member()
    going(event, participant)
    sequence = event.sequence
    login(user)
    key = key_of(event, 1)
    second = event.start_local + timedelta(weeks=1)
    page = client.get(f"/events/{event.id}/occurrences/{key}/cancel")
    assert page.status_code == 200
    assert f"{second:%B} {second.day}, {second.year}" in page.get_data(as_text=True)
    response = post(f"/events/{event.id}/occurrences/{key}/cancel", {"reason": "Holiday"},
                    token_from=f"/events/{event.id}/edit")  # fmt: skip
    assert response.status_code == 302
    change = db.session.scalars(select(OccurrenceChange)).one()
    assert (change.event_id, change.start_local, change.reason) == (event.id, second, "Holiday")
    after = reload(event)
    assert after.status == EventStatus.SCHEDULED and after.sequence == sequence + 1
    assert notices(participant, "events.occurrence_cancelled") == 1
    cancelled = frozenset({change.start_local})
    found = times.occurrences(after, cancelled=cancelled)
    assert [o.cancelled for o in found] == [False, True, False, False]
    # the edit page shows it cancelled; doing it again changes nothing
    assert "cancelled" in client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert post(f"/events/{event.id}/occurrences/{key}/cancel", {}).status_code == 302
    assert reload(event).sequence == sequence + 1
    assert len(db.session.scalars(select(OccurrenceChange)).all()) == 1


@pytest.mark.parametrize(
    "make_key",
    [
        lambda e: key_of(e, 1, days=1),  # not one of its dates
        lambda e: key_of(e, 1, hours=1),  # the right day, the wrong time
        lambda e: key_of(e, 4),  # after the last (count 4)
        lambda e: key_of(e, -1),  # before the first
        lambda e: key_of(e, 1) + "x",
        lambda e: (e.start_local + timedelta(weeks=1)).isoformat(timespec="minutes"),
        lambda e: "2026" + "13" + key_of(e, 1)[6:],  # month 13
        lambda e: "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in key_of(e, 1)),
        lambda e: "x",
    ],
)
def test_a_date_the_event_does_not_have_is_not_found(client, make, login, post, make_key):
    user = make.organizer()
    event = weekly(make, user)
    key = make_key(event)
    login(user)
    assert client.get(f"/events/{event.id}/occurrences/{key}/cancel").status_code == 404
    response = post(f"/events/{event.id}/occurrences/{key}/cancel", {}, token_from="/events/new")
    assert response.status_code == 404
    assert "no date like this" in response.get_data(as_text=True)
    assert db.session.scalars(select(OccurrenceChange)).all() == []


def test_a_single_event_has_no_dates_to_cancel(client, make, login, post):
    user = make.organizer()
    event = make.event(user)
    login(user)
    key = event.start_local.strftime("%Y%m%dT%H%M%S")
    response = post(f"/events/{event.id}/occurrences/{key}/cancel", {}, token_from="/events/new")
    assert response.status_code == 404


def test_only_organizers_cancel_a_date(client, make, login, post):
    event = weekly(make, make.organizer())
    login(make.member())
    response = post(f"/events/{event.id}/occurrences/{key_of(event, 1)}/cancel", {},
                    token_from="/events/new")  # fmt: skip
    assert response.status_code == 404
    assert db.session.scalars(select(OccurrenceChange)).all() == []


# --- the city lookup ----------------------------------------------------------------------------


def test_places_answer_cities_for_the_picker(client):
    response = client.get("/events/places?q=Stockh")  # no account needed
    assert response.status_code == 200
    found = response.get_json()
    assert found[0] == {"id": stockholm_id(), "label": "Stockholm, Sweden", "name": "Stockholm",
                        "country": "Sweden", "country_code": "SE", "lat": found[0]["lat"],
                        "lon": found[0]["lon"], "timezone": "Europe/Stockholm"}  # fmt: skip
    assert 59 < found[0]["lat"] < 60 and 17 < found[0]["lon"] < 19
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=86400" in response.headers["Cache-Control"]
    assert "Accept-Language" in response.headers["Vary"]


def test_places_in_one_country_and_in_the_readers_language(client):
    found = client.get("/events/places?q=paris&country=us").get_json()
    assert found and {p["country_code"] for p in found} == {"US"}
    french = client.get("/events/places?q=Stockholm&lang=fr").get_json()
    assert french[0]["label"] == "Stockholm, Suède" and french[0]["country"] == "Suède"
    assert client.get("/events/places?q=zzzzqqq").get_json() == []
    assert len(client.get("/events/places?q=a").get_json()) == 10


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type at least one letter"),
        ("?q=", "Type at least one letter"),
        ("?q=%20%20", "Type at least one letter"),
        ("?q=" + "a" * 101, "at most 100 characters"),
        ("?q=Paris&country=France", "Unknown country"),
        ("?q=Paris&country=XX", "Unknown country"),
        ("?q=Paris&country=%C3%A9e", "Unknown country"),
    ],
)
def test_places_refuse_bad_input_with_a_message(client, query, message):
    response = client.get("/events/places" + query)
    assert response.status_code == 400
    assert response.is_json and message in response.get_json()["message"]
