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
    Topic,
)
from space import search
from space.accounts import services
from space.db import db, utcnow

from .counters import wrong_counters


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
    assert wrong_counters() == []
    for topic in db.session.scalars(select(Topic)):
        posts = db.session.scalars(select(Post).where(Post.topic_id == topic.id)).all()
        ordered = sorted(posts, key=lambda p: p.post_number)
        assert [p.created_at for p in ordered] == sorted(p.created_at for p in ordered)
        assert all(p.created_at < utcnow() for p in posts)


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
