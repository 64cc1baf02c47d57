"""Likes: who may, the daily cap, undo within the window, counters, stats, notifications."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugins.discuss import settings
from plugins.discuss.models import NotificationLevel, Post, PostLike, Topic, UserStats
from plugins.discuss.services import social, watching
from plugins.discuss.services.posting import DiscussError
from space.db import db, utcnow
from space.notify import Notification
from space.trust import TrustLevel
from tests import factories
from tests.conftest import PG_URL


def _notes(user, kind="liked"):
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
        )
    )


def _fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def test_like_counts_stats_and_notifies(app, make):
    author = factories.user(trust_level=TrustLevel.MEMBER)
    liker = factories.user(trust_level=TrustLevel.BASIC)
    topic = make.topic(author)
    reply = make.reply(topic, author)
    assert social.like(liker, reply) is True
    db.session.commit()
    assert _fresh(Post, reply.id).like_count == 1
    assert _fresh(Topic, topic.id).like_count == 1
    assert db.session.get(UserStats, liker.id).likes_given == 1
    assert db.session.get(UserStats, author.id).likes_received == 1
    [note] = _notes(author)
    assert note.data["post_id"] == reply.id and note.data["topic_id"] == topic.id
    assert note.data["post_number"] == reply.post_number
    assert note.data["username"] == liker.username and note.data["topic_title"] == topic.title


def test_own_post_refused(app, make):
    author = factories.user()
    topic = make.topic(author)
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    with pytest.raises(DiscussError):
        social.like(author, first)
    assert db.session.scalar(select(func.count(PostLike.id))) == 0


def test_deleted_post_refused(app, make):
    topic = make.topic()
    reply = make.reply(topic)
    reply.deleted_at = utcnow()
    db.session.commit()
    with pytest.raises(DiscussError):
        social.like(factories.user(), reply)


def test_double_like_is_a_noop(app, make):
    topic = make.topic()
    reply = make.reply(topic)
    liker = factories.user()
    assert social.like(liker, reply) is True
    db.session.commit()
    assert social.like(liker, reply) is False
    db.session.commit()
    assert _fresh(Post, reply.id).like_count == 1
    assert db.session.get(UserStats, liker.id).likes_given == 1
    assert len(_notes(reply.user if "user" in reply.__dict__ else _author(reply))) == 1


def _author(post):
    from space.accounts.models import User

    return db.session.get(User, post.user_id)


def test_undo_within_window_and_refused_after(app, make):
    topic = make.topic()
    reply = make.reply(topic)
    liker = factories.user()
    social.like(liker, reply)
    db.session.commit()
    assert social.unlike(liker, reply) is True
    db.session.commit()
    assert _fresh(Post, reply.id).like_count == 0
    assert _fresh(Topic, topic.id).like_count == 0
    assert db.session.get(UserStats, liker.id).likes_given == 0
    assert db.session.get(UserStats, reply.user_id).likes_received == 0
    # Liking again does not notify twice.
    social.like(liker, reply)
    db.session.commit()
    assert len(_notes(_author(reply))) == 1
    row = db.session.scalar(select(PostLike).where(PostLike.user_id == liker.id))
    row.created_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    with pytest.raises(DiscussError):
        social.unlike(liker, reply)
    assert _fresh(Post, reply.id).like_count == 1


def test_unlike_without_like_is_a_noop(app, make):
    reply = make.reply(make.topic())
    assert social.unlike(factories.user(), reply) is False


@pytest.mark.parametrize(
    ("level", "cap"),
    [
        (TrustLevel.BASIC, 3),
        (TrustLevel.MEMBER, 4),
        (TrustLevel.REGULAR, 6),
        (TrustLevel.LEADER, 9),
    ],
)
def test_daily_cap_with_multipliers(app, make, level, cap):
    settings.put("daily_likes", 3)
    db.session.commit()
    liker = factories.user(trust_level=level)
    topic = make.topic()
    replies = [make.reply(topic) for _ in range(cap + 1)]
    for reply in replies[:cap]:
        assert social.like(liker, reply)
    db.session.commit()
    with pytest.raises(DiscussError) as refused:
        social.like(liker, replies[cap])
    assert refused.value.retry_at is not None
    # Likes older than a day no longer count.
    db.session.rollback()
    for row in db.session.scalars(select(PostLike).where(PostLike.user_id == liker.id)):
        row.created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    assert social.like(liker, replies[cap])


def test_liked_notifications_are_consolidated(app, make):
    author = factories.user()
    topic = make.topic(author)
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    a, b = factories.user(), factories.user()
    social.like(a, first)
    social.like(b, first)
    db.session.commit()
    [note] = _notes(author)
    assert note.data["count"] == 2 and note.data["username"] == b.username
    from space.notify import describe

    with app.test_request_context():
        text, url = describe(note)
    assert url == f"/discuss/p/{first.id}"
    assert b.name in text


def test_no_like_notification_when_muted(app, make):
    author = factories.user()
    topic = make.topic(author)
    reply = make.reply(topic, author)
    watching.set_topic_level(author, topic, NotificationLevel.MUTED)
    db.session.commit()
    social.like(factories.user(), reply)
    db.session.commit()
    assert _notes(author) == []
    assert _fresh(Post, reply.id).like_count == 1


def test_like_calls_maybe_promote(app, make, monkeypatch):
    from plugins.discuss.services import trust

    seen = []
    monkeypatch.setattr(trust, "maybe_promote", lambda user: seen.append(user.id))
    author = factories.user()
    reply = make.reply(make.topic(), author)
    liker = factories.user()
    social.like(liker, reply)
    assert sorted(seen) == sorted([liker.id, author.id])


# --- through HTTP ----------------------------------------------------------------------------


def test_like_and_unlike_endpoints(client, login, post, make):
    author = factories.user()
    reply = make.reply(make.topic(), author)
    liker = factories.user()
    login(liker)
    response = post(f"/discuss/p/{reply.id}/like")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/discuss/p/{reply.id}")
    assert _fresh(Post, reply.id).like_count == 1
    response = post(f"/discuss/p/{reply.id}/unlike", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "liked": False, "like_count": 0}
    response = post(f"/discuss/p/{reply.id}/like", headers={"Accept": "application/json"})
    assert response.get_json()["like_count"] == 1


def test_like_own_post_endpoint_refused(client, login, post, make):
    author = factories.user()
    reply = make.reply(make.topic(), author)
    login(author)
    response = post(f"/discuss/p/{reply.id}/like")
    assert response.status_code in {403, 422}
    assert _fresh(Post, reply.id).like_count == 0


def test_unlike_too_late_endpoint(client, login, post, make):
    reply = make.reply(make.topic())
    liker = factories.user()
    social.like(liker, reply)
    db.session.commit()
    row = db.session.scalar(select(PostLike))
    row.created_at = utcnow() - timedelta(minutes=30)
    db.session.commit()
    login(liker)
    response = post(f"/discuss/p/{reply.id}/unlike")
    assert response.status_code == 422
    assert b"post-action-refused" in response.data
    response = post(f"/discuss/p/{reply.id}/unlike", headers={"Accept": "application/json"})
    assert response.status_code == 422 and response.get_json()["error"]
    assert _fresh(Post, reply.id).like_count == 1


def test_like_anonymous_redirects_to_login(client, post, make):
    reply = make.reply(make.topic())
    response = post(f"/discuss/p/{reply.id}/like")
    assert response.status_code in {302, 401}
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
    assert _fresh(Post, reply.id).like_count == 0


def test_like_missing_post_404(client, login, post):
    login(factories.user())
    assert post("/discuss/p/999999/like").status_code == 404


@pytest.mark.skipif(not PG_URL, reason="concurrency needs PostgreSQL")
def test_concurrent_likes_keep_the_count(app, make):
    reply = make.reply(make.topic())
    likers = [factories.user() for _ in range(6)]
    ids = [u.id for u in likers]
    barrier = threading.Barrier(len(ids) * 2)
    errors = []

    def run(user_id):
        from space.accounts.models import User

        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                target = db.session.get(Post, reply.id)
                barrier.wait(timeout=10)
                social.like(user, target)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(uid,)) for uid in ids + ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    rows = db.session.scalar(select(func.count(PostLike.id)).where(PostLike.post_id == reply.id))
    assert rows == len(ids)
    assert _fresh(Post, reply.id).like_count == rows
