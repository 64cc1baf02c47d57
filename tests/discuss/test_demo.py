"""``flask space demo`` on a fresh site: Discuss's categories, topics in four languages,
threads, likes, bookmarks and accepted answers, with every counter matching the rows."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from plugins.discuss import settings
from plugins.discuss.models import (
    Access,
    Bookmark,
    Category,
    CategoryPermission,
    Post,
    PostLike,
    Tag,
    Topic,
    UserStats,
    topic_tag,
)
from space import search
from space.accounts import services
from space.db import db, utcnow


@pytest.fixture
def demo(app, runner):
    """The demo loaded by the real command, with the default intervals between posts."""
    for name in ("topic_interval", "post_interval", "newuser_topic_interval",
                 "newuser_post_interval"):  # fmt: skip
        settings.put(name, settings.BY_NAME[name].default)
    db.session.commit()
    result = runner.invoke(args=["space", "demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def test_the_demo_creates_categories_and_discussions(demo):
    names = set(db.session.scalars(select(Category.name)))
    assert names >= {"Announcements", "General", "Ask the community", "Events & meetups",
                     "Organizers"}  # fmt: skip
    assert db.session.scalar(select(Category).where(Category.name == "Ask the community")) \
        .accepts_answers  # fmt: skip
    assert db.session.scalar(select(func.count(Category.id)).where(Category.parent_id.is_not(None)))
    organizers = db.session.scalar(select(Category).where(Category.name == "Organizers"))
    rules = db.session.scalars(
        select(CategoryPermission).where(CategoryPermission.category_id == organizers.id)
    ).all()
    assert organizers.restricted and [(r.access) for r in rules] == [Access.CREATE]
    topics = db.session.scalar(select(func.count(Topic.id)))
    assert 10 <= topics <= 20
    assert db.session.scalar(select(func.count(Post.id)).where(Post.reply_to_post_number > 1))
    assert db.session.scalar(select(func.count(PostLike.id))) >= 20
    assert db.session.scalar(select(func.count(Bookmark.id))) >= 3
    assert (
        db.session.scalar(select(func.count(Topic.id)).where(Topic.accepted_post_id.is_not(None)))
        >= 2
    )
    assert db.session.scalar(select(func.count(Topic.id)).where(Topic.pinned_at.is_not(None)))
    texts = " ".join(db.session.scalars(select(Post.raw)))
    assert re.search("[\u0600-\u06ff]{4}", texts), "Arabic"
    assert "¿" in texts and "Merci" in texts and "Thanks" in texts


def test_intervals_are_back_after_the_demo(demo):
    assert settings.value("post_interval") == settings.BY_NAME["post_interval"].default
    assert settings.value("newuser_topic_interval") == 120


def test_counters_match_the_rows(demo):
    for topic in db.session.scalars(select(Topic)):
        posts = db.session.scalars(select(Post).where(Post.topic_id == topic.id)).all()
        assert topic.post_count == len(posts) and topic.highest_post_number == len(posts)
        assert topic.like_count == sum(p.like_count for p in posts)
        assert topic.participant_count == len({p.user_id for p in posts})
        first = min(posts, key=lambda p: p.post_number)
        assert topic.created_at == first.created_at
        assert topic.last_posted_at == max(p.created_at for p in posts)
        ordered = sorted(posts, key=lambda p: p.post_number)
        assert [p.created_at for p in ordered] == sorted(p.created_at for p in ordered)
        assert all(p.created_at < utcnow() for p in posts)
        for post in posts:
            assert post.like_count == count(select(PostLike).where(PostLike.post_id == post.id))
            assert post.reply_count == count(
                select(Post).where(Post.topic_id == topic.id,
                                   Post.reply_to_post_number == post.post_number)
            )  # fmt: skip
    for category in db.session.scalars(select(Category)):
        in_it = select(Topic.id).where(Topic.category_id == category.id)
        assert category.topic_count == count(in_it)
        replies = select(Post).where(Post.topic_id.in_(in_it), Post.post_number > 1)
        assert category.post_count == count(replies)
    for tag in db.session.scalars(select(Tag)):
        assert tag.topic_count == count(select(topic_tag).where(topic_tag.c.tag_id == tag.id))
    for stats in db.session.scalars(select(UserStats)):
        mine = select(Post).where(Post.user_id == stats.user_id)
        assert stats.post_count == count(mine)
        assert stats.topic_count == count(select(Topic).where(Topic.user_id == stats.user_id))
        assert stats.likes_given == count(select(PostLike).where(PostLike.user_id == stats.user_id))
        assert stats.likes_received == count(
            select(PostLike).where(PostLike.post_user_id == stats.user_id)
        )


def test_demo_content_is_searchable_and_private_stays_private(demo, client):
    def find(text, user=None):
        parsed = search.parse(text, known_types=search.types())
        return search.backend().search(parsed, search.principals(user), 1, 50)

    assert find("edit-a-thon").total >= 3
    assert find("budget").total == 0, "the organizers' budget is private"
    assert find("budget", services.by_username("regular")).total >= 1, "an organizer finds it"
    assert find("budget", services.by_username("member")).total == 0
    feed = client.get("/discuss/feed/latest.rss").get_data(as_text=True)
    assert "Welcome to Space Discuss" in feed and "Budget request" not in feed
