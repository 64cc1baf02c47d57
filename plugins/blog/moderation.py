"""The blog in the one review queue (``space.moderation``): published stories can be flagged.

One review handler, "blog.story". What the queue does maps onto the editorial flow, so that
the story's discussion topic, counters, search and history stay consistent:

- **hide**: the story is unpublished (its topic closed and unlisted, out of lists, feeds and
  search); the history says so, made by nobody (the queue), with a note;
- **unhide** (disagree, a withdrawn flag, the writer's edit): published again, with its
  first publication date, when the queue had hidden it — never over an editor's own unpublish;
- **delete**: hidden, then moved to the trash (purged after ``trash_days``);
- **restore**: back from the trash, and published again when the queue had hidden it.

Only staff review blog stories (no review scope); the queue already checked who decides.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from space import discussions
from space.db import db, utcnow
from space.moderation.handlers import ReviewHandler, Snapshot
from space.permissions import can
from space.search.sources import path_for

from .models import Status, Story, StoryDecision
from .services import indexing, publishing, workflow

ITEM_TYPE = "blog.story"


def load_story(story_id: int) -> Story | None:
    """The story with what the handler reads (writer, category), or None."""
    return db.session.scalar(
        select(Story)
        .options(joinedload(Story.writer), joinedload(Story.category))
        .where(Story.id == story_id)
    )


def hidden_by_queue(story: Story) -> bool:
    """Was the story's last publication change a hide by the review queue (an "unpublish"
    made by nobody), rather than an editor's?"""
    last = db.session.execute(
        select(StoryDecision.action, StoryDecision.user_id)
        .where(StoryDecision.story_id == story.id,
               StoryDecision.action.in_(["publish", "unpublish", "autopublish"]))
        .order_by(StoryDecision.created_at.desc(), StoryDecision.id.desc())
        .limit(1)
    ).first()  # fmt: skip
    return last is not None and last.action == "unpublish" and last.user_id is None


def hide(story: Story) -> bool:
    """Unpublish a published story on the queue's behalf: counters, the topic closed and
    unlisted, search. The queue tells the writer (``content_hidden``)."""
    if story.status != Status.PUBLISHED:
        return False
    note = _("Hidden from readers after flags; the moderators review it.")
    workflow.claim(story, Status.UNPUBLISHED, story.version)
    story.updated_at = utcnow()
    workflow.record(story, None, "unpublish", Status.PUBLISHED, note)
    publishing.counters(story, -1)
    discussions.close(story.topic_id, actor=None, reason=note)
    indexing.queue_story(story)
    return True


def republish(story: Story) -> bool:
    """Publish again a story the queue hid, keeping its publication date (it was published
    all along, as far as readers' lists go)."""
    if story.status != Status.UNPUBLISHED or not hidden_by_queue(story):
        return False
    published_at = story.published_at
    now = utcnow()
    workflow.claim(story, Status.PUBLISHED, story.version)
    story.updated_at = now
    workflow.record(story, None, "publish", Status.UNPUBLISHED,
                    _("Shown again after the moderators' review."))  # fmt: skip
    publishing.publish(story, None, now)
    story.published_at = published_at or now
    indexing.queue_story(story)
    return True


def trash(story: Story, by) -> bool:
    """Hide the story, then move it to the trash."""
    if story.status == Status.TRASH:
        return False
    hide(story)
    before = story.status
    now = utcnow()
    workflow.claim(story, Status.TRASH, story.version)
    story.updated_at = now
    story.trashed_at = now
    story.status_before_trash = before
    story.publish_at = None
    workflow.release_lock(story)
    workflow.record(story, by, "trash", before, _("Deleted by a moderator."))
    indexing.queue_story(story)
    return True


def untrash(story: Story, by) -> bool:
    """Bring the story back from the trash where it was; published again when the queue
    had hidden it."""
    if story.status != Status.TRASH:
        return False
    target = story.status_before_trash or Status.DRAFT
    if target == Status.PUBLISHED:
        target = Status.UNPUBLISHED
    workflow.claim(story, target, story.version)
    story.updated_at = utcnow()
    story.trashed_at = None
    story.status_before_trash = None
    workflow.record(story, by, "restore", Status.TRASH)
    db.session.flush()
    republish(story)
    indexing.queue_story(story)
    return True


class StoryHandler(ReviewHandler):
    """A published story of the blog."""

    name = ITEM_TYPE
    label = _l("Blog story")

    def load(self, item_id: int) -> Story | None:
        return load_story(item_id)

    def author_id(self, item: Story) -> int | None:
        return item.writer_id

    def snapshot(self, item: Story) -> Snapshot:
        url = (path_for("blog.story", slug=item.slug) if item.slug
               else path_for("blog.story_by_id", story_id=item.id))  # fmt: skip
        return Snapshot(
            title=item.title,
            html=item.cooked,
            url=url,
            context=item.category.name if item.category is not None else "",
        )

    def can_see(self, user, item: Story) -> bool:
        return item.status == Status.PUBLISHED and can(user, "blog.story.read", item)

    def version(self, item: Story) -> int:
        return item.revision_number

    def author_trust_level(self, item: Story) -> int | None:
        return int(item.writer.trust_level) if item.writer is not None else None

    def hide(self, item: Story) -> bool:
        return hide(item)

    def unhide(self, item: Story) -> bool:
        return republish(item)

    def delete(self, item: Story, *, by, with_replies: bool = False) -> bool:
        return trash(item, by)

    def restore(self, item: Story, *, by) -> bool:
        return untrash(item, by)

    def edit_url(self, item: Story) -> str | None:
        return path_for("blog.manage_story", story_id=item.id)


def handlers() -> list[ReviewHandler]:
    return [StoryHandler()]
