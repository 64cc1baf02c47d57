"""Query budgets of the reading pages: a story's page and the blog's front page (and an
archive) cost the same fixed number of SQL statements with 2 or 30 stories, revisions,
translations and discussion replies, signed out and signed in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update

from plugins.blog.models import BlogTag, Status, Story, StoryAuthor, StoryRevision, story_tag
from space.db import db, utcnow
from space.trust import TrustLevel
from tests import factories

from .conftest import reload

LANGUAGES = ["ar", "bg", "bn", "ca", "cs", "da", "de", "el", "es", "et", "fa", "fi", "fr", "he",
             "hi", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "nl", "pl", "pt", "ro", "ru",
             "sv", "tr", "uk"]  # fmt: skip


def _people(count):
    people = [factories.user(trust_level=TrustLevel.MEMBER, commit=False) for _ in range(count)]
    db.session.commit()
    return people


def _revisions(story, count, user):
    """Revisions 2..count of ``story`` (it has revision 1), the source moved on since."""
    now = utcnow()
    db.session.execute(insert(StoryRevision), [
        {"story_id": story.id, "number": n, "user_id": user.id, "created_at": now,
         "title": story.title, "excerpt": story.excerpt, "body": f"{story.body} {n}",
         "substantive": True}
        for n in range(2, count + 1)
    ])  # fmt: skip
    db.session.execute(
        update(Story).where(Story.id == story.id).values(
            revision_number=count, substantive_revision_number=count,
            published_revision_number=count)
    )  # fmt: skip


def _translations(story, count, people):
    """``count`` published translations of ``story``, made from its first revision (so
    outdated once it has more), each with two writers."""
    now = utcnow()
    db.session.execute(insert(Story), [
        {"status": Status.PUBLISHED, "language": LANGUAGES[n], "title": f"{story.title} {n}",
         "slug": f"{story.slug}-{LANGUAGES[n]}", "excerpt": story.excerpt, "body": story.body,
         "cooked": story.cooked, "writer_id": people[n % len(people)].id,
         "category_id": story.category_id, "source_id": story.id, "source_revision_number": 1,
         "published_at": now, "created_at": now, "updated_at": now, "revision_number": 1,
         "substantive_revision_number": 1, "published_revision_number": 1}
        for n in range(count)
    ])  # fmt: skip
    ids = db.session.scalars(select(Story.id).where(Story.source_id == story.id)).all()
    db.session.execute(insert(StoryAuthor), [
        {"story_id": story_id, "user_id": people[(i + k) % len(people)].id, "position": k}
        for i, story_id in enumerate(ids) for k in range(2)
    ])  # fmt: skip


def _replies(story, count, people):
    from plugins.discuss.models import Post, Topic

    now = utcnow()
    db.session.execute(insert(Post), [
        {"topic_id": story.topic_id, "user_id": people[n % len(people)].id, "post_number": n,
         "raw": f"Reply {n} " * 5, "cooked": f"<p>Reply {n}</p>",
         "created_at": now + timedelta(seconds=n), "like_count": n % 4}
        for n in range(2, count + 2)
    ])  # fmt: skip
    db.session.execute(
        update(Topic).where(Topic.id == story.topic_id).values(
            highest_post_number=count + 1, post_count=count + 1)
    )  # fmt: skip


def _story_with(make, count, people, tags):
    story = make.published(people[0], writers=people[1:3], tags=tags,
                           image=("/uploads/a.jpg", "A picture", "Photo by someone"))  # fmt: skip
    _revisions(story, count, people[0])
    _translations(story, count, people)
    _replies(story, count, people)
    db.session.commit()
    return reload(story)


def _with_discussion(story):
    """Open the (bulk-inserted) story's discussion topic, as publishing does."""
    from plugins.blog.services import publishing

    story = reload(story)
    publishing.open_discussion(story, None)
    db.session.commit()
    return reload(story)


def _cost(client, count_queries, path):
    client.get(path)  # warm up: first visit, last-seen stamp
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter.count, counter.statements


def _show(costs):
    return "\n\n".join("\n".join(statements) for _, statements in costs)


def _viewer(make, login, signed_in):
    viewer = make.writer(username="viewer")
    if signed_in:
        login(viewer)
    return viewer


# Statements of a story's page, signed out: the story with its category and lead writer, its
# writers with their accounts, its tags, its translation group (one query: the published
# translations and the original), the settings, then the discussion summary: the topic, the
# best replies with their authors. Signed in adds the viewer, their unread notifications and
# the discussion categories (its permission; signed out, who may read it is kept until
# content changes: space/pagecache.py).
STORY_SIGNED_OUT = 7
STORY_SIGNED_IN = 10


