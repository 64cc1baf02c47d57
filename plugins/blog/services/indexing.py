"""Stories in the core search, as ``story:<id>`` documents (``type:story``).

A published story is found by everyone and links to its public page. Any other story is
found only by the people who may open it (its writers and pitcher, editors; admins find
everything) and links to its editorial page. A trashed story is not in the index. Services
call ``queue_story`` after any change; nothing reaches the index before the commit.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from space import search
from space.db import db
from space.markup import plain_text
from space.search import EDITORS, PUBLIC, Document

from ..models import Status, Story

TYPE = "story"
BATCH = 200


def document(story: Story) -> Document | None:
    """The story as search sees it (None: it is not searchable). Needs ``authors``,
    ``writer``, ``category`` and ``tags`` loaded, or loads them."""
    if story.status == Status.TRASH:
        return None
    if story.status == Status.PUBLISHED:
        acl, url = [PUBLIC], search.path_for("blog.story", slug=story.slug)
    else:
        people = {story.writer_id, story.pitched_by_id,
                  *(author.user_id for author in story.authors)}  # fmt: skip
        acl = [EDITORS, *(f"user:{uid}" for uid in sorted(p for p in people if p))]
        url = search.path_for("blog.manage_story", story_id=story.id)
    return Document(
        type=TYPE,
        id=story.id,
        title=story.title or story.pitch_what[:120],
        body=" ".join(filter(None, [story.excerpt, plain_text(story.cooked), story.pitch_what])),
        url=url,
        acl=acl,
        created_at=story.published_at or story.created_at,
        author=story.writer.username if story.writer else "",
        category=story.category.name if story.category else "",
        tags=[tag.name for tag in story.tags],
        lang=story.language,
    )


def _loaded(story_id: int) -> Story | None:
    return db.session.scalar(
        select(Story)
        .options(*_options())
        .where(Story.id == story_id)
        .execution_options(populate_existing=True)
    )


def _options() -> list:
    return [
        selectinload(Story.authors),
        selectinload(Story.writer),
        selectinload(Story.category),
        selectinload(Story.tags),
    ]


def queue_story(story: Story) -> None:
    """Index (or drop) the story as it will be once the transaction commits."""
    db.session.flush()
    fresh = _loaded(story.id)
    found = document(fresh) if fresh is not None else None
    if found is None:
        search.queue_delete(TYPE, story.id)
    else:
        search.queue_index(found)


def queue_delete(story_id: int) -> None:
    search.queue_delete(TYPE, story_id)


def all_documents() -> Iterator[Document]:
    """Every searchable story, for a full reindex (batches of ``BATCH``)."""
    last = 0
    while True:
        batch = db.session.scalars(
            select(Story).options(*_options())
            .where(Story.id > last, Story.status != Status.TRASH)
            .order_by(Story.id).limit(BATCH)
        ).all()  # fmt: skip
        if not batch:
            return
        for story in batch:
            found = document(story)
            if found is not None:
                yield found
        last = batch[-1].id
