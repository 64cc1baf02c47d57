"""A story's revisions: the list, one of them, two compared side by side, and restoring one.

Revisions never change; restoring an old one saves its text as a new revision (note
"restore:<n>"), so the history only grows and the restore itself can be undone. The list
loads no text (a story may have hundreds of revisions of a long text); a comparison loads
just the two compared. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import load_only, selectinload

from space import diffs
from space.db import db

from ..models import Story, StoryRevision
from .revisions import Text
from .revisions import save as save_revision

PER_PAGE = 50

# What the list shows of each revision (not its text).
_LISTED = (StoryRevision.id, StoryRevision.story_id, StoryRevision.number,
           StoryRevision.user_id, StoryRevision.created_at, StoryRevision.substantive,
           StoryRevision.note)  # fmt: skip


def revisions(story: Story, *, page: int = 1, per_page: int = PER_PAGE) -> list[StoryRevision]:
    """One page of the story's revisions, newest first, with their authors, without their
    text (two queries whatever the number of revisions)."""
    return list(
        db.session.scalars(
            select(StoryRevision)
            .options(load_only(*_LISTED, raiseload=True), selectinload(StoryRevision.user))
            .where(StoryRevision.story_id == story.id)
            .order_by(StoryRevision.number.desc())
            .limit(per_page)
            .offset((max(page, 1) - 1) * per_page)
        )
    )


def pages(story: Story, per_page: int = PER_PAGE) -> int:
    """How many pages the list has (revisions are numbered 1…n without gaps)."""
    return max(1, -(-story.revision_number // per_page))


def get(story: Story, number: int) -> StoryRevision | None:
    """Revision ``number`` of the story, with its text and author, or None."""
    if not isinstance(number, int) or not 0 < number <= story.revision_number:
        return None
    return db.session.scalar(
        select(StoryRevision)
        .options(selectinload(StoryRevision.user))
        .where(StoryRevision.story_id == story.id, StoryRevision.number == number)
    )


@dataclass(frozen=True)
class Comparison:
    """Two revisions side by side: ``rows`` maps "title", "excerpt", "body" to
    ``diffs.side_by_side`` rows; ``changed`` lists the parts that differ."""

    old: StoryRevision
    new: StoryRevision
    rows: dict[str, list[diffs.Row]]

    @property
    def changed(self) -> list[str]:
        return [part for part in ("title", "excerpt", "body")
                if getattr(self.old, part) != getattr(self.new, part)]  # fmt: skip


def rows(old: Text, new: Text) -> dict[str, list[diffs.Row]]:
    """Side-by-side rows for each part of two texts."""
    return {part: diffs.side_by_side(getattr(old, part), getattr(new, part))
            for part in ("title", "excerpt", "body")}  # fmt: skip


def compare(story: Story, a: int, b: int) -> Comparison | None:
    """Revision ``a`` (old side) against revision ``b`` (new side), in one query; None when
    either does not exist."""
    wanted = {n for n in (a, b) if isinstance(n, int) and 0 < n <= story.revision_number}
    if len(wanted) != len({a, b}):
        return None
    found = {
        revision.number: revision
        for revision in db.session.scalars(
            select(StoryRevision)
            .options(selectinload(StoryRevision.user))
            .where(StoryRevision.story_id == story.id, StoryRevision.number.in_(wanted))
        )
    }
    if a not in found or b not in found:
        return None
    old, new = found[a], found[b]
    return Comparison(old, new, rows(Text.of(old), Text.of(new)))


def restore(user, story: Story, number: int, base_revision: int) -> StoryRevision | None:
    """Save revision ``number``'s text as the story's next revision (note "restore:<n>").
    Returns it, or None when the story already has that text. Raises ``LookupError`` for an
    unknown revision, and as ``revisions.save`` does (``StaleSave`` when someone saved
    since ``base_revision``, ``WorkflowError`` when the old text breaks today's limits).
    The caller checked ``require(user, "blog.story.edit", story)``."""
    old = get(story, number)
    if old is None:
        raise LookupError(number)
    return save_revision(user, story, Text.of(old), base_revision=base_revision,
                         note=f"restore:{number}")  # fmt: skip
