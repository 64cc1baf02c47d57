"""How events read (``plugins/events/formatting.py``, the ``events_when`` helper): times in
the viewer's zone with the event's own labelled, all-day dates, names in the reader's
language, calendar addresses."""

from __future__ import annotations

from datetime import datetime

import pytest
from babel import Locale
from flask_babel import force_locale

from plugins.events import formatting
from plugins.events.models import Event, Mode
from plugins.events.services.times import Occurrence, to_utc

EN = Locale.parse("en")


def event(start, end, zone="Europe/Paris", **kw) -> Event:
    values = {"id": 1, "title": "Wiki club", "timezone": zone, "start_local": start,
              "end_local": end, "start_at": to_utc(start, zone), "end_at": to_utc(end, zone),
              "all_day": False, "rrule": "", "mode": Mode.IN_PERSON, "venue": "Library",
              "address": "", "city": "Paris", "country_code": "FR", "meeting_url": ""}  # fmt: skip
    values.update(kw)
    return Event(**values)


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_a_time_in_another_zone_carries_the_events_own(ctx):
    found = formatting.when(event(datetime(2027, 3, 30, 18), datetime(2027, 3, 30, 20)),
                            zone="America/New_York", locale=EN)  # fmt: skip
    assert 'datetime="2027-03-30T16:00:00+00:00"' in found
    assert "Tuesday, March 30, 2027, 12:00\u202fPM\u2009–\u20092:00\u202fPM" in found
    assert '<span class="events-zone">6:00\u202fPM\u2009–\u20098:00\u202fPM (Europe/Paris)' in found


def test_in_the_events_own_zone_there_is_one_time(ctx):
    found = formatting.when(event(datetime(2027, 3, 30, 18), datetime(2027, 3, 30, 20)),
                            zone="Europe/Paris", locale=EN)  # fmt: skip
    assert "events-zone" not in found and "6:00\u202fPM" in found


def test_the_events_own_time_has_its_date_when_the_day_differs(ctx):
    tokyo = event(datetime(2027, 5, 12, 9), datetime(2027, 5, 12, 11), zone="Asia/Tokyo")
    found = formatting.when(tokyo, zone="America/New_York", locale=EN)
    assert "Tuesday, May 11, 2027, 8:00\u202fPM\u2009–\u200910:00\u202fPM" in found
    assert "Wednesday, May 12, 2027, 9:00\u202fAM\u2009–\u200911:00\u202fAM (Asia/Tokyo)" in found


def test_an_event_over_several_days_shows_both_ends(ctx):
    found = formatting.when(event(datetime(2027, 5, 12, 9), datetime(2027, 5, 14, 17)),
                            zone="Europe/Paris", locale=EN)  # fmt: skip
    assert "May 12, 2027, 9:00\u202fAM\u2009–\u2009May 14, 2027, 5:00\u202fPM" in found


def test_all_day_events_show_dates_only(ctx):
    one = event(datetime(2027, 5, 12), datetime(2027, 5, 13), all_day=True)
    assert formatting.when(one, zone="Pacific/Honolulu", locale=EN) == (
        '<time class="events-when" datetime="2027-05-12">Wednesday, May 12, 2027</time>'
    )
    three = event(datetime(2027, 5, 12), datetime(2027, 5, 15), all_day=True)
    assert "Wed, May 12\u2009–\u2009Fri, May 14, 2027" in formatting.when(three, locale=EN)
    assert formatting.start_time(three, formatting.first_occurrence(three)) == ""


def test_an_occurrence_shows_its_own_times(ctx):
    weekly = event(datetime(2027, 3, 23, 18), datetime(2027, 3, 23, 20))
    later = Occurrence(1, 1, datetime(2027, 3, 30, 18), datetime(2027, 3, 30, 20),
                       to_utc(datetime(2027, 3, 30, 18), "Europe/Paris"),
                       to_utc(datetime(2027, 3, 30, 20), "Europe/Paris"))  # fmt: skip
    assert "4:00\u202fPM" in formatting.when(weekly, later, zone="UTC", locale=EN)
    assert formatting.start_time(weekly, later, "UTC", EN) == "4:00\u202fPM"
    assert formatting.hours(weekly, later, "UTC", EN) == (
        '4:00\u202fPM\u2009–\u20096:00\u202fPM <span class="events-zone">'
        "6:00\u202fPM\u2009–\u20098:00\u202fPM (Europe/Paris)</span>"
    )
    assert formatting.when_text(weekly, later, zone="UTC", locale=EN) == (
        "Tuesday, March 30, 2027, 4:00\u202fPM\u2009–\u20096:00\u202fPM · "
        "6:00\u202fPM\u2009–\u20098:00\u202fPM (Europe/Paris)"
    )


def test_where_reads_venue_address_city_and_country(ctx):
    place = event(datetime(2027, 3, 30, 18), datetime(2027, 3, 30, 20), address="Rue 1")
    assert formatting.where_text(place) == "Library, Rue 1, Paris, France"
    online = event(datetime(2027, 3, 30, 18), datetime(2027, 3, 30, 20), mode=Mode.ONLINE)
    assert formatting.where_text(online) == ""


def test_country_names_follow_the_readers_language(ctx):
    with force_locale("fr"):
        assert formatting.country_name("SE") == "Suède"
    assert formatting.country_name("SE") == "Sweden"
    assert formatting.country_name("") == ""
    choices = formatting.country_choices()
    assert ("SE", "Sweden") in choices and choices == sorted(choices, key=lambda c: c[1])


def test_webcal_and_google_calendar_addresses(ctx):
    assert formatting.webcal("https://example.org/events/1.ics?x=1") == (
        "webcal://example.org/events/1.ics?x=1"
    )
    day = event(datetime(2027, 5, 12), datetime(2027, 5, 13), all_day=True)
    url = formatting.google_calendar_url(day, "https://example.org/events/1/wiki-club")
    assert "dates=20270512%2F20270513" in url and "location=Library%2C+Paris%2C+France" in url
    online = event(datetime(2027, 5, 12, 18), datetime(2027, 5, 12, 20), mode=Mode.ONLINE,
                   meeting_url="https://meet.example.org/x")  # fmt: skip
    hidden = formatting.google_calendar_url(online, "https://example.org/e")
    assert "location" not in hidden
    assert "location=https" in formatting.google_calendar_url(online, "https://example.org/e",
                                                              meeting_link=True)  # fmt: skip


def test_labels_name_every_type_mode_and_status(ctx):
    from plugins.events.models import EventStatus, EventType

    assert set(formatting.TYPE_LABELS) == set(EventType)
    assert set(formatting.MODE_LABELS) == set(Mode)
    assert set(formatting.STATUS_LABELS) == set(EventStatus)
