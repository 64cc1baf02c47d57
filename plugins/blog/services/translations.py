"""Translations: a story in another language, linked to the original.

A translation points at the original story (``source_id``; translating a translation links
to the same original) and remembers the revision of the original it was made from
(``source_revision_number``). It starts as a draft holding the text it translates and goes
through review on its own. An original and its translations form a translation group, one
story per language. When the original changes substantively after that revision, the
translation is outdated: readers are told, and ``source_changes`` shows what changed since.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, or_, select
from sqlalchemy.orm import load_only

from space import diffs
from space.db import db, utcnow

from ..models import Status, Story, StoryRevision, story_tag
from . import revisions, workflow
from .workflow import WorkflowError


def _in_group(group_id: int):
    return or_(Story.id == group_id, Story.source_id == group_id)


def group(story: Story) -> list[Story]:
    """The original of ``story``'s translation group (whatever its status) and its
    published members, by language (one query)."""
    group_id = story.translation_group
    return list(
        db.session.scalars(
            select(Story)
            .options(load_only(Story.id, Story.status, Story.language, Story.slug, Story.title,
                               Story.source_id, Story.substantive_revision_number,
                               Story.published_revision_number, Story.source_revision_number))
            .where(_in_group(group_id),
                   or_(Story.status == Status.PUBLISHED, Story.id == group_id))
            .order_by(Story.language, Story.id)
        )
    )  # fmt: skip


def siblings(story: Story) -> list[Story]:
    """The published stories of ``story``'s translation group, itself included when
    published, by language (one query): the language switcher and ``hreflang`` links."""
    return [s for s in group(story) if s.status == Status.PUBLISHED]


def languages_taken(story: Story) -> set[str]:
    """Languages the group already has (its stories that are not in the trash)."""
    return set(
        db.session.scalars(
            select(Story.language).where(
                _in_group(story.translation_group), Story.status != Status.TRASH
            )
        )
    )


def is_outdated(translation: Story, source: Story | None) -> bool:
    """Was ``translation`` made from a revision of ``source`` older than its last
    substantive change?"""
    if source is None or translation.source_id != source.id:
        return False
    made_from = translation.source_revision_number or 0
    return source.substantive_revision_number > made_from


def translate(user, story: Story, language: str) -> Story:
    """Start a translation of ``story`` into ``language``, written by ``user``: a draft
    holding the text it translates. The caller checked
    ``require(user, "blog.story.translate", story)``. Raises ``WorkflowError`` (field
    "language") for an unknown language or one the group already has."""
    from .languages import is_known as is_language

    language = (language or "").strip()
    if not is_language(language):
        raise WorkflowError(_("Choose a language from the list."), "language")
    if language in languages_taken(story):
        raise WorkflowError(_("This story already exists in that language."), "language")
    # Translating a translation links to the original, from the revision it was made from.
    made_from = story.source_revision_number if story.source_id else story.published_revision_number
    now = utcnow()
    created = Story(
        status=Status.DRAFT,
        language=language,
        source_id=story.translation_group,
        source_revision_number=made_from,
        category_id=story.category_id,
        image_url=story.image_url,
        image_alt=story.image_alt,
        image_attribution=story.image_attribution,
        pitched_by_id=None,
        created_at=now,
        updated_at=now,
    )
    db.session.add(created)
    db.session.flush()
    tag_ids = db.session.scalars(
        select(story_tag.c.tag_id).where(story_tag.c.story_id == story.id)
    ).all()
    if tag_ids:
        db.session.execute(
            insert(story_tag), [{"story_id": created.id, "tag_id": tag} for tag in tag_ids]
        )
    workflow.set_writers(created, [user])
    revisions.save(user, created, revisions.Text.of(story), base_revision=0,
                   note=f"translate:{story.id}")  # fmt: skip
    workflow.record(created, user, "translate", None)
    return created


# --- what changed in the source -----------------------------------------------------------------

FIELDS = {"title": _l("Title"), "excerpt": _l("Excerpt"), "body": _l("Text")}


@dataclass(frozen=True)
class Section:
    """One field of the source that changed: its label and side-by-side rows."""

    name: str
    label: str
    rows: list[diffs.Row]


@dataclass(frozen=True)
class SourceChanges:
    """What changed in the source from revision ``old`` (the translation's starting point)
    to ``new`` (its current published revision); ``sections`` only for changed fields."""

    source: Story
    old: int
    new: int
    sections: list[Section]


def source_changes(translation: Story, source: Story | None = None) -> SourceChanges | None:
    """The source's changes since ``translation`` was made from it; None when it is not a
    translation or the source (or its revisions) is gone. One query for both revisions
    (plus one for the source when not given)."""
    if translation.source_id is None:
        return None
    if source is None or source.id != translation.source_id:
        source = db.session.get(Story, translation.source_id)
    if source is None:
        return None
    old = translation.source_revision_number or 0
    new = source.published_revision_number or source.revision_number
    found = {
        revision.number: revision
        for revision in db.session.scalars(
            select(StoryRevision).where(
                StoryRevision.story_id == source.id, StoryRevision.number.in_({old, new})
            )
        )
    }
    if new not in found:
        return None
    before, after = found.get(old), found[new]
    sections = []
    for name, label in FIELDS.items():
        old_text = getattr(before, name) if before is not None else ""
        new_text = getattr(after, name)
        if old_text != new_text:
            sections.append(Section(name, str(label), diffs.side_by_side(old_text, new_text)))
    return SourceChanges(source, old, new, sections)
