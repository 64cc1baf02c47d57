"""The month and week calendars: days in the viewer's zone, recurring events keeping their
local time across daylight-saving changes, all-day events keeping their dates, cancelled
occurrences struck through, the grid's shape and its navigation."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from babel import Locale

from plugins.events.models import EventType
from plugins.events.services import events, grids
from plugins.events.services.events import Repeat
from plugins.events.services.filters import Filters
from space.accounts.models import User
from space.db import db

from .conftest import local_now

PARIS, NEW_YORK = "Europe/Paris", "America/New_York"


def text(response) -> str:
    return response.get_data(as_text=True)


def cell(html: str, day: date) -> str:
    """The month table's cell of ``day``."""
    match = re.search(rf'<td class="events-cell[^"]*"[^>]*>\s*<span class="events-date"><time '
                      rf'datetime="{day.isoformat()}">.*?</td>', html, re.S)  # fmt: skip
    assert match, day
    return match.group(0)


def entries(grid_days, day: date) -> list:
    return next(d.entries for d in grid_days if d.day == day)


def month_days(grid) -> list:
    return [day for week in grid.weeks for day in week]


def viewer(make, zone: str) -> User:
    person = make.member()
    person.timezone = zone
    db.session.commit()
    return person


@pytest.fixture
def tuesdays(make):
    """18:00–20:00 in Paris every Tuesday from 16 March 2027, four times: the clocks go
    forward in New York on 14 March and in Paris on 28 March."""
    return make.event(title="Paris evenings", timezone=PARIS, start=datetime(2027, 3, 16, 18),
                      end=datetime(2027, 3, 16, 20), repeat=Repeat("weekly", count=4))  # fmt: skip


def test_weekly_occurrences_keep_their_paris_time_across_the_change(app, tuesdays):
    grid = grids.month(None, 2027, 3, Filters(zone=PARIS))
    days = month_days(grid)
    for day in (16, 23, 30):
        (entry,) = entries(days, date(2027, 3, day))
        assert entry.occurrence.start_local == datetime(2027, 3, day, 18)
    starts = [entries(days, date(2027, 3, d))[0].occurrence.start_at.hour for d in (23, 30)]
    assert starts == [17, 16]  # UTC: the moment moves by an hour, the wall clock does not


def test_a_viewer_in_new_york_sees_them_in_new_york_time(app, client, login, make, tuesdays):
    login(viewer(make, NEW_YORK))
    html = text(client.get("/events/month/2027/3"))
    assert "1:00\u202fPM" in cell(html, date(2027, 3, 16))  # 18:00 CET = 13:00 EDT
    assert "1:00\u202fPM" in cell(html, date(2027, 3, 23))
    assert "12:00\u202fPM" in cell(html, date(2027, 3, 30))  # 18:00 CEST = 12:00 EDT
    assert "Paris evenings" not in cell(html, date(2027, 3, 17))
    april = text(client.get("/events/month/2027/4"))
    assert "12:00\u202fPM" in cell(april, date(2027, 4, 6))


def test_a_viewer_in_paris_sees_six_every_time(app, client, login, make, tuesdays):
    login(viewer(make, PARIS))
    html = text(client.get("/events/month/2027/3"))
    for day in (16, 23, 30):
        assert "6:00\u202fPM" in cell(html, date(2027, 3, day))


def test_the_week_shows_times_in_the_viewers_zone_with_the_events_zone(app, client, login, make,
                                                                       tuesdays):  # fmt: skip
    login(viewer(make, NEW_YORK))
    html = text(client.get("/events/week/2027/13"))  # 29 March – 4 April
    assert "Monday, March 29, 2027" in html and "Sunday, April 4, 2027" in html
    assert "12:00\u202fPM\u2009–\u20092:00\u202fPM" in html
    page = text(client.get(f"/events/{tuesdays.id}/{tuesdays.slug}?on=20270330T180000"))
    assert "Tuesday, March 30, 2027, 12:00\u202fPM\u2009–\u20092:00\u202fPM" in page
    assert "6:00\u202fPM\u2009–\u20098:00\u202fPM (Europe/Paris)" in page


