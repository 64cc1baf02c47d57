"""Story addresses: ``/blog/<slug>``. A slug is fixed at first publication; an editor may
change it later, and every earlier slug keeps redirecting to the story (``StorySlug``)."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from space.db import db
from space.markup import slugify

from ..models import Story, StorySlug

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_LENGTH = 100
# Paths under /blog that a slug must not take.
RESERVED = frozenset(
    {"stories", "editorial", "pitch", "new", "feed", "category", "tag", "author", "language",
     "s", "admin", "preview", "static", "uploads", "translations"}
)  # fmt: skip


def _taken(slug: str, story_id: int | None) -> bool:
    if slug in RESERVED:
        return True
    owner = db.session.scalar(select(Story.id).where(Story.slug == slug))
    if owner is not None and owner != story_id:
        return True
    old = db.session.scalar(select(StorySlug.story_id).where(StorySlug.slug == slug))
    return old is not None and old != story_id


def unique_slug(story: Story) -> str:
    """A free slug made from the story's title ("story" when it has no Latin letters)."""
    base = slugify(story.title, fallback="story")[:MAX_LENGTH].strip("-") or "story"
    slug, n = base, 1
    while _taken(slug, story.id):
        n += 1
        slug = f"{base[: MAX_LENGTH - 6]}-{n}"
    return slug


def change(story: Story, new: str) -> bool:
    """Give a published story a new slug (the old one redirects). Raises ``ValueError``
    with a message for a malformed or taken slug."""
    new = (new or "").strip().lower()
    if new == story.slug:
        return False
    if not SLUG_RE.match(new) or len(new) > MAX_LENGTH:
        raise ValueError(_("Use lowercase letters, digits and dashes (at most %(n)d).",
                           n=MAX_LENGTH))  # fmt: skip
    if _taken(new, story.id):
        raise ValueError(_("Another story already uses this address."))
    if story.slug:
        if db.session.get(StorySlug, story.slug) is None:
            db.session.add(StorySlug(slug=story.slug, story_id=story.id))
    reclaimed = db.session.get(StorySlug, new)
    if reclaimed is not None:  # going back to one of its own earlier slugs
        db.session.delete(reclaimed)
    story.slug = new
    return True


def resolve(slug: str) -> tuple[Story | None, bool]:
    """(story, moved): the story at ``slug``, and whether ``slug`` is an old one."""
    story = db.session.scalar(select(Story).where(Story.slug == slug))
    if story is not None:
        return story, False
    story_id = db.session.scalar(select(StorySlug.story_id).where(StorySlug.slug == slug))
    return (db.session.get(Story, story_id), True) if story_id else (None, False)
