"""Autosave: what someone is typing in the story editor, kept on the server as they type.

One ``StoryAutosave`` per person and story, replaced at each save, so nothing typed is lost
when a browser crashes or a lock is taken over. It carries the revision the text was based
on: restoring an autosave made before someone else saved leads to the usual stale-save
refusal with the differences, never to overwriting their work. Saving a revision deletes
the saver's autosave (``revisions.save``). Only its owner ever reads an autosave (every
function takes the user). Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from space.db import db, utcnow

from ..models import Story, StoryAutosave
from .revisions import Text, check
from .workflow import WorkflowError


def save(
    user,
    story: Story,
    base_revision: int,
    title: str,
    excerpt: str,
    body: str,
    now: datetime | None = None,
) -> StoryAutosave:
    """Keep ``user``'s unsaved text of ``story``, replacing their previous one. Lengths are
    checked as for a revision (``WorkflowError`` naming the field); ``base_revision`` must be
    a revision of the story."""
    now = now or utcnow()
    if isinstance(base_revision, bool) or not isinstance(base_revision, int):
        raise WorkflowError(_("The version you started from is not valid."), "base_revision")
    if not 0 <= base_revision <= story.revision_number:
        raise WorkflowError(_("The version you started from is not valid."), "base_revision")
    text = check(Text(title or "", excerpt or "", body or ""))
    values = dict(base_revision=base_revision, title=text.title, excerpt=text.excerpt,
                  body=text.body, saved_at=now)  # fmt: skip
    if not _update(user, story, values):
        try:
            with db.session.begin_nested():
                db.session.add(StoryAutosave(story_id=story.id, user_id=user.id, **values))
        except IntegrityError:  # another tab of the same person inserted it meanwhile
            _update(user, story, values)
    return get(user, story)


def _update(user, story: Story, values: dict) -> bool:
    done = db.session.execute(
        update(StoryAutosave)
        .where(StoryAutosave.story_id == story.id, StoryAutosave.user_id == user.id)
        .values(**values),
        execution_options={"synchronize_session": False},
    ).rowcount
    return bool(done)


def get(user, story: Story) -> StoryAutosave | None:
    """``user``'s autosave of ``story``, read fresh from the database."""
    return db.session.scalar(
        select(StoryAutosave)
        .where(StoryAutosave.story_id == story.id, StoryAutosave.user_id == user.id)
        .execution_options(populate_existing=True)
    )


def discard(user, story: Story) -> bool:
    """Throw ``user``'s autosave of ``story`` away. Returns whether there was one."""
    done = db.session.execute(
        delete(StoryAutosave).where(
            StoryAutosave.story_id == story.id, StoryAutosave.user_id == user.id
        ),
        execution_options={"synchronize_session": False},
    ).rowcount
    return bool(done)


def pending(user, story: Story) -> StoryAutosave | None:
    """``user``'s autosave when it holds text the story does not have (worth offering to
    restore), else None."""
    kept = get(user, story)
    if kept is None or Text.of(kept) == Text.of(story):
        return None
    return kept


def is_behind(kept: StoryAutosave, story: Story) -> bool:
    """Was the autosave made from a revision older than the story's head (someone saved
    after it was started)?"""
    return kept.base_revision < story.revision_number
