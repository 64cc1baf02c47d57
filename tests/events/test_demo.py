"""``flask space demo`` with events: events in many countries and zones, in person, online
and hybrid, coming up and over, recurring ones with a cancelled date, a cancelled event,
full events with a waitlist, registrations whose counters match, reports — and the large
demo's bulk events, written quickly with their counters right."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from plugins.events import demo_bulk
from plugins.events.models import (
    Answer,
    Event,
    EventStatus,
    Mode,
    OccurrenceChange,
    Organizer,
    Registration,
)
from space import search
from space.accounts import services
from space.db import db, utcnow

from .test_api import API


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["space", "demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def counted(event_id: int) -> dict:
    rows = db.session.execute(
        select(Registration.answer, func.count()).where(Registration.event_id == event_id)
        .group_by(Registration.answer)
    )  # fmt: skip
    return dict(rows.all())


def assert_counters_match() -> None:
    for event in db.session.scalars(select(Event)):
        found = counted(event.id)
        assert event.going_count == found.get(Answer.GOING, 0), event.title
        assert event.waitlist_count == found.get(Answer.WAITLISTED, 0), event.title
        assert event.interested_count == found.get(Answer.INTERESTED, 0), event.title
        if event.capacity is not None:
            assert event.going_count <= event.capacity, event.title


def test_the_demo_has_events_all_over_the_world(demo):
    found = db.session.scalars(select(Event)).all()
    assert len(found) >= 18
    assert len({e.country_code for e in found if e.country_code}) >= 10
    assert len({e.timezone for e in found}) >= 12
    assert {e.mode for e in found} == set(Mode)
    now = utcnow()
    assert sum(e.start_at > now for e in found) >= 10
    assert sum((e.last_end_at or e.end_at) < now for e in found) >= 4
    assert all(e.cooked and e.slug for e in found)
    assert sum(e.topic_id is not None for e in found) >= 15
    languages = {code for e in found for code in e.languages}
    assert {"en", "fr", "es", "ar", "pt", "ja", "sv"} <= languages


def test_recurring_cancelled_full_private_and_reported_events(demo):
    def one(title: str) -> Event:
        return db.session.scalar(select(Event).where(Event.title == title))

    tokyo = one("Tokyo monthly meetup")
    assert tokyo.rrule == "FREQ=MONTHLY;BYDAY=+2TU;COUNT=12"
    assert tokyo.timezone == "Asia/Tokyo" and tokyo.start_local.weekday() == 1
    assert 8 <= tokyo.start_local.day <= 14
    sydney = one("Online editing hour (Australia)")
    assert sydney.rrule.startswith("FREQ=WEEKLY") and sydney.mode == Mode.ONLINE
    changes = db.session.scalars(select(OccurrenceChange)).all()
    assert [c.event_id for c in changes] == [sydney.id]
    paris = one("Permanence Wikipédia à Paris")
    assert paris.rrule.startswith("FREQ=WEEKLY;INTERVAL=2;UNTIL=")
    berlin = one("Berlin community hackathon")
    assert berlin.status == EventStatus.CANCELLED and berlin.cancel_reason
    assert one("Translation sprint: health articles").status == EventStatus.TENTATIVE
    nairobi = one("Women in science edit-a-thon")
    assert (nairobi.capacity, nairobi.going_count, nairobi.waitlist_count) == (3, 3, 2)
    mexico = one("Taller: cómo citar fuentes")
    assert (mexico.going_count, mexico.waitlist_count) == (2, 1)
    conference = one("WikiConference North America")
    assert conference.all_day and (conference.end_local - conference.start_local).days == 2
    board = one("Board retreat: planning next year")
    assert board.group_id is not None and board.topic_id is None
    reported = db.session.scalars(
        select(Event).where(Event.report_published_at.is_not(None))).all()  # fmt: skip
    assert len(reported) == 3
    for event in reported:
        assert event.last_end_at < utcnow() and event.report_cooked and event.report_links
        assert event.going_count > 0
        assert counted(event.id).get(Answer.GOING)
    organizers = db.session.scalar(select(func.count()).select_from(Organizer).where(
        Organizer.event_id == nairobi.id))  # fmt: skip
    assert organizers == 2
    assert_counters_match()


def test_readers_see_the_demo_without_the_private_event(demo, client):
    body = client.get(f"{API}/events").get_json()
    titles = {item["title"] for item in body["items"]}
    assert body["total"] >= 10 and "Board retreat: planning next year" not in titles
    assert client.get("/events/").status_code == 200
    for event in db.session.scalars(select(Event)):
        page = client.get(f"/events/{event.id}/{event.slug}")
        assert page.status_code == (404 if event.group_id else 200), event.title
        assert client.get(f"{API}/events/{event.id}").status_code == page.status_code
    found = client.get("/search", query_string={"q": "type:event Nairobi"})
    assert "Women in science edit-a-thon" in found.get_data(as_text=True)
    hidden = client.get("/search", query_string={"q": "type:event retreat"})
    assert "Board retreat" not in hidden.get_data(as_text=True)


def test_bulk_spreads_registrations_exactly():
    rng = random.Random(1)
    for count, total, most in ((5000, 20_000, 8), (50, 200, 8), (7, 21, 8), (3, 30, 8)):
        found = demo_bulk.spread(count, total, most, random.Random(1))
        assert len(found) == count and all(0 <= n <= most for n in found)
        if total <= count * most:
            assert sum(found) == total, (count, total)
    assert demo_bulk.spread(0, 0, 8, rng) == []


def test_the_bulk_events_have_their_counters_and_organizers(app, make):
    from plugins.events.demo import request_caches

    people = [make.member() for _n in range(8)]
    with request_caches():
        ids = demo_bulk.bulk(people, utcnow(), count=120, registrations=480)
        db.session.commit()
    assert len(ids) == 120
    assert db.session.scalar(select(func.count(Registration.id))) == 480
    assert db.session.scalar(select(func.count()).select_from(Organizer)) == 120
    assert_counters_match()
    found = db.session.scalars(select(Event)).all()
    assert {e.mode for e in found} == set(Mode)
    assert any(e.rrule for e in found) or len(found) < 50
    assert sum(e.waitlist_count for e in found) > 0
    assert services.by_username(people[0].username) is not None


def test_the_large_demo_adds_bulk_events_of_everyone(app, runner, monkeypatch):
    monkeypatch.setattr(demo_bulk, "EVENTS", 200)
    monkeypatch.setattr(demo_bulk, "REGISTRATIONS", 800)
    result = runner.invoke(args=["space", "demo", "--size", "large", "--posts", "40"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    events = db.session.scalar(select(func.count(Event.id)))
    registrations = db.session.scalar(select(func.count(Registration.id)))
    assert f"{events:,} events, {registrations:,} registrations" in result.output
    assert "Events" in result.output, "a progress bar"
    assert registrations >= 800
    organizers = db.session.scalars(select(Organizer.user_id).distinct()).all()
    registered = db.session.scalars(select(Registration.user_id).distinct()).all()
    assert len(organizers) > 100 and len(registered) > 300, "the generated people take part"
    assert_counters_match()
    parsed = search.parse("type:event", known_types=search.types())
    found = search.backend().search(parsed, search.principals(None), 1, 10).total
    assert found >= 190, "the bulk events reached the search index"
