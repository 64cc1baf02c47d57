"""Publishing a story and what follows from it: its address, the counters of published
stories per category and tag, its one discussion topic (``space.discussions``), and the
scheduled jobs — publishing what is due (catching up missed times) and purging the trash.
``workflow.move`` calls ``publish`` and ``unpublish`` as consequences of those moves.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload

from space import audit, discussions
from space.db import db, utcnow

from ..models import (
    BlogCategory,
    BlogTag,
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
from ..settings import value
from . import indexing, notices, workflow


def counters(story: Story, delta: int) -> None:
    """Published stories per category and tag, kept at write time."""
    if story.category_id is not None:
        db.session.execute(
            update(BlogCategory)
            .where(BlogCategory.id == story.category_id)
            .values(story_count=BlogCategory.story_count + delta)
        )
    tag_ids = select(story_tag.c.tag_id).where(story_tag.c.story_id == story.id)
    db.session.execute(
        update(BlogTag).where(BlogTag.id.in_(tag_ids))
        .values(story_count=BlogTag.story_count + delta)
    )  # fmt: skip


def publish(story: Story, user, now: datetime) -> None:
    """Make a story public (its status already is published): its address, counters, the
    one discussion topic, search, notifications."""
    from . import slugs

    if story.slug is None:
        story.slug = slugs.unique_slug(story)
    story.published_at = now
    story.first_published_at = story.first_published_at or now
    story.published_revision_number = story.revision_number
    story.publish_at = None
    workflow.release_lock(story)
    counters(story, +1)
    open_discussion(story, user)
    notices.tell(story, "blog.published", user)
    audit.record("blog.story.publish", actor=user, target=story, target_type="story",
                 target_label=story.title[:200])  # fmt: skip


def unpublish(story: Story, user, reason: str) -> None:
    """Take a story out of public view (its status already is unpublished)."""
    counters(story, -1)
    discussions.close(story.topic_id, actor=user, reason=reason)
    notices.tell(story, "blog.unpublished", user, note=reason)


def discussion_subject(story: Story) -> discussions.Subject:
    """The story as its discussion topic's first post: the excerpt and a link."""
    from flask import url_for

    link = url_for("blog.story", slug=story.slug)
    label = _("Read the story")
    body = f"{story.excerpt.strip()}\n\n[{label}]({link})"
    return discussions.Subject(
        key=f"blog.story:{story.id}",
        title=story.title,
        body=body,
        author_id=story.writer_id or story.pitched_by_id,
        category=str(value("discussion_category") or ""),
        language=story.language,
    )


def open_discussion(story: Story, user) -> None:
    """Open the story's topic, or bring it up to date (never a second one)."""
    if story.writer_id is None and story.pitched_by_id is None:
        return
    topic_id = discussions.open(discussion_subject(story), actor=user)
    if topic_id is not None:
        story.topic_id = topic_id


def publish_due(now: datetime | None = None) -> int:
    """Publish every scheduled story whose time has come, including times missed while
    nothing ran (the scheduler catches up). Each story is claimed by its version, so two
    processes never publish one twice. Commits each story. Returns how many."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Story)
        .options(selectinload(Story.authors))
        .where(Story.status == Status.SCHEDULED, Story.publish_at <= now)
        .order_by(Story.publish_at)
    ).all()
    published = 0
    for story in due:
        try:
            workflow.claim(story, Status.PUBLISHED, story.version)
        except workflow.Conflict:
            db.session.rollback()
            continue
        story.updated_at = now
        publish(story, None, now)
        workflow.record(story, None, "autopublish", Status.SCHEDULED)
        indexing.queue_story(story)
        db.session.commit()
        published += 1
    return published


def purge_trash(now: datetime | None = None) -> int:
    """Delete stories that stayed in the trash ``trash_days``, with everything they hold.
    Commits. Returns how many."""
    now = now or utcnow()
    cutoff = now - timedelta(days=int(value("trash_days")))
    ids = db.session.scalars(
        select(Story.id).where(Story.status == Status.TRASH, Story.trashed_at <= cutoff)
    ).all()
    if ids:
        db.session.execute(
            update(Story).where(Story.source_id.in_(ids)).values(source_id=None),
            execution_options={"synchronize_session": False},
        )
        for story_id in ids:
            indexing.queue_delete(story_id)
        children = [StoryAuthor, StoryDecision, StoryComment, StoryRevision, StoryAutosave,
                    StoryFollow, StorySlug]  # fmt: skip
        for model in children:
            db.session.execute(delete(model).where(model.story_id.in_(ids)),
                               execution_options={"synchronize_session": False})  # fmt: skip
        db.session.execute(delete(story_tag).where(story_tag.c.story_id.in_(ids)))
        db.session.execute(delete(Story).where(Story.id.in_(ids)),
                           execution_options={"synchronize_session": False})  # fmt: skip
        db.session.commit()
    return len(ids)
