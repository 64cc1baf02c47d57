"""No lost or doubled writes under concurrency, on PostgreSQL with real parallel clients
(threads, each with its own app context and database session, released together):
replies to one topic and topics in one category keep every counter equal to what it
counts; one person's like and unlike clicks at once keep the like counts; moderators
deciding on one item at once resolve it once.

Concurrent likes by many people and registrations beyond an event's capacity are tested
in tests/discuss/test_social_likes.py and tests/events/test_registration.py.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from plugins.discuss.models import Category, Post, PostLike, Tag, Topic, UserStats
from plugins.discuss.services import posting, social
from plugins.discuss.services.posting import DiscussError
from space.accounts.models import User
from space.audit import AuditEntry
from space.db import db
from space.moderation import decisions
from space.moderation.models import Penalty, ReviewHistory, ReviewItem, ReviewStatus
from space.moderation.services import AlreadyHandled, flag
from space.notify import Notification
from space.trust import TrustLevel
from tests import factories
from tests.conftest import PG_URL
from tests.discuss.conftest import Maker

pytestmark = pytest.mark.skipif(not PG_URL, reason="real parallel writers need PostgreSQL")


def at_once(app, work, *, expected=()) -> list:
    """Run every ``(function, *ids)`` of ``work`` in its own thread with its own app context
    and session, all released together; ``function(*rows)`` gets the rows of those ids
    (``(Model, id)`` pairs) loaded in its session, and its change is committed. Returns the
    results; an exception of the ``expected`` types is a result, any other fails the test."""
    barrier = threading.Barrier(len(work))
    results: list = [None] * len(work)
    failures: list = []

    def run(n, function, keys):
        with app.app_context():
            try:
                rows = [db.session.get(model, ident) for model, ident in keys]
                barrier.wait(timeout=30)
                results[n] = function(*rows)
                db.session.commit()
            except expected as refusal:
                db.session.rollback()
                results[n] = refusal
            except Exception as error:  # noqa: BLE001 - reported below
                db.session.rollback()
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n, item[0], item[1:]))
               for n, item in enumerate(work)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    db.session.expire_all()
    return results


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_concurrent_replies_keep_the_topic_category_and_people_counters(app):
    make = Maker()
    category = make.category()
    topic = make.topic(category=category)
    people = [factories.user(trust_level=TrustLevel.MEMBER) for _ in range(5)]

    def reply(user, target):
        return posting.create_post(user, target, f"A reply by {user.username}, long enough.")

    # Everyone replies twice at once (two tabs): numbering, participants and stats hold.
    work = [(reply, (User, p.id), (Topic, topic.id)) for p in people for _ in range(2)]
    at_once(app, work)

    topic = db.session.get(Topic, topic.id)
    numbers = sorted(db.session.scalars(select(Post.post_number)
                                        .where(Post.topic_id == topic.id)))  # fmt: skip
    assert numbers == list(range(1, len(work) + 2))
    assert topic.post_count == topic.highest_post_number == len(work) + 1
    assert topic.participant_count == len(people) + 1
    category = db.session.get(Category, category.id)
    assert category.post_count == len(work) and category.topic_count == 1
    for person in people:
        stats = db.session.get(UserStats, person.id)
        assert (stats.post_count, stats.topics_replied) == (2, 1)


def test_concurrent_topics_in_one_category_keep_its_counters(app):
    make = Maker()
    category = make.category()
    # Regulars (trust level 3) may create tags: everyone tags with the same new one.
    people = [factories.user(trust_level=TrustLevel.REGULAR) for _ in range(4)]

    def start(user, where):
        return posting.create_topic(user, where, f"A topic started by {user.username} now",
                                    "The first post, long enough to be accepted.",
                                    ["together"])  # fmt: skip

    work = [(start, (User, p.id), (Category, category.id)) for p in people for _ in range(2)]
    at_once(app, work)

    topics = _count(Topic, Topic.category_id == category.id)
    assert topics == len(work)
    category = db.session.get(Category, category.id)
    assert category.topic_count == topics and category.post_count == 0
    tag = db.session.scalar(select(Tag).where(Tag.name == "together"))
    assert tag.topic_count == topics
    for person in people:
        stats = db.session.get(UserStats, person.id)
        assert (stats.topic_count, stats.post_count) == (2, 2)


def test_one_persons_likes_and_unlikes_at_once_keep_the_counts(app):
    make = Maker()
    author = factories.user(trust_level=TrustLevel.MEMBER)
    topic = make.topic(author)
    reply = make.reply(topic, author)
    liker = factories.user(trust_level=TrustLevel.MEMBER)

    for _ in range(3):  # several rounds of a person clicking like and unlike quickly
        work = [(social.like, (User, liker.id), (Post, reply.id))] * 4 + [
            (social.unlike, (User, liker.id), (Post, reply.id))
        ] * 4
        at_once(app, work, expected=DiscussError)
        rows = _count(PostLike, PostLike.post_id == reply.id)
        assert rows in {0, 1}
        assert db.session.get(Post, reply.id).like_count == rows
        assert db.session.get(Topic, topic.id).like_count == rows
        assert db.session.get(UserStats, liker.id).likes_given == rows
        assert db.session.get(UserStats, author.id).likes_received == rows


def test_moderators_deciding_at_once_resolve_the_item_once(app):
    make = Maker()
    author = factories.user(trust_level=TrustLevel.MEMBER)
    flaggers = [factories.user(trust_level=TrustLevel.MEMBER) for _ in range(2)]
    reply = make.reply(make.topic(), author, raw="A reply that somebody finds rude enough.")
    for person in flaggers:
        flag(person, "discuss.post", reply.id, "inappropriate", "Rude.")
    db.session.commit()
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.item_id == reply.id))
    moderators = [factories.moderator(f"mod{n}") for n in range(6)]
    actions = ["agree_silence", "agree_hide", "disagree", "ignore", "agree_delete",
               "agree_silence"]  # fmt: skip

    def decider(action):
        def decide(moderator, target):
            with app.test_request_context():
                return decisions.decide(moderator, target, action, version=target.version,
                                        reason="Rude to people.", penalty_days=3)  # fmt: skip

        return decide

    work = [(decider(action), (User, m.id), (ReviewItem, item.id))
            for m, action in zip(moderators, actions, strict=True)]  # fmt: skip
    results = at_once(app, work, expected=AlreadyHandled)

    refused = [r for r in results if isinstance(r, AlreadyHandled)]
    assert len(refused) == len(work) - 1
    winner = actions[next(n for n, r in enumerate(results) if not isinstance(r, AlreadyHandled))]
    item = db.session.get(ReviewItem, item.id)
    assert item.status != ReviewStatus.PENDING and item.version == 2
    assert db.session.scalars(
        select(ReviewHistory.action).where(ReviewHistory.review_item_id == item.id,
                                           ReviewHistory.action.in_(actions))
    ).all() == [winner]  # fmt: skip
    decided = [f"moderation.{action}" for action in actions]
    assert _count(AuditEntry, AuditEntry.action.in_(decided),
                  AuditEntry.target_id == item.id) == 1  # fmt: skip
    assert _count(Penalty, Penalty.user_id == author.id) == (winner == "agree_silence")
    for person in flaggers:
        assert _count(Notification, Notification.user_id == person.id,
                      Notification.kind == "flag_outcome") == 1  # fmt: skip


def test_flags_at_once_on_a_resolved_item_reopen_it_once_and_all_count(app):
    make = Maker()
    author = factories.user(trust_level=TrustLevel.MEMBER)
    reply = make.reply(make.topic(), author, raw="A reply that somebody finds rude enough.")
    flag(factories.user(trust_level=TrustLevel.MEMBER), "discuss.post", reply.id, "off_topic")
    db.session.commit()
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.item_id == reply.id))
    with app.test_request_context():
        decisions.decide(factories.moderator(), item, "disagree", version=item.version)
    db.session.commit()
    version = item.version
    flaggers = [factories.user(trust_level=TrustLevel.MEMBER) for _ in range(4)]

    def flag_it(user, post):
        return flag(user, "discuss.post", post.id, "off_topic").weight

    weights = at_once(app, [(flag_it, (User, f.id), (Post, reply.id)) for f in flaggers])

    item = db.session.get(ReviewItem, item.id)
    assert item.status == ReviewStatus.PENDING
    assert item.score == pytest.approx(sum(weights)), "every new flag counts"
    assert item.version == version + 1
    reopened = db.session.scalars(
        select(ReviewHistory).where(ReviewHistory.review_item_id == item.id,
                                    ReviewHistory.action == "reopened")
    ).all()  # fmt: skip
    assert len(reopened) == 1
