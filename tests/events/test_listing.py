"""The lists readers browse: upcoming and past occurrences, "my events", each filter, pages,
and who sees what (events of a private group only for its members and staff)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from plugins.events import gazetteer, settings
from plugins.events.models import EventStatus, EventType, Mode
from plugins.events.services import events, listing, registration
from plugins.events.services.events import Repeat
from plugins.events.services.filters import FilterError, Filters, parse
from space.db import db

from .conftest import local_now


def text(response) -> str:
    return response.get_data(as_text=True)


def titles(page) -> list[str]:
    return [item.event.title for item in page.items]


# --- filters ----------------------------------------------------------------------------------


def test_parse_reads_every_filter_and_ignores_empty_fields(app):
    found = parse({"q": "  wiki   club ", "from": "2030-03-01", "to": "2030-03-31",
                   "type": "editathon", "mode": "online", "country": "se",
                   "language": "fr", "organizer": "@Ana", "page": "2", "near": "12"},
                  zone="Europe/Paris")  # fmt: skip
    assert found == Filters(q="wiki club", start=datetime(2030, 3, 1).date(),
                            end=datetime(2030, 3, 31).date(), event_type=EventType.EDITATHON,
                            mode="online", country="SE", language="fr", organizer="Ana",
                            zone="Europe/Paris")  # fmt: skip
    assert found.args() == {"q": "wiki club", "from": "2030-03-01", "to": "2030-03-31",
                            "type": "editathon", "mode": "online", "country": "SE",
                            "language": "fr", "organizer": "Ana"}  # fmt: skip
    empty = parse({name: "" for name in ("q", "from", "to", "type", "mode", "country")})
    assert empty == Filters() and not empty.active


@pytest.mark.parametrize("args, field", [
    ({"from": "yesterday"}, "from"),
    ({"to": "2030-02-30"}, "to"),
    ({"from": "1500-01-01"}, "from"),
    ({"from": "2030-03-10", "to": "2030-03-01"}, "to"),
    ({"type": "party"}, "type"),
    ({"mode": "telepathy"}, "mode"),
    ({"country": "XX"}, "country"),
    ({"language": "not a language"}, "language"),
    ({"organizer": "<script>"}, "organizer"),
    ({"q": "x" * 101}, "q"),
])  # fmt: skip
def test_parse_refuses_what_makes_no_sense(app, args, field):
    with app.test_request_context():
        with pytest.raises(FilterError) as error:
            parse(args)
    assert error.value.field == field and error.value.message


@pytest.mark.parametrize("path", ["/events/", "/events/past", "/events/month", "/events/week"])
def test_a_bad_filter_is_a_400_with_its_message_and_the_form_as_typed(client, make, path):
    make.event(title="Still listed nowhere")
    response = client.get(path, query_string={"from": "2030-13-01", "q": "kept text"})
    assert response.status_code == 400
    html = text(response)
    assert "Give the date as year-month-day" in html
    assert 'value="kept text"' in html and 'value="2030-13-01"' in html
    assert 'aria-invalid="true"' in html


def test_text_searches_title_description_venue_and_city(app, make):
    make.event(title="Wiki club")
    make.event(title="Other A", description="We write about *glaciers*.")
    make.event(title="Other B", venue="Glacier museum")
    make.event(title="Elsewhere")
    assert titles(listing.upcoming(None, Filters(q="WIKI"))) == ["Wiki club"]
    assert sorted(titles(listing.upcoming(None, Filters(q="glacier")))) == ["Other A", "Other B"]
    assert len(listing.upcoming(None, Filters(q="stockholm")).items) == 4  # the city
    assert titles(listing.upcoming(None, Filters(q="100%"))) == []  # LIKE wildcards are text


def test_dates_narrow_to_days_in_the_viewers_zone(app, make):
    soon = make.event(title="Soon", days=3, hours=(6, 8))
    make.event(title="Later", days=10)
    day = local_now().date() + timedelta(days=3)
    assert titles(listing.upcoming(None, Filters(start=day, end=day, zone="Europe/Stockholm"))
                  ) == ["Soon"]  # fmt: skip
    assert titles(listing.upcoming(None, Filters(start=day + timedelta(days=1)))) == ["Later"]
    assert titles(listing.upcoming(None, Filters(end=day))) == ["Soon"]
    # 06:00 in Stockholm is the evening before in Los Angeles.
    in_los_angeles = Filters(start=day, end=day, zone="America/Los_Angeles")
    assert titles(listing.upcoming(None, in_los_angeles)) == []
    before = day - timedelta(days=1)
    in_los_angeles = Filters(start=before, end=before, zone="America/Los_Angeles")
    assert titles(listing.upcoming(None, in_los_angeles)) == ["Soon"]
    assert soon.start_local.date() == day


def test_type_mode_country_language_and_organizer_filters(app, make):
    ana = make.organizer(username="ana")
    bo = make.organizer(username="bo")
    make.event(ana, title="Editathon", event_type=EventType.EDITATHON, languages=["sv", "en"])
    make.event(bo, title="Online", mode=Mode.ONLINE, meeting_url="https://meet.example.org/a",
               languages=["fr"])  # fmt: skip
    make.event(bo, title="Hybrid", mode=Mode.HYBRID, meeting_url="https://meet.example.org/b",
               organizers=["ana"])  # fmt: skip
    paris = gazetteer.lookup("Paris")[0]
    make.event(bo, title="In Paris", place_id=paris.id, timezone="Europe/Paris")

    def found(**kw):
        return sorted(titles(listing.upcoming(None, Filters(**kw))))

    assert found(event_type=EventType.EDITATHON) == ["Editathon"]
    assert found(mode="online") == ["Hybrid", "Online"]
    assert found(mode="in_person") == ["Editathon", "Hybrid", "In Paris"]
    assert found(mode="hybrid") == ["Hybrid"]
    assert found(country="FR") == ["In Paris"]
    assert found(country="SE") == ["Editathon", "Hybrid"]
    assert found(language="sv") == ["Editathon"]
    assert found(language="fr") == ["Online"]
    assert found(language="s") == []  # a code, not a piece of one
    assert found(organizer="ANA") == ["Editathon", "Hybrid"]  # co-organizer too
    assert found(organizer="bo") == ["Hybrid", "In Paris", "Online"]
    assert found(organizer="nobody") == []


def test_filters_go_through_the_query_string(client, make):
    make.event(title="Editathon here", event_type=EventType.EDITATHON)
    make.event(title="Meetup there")
    html = text(client.get("/events/?type=editathon"))
    assert "Editathon here" in html and "Meetup there" not in html
    assert '<option value="editathon" selected>' in html
    # The calendar file of the same filter, to download or subscribe.
    assert 'href="/events/calendar.ics?type=editathon"' in html
    assert 'href="webcal://localhost/events/calendar.ics?type=editathon"' in html
    assert 'href="/events/map?type=editathon"' in html
    assert "No events match these filters." in text(client.get("/events/?q=nothing+like+it"))


# --- upcoming and past ------------------------------------------------------------------------


def test_upcoming_and_past_split_at_now(app, client, make):
    make.past_event(title="Last week", days_ago=7)
    make.past_event(title="Yesterday", days_ago=1)
    make.event(title="Tomorrow", days=1)
    make.event(title="Next week", days=7)
    start = local_now() - timedelta(hours=1)
    make.event(title="Going on now", start=start, end=start + timedelta(hours=3))
    assert titles(listing.upcoming(None, Filters())) == ["Going on now", "Tomorrow",
                                                          "Next week"]  # fmt: skip
    assert titles(listing.past(None, Filters())) == ["Yesterday", "Last week"]  # latest first
    html = text(client.get("/events/past"))
    assert "Yesterday" in html and "Tomorrow" not in html and "Going on now" not in html


def test_a_recurring_event_lists_each_occurrence_in_order(app, client, make):
    make.event(title="Weekly", days=1, repeat=Repeat("weekly", count=4))
    make.event(title="Once", days=9)
    page = listing.upcoming(None, Filters())
    assert titles(page) == ["Weekly", "Weekly", "Once", "Weekly", "Weekly"]
    assert page.total == 5
    starts = [item.occurrence.start_local for item in page.items if item.event.title == "Weekly"]
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == [timedelta(days=7)] * 3
    # Each links to its own occurrence.
    html = text(client.get("/events/"))
    assert html.count(f"?on={starts[1]:%Y%m%dT%H%M%S}") == 1


def test_a_cancelled_occurrence_is_struck_through(app, client, make):
    weekly = make.event(title="Weekly", days=1, repeat=Repeat("weekly", count=3))
    second = weekly.start_local + timedelta(days=7)
    events.cancel_occurrence(_creator(weekly), weekly, second, "Holiday")
    db.session.commit()
    page = listing.upcoming(None, Filters())
    assert [item.cancelled for item in page.items] == [False, True, False]
    html = text(client.get("/events/"))
    assert html.count("<del>Weekly</del>") == 1
    assert "This date is cancelled" in html


def test_a_cancelled_event_stays_listed_marked_cancelled(app, client, make):
    event = make.event(title="Called off")
    events.cancel(_creator(event), event, "Storm")
    db.session.commit()
    html = text(client.get("/events/"))
    assert "<del>Called off</del>" in html and "Cancelled" in html


def test_past_recurring_occurrences_are_listed_until_now(app, make):
    # Each day an hour from now (any time of day): three dates are over, three to come.
    start = local_now().replace(second=0, microsecond=0) - timedelta(days=3) + timedelta(hours=1)
    make.event(title="Daily", start=start, end=start + timedelta(hours=1),
               repeat=Repeat("daily", count=6))  # fmt: skip
    past = listing.past(None, Filters())
    coming = listing.upcoming(None, Filters())
    assert len(past.items) == 3 and len(coming.items) == 3
    assert past.items[0].occurrence.start_at > past.items[-1].occurrence.start_at


def test_pages_split_the_merged_occurrences(app, client, make):
    settings.put("events_per_page", 5)
    db.session.commit()
    make.event(title="Weekly", days=1, repeat=Repeat("weekly", count=4))  # days 1, 8, 15, 22
    for day in (2, 3, 9, 10, 16, 17):
        make.event(title=f"Day {day}", days=day)
    pages = [listing.upcoming(None, Filters(), page) for page in (1, 2)]
    assert [titles(p) for p in pages] == [
        ["Weekly", "Day 2", "Day 3", "Weekly", "Day 9"],
        ["Day 10", "Weekly", "Day 16", "Day 17", "Weekly"],
    ]
    assert pages[0].total == 10 and pages[0].pages == 2
    assert client.get("/events/?page=2").status_code == 200
    assert client.get("/events/?page=3").status_code == 404
    assert client.get("/events/?page=abc").status_code == 400
    assert 'href="/events/?page=2"' in text(client.get("/events/"))


def test_empty_lists_say_so(client):
    assert "No events are planned yet." in text(client.get("/events/"))
    assert "No events have taken place yet." in text(client.get("/events/past"))


# --- my events --------------------------------------------------------------------------------


def test_mine_lists_what_the_person_organizes_or_answered(app, client, login, make):
    me = make.member(username="me")
    names = ("Going", "Interested", "Full", "Not going", "Other")
    going, interested, full, no, _other = (make.event(title=name) for name in names)
    make.event(me, title="Mine")
    full.capacity = 1
    db.session.commit()
    registration.register(make.member(), full, "going")
    registration.register(me, going, "going")
    registration.register(me, interested, "interested")
    registration.register(me, full, "going")  # waitlisted
    registration.register(me, no, "not_going")
    db.session.commit()
    page = listing.mine(me)
    assert sorted(titles(page)) == ["Full", "Going", "Interested", "Mine"]
    assert {item.event.title: item.answer for item in page.items}["Full"] == "waitlisted"
    login(me)
    html = text(client.get("/events/mine"))
    assert "You are going" in html and "On the waitlist" in html and "Other" not in html
    assert "No events" not in html


def test_mine_shows_the_events_that_are_over_apart(app, client, login, make):
    me = make.member()
    make.past_event(me, title="Was mine")
    make.event(me, title="Will be mine")
    assert titles(listing.mine(me, ended=True)) == ["Was mine"]
    login(me)
    assert "Was mine" in text(client.get("/events/mine?ended=1"))
    assert "Was mine" not in text(client.get("/events/mine"))


def test_mine_asks_anonymous_readers_to_sign_in(client):
    response = client.get("/events/mine")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- privacy ----------------------------------------------------------------------------------


def test_private_group_events_show_only_to_members_and_staff(app, client, login, post, make):
    member = make.organizer()
    event = make.private_group_event(member, title="Members only")
    make.event(title="For everyone")
    outsider = make.member()
    assert titles(listing.upcoming(None, Filters())) == ["For everyone"]
    assert titles(listing.upcoming(outsider, Filters())) == ["For everyone"]
    assert sorted(titles(listing.upcoming(member, Filters()))) == ["For everyone",
                                                                   "Members only"]  # fmt: skip
    assert len(listing.upcoming(make.admin(), Filters()).items) == 2
    day = event.start_local.date()
    paths = ["/events/", f"/events/month/{day.year}/{day.month}",
             "/events/week/{}/{}".format(*day.isocalendar()[:2]),
             f"/events/?q=Members&from={day}"]  # fmt: skip
    for path in paths:
        assert "Members only" not in text(client.get(path)), path
    login(outsider)
    for path in paths:
        assert "Members only" not in text(client.get(path)), path
    post("/logout")
    login(member)
    for path in paths:
        assert "Members only" in text(client.get(path)), path


def test_the_sitemap_lists_public_events_only(app, make):
    public = make.event(title="Public")
    make.private_group_event(title="Private")
    with app.test_request_context():
        urls = [url for url, _ in listing.sitemap_urls()]
    assert urls == [f"/events/{public.id}/{public.slug}"]


def _creator(event):
    from space.accounts.models import User

    return db.session.get(User, event.user_id)


def test_a_tentative_event_is_marked(app, client, make):
    make.event(title="Maybe", status=EventStatus.TENTATIVE)
    assert "events-badge-tentative" in text(client.get("/events/"))
