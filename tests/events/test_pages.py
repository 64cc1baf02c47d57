"""An event's page: what it shows and to whom, its address (301 on a wrong slug, 404 on an
unknown or hidden event), one occurrence of a recurring event, the meeting link rule, the
report, the discussion, add-to-calendar links; and the event card on its topic."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from plugins.events.models import Answer, EventStatus, Mode
from plugins.events.services import events, registration, times
from plugins.events.services.events import Repeat
from space import discussions
from space.accounts.models import User
from space.db import db

MEETING = "https://meet.example.org/wiki-club"


def text(response) -> str:
    return response.get_data(as_text=True)


def page_of(client, event, **args) -> str:
    response = client.get(f"/events/{event.id}/{event.slug}", query_string=args)
    assert response.status_code == 200, response.status_code
    return text(response)


def creator(event) -> User:
    return db.session.get(User, event.user_id)


# --- what it shows ----------------------------------------------------------------------------


def test_the_page_shows_what_the_event_holds(client, make):
    ana = make.organizer(username="ana")
    bo = make.organizer(username="bo")
    ana.display_name, bo.display_name = "Ana Lind", "Bo Berg"
    db.session.commit()
    event = make.event(ana, title="Wiki club", description="We **edit** together.",
                       venue="City library", address="Main street 1", languages=["sv", "en"],
                       organizers=["bo"], affiliate="Wikimedia Sverige")  # fmt: skip
    html = page_of(client, event)
    assert "<title>Wiki club" in html
    assert "<strong>edit</strong>" in html  # cooked at write time
    assert "City library" in html and "Main street 1" in html
    assert "Stockholm, Sweden" in html
    assert "Swedish and English" in html
    assert "Ana Lind" in html and "Bo Berg" in html and "Wikimedia Sverige" in html
    assert "Meetup" in html and "In person" in html
    assert f'href="/events/map?near={event.place_id}&amp;km=25"' in html
    assert "GeoNames" in html and 'href="https://www.geonames.org/"' in html
    assert f'<link rel="canonical" href="http://localhost/events/{event.id}/{event.slug}">' in html


def test_times_show_in_the_viewers_zone_with_the_events_own(client, login, make):
    event = make.event(timezone="Europe/Stockholm", start=datetime(2027, 5, 12, 18),
                       end=datetime(2027, 5, 12, 20))  # fmt: skip
    html = page_of(client, event)  # signed out: the site's zone, UTC
    assert "Wednesday, May 12, 2027, 4:00\u202fPM\u2009–\u20096:00\u202fPM" in html
    assert "6:00\u202fPM\u2009–\u20098:00\u202fPM (Europe/Stockholm)" in html
    reader = make.member()
    reader.timezone = "Europe/Stockholm"
    db.session.commit()
    login(reader)
    html = page_of(client, event)
    assert "Wednesday, May 12, 2027, 6:00\u202fPM\u2009–\u20098:00\u202fPM" in html
    assert "(Europe/Stockholm)" not in html  # the same zone: no second time


def test_an_all_day_event_shows_its_dates(client, make):
    one = make.event(all_day=True, timezone="Asia/Tokyo", start=datetime(2027, 5, 12),
                     end=datetime(2027, 5, 12))  # fmt: skip
    three = make.event(all_day=True, timezone="Asia/Tokyo", start=datetime(2027, 5, 12),
                       end=datetime(2027, 5, 14))  # fmt: skip
    html = page_of(client, one)
    assert '<time class="events-when" datetime="2027-05-12">Wednesday, May 12, 2027</time>' in html
    assert "PM" not in re.search(r'<p class="events-when-main">.*?</p>', html, re.S).group(0)
    assert "Wed, May 12\u2009–\u2009Fri, May 14, 2027" in page_of(client, three)


def test_a_cancelled_event_says_so_with_the_reason(client, make):
    event = make.event()
    events.cancel(creator(event), event, "The venue is flooded.")
    db.session.commit()
    html = page_of(client, event)
    assert "This event is cancelled." in html and "The venue is flooded." in html
    assert "events-badge-cancelled" in html


def test_a_tentative_event_says_so(client, make):
    html = page_of(client, make.event(status=EventStatus.TENTATIVE))
    assert "events-badge-tentative" in html and "This event is tentative" in html


def test_an_online_event_has_no_address(client, make):
    event = make.event(mode=Mode.ONLINE, meeting_url=MEETING, registration=False)
    html = page_of(client, event)
    assert "<address" not in html and "GeoNames" not in html and "/events/map?near" not in html
    assert f'href="{MEETING}"' in html


# --- the meeting link -------------------------------------------------------------------------


def test_without_registration_the_meeting_link_shows_to_everyone(client, make):
    event = make.event(mode=Mode.HYBRID, meeting_url=MEETING, registration=False)
    assert MEETING in page_of(client, event)


def test_with_registration_the_link_shows_to_participants_and_organizers(client, login, post,
                                                                         make):  # fmt: skip
    event = make.event(mode=Mode.ONLINE, meeting_url=MEETING, capacity=1)
    html = page_of(client, event)
    assert MEETING not in html and "The meeting link shows here once you are registered" in html
    going, waiting = make.member(), make.member()
    registration.register(going, event, "going")
    assert registration.register(waiting, event, "going").answer == Answer.WAITLISTED
    db.session.commit()
    for person, sees in ((going, True), (waiting, False), (creator(event), True),
                         (make.admin(), True), (make.member(), False)):  # fmt: skip
        login(person)
        assert (MEETING in page_of(client, event)) is sees, person.username
        post("/logout")


# --- recurring events -------------------------------------------------------------------------


def test_a_recurring_event_lists_its_next_dates_with_the_cancelled_struck(client, make):
    event = make.event(title="Weekly", days=1, repeat=Repeat("weekly", count=4))
    second = event.start_local + timedelta(days=7)
    events.cancel_occurrence(creator(event), event, second, "Holiday")
    db.session.commit()
    html = page_of(client, event)
    dates = re.search(r'<ol class="events-occurrences">.*?</ol>', html, re.S).group(0)
    assert dates.count("<li") == 4
    assert dates.count("<del>") == 1 and "Cancelled" in dates
    assert f"?on={second:%Y%m%dT%H%M%S}" in dates


def test_on_names_one_occurrence(client, make):
    event = make.event(title="Weekly", days=1, repeat=Repeat("weekly", count=4))
    third = event.start_local + timedelta(days=14)
    html = page_of(client, event, on=f"{third:%Y%m%dT%H%M%S}")
    chosen = re.search(r'<li class="[^"]*events-chosen"[^>]*>.*?</li>', html, re.S).group(0)
    assert 'aria-current="true"' in chosen and f"{third:%Y%m%dT%H%M%S}" in chosen
    main = re.search(r'<p class="events-when-main">.*?</p>', html, re.S).group(0)
    assert f'datetime="{times.to_utc(third, event.timezone).isoformat()}"' in main
    assert "See the next date" in html


@pytest.mark.parametrize("key", ["20990101T180000", "yesterday", "2027"])
def test_an_occurrence_that_does_not_exist_is_404(client, make, key):
    event = make.event(days=1, repeat=Repeat("weekly", count=2))
    assert client.get(f"/events/{event.id}/{event.slug}?on={key}").status_code == 404


def test_a_cancelled_occurrence_named_by_on_is_marked(client, make):
    event = make.event(days=1, repeat=Repeat("weekly", count=3))
    second = event.start_local + timedelta(days=7)
    events.cancel_occurrence(creator(event), event, second)
    db.session.commit()
    html = page_of(client, event, on=f"{second:%Y%m%dT%H%M%S}")
    main = re.search(r'<p class="events-when-main">.*?</p>', html, re.S).group(0)
    assert "<del>" in main and "This date is cancelled" in main


# --- addresses --------------------------------------------------------------------------------


def test_a_wrong_or_missing_slug_is_a_301_to_the_right_address(client, make):
    event = make.event(title="Wiki club", days=1, repeat=Repeat("weekly", count=2))
    right = f"/events/{event.id}/wiki-club"
    for path in (f"/events/{event.id}/old-title", f"/events/{event.id}"):
        response = client.get(path)
        assert response.status_code == 301 and response.headers["Location"].endswith(right)
    key = f"{event.start_local:%Y%m%dT%H%M%S}"
    response = client.get(f"/events/{event.id}/old?on={key}&slug=x&event_id=3")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"{right}?on={key}")


@pytest.mark.parametrize("path", ["/events/999/anything", "/events/999", "/events/99999999999/x"])
def test_an_unknown_event_is_404(client, path):
    assert client.get(path).status_code == 404


def test_a_private_groups_event_is_404_for_outsiders(client, login, post, make):
    member = make.organizer()
    event = make.private_group_event(member)
    path = f"/events/{event.id}/{event.slug}"
    assert client.get(path).status_code == 404
    login(make.member())
    assert client.get(path).status_code == 404
    assert client.get(f"/events/{event.id}/wrong").status_code == 404  # no 301 leaks the slug
    post("/logout")
    login(member)
    html = page_of(client, event)
    assert "noindex" in html and event.title in html


# --- who sees which buttons ---------------------------------------------------------------


def test_organizers_see_edit_cancel_and_participants(client, login, post, make):
    event = make.event(days=1, repeat=Repeat("weekly", count=2))
    tools = (f"/events/{event.id}/edit", f"/events/{event.id}/cancel",
             f"/events/{event.id}/participants", "Cancel this date")  # fmt: skip
    html = page_of(client, event)
    assert not any(tool in html for tool in tools)
    login(make.member())
    html = page_of(client, event)
    assert not any(tool in html for tool in tools)
    assert "Flag this event" in html
    post("/logout")
    login(creator(event))
    html = page_of(client, event)
    assert all(tool in html for tool in tools)


# --- report, discussion, calendars -----------------------------------------------------------


def test_the_report_shows_once_published(client, make):
    event = make.past_event(days_ago=3)
    assert "Event report" not in page_of(client, event)
    registration.publish_report(creator(event), event, 12, "We wrote **40** articles.",
                                ["https://example.org/photos"])  # fmt: skip
    db.session.commit()
    html = page_of(client, event)
    assert "Event report" in html and "<strong>40</strong>" in html
    assert "12 people took part." in html and 'href="https://example.org/photos"' in html


def test_the_discussion_links_to_the_topic_with_its_best_replies(app, client, make):
    event = make.event()
    summary = discussions.summary(event.topic_id, None)
    assert summary is not None
    html = page_of(client, event)
    path = summary.url.removeprefix("http://localhost")
    assert f'href="{path}"' in html and "Nobody has replied yet." in html


def test_add_to_calendar_links(client, make):
    event = make.event(title="Wiki club", timezone="Europe/Stockholm",
                       start=datetime(2027, 5, 12, 18), end=datetime(2027, 5, 12, 20))  # fmt: skip
    html = page_of(client, event)
    assert f'href="/events/{event.id}.ics"' in html
    assert f'href="webcal://localhost/events/{event.id}.ics"' in html
    google = re.search(r'href="(https://calendar.google.com/[^"]+)"', html).group(1)
    assert "dates=20270512T160000Z%2F20270512T180000Z" in google  # UTC
    assert "text=Wiki+club" in google and "location=" in google


def test_google_keeps_a_series_in_its_own_zone(client, make):
    event = make.event(timezone="Europe/Stockholm", start=datetime(2027, 5, 12, 18),
                       end=datetime(2027, 5, 12, 20), repeat=Repeat("weekly", count=3))  # fmt: skip
    google = re.search(r'href="(https://calendar.google.com/[^"]+)"', page_of(client, event))
    assert "dates=20270512T180000%2F20270512T200000" in google.group(1)
    assert "ctz=Europe%2FStockholm" in google.group(1) and "recur=RRULE" in google.group(1)
    one = re.search(r'href="(https://calendar.google.com/[^"]+)"',
                    page_of(client, event, on="20270519T180000")).group(1)  # fmt: skip
    assert "dates=20270519T160000Z%2F20270519T180000Z" in one and "recur" not in one


# --- the card on the topic --------------------------------------------------------------------


def test_the_events_topic_shows_the_event_card(app, client, make):
    event = make.event(title="Wiki club")
    summary = discussions.summary(event.topic_id, None)
    html = text(client.get(summary.url))
    card = re.search(r'<aside class="card events-topic-card".*?</aside>', html, re.S)
    assert card and "Wiki club" in card.group(0)
    assert f'href="/events/{event.id}/{event.slug}"' in card.group(0)


def test_the_outlet_is_silent_elsewhere(app, make):
    from plugins.events.views.pages import outlet
    from space.hookspecs import Outlet

    event = make.event()
    with app.test_request_context():
        assert outlet(Outlet.PROFILE_MAIN, {"topic": None}) is None
        assert outlet(Outlet.TOPIC_HEADER, {}) is None

        class Topic:
            id = event.topic_id + 1000

        assert outlet(Outlet.TOPIC_HEADER, {"topic": Topic()}) is None


def test_who_comes_names_the_public_and_counts_the_others(client, login, post, make):
    event = make.event()
    shown, shy = make.member(username="shown"), make.member(username="shy")
    registration.register(shown, event, "going")
    registration.register(shy, event, "going", public=False)
    db.session.commit()
    people = re.search(r'<section class="card events-people".*?</section>', page_of(client, event),
                       re.S).group(0)  # fmt: skip
    assert "/u/shown" in people and "/u/shy" not in people and "and 1 other" in people
    login(creator(event))
    people = re.search(r'<section class="card events-people".*?</section>', page_of(client, event),
                       re.S).group(0)  # fmt: skip
    assert "/u/shown" in people and "/u/shy" in people
    assert "name shown only to the organizers" in people


def test_a_hidden_event_shows_to_its_organizers_with_a_notice(client, login, post, make):
    event = make.event()
    event.hidden_at = event.created_at
    db.session.commit()
    assert client.get(f"/events/{event.id}/{event.slug}").status_code == 404
    login(creator(event))
    assert "hidden while moderators review it" in page_of(client, event)


@pytest.mark.parametrize("lang", ["fr", "es", "ar"])
def test_every_page_reads_in_every_language(client, make, lang):
    event = make.event(days=1, repeat=Repeat("weekly", count=3))
    for path in ("/events/", "/events/past", "/events/month", "/events/week",
                 f"/events/{event.id}/{event.slug}"):  # fmt: skip
        response = client.get(path, query_string={"lang": lang})
        assert response.status_code == 200, (lang, path)
        assert f'lang="{lang}"' in text(response)
