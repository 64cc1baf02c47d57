"""Private editorial comments on a story: for its writers, its pitcher and editors, never for
readers (not on the public page, not in feeds, search or notifications of outsiders).

Comments are threaded one level deep: a reply to a reply joins the thread of the comment it
answers, so every ``parent_id`` names a top-level comment of the same story. Threads are
resolved and reopened. Bodies are markdown, cooked once when written.

The caller checked ``require(user, "blog.story.comment", story)`` and commits; input the
person can fix raises ``WorkflowError(message, field)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from space.accounts.models import User
from space.db import db, utcnow
from space.markup import render
from space.permissions import can

from ..models import Story, StoryComment
from . import notices
from .workflow import WorkflowError

BODY_MAX = 10_000


@dataclass
class Thread:
    """A top-level comment and its replies, oldest first."""

    comment: StoryComment
    replies: list[StoryComment] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return self.comment.resolved_at is not None


def get(story: Story, comment_id: int) -> StoryComment | None:
    """The story's comment ``comment_id`` (None when it is not one of this story's)."""
    comment = db.session.get(StoryComment, comment_id)
    if comment is None or comment.story_id != story.id:
        return None
    return comment


def add(user, story: Story, body: str, parent_id: int | None = None) -> StoryComment:
    """Add ``user``'s comment (a reply when ``parent_id`` names one of the story's comments).
    The commenter follows the story; the other followers who may comment are told."""
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise WorkflowError(_("Write a comment first."), "body")
    if len(body) > BODY_MAX:
        raise WorkflowError(_("The comment is too long (at most %(n)d characters).",
                              n=BODY_MAX), "body")  # fmt: skip
    root_id = None
    if parent_id is not None:
        parent = get(story, parent_id)
        if parent is None:
            raise WorkflowError(_("The comment you are answering no longer exists."), "parent")
        root_id = parent.parent_id or parent.id
    comment = StoryComment(story_id=story.id, parent_id=root_id, user_id=user.id, body=body,
                           cooked=str(render(body)), revision_number=story.revision_number,
                           created_at=utcnow())  # fmt: skip
    db.session.add(comment)
    notices.follow(story, user.id)
    notices.tell(story, "blog.comment", user, to=_told(story))
    return comment


def _told(story: Story) -> list[int]:
    """Followers who may read editorial comments. A published story may be followed by any
    reader: they hear of its publication, never of its comments."""
    ids = notices.followers(story)
    if not ids:
        return []
    people = db.session.scalars(select(User).where(User.id.in_(ids))).all()
    return [person.id for person in people if can(person, "blog.story.comment", story)]


def _root(comment: StoryComment) -> StoryComment:
    if comment.parent_id is None:
        return comment
    return db.session.get(StoryComment, comment.parent_id) or comment


def resolve(user, comment: StoryComment) -> bool:
    """Mark the comment's thread (its top-level comment) resolved; False when it already
    was."""
    comment = _root(comment)
    if comment.resolved_at is not None:
        return False
    comment.resolved_at = utcnow()
    comment.resolved_by_id = user.id
    return True


def reopen(user, comment: StoryComment) -> bool:
    """Open a resolved thread again; False when it was open."""
    comment = _root(comment)
    if comment.resolved_at is None:
        return False
    comment.resolved_at = None
    comment.resolved_by_id = None
    return True


def thread(story: Story) -> list[Thread]:
    """The story's comments as threads (oldest first), authors and resolvers loaded: one
    query whatever their number."""
    comments = db.session.scalars(
        select(StoryComment)
        .options(joinedload(StoryComment.user), joinedload(StoryComment.resolved_by))
        .where(StoryComment.story_id == story.id)
        .order_by(StoryComment.created_at, StoryComment.id)
    ).all()
    threads: dict[int, Thread] = {}
    orphans: list[StoryComment] = []
    for comment in comments:
        if comment.parent_id is None:
            threads[comment.id] = Thread(comment)
        elif comment.parent_id in threads:
            threads[comment.parent_id].replies.append(comment)
        else:
            orphans.append(comment)
    # Written before the one-level rule, or whose parent was reparented: still shown.
    for comment in orphans:
        threads[comment.id] = Thread(comment)
    return list(threads.values())


def open_count(threads: list[Thread]) -> int:
    return sum(1 for item in threads if not item.resolved)
