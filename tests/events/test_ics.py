"""iCalendar files, parsed back with the icalendar library: one event, every event and any
filter, the private "my events" link; stable UIDs, SEQUENCE, VTIMEZONE, CANCELLED, RRULE and
EXDATE; events of private groups never in public files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr

from plugins.events.models import EventStatus, EventType, Mode
from plugins.events.services import events as event_service
from plugins.events.services import times
from plugins.events.services.events import Repeat
from space.accounts.models import User
from space.db import db

from .conftest import local_now, reload
from .test_map import bulk_events


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(response.data)


def vevents(calendar) -> dict[str, icalendar.Event]:
    return {str(item["SUMMARY"]): item for item in calendar.walk("VEVENT")}


def zones(calendar) -> set[str]:
    return {str(item["TZID"]) for item in calendar.walk("VTIMEZONE")}


def uid(event) -> str:
    return f"event-{event.id}@localhost"


def update(event, **changes):
    """Change ``event`` through the service, as its creator (keeps its title)."""
    from tests.events.conftest import Maker

    user = db.session.get(User, event.user_id)
    data = Maker().event_input(title=event.title, **changes)
    event_service.update(user, reload(event), data)
    db.session.commit()
    return reload(event)


# --- one event --------------------------------------------------------------------------------


def test_one_event_file_has_what_calendars_need(client, make):
    organizer = make.organizer(username="ann")
    event = make.event(organizer, title="Edit-a-thon", description="Bring a laptop.")
    response = client.get(f"/events/{event.id}.ics")
    calendar = parse(response)
    assert "attachment" in response.headers["Content-Disposition"]
    assert calendar["VERSION"] == "2.0" and "Space" in str(calendar["PRODID"])
    (item,) = calendar.walk("VEVENT")
    assert str(item["UID"]) == uid(event)
    assert item["SEQUENCE"] == 0
    assert str(item["STATUS"]) == "CONFIRMED"
    assert item["DTSTAMP"].dt.tzinfo is not None
    assert item["CREATED"].dt == event.created_at.replace(microsecond=0)
    assert item["LAST-MODIFIED"].dt == event.updated_at.replace(microsecond=0)
    start = item["DTSTART"]
    assert start.params["TZID"] == "Europe/Stockholm"
    assert start.dt.replace(tzinfo=None) == event.start_local
    assert start.dt.utcoffset() == event.start_at.astimezone(ZoneInfo("Europe/Stockholm")
                                                             ).utcoffset()  # fmt: skip
    assert item["DTEND"].dt.replace(tzinfo=None) == event.end_local
    page = f"http://localhost/events/{event.id}/{event.slug}"
    assert str(item["URL"]) == page
    description = str(item["DESCRIPTION"])
    assert "Bring a laptop." in description and page in description
    location = str(item["LOCATION"])
    assert "The library" in location and "Stockholm" in location and "Sweden" in location
    assert item["GEO"].latitude == pytest.approx(event.lat)
    assert item["ORGANIZER"].params["CN"] == "ann"
    assert str(item["ORGANIZER"]) == "http://localhost/u/ann"
    assert zones(calendar) == {"Europe/Stockholm"}


def test_uid_is_stable_and_sequence_goes_up_on_change(client, make):
    event = make.event()
    first = client.get(f"/events/{event.id}.ics")
    again = client.get(f"/events/{event.id}.ics")
    assert first.data == again.data  # nothing moves between two fetches
    assert str(parse(first).walk("VEVENT")[0]["UID"]) == uid(event)
    conditional = client.get(f"/events/{event.id}.ics",
                             headers={"If-None-Match": first.headers["ETag"]})  # fmt: skip
    assert conditional.status_code == 304

    update(event, days=8)
    (item,) = parse(client.get(f"/events/{event.id}.ics")).walk("VEVENT")
    assert str(item["UID"]) == uid(event)
    assert item["SEQUENCE"] == 1
    update(event, days=9)
    (item,) = parse(client.get("/events/calendar.ics")).walk("VEVENT")
    assert str(item["UID"]) == uid(event) and item["SEQUENCE"] == 2


def test_vtimezone_for_every_zone_used(client, make):
    make.event(title="Stockholm")
    make.event(title="New York", place_id=None, lat=40.71, lon=-74.0,
               timezone="America/New_York")  # fmt: skip
    make.event(title="Tokyo", place_id=None, lat=35.68, lon=139.69, timezone="Asia/Tokyo")
    make.event(title="All day", all_day=True, timezone="Europe/Paris")
    calendar = parse(client.get("/events/calendar.ics"))
    items = vevents(calendar)
    used = {items[name]["DTSTART"].params["TZID"] for name in ("Stockholm", "New York",
                                                              "Tokyo")}  # fmt: skip
    assert used == {"Europe/Stockholm", "America/New_York", "Asia/Tokyo"}
    assert zones(calendar) == used  # all-day events use dates: no zone
    # Each VTIMEZONE knows the offset at the event's date.
    for item in calendar.walk("VTIMEZONE"):
        assert item.walk("STANDARD") or item.walk("DAYLIGHT")


def test_all_day_events_are_dates(client, make):
    day = local_now().date() + timedelta(days=10)
    event = make.event(
        all_day=True,
        start=datetime.combine(day, datetime.min.time()),
        end=datetime.combine(day + timedelta(days=1), datetime.min.time()),
    )
    (item,) = parse(client.get(f"/events/{event.id}.ics")).walk("VEVENT")
    assert item["DTSTART"].dt == day and not isinstance(item["DTSTART"].dt, datetime)
    assert item["DTEND"].dt == day + timedelta(days=2)  # exclusive: two days
    assert "VALUE=DATE" in item.to_ical().decode()


def test_cancelled_and_tentative_status(client, make):
    cancelled = make.event(title="Cancelled one")
    make.event(title="Tentative one", status=EventStatus.TENTATIVE)
    event_service.cancel(make.admin(), reload(cancelled), "The room is gone.")
    db.session.commit()
    items = vevents(parse(client.get("/events/calendar.ics")))
    assert str(items["Cancelled one"]["STATUS"]) == "CANCELLED"
    assert items["Cancelled one"]["SEQUENCE"] == 1
    assert "The room is gone." in str(items["Cancelled one"]["DESCRIPTION"])
    assert str(items["Tentative one"]["STATUS"]) == "TENTATIVE"


# --- recurrences ------------------------------------------------------------------------------


def _expand(item) -> list[datetime]:
    """The starts a calendar app computes: the RRULE from DTSTART, minus EXDATEs."""
    start = item["DTSTART"].dt
    rule = rrulestr(item["RRULE"].to_ical().decode(), dtstart=start)
    excluded = set()
    exdates = item.get("EXDATE")
    for group in exdates if isinstance(exdates, list) else [exdates] if exdates else []:
        excluded |= {d.dt for d in group.dts}
    return [moment for moment in rule if moment not in excluded]


def test_rrule_and_exdate_for_cancelled_occurrences(client, make):
    first = datetime.combine(local_now().date() + timedelta(days=2), datetime.min.time())
    event = make.event(start=first.replace(hour=18), end=first.replace(hour=20),
                       repeat=Repeat("weekly", count=6))  # fmt: skip
    every = times.occurrences(event)
    event_service.cancel_occurrence(make.admin(), reload(event), every[2].start_local)
    db.session.commit()
    (item,) = parse(client.get(f"/events/{event.id}.ics")).walk("VEVENT")
    assert item["RRULE"]["FREQ"] == ["WEEKLY"] and item["RRULE"]["COUNT"] == [6]
    (exdate,) = item["EXDATE"].dts
    assert exdate.dt.replace(tzinfo=None) == every[2].start_local
    assert exdate.params["TZID"] == "Europe/Stockholm"
    assert item["SEQUENCE"] == 1
    expanded = _expand(item)
    assert [m.replace(tzinfo=None) for m in expanded] == [
        o.start_local for o in every if o.start_local != every[2].start_local
    ]
    # each occurrence is the same moment as the site's (across daylight-saving changes too)
    assert [m.timestamp() for m in expanded] == [
        o.start_at.timestamp() for o in every if o.start_local != every[2].start_local
    ]


def test_rrule_until_is_in_utc_across_dst(client, make):
    # A monthly event in New York that crosses the change of clocks.
    first = datetime.combine(local_now("America/New_York").date() + timedelta(days=3),
                             datetime.min.time()).replace(hour=19)  # fmt: skip
    until = first.date() + timedelta(days=200)
    event = make.event(
        start=first,
        end=first + timedelta(hours=2),
        place_id=None,
        lat=40.7,
        lon=-74.0,
        timezone="America/New_York",
        repeat=Repeat("monthly", weekday_position=(1, 2), until=until),
    )
    (item,) = parse(client.get(f"/events/{event.id}.ics")).walk("VEVENT")
    ical_until = item["RRULE"]["UNTIL"][0]
    assert ical_until.tzinfo is not None and ical_until.utcoffset() == timedelta(0)
    assert "UNTIL=" in item.to_ical().decode() and "Z" in item["RRULE"].to_ical().decode()
    assert [m.timestamp() for m in _expand(item)] == [
        o.start_at.timestamp() for o in times.occurrences(event)
    ]
    assert {m.replace(tzinfo=None).hour for m in _expand(item)} == {19}  # local time kept


# --- what public files hold -------------------------------------------------------------------


def test_private_events_never_in_public_files(client, make, login):
    public = make.event(title="Open meetup")
    organizer = make.organizer()
    private = make.private_group_event(organizer, title="Secret meetup")
    login(organizer)  # even its own organizer, signed in, gets the public files
    assert set(vevents(parse(client.get("/events/calendar.ics")))) == {"Open meetup"}
    assert client.get(f"/events/{private.id}.ics").status_code == 404
    assert client.get(f"/events/{public.id}.ics").status_code == 200
    assert b"Secret" not in client.get("/events/calendar.ics?q=Secret").data
    assert client.get("/events/999999.ics").status_code == 404


def test_filters_of_the_list(client, make):
    make.event(title="Training", event_type=EventType.TRAINING)
    make.event(title="Meetup")
    make.past_event(title="Long ago", days_ago=60)
    assert set(vevents(parse(client.get("/events/calendar.ics?type=training")))) == {"Training"}
    assert set(vevents(parse(client.get("/events/calendar.ics")))) == {"Training", "Meetup"}
    assert set(vevents(parse(client.get("/events/calendar.ics?country=FR")))) == set()
    ago = (local_now().date() - timedelta(days=61)).isoformat()
    found = vevents(parse(client.get(f"/events/calendar.ics?from={ago}")))
    assert "Long ago" in found


@pytest.mark.parametrize(
    "query",
    [
        "from=soon",
        "type=party",
        "country=XX",
        "to=2020-01-01&from=2021-01-01",
        "mode=teleport",
        f"q={'x' * 101}",
    ],
)
def test_bad_filters_are_a_400(client, query):
    response = client.get(f"/events/calendar.ics?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"


def test_public_file_is_cacheable(client, make):
    make.event()
    response = client.get("/events/calendar.ics")
    assert response.cache_control.public and response.cache_control.max_age == 300


def test_calendar_costs_the_same_queries_for_3_and_60_events(client, count_queries):
    def measure() -> int:
        client.get("/events/calendar.ics")
        with count_queries() as counter:
            response = client.get("/events/calendar.ics")
        assert response.status_code == 200
        return counter.count

    bulk_events(3)
    small = measure()
    bulk_events(57, days=4)
    large = measure()
    assert len(parse(client.get("/events/calendar.ics")).walk("VEVENT")) == 60
    assert small == large == 4  # settings, private groups, events, organizers


# --- the private "my events" link -------------------------------------------------------------


def _make_link(client, post) -> str:
    response = post("/events/calendar/link", {"action": "new"},
                    token_from="/events/calendar/link")  # fmt: skip
    assert response.status_code == 302
    page = client.get("/events/calendar/link").get_data(as_text=True)
    start = page.index("http://localhost/events/calendar/")
    return page[start : page.index(".ics", start) + 4].removeprefix("http://localhost")


def test_my_events_link(client, make, login, post):
    from plugins.events.services import registration

    me = make.member()
    going = make.event(title="Going")
    make.event(title="Not mine")
    interested = make.event(title="Interested")
    declined = make.event(title="Declined")
    mine = make.event(me, title="Organized by me")
    private = make.private_group_event(me, title="My private group's")
    make.private_group_event(title="Someone else's private")
    for event, answer in ((going, "going"), (interested, "interested"),
                          (declined, "not_going")):  # fmt: skip
        registration.register(db.session.get(User, me.id), reload(event), answer)
    db.session.commit()

    assert client.get("/events/calendar/link").status_code == 302  # sign in first
    login(me)
    page = client.get("/events/calendar/link")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    link = _make_link(client, post)
    assert client.get("/events/calendar/link").get_data(as_text=True).count("webcal://") == 1
    client.delete_cookie("session", domain="localhost")  # calendar apps have no session
    response = client.get(link)
    found = vevents(parse(response))
    assert set(found) == {"Going", "Interested", "Organized by me", "My private group's"}
    assert str(found["Organized by me"]["UID"]) == uid(mine)
    assert str(found["My private group's"]["UID"]) == uid(private)
    assert response.cache_control.private and "noindex" in response.headers["X-Robots-Tag"]


def test_my_events_link_stops_working_when_revoked_or_renewed(client, make, login, post):
    me = make.member()
    make.event(me, title="Mine")
    login(me)
    first = _make_link(client, post)
    assert client.get(first).status_code == 200
    second = _make_link(client, post)  # a new link: the old one stops working
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    response = post("/events/calendar/link", {"action": "revoke"},
                    token_from="/events/calendar/link")  # fmt: skip
    assert response.status_code == 302
    assert client.get(second).status_code == 404
    assert "Make my calendar link" in client.get("/events/calendar/link").get_data(as_text=True)


def test_calendar_link_needs_csrf_and_a_known_action(client, make, login, post):
    me = make.member()
    login(me)
    assert client.post("/events/calendar/link", data={"action": "new"}).status_code == 400
    response = post("/events/calendar/link", {"action": "explode"},
                    token_from="/events/calendar/link")  # fmt: skip
    assert response.status_code == 400


@pytest.mark.parametrize("token", ["nope", "a" * 43, "../../etc/passwd", "x" * 200])
def test_unknown_tokens_are_404(client, token):
    assert client.get(f"/events/calendar/{token}.ics").status_code == 404


def test_meeting_links_only_where_the_page_shows_them(client, make, login, post):
    from plugins.events.services import registration

    me = make.member()
    online = make.event(title="Online", mode=Mode.ONLINE, place_id=None,
                        meeting_url="https://meet.example.org/secret-room")  # fmt: skip
    registration.register(db.session.get(User, me.id), reload(online), "going")
    db.session.commit()
    public = client.get(f"/events/{online.id}.ics").get_data(as_text=True)
    assert "secret-room" not in public
    login(me)
    link = _make_link(client, post)
    item = vevents(parse(client.get(link)))["Online"]
    assert "https://meet.example.org/secret-room" in str(item["DESCRIPTION"])
    assert str(item["LOCATION"]) == "Online"
    assert "GEO" not in item


def test_suspended_people_lose_their_link(client, make, login, post):
    me = make.member()
    login(me)
    link = _make_link(client, post)
    db.session.get(User, me.id).suspended_until = datetime(2999, 1, 1, tzinfo=UTC)
    db.session.commit()
    client.delete_cookie("session", domain="localhost")
    assert client.get(link).status_code == 404


def test_service_writes_a_parsable_empty_calendar(app):
    from plugins.events.services import ical

    with app.test_request_context():
        calendar = ical.parse(ical.calendar([], "Nothing", host="example.org"))
    assert calendar.walk("VEVENT") == [] and str(calendar["X-WR-CALNAME"]) == "Nothing"
