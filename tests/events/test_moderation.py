"""Events in the one review queue: flagging an event (/events/<id>/flag), the "events.event"
review handler, and what the queue's decisions do (hide: out of every list for everyone but
its organizers and staff, its topic closed; disagree: shown again; delete: cancelled and
hidden, undone by a restore)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugins.discuss.models import Topic
from plugins.events import moderation
from plugins.events.models import EventStatus, Mode
from plugins.events.services import registration
from space.db import db
from space.moderation import decisions, services
from space.moderation.handlers import handler_for
from space.moderation.models import Flag, ReviewItem
from space.notify import Notification
from space.trust import TrustLevel
from tests import factories
from tests.conftest import csrf_token

from .conftest import reload
from .test_api import API, bearer


@pytest.fixture
def reader(app):
    return factories.user("reader", trust_level=TrustLevel.MEMBER, locale="en")


def _flag(client, event_id, data):
    return client.post(f"/events/{event_id}/flag",
                       data={"csrf_token": csrf_token(client, "/"), **data})  # fmt: skip


def _item(event) -> ReviewItem:
    return db.session.scalar(select(ReviewItem).where(ReviewItem.item_type == "events.event",
                                                      ReviewItem.item_id == event.id))  # fmt: skip


def _decide(item: ReviewItem, action: str, moderator) -> None:
    decisions.decide(moderator, item, action, version=item.version)
    db.session.commit()


def _listed(client, headers=None) -> set[int]:
    body = client.get(f"{API}/events", headers=headers or {}).get_json()
    return {item["id"] for item in body["items"]}


def test_the_handler_is_registered_and_describes_an_event(app, make):
    event = make.event(title="A meetup readers may flag", venue="The library")
    handler = handler_for("events.event")
    assert isinstance(handler, moderation.EventHandler)
    loaded = handler.load(event.id)
    snap = handler.snapshot(loaded)
    assert snap.title == "A meetup readers may flag" and snap.html == event.cooked
    assert snap.url == f"/events/{event.id}/{event.slug}"
    assert "The library" in snap.context and "Sweden" in snap.context
    assert handler.author_id(loaded) == event.user_id
    assert handler.author_trust_level(loaded) == int(TrustLevel.BASIC)
    assert handler.version(loaded) == 1
    assert handler.edit_url(loaded) == f"/events/{event.id}/edit"
    assert handler.load(999_999) is None
    online = make.event(mode=Mode.ONLINE, meeting_url="https://meet.example.org/m")
    assert handler.snapshot(handler.load(online.id)).context == "Online"


def test_a_reader_flags_an_event_and_moderators_see_it(client, login, make, reader):
    event = make.event(title="A suspicious meetup")
    login(reader)
    form = client.get(f"/events/{event.id}/flag")
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert 'id="flag-inappropriate"' in page and 'id="flag-message_author"' in page
    assert "A suspicious meetup" in page and 'name="take_action"' not in page
    assert "It does not belong in this calendar" in page
    response = _flag(client, event.id, {"reason": "spam", "message": "An advert."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.id}/{event.slug}")
    flag = db.session.scalar(select(Flag))
    assert (flag.user_id, flag.reason, flag.item_type, flag.item_id) == (
        reader.id, "spam", "events.event", event.id)  # fmt: skip
    item = _item(event)
    assert item.snapshot["title"] == "A suspicious meetup" and item.scope == ""
    assert reload(event).hidden_at is None  # one flag does not hide
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(make.moderator())
    queue = client.get("/review/").get_data(as_text=True)
    assert "A suspicious meetup" in queue and "Event" in queue
    assert client.get(f"/review/{item.id}").status_code == 200


def test_bad_flags_are_refused_with_what_was_typed(client, login, make, reader):
    event = make.event()
    login(reader)
    response = _flag(client, event.id, {"reason": "", "message": "Kept text"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose a reason." in page and "Kept text" in page
    response = _flag(client, event.id, {"reason": "illegal", "message": ""})
    assert response.status_code == 422 and "Please say what is wrong." in response.get_data(
        as_text=True)  # fmt: skip
    assert _flag(client, event.id, {"reason": "bogus"}).status_code == 422
    assert db.session.scalar(select(Flag)) is None


def test_who_may_not_flag(client, login, make, reader):
    organizer, helper = make.organizer(), make.member()
    event = make.event(organizer, organizers=[helper.username])
    secret = make.private_group_event(title="The board's retreat")
    response = client.get(f"/events/{event.id}/flag")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(f"/events/{secret.id}/flag").status_code == 404
    for who in (organizer, helper):
        login(who)
        assert client.get(f"/events/{event.id}/flag").status_code == 403
        assert _flag(client, event.id, {"reason": "spam"}).status_code == 403
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(reader)
    assert client.get("/events/999999/flag").status_code == 404
    assert client.get(f"/events/{secret.id}/flag").status_code == 404
    assert _flag(client, secret.id, {"reason": "spam"}).status_code == 404
    with pytest.raises(services.NotFound):
        services.flag(reader, "events.event", secret.id, "spam")
    assert db.session.scalar(select(Flag)) is None


def test_the_flag_link_shows_to_those_who_may_flag(app, make, reader):
    from flask_login import login_user, logout_user

    from plugins.events.views.flags import may_flag

    organizer = make.organizer()
    event = make.event(organizer)
    with app.test_request_context():
        assert may_flag(event) is False  # signed out
        login_user(reader)
        assert may_flag(event) is True and may_flag(None) is False
        logout_user()
        login_user(organizer)
        assert may_flag(event) is False
    rendered = app.jinja_env.globals["events_may_flag"]
    assert rendered is may_flag


def test_agreeing_to_hide_takes_the_event_out_of_every_list(client, make, reader):
    organizer, participant = make.organizer(), make.member()
    event = make.event(organizer, title="Hidden after flags")
    registration.register(participant, reload(event), "going")
    db.session.commit()
    topic_id = event.topic_id
    services.flag(reader, "events.event", event.id, "inappropriate", "")
    db.session.commit()
    _decide(_item(event), "agree_hide", make.moderator())

    hidden = reload(event)
    assert hidden.hidden_at is not None and hidden.status == EventStatus.SCHEDULED
    topic = db.session.get(Topic, topic_id)
    assert topic.closed and not topic.listed
    assert event.id not in _listed(client)
    assert event.id not in _listed(client, bearer(participant))
    assert client.get(f"{API}/events/{event.id}").status_code == 404
    assert client.get(f"/events/{event.id}/{event.slug}").status_code == 404
    assert client.get(f"{API}/events/{event.id}", headers=bearer(organizer)).status_code == 200
    detail = client.get(f"{API}/events/{event.id}", headers=bearer(make.admin())).get_json()
    assert detail["hidden"] is True
    geo = client.get(f"{API}/events.geojson").get_json()
    assert event.id not in {f["id"] for f in geo["features"]}
    told = db.session.scalar(
        select(Notification).where(
            Notification.user_id == organizer.id, Notification.kind == "content_hidden"
        )
    )
    assert told is not None


def test_a_staff_flag_hides_at_once_and_disagreeing_shows_it_again(client, make):
    event = make.event(title="Shown again")
    moderator = make.moderator()
    services.flag(moderator, "events.event", event.id, "inappropriate", "", take_action=True)
    db.session.commit()
    assert reload(event).hidden_at is not None
    assert event.id not in _listed(client)
    _decide(_item(event), "disagree", moderator)
    shown = reload(event)
    assert shown.hidden_at is None and shown.status == EventStatus.SCHEDULED
    assert event.id in _listed(client)
    topic = db.session.get(Topic, event.topic_id)
    assert not topic.closed and topic.listed


def test_deleting_cancels_and_hides_and_a_restore_undoes_it(client, make, reader):
    participant = make.member()
    event = make.event(title="Removed by moderators")
    registration.register(participant, reload(event), "going")
    db.session.commit()
    services.flag(reader, "events.event", event.id, "spam", "")
    db.session.commit()
    item = _item(event)
    _decide(item, "agree_delete", make.moderator())
    removed = reload(event)
    assert removed.status == EventStatus.CANCELLED and removed.hidden_at is not None
    assert removed.cancel_reason == "Removed by the moderators."
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == participant.id, Notification.kind == "events.cancelled"
        )
    )
    assert event.id not in _listed(client)

    handler = handler_for("events.event")
    assert handler.restore(handler.load(event.id), by=factories.admin("boss")) is True
    db.session.commit()
    back = reload(event)
    assert back.status == EventStatus.SCHEDULED and back.hidden_at is None
    assert back.cancel_reason == "" and back.sequence == 2
    assert event.id in _listed(client)
    again = handler.load(event.id)
    assert handler.restore(again, by=factories.admin("boss2")) is False


def test_a_restore_never_uncancels_what_its_organizers_cancelled(app, make):
    from plugins.events.services import events

    organizer = make.organizer()
    event = make.event(organizer)
    events.cancel(organizer, reload(event), "Rain")
    db.session.commit()
    handler = handler_for("events.event")
    moderator = make.moderator()
    assert handler.delete(handler.load(event.id), by=moderator) is True
    db.session.commit()
    assert handler.restore(handler.load(event.id), by=moderator) is True
    db.session.commit()
    back = reload(event)
    assert back.status == EventStatus.CANCELLED and back.cancel_reason == "Rain"
    assert back.hidden_at is None
