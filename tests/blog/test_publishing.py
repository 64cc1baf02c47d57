"""What publishing does around a story: exactly one Discuss topic whatever happens, the
category and tag counters, search (drafts only for the people involved) and notifications
(the right people, the right kinds, nobody else)."""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import func, select

from plugins.blog import settings
from plugins.blog.models import BlogCategory, BlogTag, Status
from plugins.blog.services import notices, revisions
from plugins.discuss.models import Category, Post, Topic
from space import search
from space.accounts.models import Anonymous
from space.db import db
from space.notify import Notification, describe

from .conftest import reload

S = Status


def topics(story=None) -> list[Topic]:
    query = select(Topic).where(Topic.subject.like("blog.story:%"))
    if story is not None:
        query = select(Topic).where(Topic.subject == f"blog.story:{story.id}")
    return list(db.session.scalars(query.order_by(Topic.id)))


def first_post(topic) -> Post:
    return db.session.scalars(
        select(Post).where(Post.topic_id == topic.id, Post.post_number == 1)
    ).one()


def the_topic(story) -> Topic:
    found = topics(story)
    assert len(found) == 1, f"{len(found)} topics for story {story.id}"
    assert story.topic_id == found[0].id
    return found[0]


def edit(user, story, **changes):
    text = revisions.Text.of(story)
    text = revisions.Text(changes.get("title", text.title), changes.get("excerpt", text.excerpt),
                          changes.get("body", text.body))  # fmt: skip
    revisions.save(user, story, text, base_revision=story.revision_number)
    db.session.commit()
    return reload(story)


# --- the discussion topic ---------------------------------------------------------------------


def test_publishing_opens_one_topic_written_by_the_writer(make):
    writer = make.writer()
    story = make.published(writer, title="Gardens on every roof")
    assert story.slug and story.published_at and story.first_published_at
    topic = the_topic(story)
    assert topic.user_id == writer.id
    assert topic.title == "Gardens on every roof"
    assert not topic.closed and topic.listed
    category = db.session.get(Category, topic.category_id)
    assert category.slug == "blog"
    raw = first_post(topic).raw
    assert story.excerpt in raw
    assert url_for("blog.story", slug=story.slug) in raw
    assert story.body not in raw, "the topic carries the excerpt and a link, not the story"


def test_the_discussion_category_is_a_setting(make):
    settings.put("discussion_category", "stories")
    db.session.commit()
    topic = the_topic(make.published())
    assert db.session.get(Category, topic.category_id).slug == "stories"


def test_a_co_written_story_is_discussed_in_the_lead_writers_name(make):
    lead, second = make.writer(), make.writer()
    story = make.published(lead, writers=[second])
    assert the_topic(story).user_id == lead.id


def test_editing_a_published_story_updates_its_topic(make):
    editor = make.editor()
    story = make.published()
    topic_id = the_topic(story).id

    new_excerpt = "A better excerpt, rewritten by the editor after publication, still long."
    story = edit(editor, story, title="A sharper title", excerpt=new_excerpt)
    assert story.status == S.PUBLISHED
    assert story.published_revision_number == story.revision_number == 2
    topic = the_topic(story)
    assert topic.id == topic_id and topic.title == "A sharper title"
    assert new_excerpt in first_post(topic).raw
    assert len(topics()) == 1


def test_unpublish_closes_and_unlists_republish_reopens_the_same_topic(make):
    editor = make.editor()
    story = make.published()
    topic_id = the_topic(story).id

    for _ in range(2):
        story = make.move(editor, story, "unpublish", note="Facts to check.")
        topic = the_topic(story)
        assert topic.id == topic_id
        assert topic.closed and not topic.listed

        story = make.move(editor, story, "publish")
        topic = the_topic(story)
        assert topic.id == topic_id
        assert not topic.closed and topic.listed
    assert len(topics()) == 1
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 1


def test_republishing_brings_the_topic_up_to_date(make):
    editor = make.editor()
    story = make.published()
    story = make.move(editor, story, "unpublish", note="Facts to check.")
    fixed = "The excerpt after the facts were checked, long enough for the checklist."
    story = edit(editor, story, excerpt=fixed)
    assert fixed not in first_post(the_topic(story)).raw, "not while unpublished"

    story = make.move(editor, story, "publish")
    assert fixed in first_post(the_topic(story)).raw
    assert story.first_published_at < story.published_at


def test_a_story_trashed_after_unpublishing_keeps_its_topic_closed(make):
    editor = make.editor()
    story = make.published()
    story = make.move(editor, story, "unpublish", note="Duplicate.")
    story = make.move(editor, story, "trash")
    topic = the_topic(story)
    assert topic.closed and not topic.listed


