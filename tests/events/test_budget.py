"""Query budgets of the pages readers browse: the list (upcoming and past), the month and the
week, "my events" and an event's page cost the same fixed number of SQL statements with 3 or
60 events (some recurring, one with a cancelled occurrence, one of a private group) and their
registrations, signed out and signed in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import insert, update

from plugins.events import settings
from plugins.events.models import Answer, Event, Registration
from plugins.events.services import events
from plugins.events.services.events import Repeat
from space.accounts.models import User
from space.db import db, utcnow

from .conftest import local_now

ZONE = "Europe/Stockholm"
# Statements per page (signed out, signed in). Signed out, a list costs the site settings,
# the private groups, a count, the recurring events, their cancelled occurrences, one page of
# one-time events, the page's events and their organizers (past events here have no recurring
# one: no cancelled occurrences to read); a calendar the private groups, the events, their
# cancelled occurrences and the settings; an event's page the event, its organizers, who
# comes, its discussion (topic, best replies) and the settings; signed out, who may read the
# discussion is kept until content changes (space/pagecache.py). Signed in adds the
# session's user and the layout's unread notifications; on lists and calendars also the
# viewer's groups (for the private ones), the layout's review count and the viewer's answers
# to the events shown; on an event's page the viewer's registration.
BUDGETS = {
    "list": (8, 13),
    "past": (7, 12),
    "month": (4, 9),
    "week": (4, 9),
    "event": (6, 10),
}


@pytest.fixture(autouse=True)
def _settings(app):
    settings.put("events_per_page", 50)  # a page holds many events
    db.session.commit()


def _month() -> date:
    """The first day of the month after next: every event in it is still to come."""
    today = local_now(ZONE).date()
    ahead = today.replace(day=1) + timedelta(days=62)
    return ahead.replace(day=1)


def _people(make, count):
    return [make.member() for _ in range(count)]


def _registrations(event_ids, people):
    """Each event gets an answer from every person (going, interested, waitlisted…)."""
    answers = [Answer.GOING, Answer.INTERESTED, Answer.WAITLISTED, Answer.NOT_GOING]
    now = utcnow()
    db.session.execute(insert(Registration), [
        {"event_id": event_id, "user_id": person.id, "answer": answers[(i + k) % 4],
         "public": k % 2 == 0, "created_at": now, "updated_at": now}
        for i, event_id in enumerate(event_ids) for k, person in enumerate(people)
    ])  # fmt: skip
    db.session.execute(update(Event).where(Event.id.in_(event_ids)).values(
        going_count=len(people) // 4 + 1, interested_count=len(people) // 4,
        waitlist_count=len(people) // 4))  # fmt: skip


def _world(make, count: int, viewer: User):
    """``count`` events in one month: two recurring (one with a cancelled occurrence), one of
    a private group the viewer belongs to, the others one-time; and a quarter as many past
    events; all with registrations from several people and the viewer."""
    first = _month()
    organizer = make.organizer()
    group = make.private_group(organizer, members=[viewer])
    made = []
    for n in range(count):
        day = first + timedelta(days=n % 27)
        start = datetime.combine(day, time(8 + n % 10))
        extra = {}
        if n == 0:
            extra = {"repeat": Repeat("weekly", count=4)}
        elif n == 1:
            extra = {"repeat": Repeat("daily", count=5)}
        elif n == 2:
            extra = {"group_id": group.id}
        made.append(make.event(organizer, title=f"Event {n}", timezone=ZONE, start=start,
                               end=start + timedelta(hours=2), organizers=[viewer.username]
                               if n % 5 == 0 else [], **extra))  # fmt: skip
    for n in range(max(1, count // 4)):  # and some that took place
        made.append(make.past_event(organizer, title=f"Past {n}", days_ago=1 + n % 20))
    weekly = made[0]
    events.cancel_occurrence(organizer, weekly, weekly.start_local + timedelta(days=7))
    _registrations([e.id for e in made], [viewer, *_people(make, 4)])
    db.session.commit()
    return made


def _cost(client, count_queries, path):
    client.get(path)  # warm up: first visit, last-seen stamp
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter.count, counter.statements


def _paths(made) -> dict[str, str]:
    first = _month()
    year, week, _ = (first + timedelta(days=7)).isocalendar()
    event = made[3]
    return {
        "list": "/events/",
        "past": "/events/past?from=2000-01-01",
        "month": f"/events/month/{first.year}/{first.month}",
        "week": f"/events/week/{year}/{week}",
        "event": f"/events/{event.id}/{event.slug}",
    }


def _measure(make, client, count_queries, login, count, signed_in):
    viewer = make.member(username="viewer")
    made = _world(make, count, viewer)
    if signed_in:
        login(viewer)
    return {name: _cost(client, count_queries, path) for name, path in _paths(made).items()}


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
@pytest.mark.parametrize("count", [3, 60])
def test_reading_pages_cost_a_fixed_number_of_queries(make, client, count_queries, login,
                                                      count, signed_in):  # fmt: skip
    costs = _measure(make, client, count_queries, login, count, signed_in)
    for name, (spent, statements) in costs.items():
        expected = BUDGETS[name][1 if signed_in else 0]
        assert spent == expected, (name, count, "\n".join(statements))


def test_my_events_cost_a_fixed_number_of_queries(make, client, count_queries, login, post):
    spent = []
    for count in (3, 60):
        if spent:
            post("/logout")
        viewer = make.member()
        _world(make, count, viewer)
        login(viewer)
        spent.append(_cost(client, count_queries, "/events/mine")[0])
        db.session.execute(update(Registration).where(Registration.user_id == viewer.id)
                           .values(answer=Answer.GOING))  # fmt: skip
        db.session.commit()
        assert _cost(client, count_queries, "/events/mine")[0] == spent[-1]
    assert spent[0] == spent[1] == 13


def test_the_list_shows_every_occurrence_of_the_world(app, make):
    """The budgets above measure full pages: the list holds what the world has."""
    from plugins.events.services import listing
    from plugins.events.services.filters import Filters

    viewer = make.member(username="viewer")
    made = _world(make, 12, viewer)
    page = listing.upcoming(viewer, Filters(zone=ZONE))
    # 10 one-time events, 4 weekly and 5 daily occurrences.
    assert page.total == 19 and len(page.items) == 19
    assert {item.event.id for item in page.items} == {event.id for event in made[:12]}
    assert len(listing.past(viewer, Filters(zone=ZONE)).items) == 3
