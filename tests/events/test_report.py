"""The event report: only once the event is over, cooked at write time, links checked,
participants told once; the report form keeps what was typed when it refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugins.events.models import Answer, Registration
from plugins.events.services import registration
from plugins.events.services.events import EventError, cancel
from space.accounts.models import User
from space.audit import AuditEntry
from space.db import db
from space.notify import Notification

from .conftest import reload


def organizer_of(event) -> User:
    return db.session.get(User, event.user_id)


def told(user, kind="events.report") -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.kind == kind
        )
    )


def past_with_people(make, n=2):
    """A past event with ``n`` people going (registered while it was ahead)."""
    event = make.past_event()
    people = [make.member() for _ in range(n)]
    for person in people:
        db.session.add(Registration(event_id=event.id, user_id=person.id, answer=Answer.GOING))
    db.session.commit()
    return event, people


# --- the service ------------------------------------------------------------------------------


def test_publish_report_after_the_event(make):
    event, people = past_with_people(make)
    first = registration.publish_report(
        organizer_of(event), reload(event), 23, "We wrote **12** articles.",
        ["https://example.org/photos", " ", "https://example.org/photos", "http://x.org/a"],
    )  # fmt: skip
    db.session.commit()
    assert first is True
    event = reload(event)
    assert "<strong>12</strong>" in event.report_cooked
    assert event.report_attendance == 23
    assert event.report_links == ["https://example.org/photos", "http://x.org/a"]
    assert event.report_published_at is not None
    assert [told(p) for p in people] == [1, 1]
    again = registration.publish_report(organizer_of(event), event, 24, "Corrected.", [])
    db.session.commit()
    assert again is False
    assert reload(event).report_cooked.startswith("<p>Corrected.")
    assert [told(p) for p in people] == [1, 1]  # told once


def test_no_report_before_the_end_or_for_a_cancelled_event(make):
    event = make.event()
    with pytest.raises(EventError, match="once the event is over"):
        registration.publish_report(organizer_of(event), event, 3, "Too early", [])
    ongoing = make.event(days=-1)
    ongoing.last_end_at = ongoing.end_at = ongoing.end_at + timedelta(days=3)
    db.session.commit()
    with pytest.raises(EventError, match="once the event is over"):
        registration.publish_report(organizer_of(ongoing), reload(ongoing), 3, "Ongoing", [])
    past = make.past_event()
    cancel(organizer_of(past), reload(past), "Nobody came")
    db.session.commit()
    with pytest.raises(EventError, match="cancelled"):
        registration.publish_report(organizer_of(past), reload(past), 0, "Body", [])
    assert reload(event).report_published_at is None


@pytest.mark.parametrize("links", [
    ["javascript:alert(1)"], ["ftp://example.org/file"], ["https://"], ["example.org"],
    ["https://example.org/a b"], [f"https://example.org/{n}" for n in range(11)],
    ["https://example.org/" + "a" * 500],
])  # fmt: skip
def test_report_links_are_checked(make, links):
    event = make.past_event()
    with pytest.raises(EventError) as error:
        registration.publish_report(organizer_of(event), event, None, "Body", links)
    assert error.value.field == "links"


@pytest.mark.parametrize("attendance,body,field", [
    (-1, "Body", "attendance"), (10**7, "Body", "attendance"), (5, "   ", "body"),
    (5, "x" * 20_001, "body"),
])  # fmt: skip
def test_report_input_is_checked(make, attendance, body, field):
    event = make.past_event()
    with pytest.raises(EventError) as error:
        registration.publish_report(organizer_of(event), event, attendance, body, [])
    assert error.value.field == field


def test_staff_writing_a_report_is_audited(make):
    event = make.past_event()
    registration.publish_report(make.admin(), reload(event), None, "By staff", [])
    db.session.commit()
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "events.event.report" in actions


# --- the form -----------------------------------------------------------------------------------


def test_report_form_publishes(make, client, login, post):
    event, people = past_with_people(make, 1)
    login(organizer_of(event))
    path = f"/events/{event.id}/report"
    page = client.get(path)
    assert page.status_code == 200 and 'name="body"' in page.get_data(as_text=True)
    response = post(path, {"attendance": "12", "body": "We *edited*.",
                           "links": "https://example.org/a\n\nhttps://example.org/b"},
                    token_from=path)  # fmt: skip
    assert response.status_code == 302
    assert response.location.endswith(f"/events/{event.id}/{event.slug}#report")
    event = reload(event)
    assert event.report_attendance == 12 and "<em>edited</em>" in event.report_cooked
    assert event.report_links == ["https://example.org/a", "https://example.org/b"]
    assert told(people[0]) == 1
    html = client.get(path).get_data(as_text=True)
    assert "We *edited*." in html and "https://example.org/b" in html


def test_report_form_before_the_end_keeps_the_text(make, client, login, post):
    event = make.event()
    login(organizer_of(event))
    path = f"/events/{event.id}/report"
    assert "once the event is over" in client.get(path).get_data(as_text=True)
    response = post(path, {"body": "Typed before the end", "attendance": "4"}, token_from=path)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Typed before the end" in html and "once the event is over" in html
    assert reload(event).report == ""


def test_report_form_errors_keep_the_text(make, client, login, post):
    event = make.past_event()
    login(organizer_of(event))
    path = f"/events/{event.id}/report"
    response = post(path, {"body": "Kept text", "attendance": "lots"}, token_from=path)
    assert response.status_code == 422
    assert "Kept text" in response.get_data(as_text=True)
    response = post(path, {"body": "Kept again", "links": "javascript:alert(1)"},
                    token_from=path)  # fmt: skip
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Kept again" in html and "javascript:alert(1)" in html
    assert reload(event).report == ""


def test_report_form_is_404_for_everyone_else(make, client, login, post):
    event = make.past_event()
    person = make.member()
    db.session.add(Registration(event_id=event.id, user_id=person.id, answer=Answer.GOING))
    db.session.commit()
    login(person)
    path = f"/events/{event.id}/report"
    assert client.get(path).status_code == 404
    assert post(path, {"body": "Not mine"}).status_code == 404
    assert reload(event).report == ""
