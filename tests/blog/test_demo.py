"""``flask space demo`` with the blog: categories, published stories in four languages with
translations (one up to date, one outdated), a story in every other status with its history,
revisions and editorial comments, discussion topics, and nothing private shown to readers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from plugins.blog.models import (
    BlogCategory,
    BlogTag,
    Status,
    Story,
    StoryComment,
    StoryDecision,
    StoryRevision,
    story_tag,
)
from plugins.blog.services import translations, workflow
from space import search
from space.db import db, utcnow


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["space", "demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def _story(title: str) -> Story:
    return db.session.scalar(select(Story).where(Story.title == title))


def test_the_demo_has_a_story_in_every_status(demo):
    rows = db.session.execute(select(Story.status, func.count()).group_by(Story.status)).all()
    counts = dict(rows)
    assert set(counts) == set(Status), set(Status) - set(counts)
    assert counts[Status.PUBLISHED] >= 8
    languages = set(db.session.scalars(select(Story.language)
                                       .where(Story.status == Status.PUBLISHED)))  # fmt: skip
    assert languages >= {"en", "fr", "es", "ar"}
    names = set(db.session.scalars(select(BlogCategory.name)))
    assert names >= {"Events", "Community", "Technology", "Stories from affiliates"}


def test_published_stories_pass_the_checklist_and_have_their_topic(demo):
    published = db.session.scalars(select(Story).where(Story.status == Status.PUBLISHED)).all()
    for story in published:
        assert all(check.ok for check in workflow.checklist(story)), story.title
        assert 50 <= len(story.excerpt) <= 300
        assert story.slug and story.topic_id is not None
        assert re.search(r"^## ", story.body, re.M) and "https://" in story.body
        assert story.published_at < utcnow()
        assert story.revision_number >= 2
    topics = {story.topic_id for story in published}
    assert len(topics) == len(published)  # one topic each
    for category in db.session.scalars(select(BlogCategory)):
        count = db.session.scalar(select(func.count(Story.id)).where(
            Story.category_id == category.id, Story.status == Status.PUBLISHED))  # fmt: skip
        assert category.story_count == count, category.name
    for tag in db.session.scalars(select(BlogTag)):
        count = db.session.scalar(
            select(func.count()).select_from(story_tag)
            .join(Story, Story.id == story_tag.c.story_id)
            .where(story_tag.c.tag_id == tag.id, Story.status == Status.PUBLISHED)
        )  # fmt: skip
        assert tag.story_count == count, tag.name


def test_translations_history_revisions_and_comments(demo):
    french = _story("Ce que nous a appris notre premier edit-a-thon hybride")
    spanish = _story("Mentorías para recién llegados: diez lecciones de un año en parejas")
    assert french.status == spanish.status == Status.PUBLISHED
    hybrid = db.session.get(Story, french.source_id)
    mentoring = db.session.get(Story, spanish.source_id)
    assert hybrid.language == mentoring.language == "en"
    assert not translations.is_outdated(french, hybrid)
    assert translations.is_outdated(spanish, mentoring)
    assert "the second year" in mentoring.body
    review = _story("Maps for everyone: our first mapathon in Stockholm")
    assert review.status == Status.IN_REVIEW
    assert db.session.scalar(select(func.count(StoryRevision.id))
                             .where(StoryRevision.story_id == review.id)) == 3  # fmt: skip
    comments = db.session.scalars(select(StoryComment).where(StoryComment.story_id == review.id)
                                  .order_by(StoryComment.id)).all()  # fmt: skip
    assert len(comments) == 3 and comments[1].parent_id == comments[0].id
    assert comments[0].resolved_at is not None and comments[2].resolved_at is None
    declined = db.session.scalar(select(Story).where(Story.status == Status.DECLINED))
    decision = db.session.scalar(select(StoryDecision).where(
        StoryDecision.story_id == declined.id, StoryDecision.action == "decline"))  # fmt: skip
    assert decision.note and decision.user_id is not None
    draft = db.session.scalar(select(Story).where(Story.status == Status.DRAFT))
    actions = list(db.session.scalars(
        select(StoryDecision.action).where(StoryDecision.story_id == draft.id)
        .order_by(StoryDecision.created_at, StoryDecision.id)
    ))  # fmt: skip
    assert actions == ["pitch", "accept"] and draft.due_date is not None
    scheduled = db.session.scalar(select(Story).where(Story.status == Status.SCHEDULED))
    hours = (scheduled.publish_at - utcnow()).total_seconds() / 3600
    assert 22 < hours <= 24
    trashed = db.session.scalar(select(Story).where(Story.status == Status.TRASH))
    assert trashed.status_before_trash == Status.DRAFT


def test_readers_see_only_published_stories(demo, client, app):
    page = client.get("/blog/").get_data(as_text=True)
    assert "Offline editing kits for places with patchy internet" in page
    hidden = db.session.scalars(select(Story).where(Story.status != Status.PUBLISHED)).all()
    assert len(hidden) >= 10
    for story in hidden:
        if story.title:
            assert story.title not in page, story.status
        assert client.get(f"/blog/s/{story.id}").status_code in {302, 404}
    unpublished = db.session.scalar(select(Story).where(Story.status == Status.UNPUBLISHED))
    assert client.get(f"/blog/{unpublished.slug}").status_code == 404
    feed = client.get("/blog/feed.atom").get_data(as_text=True)
    assert unpublished.title not in feed
    parsed = search.parse("survey", known_types=search.types())
    found = search.backend().search(parsed, search.principals(None), 1, 50)
    assert found.total == 0, "the unpublished survey is not found by readers"
    parsed = search.parse("hybrid", known_types=search.types())
    assert search.backend().search(parsed, search.principals(None), 1, 50).total >= 1


def test_the_large_demo_is_the_same_every_time(app, runner, monkeypatch):
    from plugins.blog import demo

    first, second = demo.bulk_specs(30), demo.bulk_specs(30)
    assert first == second
    assert len({spec["title"] for spec in first}) == 30
    assert {spec["lang"] for spec in first} == {"en", "fr", "es", "ar"}
    assert all(50 <= len(spec["excerpt"]) <= 300 for spec in first)
    monkeypatch.setattr(demo, "BULK", 6)
    result = runner.invoke(args=["space", "demo", "--size", "large", "--posts", "40"])
    assert result.exit_code == 0, result.output
    assert "Stories" in result.output, "a progress bar"
    stories = db.session.scalar(select(func.count(Story.id)))
    assert f"{stories} stories" in result.output
    db.session.expire_all()
    titles = set(db.session.scalars(select(Story.title).where(Story.status == Status.PUBLISHED)))
    assert {spec["title"] for spec in demo.bulk_specs(6)} <= titles
    revisions = db.session.scalar(
        select(func.count(StoryRevision.id))
        .join(Story, Story.id == StoryRevision.story_id)
        .where(Story.title == first[0]["title"])
    )
    assert revisions == 1 + first[0]["revisions"]


def test_demo_pages_render(demo, client, login):
    from space.accounts import services
    from space.demo import PASSWORD

    for story in db.session.scalars(select(Story).where(Story.status == Status.PUBLISHED)):
        assert client.get(f"/blog/{story.slug}").status_code == 200, story.title
    profile = client.get("/u/regular").get_data(as_text=True)
    assert 'id="blog-profile-stories"' in profile
    assert "A shared glossary for translators: how we built it" in profile
    assert "Volunteer survey: the first figures" not in profile  # unpublished
    login(services.by_username("admin"), password=PASSWORD)
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert '<tr data-status="trash"><td>Trash</td><td class="admin-num">1</td>' in dashboard
    for path in ("/blog/admin/categories", "/blog/admin/settings"):
        assert client.get(path).status_code == 200
    assert "Stories from affiliates" in client.get("/blog/admin/categories").get_data(as_text=True)
