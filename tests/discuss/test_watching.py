"""Following topics and categories, and the notifications a new post sends."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from plugins.discuss.models import Access, CategoryUser, NotificationLevel, TopicUser
from plugins.discuss.services import watching
from space.accounts import groups
from space.db import db
from space.notify import Notification, describe
from space.trust import TrustLevel
from tests import factories

WATCHING = NotificationLevel.WATCHING


def kinds(user):
    """{kind: count} of ``user``'s notifications."""
    found: dict[str, int] = {}
    for note in db.session.scalars(select(Notification).where(Notification.user_id == user.id)):
        found[note.kind] = found.get(note.kind, 0) + 1
    return found


def state(user, topic):
    db.session.expire_all()
    return db.session.scalar(
        select(TopicUser).where(TopicUser.user_id == user.id, TopicUser.topic_id == topic.id)
    )


def test_defaults_watch_own_topics_and_track_replies(app, make):
    author, replier = factories.user(), factories.user()
    topic = make.topic(author)
    assert state(author, topic).notification_level == WATCHING
    make.reply(topic, replier)
    assert state(replier, topic).notification_level == NotificationLevel.TRACKING
    # Replying to one's own topic keeps watching; a muted topic stays muted.
    make.reply(topic, author)
    assert state(author, topic).notification_level == WATCHING
    watching.set_topic_level(replier, topic, NotificationLevel.MUTED)
    db.session.commit()
    make.reply(topic, replier)
    assert state(replier, topic).notification_level == NotificationLevel.MUTED


def test_reply_follows_a_watched_category(app, make):
    category = make.category()
    person = factories.user()
    watching.set_category_level(person, category, WATCHING)
    db.session.commit()
    topic = make.topic(category=category)
    make.reply(topic, person)
    # Already watching through the category: not lowered to tracking.
    assert state(person, topic).notification_level is None
    assert watching.level_for(person, topic) == WATCHING


def test_levels_and_effective_level(app, make):
    category = make.category()
    topic = make.topic(category=category)
    person = factories.user()
    assert watching.level_for(person, topic) == NotificationLevel.NORMAL
    watching.set_category_level(person, category, NotificationLevel.MUTED)
    db.session.commit()
    assert watching.level_for(person, topic) == NotificationLevel.MUTED
    watching.set_topic_level(person, topic, NotificationLevel.TRACKING)
    db.session.commit()
    assert watching.level_for(person, topic) == NotificationLevel.TRACKING


def test_replied_to_the_topic_author_and_to_a_post(app, make):
    author, first_replier, second = factories.user(), factories.user(), factories.user()
    topic = make.topic(author)
    watching.set_topic_level(author, topic, NotificationLevel.NORMAL)
    db.session.commit()
    reply = make.reply(topic, first_replier)
    assert kinds(author) == {"replied": 1}
    make.reply(topic, second, reply_to=reply.post_number)
    assert kinds(first_replier) == {"replied": 1}
    assert kinds(author) == {"replied": 1}  # a reply to someone else's post
    note = db.session.scalar(select(Notification).where(Notification.user_id == first_replier.id))
    assert note.data["username"] == second.username and note.data["topic_title"] == topic.title
    with app.test_request_context():
        text, url = describe(note)
    assert url == f"/discuss/p/{note.data['post_id']}" and topic.title in text


def test_watchers_get_posted_and_the_author_never_hears_of_themselves(app, make):
    author, watcher, replier = factories.user(), factories.user(), factories.user()
    topic = make.topic(author)
    watching.set_topic_level(watcher, topic, WATCHING)
    db.session.commit()
    make.reply(topic, replier)
    assert kinds(watcher) == {"posted": 1}
    assert kinds(author) == {"replied": 1}  # the more specific kind, once
    assert kinds(replier) == {}
    make.reply(topic, author)
    assert kinds(author) == {"replied": 1}
    assert kinds(watcher) == {"posted": 2}
    assert kinds(replier) == {}  # tracking: no notification for every post


def test_mentions_and_quotes(app, make):
    author = factories.user()
    topic = make.topic(author)
    watching.set_topic_level(author, topic, NotificationLevel.NORMAL)
    db.session.commit()
    quoted_one, named, both = factories.user(), factories.user(), factories.user()
    writer = factories.user()
    raw = (
        f"> @{quoted_one.username} wrote:\n>\n> something said earlier, with @{named.username}\n\n"
        f"> @{both.username} wrote:\n> more\n\n"
        f"I agree with @{both.username.upper()}, and @{writer.username} and @nobody-here."
    )
    make.reply(topic, writer, raw=raw)
    assert kinds(quoted_one) == {"quoted": 1}
    assert kinds(named) == {}  # a mention inside a quote notifies nobody
    assert kinds(both) == {"mentioned": 1}  # mentioned beats quoted
    assert kinds(writer) == {}
    assert kinds(author) == {"replied": 1}


def test_mentioned_beats_replied_and_watching(app, make):
    author = factories.user()
    topic = make.topic(author)  # watching it
    make.reply(topic, factories.user(), raw=f"Hello @{author.username}, a long enough reply.")
    assert kinds(author) == {"mentioned": 1}


def test_muted_people_hear_nothing(app, make):
    author, muter = factories.user(), factories.user()
    topic = make.topic(author)
    watching.set_topic_level(author, topic, NotificationLevel.MUTED)
    watching.set_topic_level(muter, topic, NotificationLevel.MUTED)
    db.session.commit()
    reply = make.reply(topic, factories.user(), raw=f"Dear @{muter.username}, long enough text.")
    make.reply(topic, factories.user(), reply_to=reply.post_number)
    assert kinds(author) == {} and kinds(muter) == {}
    # A muted category mutes its topics too.
    category = make.category()
    watching.set_category_level(muter, category, NotificationLevel.MUTED)
    db.session.commit()
    other = make.topic(category=category)
    make.reply(other, factories.user(), raw=f"Dear @{muter.username}, long enough text.")
    assert kinds(muter) == {}