def test_a_morning_in_tokyo_is_the_evening_before_in_new_york(app, make):
    event = make.event(title="Tokyo", timezone="Asia/Tokyo", start=datetime(2027, 5, 12, 9),
                       end=datetime(2027, 5, 12, 11))  # fmt: skip
    grid = grids.week(None, 2027, 19, Filters(zone="Asia/Tokyo"))
    assert [e.event.id for e in entries(grid.days, date(2027, 5, 12))] == [event.id]
    grid = grids.week(None, 2027, 19, Filters(zone=NEW_YORK))
    assert [e.event.id for e in entries(grid.days, date(2027, 5, 12))] == []
    (entry,) = entries(grid.days, date(2027, 5, 11))  # 20:00 to 22:00 there
    assert not entry.starts_before and not entry.ends_after


def test_an_all_day_event_keeps_its_dates_wherever_it_is_seen(app, make):
    event = make.event(title="Conference", all_day=True, timezone="Asia/Tokyo",
                       start=datetime(2027, 5, 12), end=datetime(2027, 5, 14))  # fmt: skip
    for zone in (NEW_YORK, "Asia/Tokyo", "Pacific/Honolulu"):
        days = month_days(grids.month(None, 2027, 5, Filters(zone=zone)))
        shown = [d.day.day for d in days if any(e.event.id == event.id for e in d.entries)]
        assert shown == [12, 13, 14], zone
    first, middle = (entries(days, date(2027, 5, d))[0] for d in (12, 13))
    assert not first.starts_before and first.ends_after and middle.starts_before


def test_an_event_past_midnight_shows_on_both_days(app, client, make):
    make.event(title="Night of editing", timezone="UTC", start=datetime(2027, 5, 12, 22),
               end=datetime(2027, 5, 13, 2))  # fmt: skip
    grid = grids.week(None, 2027, 19, Filters(zone="UTC"))
    (late,) = entries(grid.days, date(2027, 5, 12))
    (early,) = entries(grid.days, date(2027, 5, 13))
    assert late.ends_after and early.starts_before
    html = text(client.get("/events/month/2027/5"))
    assert "continues" in cell(html, date(2027, 5, 13))


def test_a_cancelled_occurrence_is_struck_through_in_the_month(app, client, make, tuesdays):
    creator = db.session.get(User, tuesdays.user_id)
    events.cancel_occurrence(creator, tuesdays, datetime(2027, 3, 23, 18), "Strike")
    db.session.commit()
    html = text(client.get("/events/month/2027/3"))
    assert "<del>Paris evenings</del>" in cell(html, date(2027, 3, 23))
    assert "<del>" not in cell(html, date(2027, 3, 16))
    grid = grids.month(None, 2027, 3, Filters(zone=PARIS))
    assert [e.cancelled for d in (16, 23, 30) for e in entries(month_days(grid), date(2027, 3, d))
            ] == [False, True, False]  # fmt: skip


def test_the_grid_follows_the_first_weekday_of_the_locale(app, client, monkeypatch):
    monday_first = grids.month(None, 2027, 3, Filters())
    assert monday_first.weekdays[0] == date(2027, 3, 1)  # a Monday
    assert len(monday_first.weeks) == 5 and all(len(w) == 7 for w in monday_first.weeks)
    sunday_first = grids.month(None, 2027, 3, Filters(), first_weekday=6)
    assert sunday_first.weekdays[0] == date(2027, 2, 28)
    assert sunday_first.weeks[-1][-1].day == date(2027, 4, 3)
    assert not sunday_first.weeks[0][0].in_month and sunday_first.weeks[0][1].in_month

    import plugins.events.views.calendar as calendar_views

    monkeypatch.setattr(calendar_views, "get_locale", lambda: Locale.parse("en_US"))
    html = text(client.get("/events/month/2027/3"))
    headers = re.findall(r'<th scope="col"><abbr title="(\w+)">', html)
    assert headers[0] == "Sunday" and len(headers) == 7


