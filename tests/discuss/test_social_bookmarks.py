"""Bookmarks: names, reminders in the viewer's time zone, the list, the reminder job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from plugins.discuss.models import Access, Bookmark, Post
from plugins.discuss.services import social
from plugins.discuss.services.posting import DiscussError
from space import jobs
from space.db import db, utcnow
from space.notify import Notification
from space.trust import TrustLevel
from tests import factories


def _reminders(user):
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == user.id, Notification.kind == "bookmark_reminder"
            )
        )
    )


def _private_category(make):
    members = factories.group()
    return make.category(groups={members: Access.CREATE}), members


def test_bookmark_create_edit_remove(app, make):
    reply = make.reply(make.topic())
    reader = factories.user()
    row = social.bookmark(reader, reply, name="  read   later ")
    db.session.commit()
    assert row.name == "read later" and row.reminder_at is None
    when = utcnow() + timedelta(days=1)
    social.bookmark(reader, reply, name="", reminder_at=when)
    db.session.commit()
    [row] = db.session.scalars(select(Bookmark)).all()
    assert row.name == "" and row.reminder_at == when.replace(microsecond=when.microsecond)
    assert social.unbookmark(reader, reply) is True
    db.session.commit()
    assert db.session.scalars(select(Bookmark)).all() == []
    assert social.unbookmark(reader, reply) is False


def test_bookmark_refuses_a_reminder_in_the_past(app, make):
    reply = make.reply(make.topic())
    with pytest.raises(DiscussError) as refused:
        social.bookmark(factories.user(), reply, reminder_at=utcnow() - timedelta(minutes=1))
    assert refused.value.field == "reminder_at"


def test_to_utc_uses_the_zone():
    local = datetime(2030, 7, 1, 9, 30)
    assert social.to_utc(local, "Europe/Paris") == datetime(2030, 7, 1, 7, 30, tzinfo=UTC)
    assert social.to_utc(None, "Europe/Paris") is None


def test_reminder_job_sends_once(app, make):
    reply = make.reply(make.topic())
    reader = factories.user()
    social.bookmark(reader, reply, name="Look again", reminder_at=utcnow() + timedelta(hours=1))
    db.session.commit()
    assert social.send_reminders() == 0
    row = db.session.scalar(select(Bookmark))
    row.reminder_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert social.send_reminders() == 1
    assert social.send_reminders() == 0
    [note] = _reminders(reader)
    assert note.data["post_id"] == reply.id and note.data["bookmark_name"] == "Look again"
    db.session.expire_all()
    assert db.session.scalar(select(Bookmark)).reminded_at is not None


def test_reminder_job_runs_from_the_scheduler(app, make):
    reply = make.reply(make.topic())
    reader = factories.user()
    db.session.add(
        Bookmark(user_id=reader.id, post_id=reply.id, reminder_at=utcnow() - timedelta(seconds=5))
    )
    db.session.commit()
    assert "discuss.bookmark_reminders" in jobs.run_due({"discuss.bookmark_reminders"})
    assert len(_reminders(reader)) == 1


def test_no_reminder_for_posts_no_longer_readable(app, make):
    category, members = _private_category(make)
    insider = factories.user()
    from space.accounts import groups

    groups.add_member(members, insider)
    db.session.commit()
    topic = make.topic(insider, category)
    reply = make.reply(topic, insider)
    social.bookmark(insider, reply, reminder_at=utcnow() + timedelta(hours=1))
    db.session.commit()
    groups.remove_member(members, insider)
    row = db.session.scalar(select(Bookmark))
    row.reminder_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert social.send_reminders() == 0
    assert _reminders(insider) == []
    # Handled: not looked at again.
    assert db.session.scalar(select(Bookmark)).reminded_at is not None


def test_no_reminder_for_deleted_posts(app, make):
    reply = make.reply(make.topic())
    reader = factories.user()
    db.session.add(
        Bookmark(user_id=reader.id, post_id=reply.id, reminder_at=utcnow() - timedelta(seconds=5))
    )
    reply.deleted_at = utcnow()
    db.session.commit()
    assert social.send_reminders() == 0


# --- through HTTP ----------------------------------------------------------------------------


def test_bookmark_form_interprets_the_viewers_zone(client, login, post, make):
    reply = make.reply(make.topic())
    reader = factories.user()
    reader.timezone = "America/New_York"
    db.session.commit()
    login(reader)
    page = client.get(f"/discuss/p/{reply.id}/bookmark")
    assert page.status_code == 200
    response = post(
        f"/discuss/p/{reply.id}/bookmark",
        {"name": "Answer this", "reminder_at": "2099-01-15T09:00"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/discuss/p/{reply.id}")
    row = db.session.scalar(select(Bookmark))
    assert row.name == "Answer this"
    assert row.reminder_at == datetime(2099, 1, 15, 14, 0, tzinfo=UTC)
    # The form shows it back in the person's zone.
    page = client.get(f"/discuss/p/{reply.id}/bookmark").get_data(as_text=True)
    assert 'value="2099-01-15T09:00"' in page


def test_bookmark_form_errors_keep_what_was_typed(client, login, post, make):
    reply = make.reply(make.topic())
    login(factories.user())
    response = post(
        f"/discuss/p/{reply.id}/bookmark", {"name": "Keep me", "reminder_at": "2000-01-01T10:00"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Keep me"' in html and "2000-01-01T10:00" in html
    response = post(
        f"/discuss/p/{reply.id}/bookmark", {"name": "Keep me", "reminder_at": "tomorrow"}
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Bookmark)) is None


def test_bookmark_json_and_unbookmark(client, login, post, make):
    reply = make.reply(make.topic())
    login(factories.user())
    response = post(
        f"/discuss/p/{reply.id}/bookmark", {"name": "x"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.get_json()["bookmarked"] is True
    response = post(f"/discuss/p/{reply.id}/unbookmark", headers={"Accept": "application/json"})
    assert response.get_json() == {"ok": True, "bookmarked": False}
    assert db.session.scalar(select(Bookmark)) is None


def test_bookmarks_page_lists_only_readable(client, login, make, count_queries):
    category, members = _private_category(make)
    reader = factories.user(trust_level=TrustLevel.BASIC)
    outsider_topic = make.topic(category=category, user=factories.admin())
    secret = db.session.scalar(select(Post).where(Post.topic_id == outsider_topic.id))
    db.session.add(Bookmark(user_id=reader.id, post_id=secret.id, name="secret-one"))
    for n in range(3):
        reply = make.reply(make.topic(title=f"A readable topic number {n}"))
        db.session.add(Bookmark(user_id=reader.id, post_id=reply.id, name=f"open-{n}"))
    db.session.commit()
    login(reader)
    client.get("/discuss/bookmarks")  # warm caches (site settings…)
    with count_queries() as few:
        page = client.get("/discuss/bookmarks")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "open-0" in html and "open-2" in html
    assert "secret-one" not in html and outsider_topic.title not in html
    for n in range(3, 8):
        reply = make.reply(make.topic(title=f"A readable topic number {n}"))
        db.session.add(Bookmark(user_id=reader.id, post_id=reply.id, name=f"open-{n}"))
    db.session.commit()
    with count_queries() as more:
        assert client.get("/discuss/bookmarks").status_code == 200
    assert more.count == few.count


def test_bookmark_endpoints_anonymous_and_private(client, login, post, make):
    category, _members = _private_category(make)
    topic = make.topic(factories.admin(), category)
    secret = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    for path in (f"/discuss/p/{secret.id}/bookmark", "/discuss/bookmarks"):
        response = client.get(path)
        assert response.status_code in {302, 401}
    response = post(f"/discuss/p/{secret.id}/bookmark", {"name": "x"})
    assert response.status_code in {302, 401}
    login(factories.user())
    assert client.get(f"/discuss/p/{secret.id}/bookmark").status_code == 404
    assert post(f"/discuss/p/{secret.id}/bookmark", {"name": "x"}).status_code == 404
    assert post(f"/discuss/p/{secret.id}/unbookmark").status_code == 404
    assert db.session.scalar(select(Bookmark)) is None
