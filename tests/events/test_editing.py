"""Creating events through the form (``events.new``): who may, a city picked or typed,
coordinates, online events, time zones and daylight-saving gaps, repetitions, groups,
co-organizers, the discussion topic, the preview, and what a refusal keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from plugins.events import gazetteer
from plugins.events.models import Event, EventStatus, Mode
from plugins.events.services import times
from space.db import db
from space.trust import TrustLevel
from tests import factories

from .conftest import local_now, reload, stockholm_id

STOCKHOLM = "Stockholm, Sweden"


def form_data(day: date | None = None, **overrides) -> dict:
    """A complete form: an in-person meetup in Stockholm, picked from the list, 18:00–20:00."""
    day = day or local_now().date() + timedelta(days=10)
    data = {
        "title": "Edit-a-thon at the library",
        "description": "We **edit** articles about local history.",
        "event_type": "editathon",
        "status": "scheduled",
        "start_date": day.isoformat(),
        "start_time": "18:00",
        "end_date": day.isoformat(),
        "end_time": "20:00",
        "timezone": "",
        "mode": "in_person",
        "place": STOCKHOLM,
        "place_id": str(stockholm_id()),
        "venue": "City library",
        "address": "Odengatan 63",
        "languages": ["sv", "en"],
        "registration": "y",
        "repeat": "",
        "discussion": "open",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def only_event() -> Event:
    events = db.session.scalars(select(Event)).all()
    assert len(events) == 1, events
    return reload(events[0])


def count_events() -> int:
    return db.session.scalar(select(func.count(Event.id)))


@pytest.fixture
def organizer(make, login):
    user = make.organizer()
    login(user)
    return user


# --- who may ------------------------------------------------------------------------------------


def test_readers_without_an_account_are_sent_to_sign_in(client):
    response = client.get("/events/new")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_new_members_see_why_they_cannot_create_yet(client, login, post):
    newcomer = factories.user(trust_level=TrustLevel.NEW)
    login(newcomer)
    response = client.get("/events/new")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "trust level 1" in page and 'name="title"' not in page
    assert post("/events/new", form_data(), token_from="/events/").status_code == 403
    assert count_events() == 0


def test_the_form_for_a_member(client, organizer):
    response = client.get("/events/new")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("title", "description", "start_date", "start_time", "end_date", "end_time",
                 "timezone", "place", "place_id", "lat", "lon", "meeting_url", "languages",
                 "organizers", "group", "affiliate", "capacity", "deadline_date", "repeat",
                 "repeat_interval", "repeat_until", "repeat_count", "topic"):  # fmt: skip
        assert f'name="{name}"' in page, name
    assert "data-place-picker" in page and "GeoNames" in page
    assert "events/picker.js" in page and "<script>" not in page and 'style="' not in page


# --- the place ----------------------------------------------------------------------------------


def test_create_in_person_with_a_picked_city(client, organizer, post):
    day = local_now().date() + timedelta(days=10)
    response = post("/events/new", form_data(day), token_from="/events/new")
    assert response.status_code == 302
    event = only_event()
    assert response.headers["Location"].endswith(f"/events/{event.id}/{event.slug}")
    place = gazetteer.get(stockholm_id())
    assert (event.place_id, event.city, event.country_code) == (place.id, "Stockholm", "SE")
    assert (event.lat, event.lon) == (place.lat, place.lon)
    assert event.timezone == "Europe/Stockholm"  # the city's zone, though the organizer's is UTC
    assert event.start_local == datetime.combine(day, datetime.min.time()).replace(hour=18)
    assert event.start_at == times.to_utc(event.start_local, "Europe/Stockholm")
    assert event.end_at - event.start_at == timedelta(hours=2)
    assert event.mode == Mode.IN_PERSON and event.venue == "City library"
    assert event.languages == ["sv", "en"] and event.registration is True
    assert [o.user_id for o in event.organizers] == [organizer.id]
    assert event.topic_id is not None  # a discussion topic is opened by default
    assert event.status == EventStatus.SCHEDULED and event.rrule == ""


def test_a_city_typed_without_the_list_is_looked_up(client, organizer, post):
    response = post("/events/new", form_data(place="stockholm", place_id=""),
                    token_from="/events/new")  # fmt: skip
    assert response.status_code == 302
    assert only_event().place_id == stockholm_id()


def test_a_stale_city_id_gives_way_to_the_name_typed_since(client, organizer, post):
    """Without JavaScript the hidden id stays when the name is changed: the name wins."""
    response = post("/events/new", form_data(place="Nairobi"), token_from="/events/new")
    assert response.status_code == 302
    event = only_event()
    assert (event.city, event.country_code, event.timezone) == ("Nairobi", "KE", "Africa/Nairobi")


def test_several_cities_of_that_name_are_offered(client, organizer, post):
    response = post("/events/new", form_data(place="Paris", place_id=""), token_from="/events/new")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Several cities match" in page
    texas = next(p for p in gazetteer.lookup("Paris") if p.country_code == "US")
    assert f'name="place_pick" id="place-pick-{texas.id}" value="{texas.id}"' in page
    assert count_events() == 0
    # a choice among the cities offered for another name does not count
    response = post("/events/new", form_data(place="Nairobi", place_id="",
                                             place_pick=str(texas.id)))  # fmt: skip
    assert response.status_code == 302
    assert only_event().city == "Nairobi"
    db.session.delete(only_event())
    db.session.commit()
    response = post("/events/new", form_data(place="Paris", place_id="",
                                             place_pick=str(texas.id)))  # fmt: skip
    assert response.status_code == 302
    event = only_event()
    assert (event.place_id, event.timezone) == (texas.id, "America/Chicago")


def test_an_unknown_city_is_refused_with_the_typed_name_kept(client, organizer, post):
    response = post("/events/new", form_data(place="Xyzzyville", place_id=""),
                    token_from="/events/new")  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "No city of that name" in page and 'value="Xyzzyville"' in page


def test_in_person_needs_a_place(client, organizer, post):
    response = post("/events/new", form_data(place="", place_id=""), token_from="/events/new")
    assert response.status_code == 422
    assert "Pick a city, or set the place on the map." in response.get_data(as_text=True)


def test_coordinates_typed_name_the_nearest_city_and_its_zone(client, organizer, post):
    response = post("/events/new", form_data(place="", place_id="", lat="35.6895", lon="139.69"),
                    token_from="/events/new")  # fmt: skip
    assert response.status_code == 302
    event = only_event()
    assert (event.lat, event.lon) == (35.6895, 139.69)
    assert event.country_code == "JP" and event.timezone == "Asia/Tokyo"
    assert event.start_at.astimezone(UTC).hour == 9  # 18:00 in Tokyo


def test_coordinates_refine_a_picked_city(client, organizer, post):
    response = post("/events/new", form_data(lat="59,3326", lon="18,0649"),
                    token_from="/events/new")  # fmt: skip
    assert response.status_code == 302
    event = only_event()
    assert (event.place_id, event.lat, event.lon) == (stockholm_id(), 59.3326, 18.0649)


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        ("91", "18", "A latitude is a number from -90 to 90."),
        ("-90.5", "18", "A latitude is a number from -90 to 90."),
        ("59", "180.01", "A longitude is a number from -180 to 180."),
        ("nan", "18", "A latitude is a number from -90 to 90."),
        ("59", "inf", "A longitude is a number from -180 to 180."),
        ("north", "18", "A latitude is a number from -90 to 90."),
        ("59", "", "Give both the latitude and the longitude."),
    ],
)
def test_coordinates_out_of_range_are_refused(client, organizer, post, lat, lon, message):
    for place in ({"place": "", "place_id": ""}, {}):  # alone, and with a picked city
        response = post("/events/new", form_data(lat=lat, lon=lon, **place),
                        token_from="/events/new")  # fmt: skip
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert message in page
        assert f'value="{lat}"' in page
    assert count_events() == 0


# --- online -------------------------------------------------------------------------------------


def test_an_online_event_needs_its_meeting_link(client, organizer, post):
    data = form_data(mode="online", place="", place_id="")
    response = post("/events/new", data, token_from="/events/new")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "An online event needs its meeting link." in page
    assert 'id="meeting_url-errors"' in page  # beside the field
    response = post("/events/new", {**data, "meeting_url": "ftp://example.org/call"})
    assert response.status_code == 422
    assert count_events() == 0
    response = post("/events/new", {**data, "meeting_url": "https://meet.example.org/abc"})
    assert response.status_code == 302
    event = only_event()
    assert event.mode == Mode.ONLINE and event.meeting_url == "https://meet.example.org/abc"
    assert event.place_id is None and event.lat is None and event.venue == ""
    assert event.timezone == "UTC"  # no city: the organizer's zone (the site's default here)


def test_an_online_event_takes_the_organizers_zone(client, make, login, post):
    user = make.organizer()
    user.timezone = "America/Los_Angeles"
    db.session.commit()
    login(user)
    day = date(2026, 12, 3)
    response = post("/events/new", form_data(day, mode="online", place="", place_id="",
                                             meeting_url="https://meet.example.org/x"),
                    token_from="/events/new")  # fmt: skip
    assert response.status_code == 302
    event = only_event()
    assert event.timezone == "America/Los_Angeles"
    assert event.start_at == datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


def test_a_hybrid_event_needs_both(client, organizer, post):
    response = post("/events/new", form_data(mode="hybrid"), token_from="/events/new")
    assert response.status_code == 422
    response = post("/events/new", form_data(mode="hybrid", meeting_url="https://x.example/y"))
    assert response.status_code == 302
    event = only_event()
    assert event.mode == Mode.HYBRID and event.city == "Stockholm" and event.meeting_url


# --- times --------------------------------------------------------------------------------------


def test_a_time_in_a_daylight_saving_gap_is_refused(client, organizer, post):
    data = form_data(date(2026, 3, 29), timezone="Europe/Paris", start_time="02:30",
                     end_time="04:00", title="Night walk")  # fmt: skip
    response = post("/events/new", data, token_from="/events/new")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "does not exist in Europe/Paris" in page
    assert 'id="start_time-errors"' in page
    # everything typed is kept, the picked city's label included
    assert 'value="Night walk"' in page and f'value="{STOCKHOLM}"' in page
    assert 'value="02:30"' in page and '<option selected value="Europe/Paris">' in page
    assert count_events() == 0


def test_an_explicit_zone_wins_over_the_citys(client, organizer, post):
    data = form_data(date(2026, 7, 1), timezone="America/New_York")
    assert post("/events/new", data, token_from="/events/new").status_code == 302
    event = only_event()
    assert event.timezone == "America/New_York"
    assert event.start_at == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)


def test_the_zone_keeps_following_the_city_when_the_form_comes_back(client, organizer, post):
    """picker.js sets the select to the city's zone; shown again, it is the automatic choice
    named after the city, so that picking another city moves the zone too."""
    data = form_data(timezone="Europe/Stockholm", title="")
    page = post("/events/new", data, token_from="/events/new").get_data(as_text=True)
    assert '<option selected value="">The city&#39;s: Europe/Stockholm</option>' in page
    page = client.get("/events/new").get_data(as_text=True)
    assert '<option selected value="">The city&#39;s, or else yours (UTC)</option>' in page


def test_an_all_day_event_spans_whole_days(client, organizer, post):
    data = form_data(date(2026, 9, 4), all_day="y", start_time="", end_time="",
                     end_date="2026-09-06")  # fmt: skip
    assert post("/events/new", data, token_from="/events/new").status_code == 302
    event = only_event()
    assert event.all_day
    assert (event.start_local, event.end_local) == (datetime(2026, 9, 4), datetime(2026, 9, 7))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"start_time": ""}, "start_time", "Give the time."),
        ({"start_date": ""}, "start_date", "Give the date."),
        ({"end_time": "17:00"}, "end_time", "The event must end after it starts."),
        ({"start_time": "25:00"}, "start_time", "Not a valid time value."),
        ({"start_date": "2026-02-30"}, "start_date", "Not a valid date value."),
        ({"title": "   "}, "title", "Give the event a title."),
        ({"capacity": "0"}, "capacity", "Enter a number from 1 to 100000."),
        ({"timezone": "Mars/Olympus"}, "timezone", "Unknown time zone."),
        ({"event_type": "party"}, "event_type", "Not a valid choice."),
        ({"status": "cancelled"}, "status", "Not a valid choice."),
        ({"organizers": "nobody-here"}, "organizers", "No such person: nobody-here."),
    ],
)
def test_refusals_show_beside_their_field(client, organizer, post, overrides, field, message):
    response = post("/events/new", form_data(**overrides), token_from="/events/new")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors = page.split(f'id="{field}-errors"', 1)
    assert len(errors) == 2, f"no errors beside {field}"
    assert message in errors[1].split("</ul>", 1)[0]
    assert count_events() == 0


def test_the_registration_deadline_is_in_the_events_zone(client, organizer, post):
    data = form_data(date(2026, 7, 10), deadline_date="2026-07-09", deadline_time="12:00",
                     capacity="25")  # fmt: skip
    assert post("/events/new", data, token_from="/events/new").status_code == 302
    event = only_event()
    assert event.capacity == 25
    assert event.registration_deadline == datetime(2026, 7, 9, 10, 0, tzinfo=UTC)


# --- repetition ---------------------------------------------------------------------------------


def test_weekly_with_a_count(client, organizer, post):
    data = form_data(date(2026, 3, 17), timezone="Europe/Paris", repeat="weekly",
                     repeat_count="4")  # fmt: skip
    assert post("/events/new", data, token_from="/events/new").status_code == 302
    event = only_event()
    assert event.rrule == "FREQ=WEEKLY;COUNT=4"
    found = times.occurrences(event)
    assert [o.start_local.day for o in found] == [17, 24, 31, 7]
    assert {o.start_local.hour for o in found} == {18}
    assert [o.start_at.hour for o in found] == [17, 17, 16, 16]  # Paris moves to summer time
    assert event.last_end_at == found[-1].end_at


def test_monthly_on_the_second_tuesday_until_a_date(client, organizer, post):
    data = form_data(date(2026, 1, 13), repeat="monthly", repeat_until="2026-05-31")
    assert post("/events/new", data, token_from="/events/new").status_code == 302
    event = only_event()
    assert event.rrule == "FREQ=MONTHLY;BYDAY=+2TU;UNTIL=20260531T235959"
    assert [o.start_local.date() for o in times.occurrences(event)] == [
        date(2026, 1, 13), date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 14),
        date(2026, 5, 12)]  # fmt: skip


def test_every_three_weeks(client, organizer, post):
    data = form_data(date(2026, 6, 2), repeat="weeks", repeat_interval="3", repeat_count="3")
    assert post("/events/new", data, token_from="/events/new").status_code == 302
    event = only_event()
    assert event.rrule == "FREQ=WEEKLY;INTERVAL=3;COUNT=3"
    assert [o.start_local.date() for o in times.occurrences(event)] == [
        date(2026, 6, 2), date(2026, 6, 23), date(2026, 7, 14)]  # fmt: skip


def test_the_monthly_choice_names_the_weekday(client, organizer, post):
    response = post("/events/new", form_data(date(2026, 1, 13), title=""),
                    token_from="/events/new")  # fmt: skip
    assert response.status_code == 422
    assert "Every month on the second Tuesday" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"repeat": "weekly"}, "repeat_until", "Say when the repetition ends."),
        ({"repeat": "weekly", "repeat_count": "3", "repeat_until": "2026-12-01"},
         "repeat_count", "not both"),
        ({"repeat": "weeks", "repeat_count": "3"}, "repeat_interval", "every how many weeks"),
        ({"repeat": "daily", "repeat_count": "500"}, "repeat_count", "Between 2 and 200"),
        ({"repeat": "daily", "repeat_until": "2020-01-01"}, "repeat_until", "must end after"),
        ({"repeat": "yearly", "repeat_count": "3"}, "repeat", "Not a valid choice."),
    ],
)  # fmt: skip
def test_repetition_refusals(client, organizer, post, overrides, field, message):
    response = post("/events/new", form_data(**overrides), token_from="/events/new")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page.split(f'id="{field}-errors"', 1)[1].split("</ul>", 1)[0]
    assert count_events() == 0
