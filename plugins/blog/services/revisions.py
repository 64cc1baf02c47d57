"""Saving a story's text: every save is a new, immutable revision.

``save`` takes the text and the revision number the writer started from. When someone saved
in between, it raises ``StaleSave`` (nothing is written; the caller shows the difference and
keeps what was typed). A substantive change (the title, or more than
``substantive_edit_chars`` characters of excerpt and body) made while the story is under
review, approved or scheduled sends it back to review with its approvals reset; made to a
published story, it updates the story's discussion topic and marks translations outdated.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from space import diffs
from space.db import db, utcnow
from space.markup import render

from ..models import Status, Story, StoryAutosave, StoryRevision
from ..settings import value
from . import indexing, publishing, workflow
from .workflow import WorkflowError

# Statuses in which a substantive edit starts the approvals again.
UNDER_REVIEW = {Status.IN_REVIEW, Status.APPROVED, Status.SCHEDULED}


@dataclass(frozen=True)
class Text:
    title: str
    excerpt: str
    body: str

    @classmethod
    def of(cls, item) -> Text:
        return cls(item.title, item.excerpt, item.body)


class StaleSave(Exception):
    """The story changed since revision ``base``: ``head`` is the latest revision."""

    def __init__(self, base: int, head: StoryRevision | None):
        super().__init__(f"revision {base} is stale")
        self.base = base
        self.head = head


def is_substantive(old: Text, new: Text) -> bool:
    if " ".join(old.title.split()) != " ".join(new.title.split()):
        return True
    changed = diffs.changed_characters(old.excerpt, new.excerpt) + diffs.changed_characters(
        old.body, new.body
    )
    return changed > int(value("substantive_edit_chars"))


def check(text: Text) -> Text:
    """Tidy and check lengths; raises ``WorkflowError`` naming the field."""
    title = " ".join(text.title.split())
    if len(title) > int(value("title_max_length")):
        raise WorkflowError(_("The title is too long (at most %(n)d characters).",
                              n=int(value("title_max_length"))), "title")  # fmt: skip
    excerpt = text.excerpt.strip()
    if len(excerpt) > int(value("excerpt_max_length")):
        raise WorkflowError(_("The excerpt is too long (at most %(n)d characters).",
                              n=int(value("excerpt_max_length"))), "excerpt")  # fmt: skip
    body = text.body.replace("\r\n", "\n")
    if len(body) > int(value("body_max_length")):
        raise WorkflowError(_("The story is too long (at most %(n)d characters).",
                              n=int(value("body_max_length"))), "body")  # fmt: skip
    return Text(title, excerpt, body)


def head(story: Story) -> StoryRevision | None:
    if story.revision_number == 0:
        return None
    return db.session.scalar(
        select(StoryRevision).where(
            StoryRevision.story_id == story.id, StoryRevision.number == story.revision_number
        )
    )


def save(
    user, story: Story, text: Text, *, base_revision: int, note: str = ""
) -> StoryRevision | None:
    """Save ``text`` as the story's next revision; None when nothing changed. The caller
    checked ``require(user, "blog.story.edit", story)``."""
    text = check(text)
    if base_revision != story.revision_number:
        raise StaleSave(base_revision, head(story))
    old = Text.of(story)
    if text == old and story.revision_number > 0:
        _drop_autosave(user, story)
        return None
    number = base_revision + 1
    claimed = db.session.execute(
        update(Story)
        .where(Story.id == story.id, Story.revision_number == base_revision)
        .values(revision_number=number),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not claimed:  # someone saved between our read and now
        db.session.expire(story)
        raise StaleSave(base_revision, head(story))
    set_committed_value(story, "revision_number", number)
    substantive = story.revision_number == 1 or is_substantive(old, text)
    revision = StoryRevision(story_id=story.id, number=number, user_id=user.id,
                             created_at=utcnow(), title=text.title, excerpt=text.excerpt,
                             body=text.body, substantive=substantive, note=note[:100])  # fmt: skip
    db.session.add(revision)
    story.title, story.excerpt, story.body = text.title, text.excerpt, text.body
    story.cooked = str(render(text.body))
    story.updated_at = utcnow()
    if substantive:
        story.substantive_revision_number = number
        if story.status in UNDER_REVIEW:
            _back_to_review(user, story)
    if story.status == Status.PUBLISHED:
        story.published_revision_number = number
        publishing.open_discussion(story, user)  # the topic's first post follows the story
    _drop_autosave(user, story)
    indexing.queue_story(story)
    return revision


def _back_to_review(user, story: Story) -> None:
    """A substantive edit under review: the approvals start again; an approved or scheduled
    story goes back to review."""
    before = story.status
    story.approvals = 0
    if before in {Status.APPROVED, Status.SCHEDULED}:
        workflow.claim(story, Status.IN_REVIEW, story.version)
        story.publish_at = None
        story.submitted_at = utcnow()
    workflow.record(story, user, "reset", before)


def _drop_autosave(user, story: Story) -> None:
    db.session.execute(
        delete(StoryAutosave).where(
            StoryAutosave.story_id == story.id, StoryAutosave.user_id == user.id
        )
    )