@pytest.mark.parametrize("signed_in", [False, True])
def test_story_page_budget(make, client, login, count_queries, signed_in):
    people = _people(6)
    tags = [make.tag(f"tag{n}") for n in range(3)]
    small, large = _story_with(make, 2, people, tags), _story_with(make, 30, people, tags)
    translation = _with_discussion(
        db.session.scalar(select(Story).where(Story.source_id == large.id, Story.language == "fr"))
    )
    _viewer(make, login, signed_in)
    paths = [f"/blog/{small.slug}", f"/blog/{large.slug}", f"/blog/{translation.slug}"]
    costs = [_cost(client, count_queries, path) for path in paths]
    expected = STORY_SIGNED_IN if signed_in else STORY_SIGNED_OUT
    assert [c for c, _ in costs] == [expected] * 3, _show(costs)


def test_story_page_shows_what_the_budget_paid_for(make, client):
    people = _people(6)
    story = _story_with(make, 30, people, [make.tag("gardens")])
    translation = db.session.scalar(
        select(Story).where(Story.source_id == story.id, Story.language == "fr")
    )
    page = client.get(f"/blog/{story.slug}").get_data(as_text=True)
    assert page.count('<link rel="alternate" hreflang=') == 31
    assert "Continue the discussion" in page and "30 replies" in page
    page = client.get(f"/blog/{translation.slug}").get_data(as_text=True)
    assert "made from an earlier version of the original story" in page


def _fill_blog(make, count, people, tags, category):
    """``count`` published stories with two writers and two tags each, and as many
    unpublished ones."""
    now = utcnow()
    start = db.session.scalar(select(Story.id).order_by(Story.id.desc()).limit(1)) or 0
    db.session.execute(insert(Story), [
        {"status": Status.PUBLISHED if n % 2 == 0 else Status.DRAFT,
         "title": f"Generated story {start + n}", "slug": f"generated-{start + n}",
         "excerpt": "An excerpt.", "body": "A body.", "cooked": "<p>A body.</p>",
         "writer_id": people[n % len(people)].id, "category_id": category.id,
         "published_at": now - timedelta(hours=n), "created_at": now, "updated_at": now,
         "revision_number": 1, "substantive_revision_number": 1,
         "published_revision_number": 1, "image_url": "/uploads/x.png" if n % 3 else ""}
        for n in range(count * 2)
    ])  # fmt: skip
    ids = db.session.scalars(select(Story.id).where(Story.category_id == category.id)).all()
    db.session.execute(insert(StoryAuthor), [
        {"story_id": story_id, "user_id": people[(i + k) % len(people)].id, "position": k}
        for i, story_id in enumerate(ids) for k in range(2)
    ])  # fmt: skip
    db.session.execute(insert(story_tag), [
        {"story_id": story_id, "tag_id": tags[(i + k) % len(tags)].id}
        for i, story_id in enumerate(ids) for k in range(2)
    ])  # fmt: skip
    db.session.commit()


# Statements of a list, signed out: the settings, the count, a page of stories with their
# category and lead writer, their writers with accounts, their tags; an archive first finds
# its category. Signed in adds the viewer, their unread notifications and, for the header's
# review link, the discussion categories they might moderate (a story's page has read them).
INDEX_SIGNED_OUT = 5
INDEX_SIGNED_IN = 8
ARCHIVE_SIGNED_OUT = 6
ARCHIVE_SIGNED_IN = 9


@pytest.mark.parametrize("signed_in", [False, True])
def test_index_and_archive_budget(make, client, login, count_queries, signed_in):
    people = _people(5)
    tags = [BlogTag(name=f"t{n}") for n in range(4)]
    db.session.add_all(tags)
    db.session.commit()
    few, many = make.category("Few"), make.category("Many")
    _viewer(make, login, signed_in)
    costs = []
    for category, count in ((few, 2), (many, 30)):
        db.session.execute(update(Story).values(status=Status.UNPUBLISHED))  # start over
        _fill_blog(make, count, people, tags, category)
        costs.append((_cost(client, count_queries, "/blog/"),
                      _cost(client, count_queries, f"/blog/category/{category.slug}")))  # fmt: skip
    index, archive = [c[0] for c in costs], [c[1] for c in costs]
    expected_index = INDEX_SIGNED_IN if signed_in else INDEX_SIGNED_OUT
    expected_archive = ARCHIVE_SIGNED_IN if signed_in else ARCHIVE_SIGNED_OUT
    assert [c for c, _ in index] == [expected_index] * 2, _show(index)
    assert [c for c, _ in archive] == [expected_archive] * 2, _show(archive)
