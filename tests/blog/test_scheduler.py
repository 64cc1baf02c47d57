"""The blog's scheduled jobs: scheduled stories are published when their time comes — once,
and late rather than never when nothing ran at that time — and the trash is purged after
``trash_days``, with everything the purged stories held."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from plugins.blog import settings
from plugins.blog.models import (
    BlogCategory,
    Status,
    Story,
    StoryAuthor,
    StoryAutosave,
    StoryComment,
    StoryDecision,
    StoryFollow,
    StoryRevision,
    StorySlug,
    story_tag,
)
from plugins.blog.services import publishing, workflow
from plugins.discuss.models import Topic
from space import jobs, search
from space.accounts.models import Anonymous
from space.db import db, utcnow
from space.notify import Notification

from .conftest import reload

S = Status


def due_in_the_past(story, ago: timedelta):
    """As if the story had been scheduled for ``ago`` before now (a schedule cannot be made
    in the past, so the time is moved afterwards)."""
    db.session.execute(update(Story).where(Story.id == story.id)
                       .values(publish_at=utcnow() - ago))  # fmt: skip
    db.session.commit()
    return reload(story)


def autopublished(story) -> list[StoryDecision]:
    return list(db.session.scalars(
        select(StoryDecision).where(StoryDecision.story_id == story.id,
                                    StoryDecision.action == "autopublish")
    ))  # fmt: skip


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def finds(story, user) -> bool:
    parsed = search.parse(story.title, known_types=search.types(), type_name="story")
    results = search.backend().search(parsed, search.principals(user), 1, 50)
    return f"story:{story.id}" in {hit.key for hit in results.hits}


# --- scheduled publishing ---------------------------------------------------------------------


def test_a_story_whose_time_has_come_is_published_once(make):
    writer = make.writer()
    category = make.category()
    story = make.story(writer, S.SCHEDULED, category=category, title="Solar panels at school")
    version = story.version
    assert publishing.publish_due() == 0, "not yet"
    assert reload(story).status == S.SCHEDULED
    assert not finds(story, Anonymous())

    story = due_in_the_past(story, timedelta(seconds=5))
    assert publishing.publish_due() == 1
    story = reload(story)
    assert story.status == S.PUBLISHED and story.version == version + 1
    assert story.publish_at is None and story.published_at is not None
    assert story.slug and story.published_revision_number == story.revision_number
    [decision] = autopublished(story)
    assert decision.user_id is None
    assert (decision.from_status, decision.to_status) == (S.SCHEDULED, S.PUBLISHED)
    assert count(Topic, Topic.subject == f"blog.story:{story.id}") == 1
    assert db.session.get(BlogCategory, category.id).story_count == 1
    assert finds(story, Anonymous())
    told = db.session.scalars(
        select(Notification.kind).where(
            Notification.user_id == writer.id, Notification.kind == "blog.published"
        )
    ).all()
    assert told == ["blog.published"]

    # Running again publishes nothing more.
    assert publishing.publish_due() == 0
    story = reload(story)
    assert story.version == version + 1 and len(autopublished(story)) == 1
    assert count(Topic, Topic.subject == f"blog.story:{story.id}") == 1
    assert db.session.get(BlogCategory, category.id).story_count == 1


def test_missed_times_are_caught_up_in_order(make):
    """The app was down for three days: the next run publishes everything that was due, the
    earliest first, and leaves what is still to come."""
    missed_long_ago = due_in_the_past(make.story(None, S.SCHEDULED), timedelta(days=3))
    missed_recently = due_in_the_past(make.story(None, S.SCHEDULED), timedelta(hours=1))
    future = make.story(None, S.SCHEDULED, publish_at=utcnow() + timedelta(hours=5))
    approved = make.story(None, S.APPROVED)

    assert publishing.publish_due() == 2
    first, second = reload(missed_long_ago), reload(missed_recently)
    assert first.status == second.status == S.PUBLISHED
    assert first.published_at <= second.published_at
    assert autopublished(first)[0].id < autopublished(second)[0].id
    assert reload(future).status == S.SCHEDULED
    assert reload(approved).status == S.APPROVED

    assert publishing.publish_due(utcnow() + timedelta(hours=6)) == 1
    assert reload(future).status == S.PUBLISHED


def test_the_scheduler_job_publishes(make, app):
    names = {job.name for job in jobs.all_jobs()}
    assert {"blog.publish_due", "blog.purge_trash"} <= names
    story = due_in_the_past(make.story(None, S.SCHEDULED), timedelta(minutes=2))

    assert jobs.run_due({"blog.publish_due"}) == ["blog.publish_due"]
    assert reload(story).status == S.PUBLISHED
    # A second run within the period does not run; forced, it finds nothing to do.
    assert jobs.run_due({"blog.publish_due"}) == []
    assert jobs.run_due({"blog.publish_due"}, force=True) == ["blog.publish_due"]
    assert len(autopublished(story)) == 1


def test_the_jobs_command_catches_up(make, runner):
    story = due_in_the_past(make.story(None, S.SCHEDULED), timedelta(days=1))
    result = runner.invoke(args=["space", "jobs"])
    assert result.exit_code == 0, result.output
    assert reload(story).status == S.PUBLISHED


def test_a_story_unscheduled_or_sent_back_is_not_published(make):
    editor = make.editor()
    unscheduled = due_in_the_past(make.story(None, S.SCHEDULED), timedelta(minutes=1))
    # Moving the time into the past then unscheduling: the time goes with it.
    unscheduled = make.move(editor, unscheduled, "unschedule")
    sent_back = make.story(None, S.SCHEDULED)
    sent_back = make.move(editor, sent_back, "request_changes", note="One more source.")
    assert publishing.publish_due(utcnow() + timedelta(days=400)) == 0
    assert reload(unscheduled).status == S.APPROVED
    assert reload(sent_back).status == S.CHANGES_REQUESTED


def test_a_story_published_by_hand_meanwhile_is_not_published_again(make):
    editor = make.editor()
    story = due_in_the_past(make.story(None, S.SCHEDULED), timedelta(minutes=1))
    story = make.move(editor, story, "publish")
    assert publishing.publish_due() == 0
    assert autopublished(story) == []
    assert count(Topic) == 1


def test_a_story_claimed_by_another_process_is_skipped(make, monkeypatch):
    """Two schedulers at once: the one whose claim fails skips the story."""
    story = due_in_the_past(make.story(None, S.SCHEDULED), timedelta(minutes=1))
    other = due_in_the_past(make.story(None, S.SCHEDULED), timedelta(seconds=30))
    real_claim = workflow.claim

    def racing_claim(claimed, target, version):
        if claimed.id == story.id:  # the other process published it just before us
            with db.engine.begin() as connection:
                connection.execute(update(Story.__table__)
                                   .where(Story.__table__.c.id == story.id)
                                   .values(version=version + 1, status="published"))  # fmt: skip
        return real_claim(claimed, target, version)

    monkeypatch.setattr(workflow, "claim", racing_claim)
    assert publishing.publish_due() == 1
    assert autopublished(story) == []
    assert reload(other).status == S.PUBLISHED and len(autopublished(other)) == 1


# --- the trash --------------------------------------------------------------------------------


def fill(make, story):
    """Give a story something of everything it can hold: a comment, an autosave, a tag,
    an old slug."""
    editor = make.editor()
    db.session.add(StoryComment(story_id=story.id, user_id=editor.id, body="Check this.",
                                cooked="<p>Check this.</p>"))  # fmt: skip
    db.session.add(StoryAutosave(story_id=story.id, user_id=story.writer_id, base_revision=1,
                                 title="t", excerpt="e", body="b"))  # fmt: skip
    db.session.commit()


def held(story_id) -> dict[str, int]:
    where = {
        "revisions": (StoryRevision, StoryRevision.story_id == story_id),
        "decisions": (StoryDecision, StoryDecision.story_id == story_id),
        "comments": (StoryComment, StoryComment.story_id == story_id),
        "authors": (StoryAuthor, StoryAuthor.story_id == story_id),
        "follows": (StoryFollow, StoryFollow.story_id == story_id),
        "autosaves": (StoryAutosave, StoryAutosave.story_id == story_id),
        "slugs": (StorySlug, StorySlug.story_id == story_id),
    }
    found = {name: count(model, clause) for name, (model, clause) in where.items()}
    found["tags"] = db.session.scalar(
        select(func.count()).select_from(story_tag).where(story_tag.c.story_id == story_id)
    )
    found["story"] = count(Story, Story.id == story_id)
    return found


def test_the_trash_is_purged_after_trash_days_with_everything_in_it(make):
    from plugins.blog.services import slugs

    editor = make.editor()
    tag = make.tag()
    story = make.published(tags=[tag])
    slugs.change(story, "a-new-address")  # the old slug is kept for redirects
    db.session.commit()
    story = make.move(editor, story, "unpublish", note="Wrong facts.")
    fill(make, story)
    story = make.move(editor, story, "trash")
    kept = make.story(None, S.DRAFT)
    translation = make.story(None, S.DRAFT, source=story, language="fr")
    story_id, kept_id, translation_id = story.id, kept.id, translation.id
    before = held(story_id)
    assert all(before.values()), before
    assert not finds(story, editor)

    assert publishing.purge_trash(utcnow() + timedelta(days=29)) == 0
    assert held(story_id) == before

    assert publishing.purge_trash(utcnow() + timedelta(days=30, minutes=1)) == 1
    assert set(held(story_id).values()) == {0}
    assert reload(kept_id) is not None and held(kept_id)["revisions"] == 1
    translation = reload(translation_id)
    assert translation is not None and translation.source_id is None
    assert publishing.purge_trash(utcnow() + timedelta(days=60)) == 0


def test_only_the_trash_is_purged(make):
    old = utcnow() - timedelta(days=365)
    stories = [make.story(None, status) for status in (S.DRAFT, S.REJECTED, S.UNPUBLISHED,
                                                        S.PUBLISHED, S.PITCH)]  # fmt: skip
    db.session.execute(update(Story).values(created_at=old, updated_at=old))
    db.session.commit()
    assert publishing.purge_trash() == 0
    assert all(reload(story) is not None for story in stories)


@pytest.mark.parametrize("days", [1, 7])
def test_the_trash_days_are_a_setting(make, days):
    settings.put("trash_days", days)
    db.session.commit()
    story_id = make.story(None, S.TRASH).id
    assert publishing.purge_trash(utcnow() + timedelta(days=days) - timedelta(minutes=1)) == 0
    assert publishing.purge_trash(utcnow() + timedelta(days=days, minutes=1)) == 1
    assert reload(story_id) is None


def test_a_restored_story_is_not_purged(make):
    editor = make.editor()
    story = make.story(None, S.TRASH)
    story = make.move(editor, story, "restore")
    assert publishing.purge_trash(utcnow() + timedelta(days=365)) == 0
    assert reload(story).status == S.DRAFT


def test_the_purge_job_runs(make):
    story_id = make.story(None, S.TRASH).id
    db.session.execute(update(Story).where(Story.id == story_id)
                       .values(trashed_at=utcnow() - timedelta(days=31)))  # fmt: skip
    db.session.commit()
    assert jobs.run_due({"blog.purge_trash"}) == ["blog.purge_trash"]
    assert reload(story_id) is None


def test_a_story_made_after_a_purge_never_inherits_an_old_discussion(make):
    """The purged story's topic stays in Discuss (its replies are people's posts), keyed by
    the story's id: a later story must not be given that id's topic, even when the database
    hands out the purged story's id again (SQLite reuses the highest rowid)."""
    editor = make.editor()
    old = make.published(title="The first story")
    old_topic = old.topic_id
    old = make.move(editor, old, "unpublish", note="Withdrawn.")
    make.move(editor, old, "trash")
    assert publishing.purge_trash(utcnow() + timedelta(days=31)) == 1

    new = make.published(title="A different story")
    assert new.topic_id is not None and new.topic_id != old_topic
    topic = db.session.get(Topic, new.topic_id)
    assert topic.title == "A different story" and not topic.closed
    assert db.session.get(Topic, old_topic).title == "The first story"
