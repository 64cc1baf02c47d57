"""Content rules and posting limits, each refusal with its message and, where it lifts at a
known time, ``retry_at``."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from plugins.discuss import settings
from plugins.discuss.models import Post, Topic
from plugins.discuss.services import limits, posting
from plugins.discuss.services.posting import DiscussError
from space.db import db, utcnow
from space.trust import TrustLevel
from tests import factories

BODY = "A body that is comfortably longer than twenty characters"
_bodies = itertools.count(1)


def fresh() -> str:
    """A body never used before (the same text twice is refused on its own)."""
    return f"{BODY}, number {next(_bodies)}."


def person(level=TrustLevel.BASIC, *, age_days=10, **kw):
    """A user whose account is ``age_days`` old (new accounts have first-day limits)."""
    user = factories.user(trust_level=level, **kw)
    user.created_at = utcnow() - timedelta(days=age_days)
    db.session.commit()
    return user


def refused(call, *args, **kwargs) -> DiscussError:
    with pytest.raises(DiscussError) as caught:
        call(*args, **kwargs)
    db.session.rollback()
    return caught.value


def setting(name, new):
    settings.put(name, new)
    db.session.commit()


def age(row, seconds):
    """Move a topic's or post's creation ``seconds`` into the past."""
    row.created_at = utcnow() - timedelta(seconds=seconds)
    db.session.commit()


# --- content rules ---------------------------------------------------------------------------


def test_title_and_body_lengths(make):
    user, category = person(), make.category()
    error = refused(posting.create_topic, user, category, "Short title", BODY)
    assert (error.field, error.retry_at) == ("title", None)
    assert error.message == "The title must be at least 15 characters long."
    error = refused(posting.create_topic, user, category, "T" * 256, BODY)
    assert error.message == "The title must be at most 255 characters long."
    error = refused(posting.create_topic, user, category, "A long enough title", "Too short.")
    assert (error.field, error.message) == ("raw", "The post must be at least 20 characters long.")
    error = refused(posting.create_topic, user, category, "A long enough title", "x" * 32_001)
    assert error.message == "The post must be at most 32000 characters long."
    posting.create_topic(user, category, "T" * 255, "x" * 32_000)
    db.session.commit()


def test_length_counts_without_surrounding_spaces(make):
    topic = make.topic()
    error = refused(posting.create_post, person(), topic, "   short text   " + " " * 30)
    assert error.field == "raw"


def test_same_text_within_five_minutes(make):
    user, topic = person(), make.topic()
    first = posting.create_post(user, topic, BODY)
    db.session.commit()
    error = refused(posting.create_post, user, topic, BODY)
    assert error.message == "You posted the same text a moment ago."
    age(first, 6 * 60)
    posting.create_post(user, topic, BODY)
    db.session.commit()


# --- new users' content limits ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "See https://a.example.com, https://b.example.com and https://c.example.com for more.",
            "New users may put at most 2 links in a post.",
        ),
        (
            "Two pictures ![a](https://a.example/a.png) and ![b](https://a.example/b.png) here.",
            "New users may put at most 1 image in a post.",
        ),
        (
            "Hello @alpha, @beta and @gamma, what do you think about this?",
            "New users may mention at most 2 people in a post.",
        ),
    ],
)
def test_new_users_links_images_mentions(app, make, raw, message):
    # Posting happens in a request: mentions link to /u/<name>, which are not counted as links.
    with app.test_request_context("/"):
        _new_user_limits(make, raw, message)


def _new_user_limits(make, raw, message):
    topic = make.topic()
    newcomer = person(TrustLevel.NEW)
    error = refused(posting.create_post, newcomer, topic, raw)
    assert (error.field, error.message) == ("raw", message)
    # Trust level 1 and staff are not limited.
    posting.create_post(person(TrustLevel.BASIC), topic, raw)
    posting.create_post(person(TrustLevel.NEW, roles=("moderator",)), topic, raw)
    db.session.commit()


def test_new_users_within_the_limits(app, make):
    topic = make.topic()
    raw = (
        "Links https://a.example.com and https://b.example.com, one ![x](https://a.example/x.png)."
    )
    with app.test_request_context("/"):
        posting.create_post(person(TrustLevel.NEW), topic, raw + " Hi @one and @two.")
        db.session.commit()


def test_new_user_replies_per_topic_until_someone_answers(make):
    newcomer = person(TrustLevel.NEW)
    topic = make.topic(newcomer)
    for n in range(3):
        posting.create_post(newcomer, topic, f"{BODY}, reply number {n}")
        db.session.commit()
    error = refused(posting.create_post, newcomer, topic, f"{BODY}, reply number 4")
    assert "3 replies in a topic until someone else answers" in error.message
    assert error.retry_at is None
    make.reply(topic)  # somebody answers
    db.session.refresh(topic)
    posting.create_post(newcomer, topic, f"{BODY}, reply number 4")
    db.session.commit()


def test_first_day_topics(make):
    newcomer = person(TrustLevel.NEW, age_days=0)
    category = make.category()
    for n in range(3):
        posting.create_topic(newcomer, category, f"First day topic number {n}", BODY + str(n))
        db.session.commit()
    error = refused(posting.create_topic, newcomer, category, "First day topic number 4", BODY)
    assert error.message.startswith("On their first day, new users may start 3 topics.")
    assert error.retry_at == newcomer.created_at + timedelta(days=1)
    assert "today at" in error.message or "tomorrow at" in error.message
    # A day later the first-day limit is gone.
    newcomer.created_at = utcnow() - timedelta(days=1, minutes=1)
    db.session.commit()
    posting.create_topic(newcomer, category, "Second day topic number 4", BODY)
    db.session.commit()


def test_first_day_replies(make):
    newcomer = person(TrustLevel.NEW, age_days=0)
    topics = [make.topic() for _ in range(4)]
    for n in range(10):
        posting.create_post(newcomer, topics[n % 4], f"{BODY}, reply number {n}")
        db.session.commit()
    error = refused(posting.create_post, newcomer, topics[0], BODY + " again")
    assert error.message.startswith("On their first day, new users may post 10 replies.")
    assert error.retry_at == newcomer.created_at + timedelta(days=1)


# --- intervals -------------------------------------------------------------------------------


def test_seconds_between_topics(make):
    setting("newuser_topic_interval", 120)
    setting("topic_interval", 15)
    category = make.category()
    newcomer, member = person(TrustLevel.NEW), person(TrustLevel.BASIC)
    topic = posting.create_topic(newcomer, category, "The first topic of a newcomer", fresh())
    db.session.commit()
    error = refused(posting.create_topic, newcomer, category, "The second topic, too soon", fresh())
    assert error.message == "You started a topic a moment ago. You can start another in 2 minutes."
    assert error.retry_at == topic.created_at + timedelta(seconds=120)
    age(topic, 121)
    posting.create_topic(newcomer, category, "The second topic, later on", fresh())
    db.session.commit()

    mine = posting.create_topic(member, category, "A member's first topic here", fresh())
    db.session.commit()
    error = refused(posting.create_topic, member, category, "A member's second topic", fresh())
    assert error.retry_at == mine.created_at + timedelta(seconds=15)
    assert "in 15 seconds" in error.message
    age(mine, 16)
    posting.create_topic(member, category, "A member's second topic", fresh())
    db.session.commit()


def test_seconds_between_posts(make):
    setting("newuser_post_interval", 30)
    setting("post_interval", 5)
    topic = make.topic()
    newcomer, member = person(TrustLevel.NEW), person(TrustLevel.BASIC)
    first = posting.create_post(newcomer, topic, fresh())
    db.session.commit()
    age(first, 5)
    error = refused(posting.create_post, newcomer, topic, fresh())
    assert error.message == "You posted a moment ago. You can post again in 25 seconds."
    assert error.retry_at == first.created_at + timedelta(seconds=30)
    mine = posting.create_post(member, topic, fresh())
    db.session.commit()
    error = refused(posting.create_post, member, topic, fresh())
    assert error.retry_at == mine.created_at + timedelta(seconds=5)
    age(mine, 6)
    posting.create_post(member, topic, fresh())
    db.session.commit()


def test_staff_have_no_intervals(make):
    setting("topic_interval", 15)
    setting("post_interval", 5)
    moderator, category = factories.moderator(), make.category()
    topic = posting.create_topic(moderator, category, "A moderator's first topic", fresh())
    posting.create_topic(moderator, category, "A moderator's second topic", fresh())
    posting.create_post(moderator, topic, fresh())
    posting.create_post(moderator, topic, fresh())
    db.session.commit()


# --- daily caps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "topics", "likes", "edits"),
    [
        (TrustLevel.NEW, 20, 50, 30),
        (TrustLevel.BASIC, 20, 50, 30),
        (TrustLevel.MEMBER, 30, 75, 45),
        (TrustLevel.REGULAR, 40, 100, 60),
        (TrustLevel.LEADER, 60, 150, 90),
    ],
)
def test_daily_cap_multipliers(app, level, topics, likes, edits):
    user = person(level)
    assert limits.daily_cap(user, "topics") == topics
    assert limits.daily_cap(user, "daily_likes") == likes
    assert limits.daily_cap(user, "edits") == edits
    assert limits.daily_cap(user, "flags") == {0: 20, 1: 20, 2: 30, 3: 40, 4: 60}[int(level)]


def _old_topics(user, category, count, hours_ago=1.0):
    now = utcnow()
    for n in range(count):
        moment = now - timedelta(hours=hours_ago, minutes=n)
        db.session.add(
            Topic(
                category_id=category.id,
                user_id=user.id,
                title=f"Earlier {n}",
                slug="earlier",
                created_at=moment,
                bumped_at=moment,
                last_posted_at=moment,
            )
        )
    db.session.commit()


@pytest.mark.parametrize(("level", "cap"), [(TrustLevel.BASIC, 20), (TrustLevel.MEMBER, 30)])
def test_daily_topics(make, level, cap):
    user, category = person(level), make.category()
    _old_topics(user, category, cap - 1)
    posting.create_topic(user, category, "Still within today's cap", fresh())
    db.session.commit()
    error = refused(posting.create_topic, user, category, "One topic too many today", fresh())
    assert error.message.startswith(f"You may start {cap} topics a day.")
    oldest = db.session.scalar(
        select(Topic.created_at).where(Topic.user_id == user.id).order_by(Topic.created_at)
    )
    assert error.retry_at == oldest + timedelta(days=1)
    # Topics older than 24 hours do not count.
    for topic in db.session.scalars(select(Topic).where(Topic.user_id == user.id)):
        topic.created_at -= timedelta(days=1)
    db.session.commit()
    posting.create_topic(user, category, "A new day, a new topic", fresh())
    db.session.commit()


def test_staff_have_no_daily_cap(make):
    moderator, category = factories.moderator(), make.category()
    _old_topics(moderator, category, 60)
    posting.create_topic(moderator, category, "Staff are not capped daily", fresh())
    db.session.commit()


def test_check_daily_for_likes_and_flags(app):
    member = person(TrustLevel.MEMBER)
    limits.check_daily(member, "likes", 74)
    moment = utcnow() + timedelta(hours=3)
    with pytest.raises(DiscussError) as caught:
        limits.check_daily(member, "likes", 75, retry_at=moment)
    assert caught.value.retry_at == moment
    assert caught.value.message.startswith("You may give 75 likes a day.")
    with pytest.raises(DiscussError) as caught:
        limits.check_daily(person(TrustLevel.BASIC), "flags", 20)
    assert caught.value.message.startswith("You may flag 20 times a day.")
    assert caught.value.retry_at is not None
    limits.check_daily(factories.moderator(), "likes", 10_000)


def test_zero_cap_means_no_cap(app):
    setting("daily_likes", 0)
    limits.check_daily(person(), "likes", 1000)


def test_when_wording(app):
    with app.test_request_context("/"):
        assert limits.when(utcnow() + timedelta(seconds=25)) == "in 25 seconds"
        assert limits.when(utcnow() + timedelta(minutes=25)) == "in 25 minutes"
        later = limits.when(utcnow() + timedelta(hours=20))
        assert later.startswith(("today at", "tomorrow at"))
        assert limits.when(utcnow() + timedelta(days=3)).startswith("on ")


# --- slow mode -------------------------------------------------------------------------------


def test_slow_mode(make):
    topic = make.topic()
    topic.slow_mode_seconds = 600
    db.session.commit()
    member = person(TrustLevel.MEMBER)
    first = posting.create_post(member, topic, fresh())
    db.session.commit()
    error = refused(posting.create_post, member, topic, fresh())
    assert error.message.startswith("This topic is in slow mode")
    assert error.retry_at == first.created_at + timedelta(seconds=600)
    assert "in 10 minutes" in error.message
    # Another topic is not slowed down; leaders and staff are not either.
    posting.create_post(member, make.topic(), fresh())
    for exempt in (person(TrustLevel.LEADER), factories.moderator()):
        posting.create_post(exempt, topic, fresh())
        posting.create_post(exempt, topic, fresh())
    db.session.commit()
    age(first, 601)
    posting.create_post(member, topic, fresh())
    db.session.commit()


def test_limits_show_in_the_composer(client, login, post, make):
    setting("post_interval", 5)
    topic = make.topic()
    member = person(TrustLevel.BASIC)
    posting.create_post(member, topic, fresh())
    db.session.commit()
    login(member)
    response = post(f"/discuss/t/{topic.id}/reply", {"raw": "My second reply, typed with care."})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "You posted a moment ago. You can post again in" in page
    assert "My second reply, typed with care." in page
    assert db.session.scalar(select(Post).where(Post.raw.startswith("My second"))) is None