def test_a_translation_gets_its_own_topic(make):
    original = make.published(title="The assembly")
    translation = make.published(source=original, language="fr", title="L'assemblée")
    assert translation.source_id == original.id
    first, second = the_topic(original), the_topic(translation)
    assert first.id != second.id
    assert second.title == "L'assemblée"
    assert len(topics()) == 2


def test_a_draft_has_no_topic(make):
    for status in (S.DRAFT, S.IN_REVIEW, S.APPROVED, S.SCHEDULED):
        story = make.story(None, status)
        assert story.topic_id is None
    assert topics() == []


# --- counters ---------------------------------------------------------------------------------


def counts(category, *tags):
    db.session.expire_all()
    return (db.session.get(BlogCategory, category.id).story_count,
            *(db.session.get(BlogTag, tag.id).story_count for tag in tags))  # fmt: skip


def test_counters_follow_publication(make):
    editor = make.editor()
    category, other = make.category(), make.category()
    red, blue = make.tag("red"), make.tag("blue")
    assert counts(category, red, blue) == (0, 0, 0)

    first = make.published(category=category, tags=[red, blue])
    assert counts(category, red, blue) == (1, 1, 1)
    make.published(category=category, tags=[red])
    assert counts(category, red, blue) == (2, 2, 1)
    for status in (S.DRAFT, S.IN_REVIEW, S.APPROVED, S.SCHEDULED):
        make.story(None, status, category=category, tags=[red, blue])
    assert counts(category, red, blue) == (2, 2, 1), "only published stories count"
    assert counts(other) == (0,)

    first = make.move(editor, first, "unpublish", note="Outdated.")
    assert counts(category, red, blue) == (1, 1, 0)
    first = make.move(editor, first, "publish")
    assert counts(category, red, blue) == (2, 2, 1)
    first = make.move(editor, first, "unpublish", note="Outdated again.")
    make.move(editor, first, "trash")
    assert counts(category, red, blue) == (1, 1, 0)


# --- search -----------------------------------------------------------------------------------


def found(text, user) -> dict:
    """The stories ``user`` finds for ``text``, by key."""
    parsed = search.restrict(search.parse(text, known_types=search.types(), type_name="story"),
                             user)  # fmt: skip
    results = search.backend().search(parsed, search.principals(user), 1, 50)
    return {hit.key: hit for hit in results.hits}


def test_stories_are_a_search_type(app):
    assert str(search.types()["story"].label) == "Stories"


def test_a_draft_is_found_by_its_people_a_published_story_by_everyone(make):
    pitcher, writer, editor = make.writer(), make.writer(), make.editor()
    outsider, author, admin = make.writer(), make.author(), make.admin()
    story = make.story(writer, S.IN_REVIEW, pitcher=pitcher, title="Zanzibar seaweed farmers")
    key = f"story:{story.id}"
    insiders = [writer, pitcher, editor, admin]
    for person in insiders:
        hits = found("zanzibar", person)
        assert key in hits, person.username
        assert hits[key].url == search.path_for("blog.manage_story", story_id=story.id)
    for person in (outsider, author, Anonymous()):
        assert key not in found("zanzibar", person)

    story = make.move(editor, make.approve(story), "publish")
    for person in (*insiders, outsider, author, Anonymous()):
        hits = found("zanzibar", person)
        assert key in hits
        assert hits[key].url == search.path_for("blog.story", slug=story.slug)
        assert hits[key].author == writer.username

    story = make.move(editor, story, "unpublish", note="Checking.")
    assert key in found("zanzibar", writer)
    for person in (outsider, author, Anonymous()):
        assert key not in found("zanzibar", person)

    make.move(editor, story, "trash")
    for person in (writer, editor, admin):
        assert key not in found("zanzibar", person)


def test_a_published_edit_is_searchable(make):
    story = make.published(title="Bicycles for the village")
    edit(make.editor(), story, body="Now the story talks about tandems.")
    assert f"story:{story.id}" in found("tandems", Anonymous())


# --- notifications ----------------------------------------------------------------------------


def told(user) -> list[tuple[str, str]]:
    """(kind, decision) of what ``user`` was told, oldest first."""
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return [(row.kind, row.data.get("decision", "")) for row in rows]


def blog_told(user) -> list[tuple[str, str]]:
    return [item for item in told(user) if item[0].startswith("blog.")]


def test_notification_kinds_are_registered(app):
    from space.notify import types

    kinds = {"blog.pitched", "blog.pitch_accepted", "blog.pitch_declined", "blog.submitted",
             "blog.withdrawn",
             "blog.decision", "blog.comment", "blog.scheduled", "blog.published",
             "blog.unpublished"}  # fmt: skip
    assert kinds <= set(types())


