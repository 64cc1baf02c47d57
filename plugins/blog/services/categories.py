"""The blog's categories: listing, creating, changing and deleting them (admins).

A category's ``slug`` is its address (/blog/category/<slug>): lowercase letters, digits and
dashes, unique; made from the name when none is given. Deleting a category leaves its stories
without one (they keep working; the pre-publish checklist asks for a category again next
time) and re-indexes them, since search documents carry the category's name.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from space.db import db
from space.markup import slugify

from ..models import BlogCategory, Story
from . import indexing

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME_MAX = 80
SLUG_MAX = 60
DESCRIPTION_MAX = 2000
POSITION_MAX = 100_000


class CategoryError(ValueError):
    """A refusal the admin can fix: ``message`` is translated, ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def all_categories() -> list[BlogCategory]:
    """Every category, in the admins' order (position, then name). One query."""
    return list(
        db.session.scalars(select(BlogCategory).order_by(BlogCategory.position, BlogCategory.name))
    )


def by_slug(slug: str) -> BlogCategory | None:
    return db.session.scalar(select(BlogCategory).where(BlogCategory.slug == slug))


def _slug(name: str, asked: str, current: BlogCategory | None) -> str:
    """The asked slug when valid and free, else (nothing asked) one made from the name."""
    asked = (asked or "").strip().lower()
    if asked:
        if len(asked) > SLUG_MAX or not SLUG_RE.match(asked):
            raise CategoryError(
                _("Use lowercase letters, digits and dashes (at most %(n)d).", n=SLUG_MAX),
                "slug",
            )
        taken = by_slug(asked)
        if taken is not None and taken is not current:
            raise CategoryError(_("Another category already uses this address."), "slug")
        return asked
    base = slugify(name, fallback="category")[:SLUG_MAX].strip("-") or "category"
    candidate, n = base, 2
    while (taken := by_slug(candidate)) is not None and taken is not current:
        candidate, n = f"{base[: SLUG_MAX - 6]}-{n}", n + 1
    return candidate


def _check(name: str, description: str, position: int | None) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        raise CategoryError(_("A category needs a name."), "name")
    if len(name) > NAME_MAX:
        raise CategoryError(_("Use at most %(max)d characters.", max=NAME_MAX), "name")
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise CategoryError(_("Use at most %(max)d characters.", max=DESCRIPTION_MAX),
                            "description")  # fmt: skip
    if position is not None and not 0 <= position <= POSITION_MAX:
        raise CategoryError(_("Enter a number from %(min)s to %(max)s.", min=0,
                              max=POSITION_MAX), "position")  # fmt: skip
    return name, description


def _next_position() -> int:
    highest = db.session.scalar(select(func.max(BlogCategory.position)))
    return 0 if highest is None else min(highest + 1, POSITION_MAX)


def create(*, name: str, slug: str = "", description: str = "",
           position: int | None = None) -> BlogCategory:  # fmt: skip
    """A new category; ``position`` None: after the others. Raises ``CategoryError``."""
    name, description = _check(name, description, position)
    category = BlogCategory(
        name=name,
        slug=_slug(name, slug, None),
        description=description,
        position=_next_position() if position is None else position,
    )
    db.session.add(category)
    db.session.flush()
    return category


def update_category(category: BlogCategory, *, name: str, slug: str = "", description: str = "",
                    position: int | None = None) -> bool:  # fmt: skip
    """Change a category; returns whether its stories need re-indexing (the name changed).
    An empty ``slug`` keeps the current one; an empty ``position`` keeps it too."""
    name, description = _check(name, description, position)
    renamed = name != category.name
    category.slug = _slug(name, slug or category.slug, category)
    category.name = name
    category.description = description
    if position is not None:
        category.position = position
    db.session.flush()
    if renamed:
        _reindex(category.id)
    return renamed


def delete(category: BlogCategory) -> int:
    """Delete a category; its stories stay, without a category. Returns how many."""
    story_ids = list(db.session.scalars(select(Story.id).where(Story.category_id == category.id)))
    if story_ids:
        db.session.execute(
            update(Story).where(Story.id.in_(story_ids)).values(category_id=None),
            execution_options={"synchronize_session": False},
        )
    db.session.delete(category)
    db.session.flush()
    _queue(story_ids)
    return len(story_ids)


def _reindex(category_id: int) -> None:
    _queue(list(db.session.scalars(select(Story.id).where(Story.category_id == category_id))))


def _queue(story_ids: list[int]) -> None:
    """Search documents carry the category's name: queue the stories again."""
    for story_id in story_ids:
        story = db.session.get(Story, story_id)
        if story is not None:
            indexing.queue_story(story)
