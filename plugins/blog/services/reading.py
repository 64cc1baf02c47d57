"""What readers see: pages of published stories (the blog, a category, a tag, an author, a
language), one story's page, and the sitemap's addresses.

Only published stories are listed, newest first. Each page costs a fixed number of queries
whatever the number of stories: a count, one page of stories with their category and lead
writer joined, then their writers (with accounts) and their tags in one query each. A story's
page adds its translation group (one query) and its discussion summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from space import discussions
from space.accounts import services as accounts
from space.accounts.models import User
from space.db import db
from space.paging import Page

from ..models import BlogCategory, BlogTag, Status, Story, StoryAuthor, StorySlug, story_tag
from ..settings import value
from . import languages, translations

# Addresses the sitemap lists at most (the newest stories).
SITEMAP_STORIES = 20_000


def story_options() -> list:
    """Loader options for everything a story card or page shows."""
    return [
        joinedload(Story.category),
        joinedload(Story.writer),
        selectinload(Story.authors).joinedload(StoryAuthor.user),
        selectinload(Story.tags),
    ]


def writers(story: Story) -> list[User]:
    """The story's writers in byline order (its lead writer, when loaded, if it has no byline
    yet). Needs ``authors`` loaded with their users."""
    people = [author.user for author in story.authors if author.user is not None]
    lead = story.__dict__.get("writer")
    return people or ([lead] if lead is not None else [])


def published() -> list:
    return [Story.status == Status.PUBLISHED]


def newest_first() -> list:
    return [Story.published_at.desc(), Story.id.desc()]


def _page(where: list, page: int) -> Page:
    size = max(1, int(value("stories_per_page")))
    conditions = [*published(), *where]
    total = db.session.scalar(select(func.count(Story.id)).where(*conditions)) or 0
    items: list[Story] = []
    if total and (page - 1) * size < total:
        items = list(
            db.session.scalars(
                select(Story)
                .where(*conditions)
                .order_by(*newest_first())
                .limit(size)
                .offset((page - 1) * size)
                .options(*story_options())
            ).unique()
        )
    return Page(items, page, size, total)


# --- lists ------------------------------------------------------------------------------------


def index(page: int = 1) -> Page:
    """Published stories, newest first."""
    return _page([], page)


def category_by_slug(slug: str) -> BlogCategory | None:
    return db.session.scalar(select(BlogCategory).where(BlogCategory.slug == slug))


def tag_by_name(name: str) -> BlogTag | None:
    return db.session.scalar(select(BlogTag).where(func.lower(BlogTag.name) == name.lower()))


def author_by_username(username: str) -> User | None:
    return accounts.by_username(username)


@dataclass
class Archive:
    """A page of an archive: what it is of (a category, a tag, a user or a language code)
    and its stories."""

    kind: str
    key: str
    subject: object
    stories: Page


def by_category(slug: str, page: int = 1) -> Archive | None:
    """The category's published stories; None when there is no such category."""
    found = category_by_slug(slug)
    if found is None:
        return None
    return Archive("category", found.slug, found, _page([Story.category_id == found.id], page))


def by_tag(name: str, page: int = 1) -> Archive | None:
    found = tag_by_name(name)
    if found is None:
        return None
    tagged = select(story_tag.c.story_id).where(story_tag.c.tag_id == found.id)
    return Archive("tag", found.name, found, _page([Story.id.in_(tagged)], page))


def written_by(user_id: int):
    """Stories ``user_id`` is one of the writers of."""
    return or_(
        Story.writer_id == user_id,
        Story.id.in_(select(StoryAuthor.story_id).where(StoryAuthor.user_id == user_id)),
    )


def by_author(username: str, page: int = 1) -> Archive | None:
    found = author_by_username(username)
    if found is None:
        return None
    return Archive("author", found.username, found, _page([written_by(found.id)], page))


def by_language(code: str, page: int = 1) -> Archive | None:
    """Published stories in language ``code``; None for a code that is no language."""
    if not languages.is_known(code):
        return None
    return Archive("language", code, code, _page([Story.language == code], page))


# --- one story ---------------------------------------------------------------------------------


@dataclass
class StoryPage:
    """A story's page: the story (writers, category and tags loaded), the published stories
    of its translation group (itself included, for the language switcher and ``hreflang``),
    its source when it is a translation, and its discussion."""

    story: Story
    siblings: list[Story] = field(default_factory=list)
    source: Story | None = None
    outdated: bool = False
    discussion: discussions.Summary | None = None

    @property
    def other_languages(self) -> list[Story]:
        return [s for s in self.siblings if s.id != self.story.id]


@dataclass
class Moved:
    """The story lives at another slug now (an old address): redirect to ``slug``."""

    slug: str


def load(story_id: int) -> Story | None:
    """A story with its writers, category and tags (any status)."""
    return db.session.scalar(select(Story).where(Story.id == story_id).options(*story_options()))


def story_page(slug: str, user=None) -> StoryPage | Moved | None:
    """The story at ``slug`` as ``user`` reads it; ``Moved`` when ``slug`` is an old address
    of a published story; None when no story has it (or an unpublished story had it). The
    caller checks that ``user`` may read the story (a story that is not published has no
    public page)."""
    story = db.session.scalar(select(Story).where(Story.slug == slug).options(*story_options()))
    if story is None:
        moved_to = db.session.scalar(
            select(Story.slug)
            .join(StorySlug, StorySlug.story_id == Story.id)
            .where(StorySlug.slug == slug, Story.slug.is_not(None), *published())
        )
        return Moved(moved_to) if moved_to else None
    if story.status != Status.PUBLISHED:
        return StoryPage(story)
    group = translations.group(story)
    siblings = [s for s in group if s.status == Status.PUBLISHED]
    source = next((s for s in group if s.id == story.source_id), None)
    outdated = source is not None and translations.is_outdated(story, source)
    summary = discussions.summary(story.topic_id, user, limit=int(value("best_replies")))
    return StoryPage(story, siblings, source, outdated, summary)


def sitemap_urls() -> list[tuple[str, datetime | None]]:
    """Published stories' addresses for /sitemap.xml, newest first (one query)."""
    rows = db.session.execute(
        select(Story.slug, Story.published_at)
        .where(*published(), Story.slug.is_not(None))
        .order_by(*newest_first())
        .limit(SITEMAP_STORIES)
    ).all()
    return [(url_for("blog.story", slug=slug, _external=False), published_at)
            for slug, published_at in rows]  # fmt: skip