def test_the_pitcher_hears_of_the_answer(make):
    pitcher, editor, outsider = make.writer(), make.editor(), make.writer()
    make.move(editor, make.pitch(pitcher), "accept")
    declined = make.pitch(pitcher)
    make.move(editor, declined, "decline", note="We covered it last week.")
    assert blog_told(pitcher) == [("blog.pitch_accepted", ""), ("blog.pitch_declined", "")]
    last = db.session.scalars(select(Notification).where(Notification.user_id == pitcher.id)
                              .order_by(Notification.id.desc())).first()  # fmt: skip
    assert last.data["note"] == "We covered it last week."
    # Editors hear of each new pitch; the outsider of nothing.
    assert blog_told(editor) == [("blog.pitched", ""), ("blog.pitched", "")]
    assert blog_told(outsider) == []


def test_every_editor_hears_of_a_submission_when_none_is_assigned(make):
    writer, outsider = make.writer(), make.writer()
    editors = [make.editor(), make.editor(), make.admin()]
    story = make.story(writer, S.DRAFT)
    make.move(writer, story, "submit")
    for editor in editors:
        assert blog_told(editor) == [("blog.submitted", "")]
    assert blog_told(writer) == [], "nobody is told of their own act"
    assert blog_told(outsider) == []
    text, url = describe(db.session.scalars(
        select(Notification).where(Notification.user_id == editors[0].id)).one())  # fmt: skip
    assert writer.username in text and story.title in text
    assert url == url_for("blog.manage_story", story_id=story.id)


def test_the_assigned_editor_hears_of_a_submission(make):
    writer, assigned, other = make.writer(), make.editor(), make.editor()
    story = make.pitch(make.writer())
    story = make.move(assigned, story, "accept", writer=writer)
    before = {person.id: len(blog_told(person)) for person in (assigned, other)}
    make.move(writer, story, "submit")
    assert blog_told(assigned)[before[assigned.id] :] == [("blog.submitted", "")]
    assert blog_told(other)[before[other.id] :] == []


def test_the_writers_hear_of_decisions(make):
    writer, second, editor = make.writer(), make.writer(), make.editor()
    story = make.story(writer, S.IN_REVIEW, writers=[second])
    story = make.move(editor, story, "request_changes", note="Add sources.")
    story = make.move(writer, story, "submit")
    story = make.move(editor, story, "reject", note="Not a fit.")
    for person in (writer, second):
        decisions = [item for item in blog_told(person) if item[0] == "blog.decision"]
        assert decisions == [("blog.decision", "request_changes"), ("blog.decision", "reject")]
    text, _ = describe(db.session.scalars(
        select(Notification).where(Notification.user_id == second.id,
                                   Notification.kind == "blog.decision")
        .order_by(Notification.id)).first())  # fmt: skip
    assert text == f"{editor.username} asked for changes to “{story.title}”"


def test_schedule_and_publication_are_told_to_the_people_involved(make):
    pitcher, writer, editor, outsider = make.writer(), make.writer(), make.editor(), make.writer()
    story = make.story(writer, S.APPROVED, pitcher=pitcher, editor=editor)
    from datetime import timedelta

    from space.db import utcnow

    story = make.move(editor, story, "schedule", publish_at=utcnow() + timedelta(hours=2))
    story = make.move(editor, story, "publish")
    for person in (writer, pitcher):
        kinds = [kind for kind, _ in blog_told(person)]
        assert kinds[-2:] == ["blog.scheduled", "blog.published"]
    assert "blog.published" not in [kind for kind, _ in blog_told(editor)], "their own act"
    assert blog_told(outsider) == []
    published = db.session.scalars(
        select(Notification).where(
            Notification.user_id == writer.id, Notification.kind == "blog.published"
        )
    ).one()
    assert describe(published)[1] == url_for("blog.story_by_id", story_id=story.id)


def test_nobody_is_told_of_a_story_they_may_no_longer_see(make):
    writer, editor, reader = make.writer(), make.editor(), make.writer()
    story = make.published(writer)
    notices.follow(story, reader.id)  # a reader followed the published story
    db.session.commit()
    make.move(editor, story, "unpublish", note="Legal question.")
    assert blog_told(reader) == []
    assert blog_told(writer)[-1] == ("blog.unpublished", "")


def test_a_withdrawal_is_told_to_the_editors_who_follow(make):
    writer, editor = make.writer(), make.editor()
    story = make.story(writer, S.IN_REVIEW)
    story = make.move(editor, story, "request_changes", note="Shorter.")  # editor follows now
    story = make.move(writer, story, "submit")
    make.move(writer, story, "withdraw")
    assert ("blog.withdrawn", "") in blog_told(editor)


@pytest.mark.parametrize("kind", ["blog.submitted", "blog.published"])
def test_notifications_never_reach_the_actor(make, kind):
    writer = make.author()
    story = make.story(writer, S.APPROVED if kind == "blog.published" else S.DRAFT)
    make.move(writer, story, "publish" if kind == "blog.published" else "submit")
    assert kind not in [k for k, _ in blog_told(writer)]