def test_category_watchers_hear_of_new_topics_and_replies(app, make):
    category = make.category()
    watcher, tracker = factories.user(), factories.user()
    watching.set_category_level(watcher, category, WATCHING)
    watching.set_category_level(tracker, category, NotificationLevel.TRACKING)
    db.session.commit()
    topic = make.topic(category=category)
    assert kinds(watcher) == {"new_topic": 1}
    make.reply(topic)
    assert kinds(watcher) == {"new_topic": 1, "posted": 1}
    assert kinds(tracker) == {}
    # Their own level on the topic wins over the category's.
    watching.set_topic_level(watcher, topic, NotificationLevel.NORMAL)
    db.session.commit()
    make.reply(topic)
    assert kinds(watcher) == {"new_topic": 1, "posted": 1}


def test_nobody_outside_a_private_category_is_notified(app, make):
    members = factories.group()
    category = make.category(groups={members: Access.CREATE})
    insider, outsider, watcher_outside = factories.user(), factories.user(), factories.user()
    groups.add_member(members, insider)
    db.session.commit()
    # The outsider once watched the category (e.g. before it became private).
    for person in (outsider, watcher_outside):
        db.session.add(CategoryUser(user_id=person.id, category_id=category.id,
                                    notification_level=int(WATCHING)))  # fmt: skip
    db.session.commit()
    topic = make.topic(insider, category,
                       raw=f"Hello @{outsider.username} and everybody, welcome here.")  # fmt: skip
    make.reply(topic, factories.admin(), raw=f"> @{outsider.username} wrote:\n> hi\n\nYes indeed.")
    assert kinds(outsider) == {} and kinds(watcher_outside) == {}
    assert kinds(insider) == {"replied": 1}


def test_fan_out_costs_a_fixed_number_of_queries(app, make, count_queries):
    members = factories.group()
    category = make.category(groups={members: Access.CREATE})
    author = factories.user()
    groups.add_member(members, author)
    topic = make.topic(author, category)
    db.session.commit()

    def watchers(n):
        people = [factories.user(commit=False) for _ in range(n)]
        db.session.flush()
        for person in people:
            groups.add_member(members, person)
            db.session.add(TopicUser(user_id=person.id, topic_id=topic.id,
                                     notification_level=int(WATCHING)))  # fmt: skip
        db.session.commit()
        return people

    last = []

    def reply_counting():
        from plugins.discuss.services import posting

        writer = factories.user()
        groups.add_member(members, writer)
        db.session.commit()
        with app.test_request_context():
            for key in [k for k in g if k.startswith(("discuss_", "space_"))]:
                g.pop(key)
            with count_queries() as counter:
                post = posting.create_post(writer, topic, "A long enough reply to count queries.")
            watching_queries = len(counter.statements)
            last[:] = counter.statements
        db.session.commit()
        return watching_queries, post

    watchers(2)
    reply_counting()  # warm the site's caches
    few, _ = reply_counting()
    first = list(last)
    crowd = watchers(12)
    many, _ = reply_counting()
    assert many == few, "\n".join(first) + "\n=====\n" + "\n".join(last)
    assert all(kinds(person) == {"posted": 1} for person in crowd)


# --- through HTTP ----------------------------------------------------------------------------


def test_topic_notifications_endpoint(client, login, post, make):
    topic = make.topic()
    person = factories.user()
    login(person)
    response = post(f"/discuss/t/{topic.id}/notifications", {"level": "3"})
    assert response.status_code == 302
    assert f"/{topic.id}" in response.headers["Location"]
    assert state(person, topic).notification_level == WATCHING
    response = post(
        f"/discuss/t/{topic.id}/notifications", {"level": "0"},
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert response.get_json() == {"ok": True, "level": 0}
    assert post(f"/discuss/t/{topic.id}/notifications", {"level": "9"}).status_code == 400
    assert post(f"/discuss/t/{topic.id}/notifications", {"level": "x"}).status_code == 400
    assert state(person, topic).notification_level == NotificationLevel.MUTED
    assert post("/discuss/t/999999/notifications", {"level": "3"}).status_code == 404


def test_category_notifications_endpoint(client, login, post, make):
    category = make.category()
    person = factories.user()
    login(person)
    response = post(f"/discuss/c/{category.slug}/notifications", {"level": "2"})
    assert response.status_code == 302
    level = db.session.scalar(select(CategoryUser.notification_level))
    assert level == NotificationLevel.TRACKING
    assert post("/discuss/c/no-such-thing/notifications", {"level": "2"}).status_code == 404


def test_notification_endpoints_anonymous_and_private(client, login, post, make):
    members = factories.group()
    category = make.category(groups={members: Access.CREATE})
    topic = make.topic(factories.admin(), category)
    for path in (f"/discuss/t/{topic.id}/notifications",
                 f"/discuss/c/{category.slug}/notifications"):  # fmt: skip
        response = post(path, {"level": "3"})
        assert response.status_code in {302, 401}
        assert "/login" in response.headers.get("Location", "/login")
    login(factories.user(trust_level=TrustLevel.LEADER))
    assert post(f"/discuss/t/{topic.id}/notifications", {"level": "3"}).status_code == 404
    assert post(f"/discuss/c/{category.slug}/notifications", {"level": "3"}).status_code == 404
    assert db.session.scalars(select(CategoryUser)).all() == []
