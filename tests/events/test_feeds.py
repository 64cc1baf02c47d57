"""The RSS and Atom feed of new events, parsed with feedparser: public events only, newest
first, with when, where and the description; a fixed number of queries."""

from __future__ import annotations

import feedparser
import pytest

from plugins.events.models import Mode
from plugins.events.services import events as event_service
from space.db import db

from .conftest import reload
from .test_map import bulk_events


def read(client, fmt: str):
    response = client.get(f"/events/feed.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == {"rss": "application/rss+xml",
                                 "atom": "application/atom+xml"}[fmt]  # fmt: skip
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feed_of_new_events(client, make, fmt):
    older = make.event(title="Older meetup", description="We **edit** together.")
    newer = make.event(title="Newer training", mode=Mode.ONLINE, place_id=None,
                       meeting_url="https://meet.example.org/room")  # fmt: skip
    parsed = read(client, fmt)
    assert parsed.feed.title == "Space: new events"
    assert [entry.title for entry in parsed.entries] == ["Newer training", "Older meetup"]
    first, second = parsed.entries
    assert first.link == f"http://localhost/events/{newer.id}/{newer.slug}"
    assert first.id == f"http://localhost/events/{newer.id}"
    content = second.get("content", [{}])[0].get("value") or second.summary
    assert "<strong>edit</strong>" in content
    assert "Stockholm, Sweden" in content and "(Europe/Stockholm)" in content
    assert "meet.example.org" not in (first.get("content", [{}])[0].get("value")
                                      or first.summary)  # fmt: skip
    assert second.link == f"http://localhost/events/{older.id}/{older.slug}"
    assert "Meetup" in [tag.term for tag in second.tags]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_private_group_events_are_never_in_the_feed(client, make, login, fmt):
    make.event(title="Open meetup")
    organizer = make.organizer()
    make.private_group_event(organizer, title="Secret meetup")
    login(organizer)  # whoever asks
    parsed = read(client, fmt)
    assert [entry.title for entry in parsed.entries] == ["Open meetup"]
    assert b"Secret" not in client.get(f"/events/feed.{fmt}").data


def test_cancelled_events_say_so(client, make):
    event = make.event(title="Picnic")
    event_service.cancel(make.admin(), reload(event), "Storm warning")
    db.session.commit()
    (entry,) = read(client, "rss").entries
    assert entry.title == "Cancelled: Picnic"
    assert "Storm warning" in entry.summary


def test_empty_feed_and_unknown_format(client):
    assert read(client, "rss").entries == []
    assert client.get("/events/feed.json").status_code == 404


def test_feed_is_conditional_and_cacheable(client, make):
    make.event()
    response = client.get("/events/feed.atom")
    assert response.cache_control.public and response.cache_control.max_age == 300
    again = client.get(
        "/events/feed.atom", headers={"If-Modified-Since": response.headers["Last-Modified"]}
    )
    assert again.status_code == 304


def test_feed_costs_the_same_queries_for_3_and_40_events(client, count_queries):
    def measure() -> int:
        client.get("/events/feed.rss")
        with count_queries() as counter:
            assert client.get("/events/feed.rss").status_code == 200
        return counter.count

    bulk_events(3)
    small = measure()
    bulk_events(37, days=4)
    large = measure()
    assert len(read(client, "rss").entries) == 20
    assert small == large == 4  # settings, private groups, events, organizers