def test_today_is_marked(app, client):
    today = local_now("UTC").date()
    html = text(client.get("/events/month"))
    assert 'aria-current="date"' in cell(html, today)
    assert html.count('aria-current="date"') == 1
    assert f"<caption>{today:%B} {today.year}" in html
    week = text(client.get("/events/week"))
    assert week.count('aria-current="date"') == 1


def test_a_busy_day_shows_a_few_and_links_to_the_rest(app, client, make):
    for n in range(6):
        make.event(title=f"Busy {n}", timezone="UTC", start=datetime(2027, 5, 12, 8 + n),
                   end=datetime(2027, 5, 12, 9 + n))  # fmt: skip
    busy = cell(text(client.get("/events/month/2027/5?type=meetup")), date(2027, 5, 12))
    assert busy.count('<li class="events-entry') == 4
    assert "2 more" in busy
    assert "from=2027-05-12" in busy and "to=2027-05-12" in busy and "type=meetup" in busy


def test_filters_narrow_the_calendars_and_navigation_keeps_them(app, client, make):
    make.event(title="An editathon", event_type=EventType.EDITATHON, timezone="UTC",
               start=datetime(2027, 5, 12, 8), end=datetime(2027, 5, 12, 9))  # fmt: skip
    make.event(title="A meetup", timezone="UTC", start=datetime(2027, 5, 13, 8),
               end=datetime(2027, 5, 13, 9))  # fmt: skip
    html = text(client.get("/events/month/2027/5?type=editathon"))
    assert "An editathon" in html and "A meetup" not in html
    assert 'href="/events/month/2027/6?type=editathon"' in html
    assert 'href="/events/month/2027/4?type=editathon"' in html
    week = text(client.get("/events/week/2027/19?type=editathon"))
    assert "An editathon" in week and "A meetup" not in week
    assert 'href="/events/week/2027/20?type=editathon"' in week
    grid = grids.month(None, 2027, 5, Filters(start=date(2027, 5, 13)))
    assert [e.event.title for d in month_days(grid) for e in d.entries] == ["A meetup"]


def test_weeks_cross_years(app):
    assert grids.week(None, 2027, 1, Filters()).prev == (2026, 53)
    assert grids.week(None, 2026, 53, Filters()).next == (2027, 1)
    assert grids.month(None, 2027, 12, Filters()).next == (2028, 1)
    assert grids.month(None, 2027, 1, Filters()).prev == (2026, 12)


@pytest.mark.parametrize("path", ["/events/month/2027/13", "/events/month/2027/0",
                                  "/events/month/99999/1", "/events/week/2027/54",
                                  "/events/week/2027/0", "/events/week/1/1"])  # fmt: skip
def test_months_and_weeks_that_do_not_exist_are_404(client, path):
    assert client.get(path).status_code == 404


def test_an_empty_month_says_so(client):
    html = text(client.get("/events/month/2027/5"))
    assert "No events this month." in html


def test_a_grid_shows_at_most_grid_max_events(app, make, monkeypatch):
    monkeypatch.setattr(grids, "GRID_MAX", 2)
    for n in range(3):
        make.event(title=f"E{n}", timezone="UTC", start=datetime(2027, 5, 12 + n, 8),
                   end=datetime(2027, 5, 12 + n, 9))  # fmt: skip
    grid = grids.month(None, 2027, 5, Filters())
    assert grid.truncated
    assert sum(len(d.entries) for d in month_days(grid)) == 2
    assert not grids.month(None, 2027, 6, Filters()).truncated


def test_the_current_week_and_month_follow_the_viewers_zone(app):
    new_year = datetime.fromisoformat("2027-01-01T03:00:00+00:00")
    assert grids.this_month("UTC", now=new_year) == (2027, 1)
    assert grids.this_month(NEW_YORK, now=new_year) == (2026, 12)
    monday = datetime.fromisoformat("2027-01-04T03:00:00+00:00")
    assert grids.this_week("UTC", now=monday) == (2027, 1)
    assert grids.this_week(NEW_YORK, now=monday) == (2026, 53)  # still Sunday there
