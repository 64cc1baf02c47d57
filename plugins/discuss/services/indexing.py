"""Topics and posts in the core search.

A topic is one document, ``topic:<id>``: its title, the first post's text, tags, category,
author and, in a Q&A category, ``status`` solved/unsolved. Each reply is another,
``post:<id>``: the topic's title, the reply's text, its author, the topic's category and
tags; it links to ``discuss.post_link``. Both are found by whoever may read the category
(``access.category_acl``). Unlisted and deleted topics, and deleted or hidden posts, are not
in the index.

Services call ``queue_post`` for a new or changed post (moderation too, after hiding or
restoring one), ``queue_topic`` after a topic changes as a whole (retitled, moved to another
category, tags, status, split or merged, listed or unlisted; ``posts=False`` when only the
topic's own document changed, e.g. an accepted answer), and ``remove_topic`` when it is
deleted. Nothing reaches the index before the transaction commits (``space.search``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import select

from space import search
from space.accounts.models import User
from space.db import db
from space.markup import plain_text
from space.search import PUBLIC, STAFF, Document

from .. import access
from ..models import Bookmark, Category, Post, Tag, Topic, topic_tag

TOPIC = "topic"
POST = "post"
BATCH = 500
# ``in:bookmarks`` looks among this many of the person's latest bookmarks.
MAX_BOOKMARKS = 1000


class _Context:
    """Categories and their acls, looked up once for any number of documents."""

    def __init__(self) -> None:
        self.categories = {c.id: c for c in access.all_categories()}
        self._acls: dict[int, list[str]] = {}

    def category(self, category_id: int) -> Category | None:
        return self.categories.get(category_id)

    def acl(self, category: Category) -> list[str]:
        if category.id not in self._acls:
            self._acls[category.id] = self._acl(category)
        return self._acls[category.id]

    def _acl(self, category: Category) -> list[str]:
        own = access.category_acl(category)
        parent = self.categories.get(category.parent_id) if category.parent_id else None
        if parent is None or not category.restricted:
            return own  # an open sub-category already follows its parent
        # A restricted sub-category of a restricted parent: acls cannot say "in both groups",
        # so keep the principals both allow (never more than access() shows).
        above = access.category_acl(parent)
        if PUBLIC in above:
            return own
        if PUBLIC in own:
            return above
        both = [p for p in own if p in above]
        return both or [STAFF]


def _indexable(topic: Topic) -> bool:
    return topic.listed and topic.deleted_at is None


def _visible(post: Post) -> bool:
    return post.deleted_at is None and post.hidden_at is None


def _status(topic: Topic, category: Category) -> str:
    if not category.accepts_answers:
        return ""
    return "solved" if topic.accepted_post_id is not None else "unsolved"


def topic_document(
    topic: Topic, first: Post | None, category: Category, acl: list[str], *, author: str,
    tags: list[str],
) -> Document:  # fmt: skip
    """The topic's document; ``first`` is its first post (None or hidden: the title alone)."""
    body = plain_text(first.cooked) if first is not None and _visible(first) else ""
    return Document(
        type=TOPIC,
        id=topic.id,
        title=topic.title,
        body=body,
        url=search.path_for("discuss.topic", slug=topic.slug, topic_id=topic.id),
        acl=acl,
        created_at=topic.created_at,
        author=author,
        category=category.slug,
        tags=tags,
        status=_status(topic, category),
    )


def post_document(
    post: Post, topic: Topic, category: Category, acl: list[str], *, author: str,
    tags: list[str],
) -> Document:  # fmt: skip
    """A reply's document: the topic's title over the reply's text."""
    return Document(
        type=POST,
        id=post.id,
        title=topic.title,
        body=plain_text(post.cooked),
        url=search.path_for("discuss.post_link", post_id=post.id),
        acl=acl,
        created_at=post.created_at,
        author=author,
        category=category.slug,
        tags=tags,
    )


def _tags(topic_ids: list[int]) -> dict[int, list[str]]:
    """{topic id: tag names} in one query."""
    found: dict[int, list[str]] = {tid: [] for tid in topic_ids}
    if not topic_ids:
        return found
    rows = db.session.execute(
        select(topic_tag.c.topic_id, Tag.name)
        .join(Tag, Tag.id == topic_tag.c.tag_id)
        .where(topic_tag.c.topic_id.in_(topic_ids))
        .order_by(Tag.name)
    )
    for topic_id, name in rows:
        found[topic_id].append(name)
    return found


def _usernames(user_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def _documents(
    topics: list[Topic], context: _Context, *, posts: bool = True
) -> Iterator[tuple[str, Document | None]]:
    """(key, document) for ``topics`` and, with ``posts``, their replies; the document is
    None for what must leave the index. A fixed number of queries for the whole batch."""
    ids = [t.id for t in topics]
    if not ids:
        return
    tags = _tags(ids)
    firsts = {
        post.topic_id: post
        for post in db.session.scalars(
            select(Post).where(Post.topic_id.in_(ids), Post.post_number == 1)
        )
    }
    names = _usernames(t.user_id for t in topics)
    by_id = {}
    for topic in topics:
        category = context.category(topic.category_id)
        if category is None or not _indexable(topic):
            yield f"{TOPIC}:{topic.id}", None
            continue
        by_id[topic.id] = (topic, category, context.acl(category))
        yield f"{TOPIC}:{topic.id}", topic_document(
            topic, firsts.get(topic.id), category, by_id[topic.id][2],
            author=names.get(topic.user_id, ""), tags=tags[topic.id],
        )  # fmt: skip
    if not posts:
        return
    replies = (
        select(Post, User.username)
        .join(User, User.id == Post.user_id)
        .where(Post.topic_id.in_(ids), Post.post_number > 1)
        .order_by(Post.topic_id, Post.post_number)
        .execution_options(yield_per=BATCH)
    )
    for post, username in db.session.execute(replies):
        found = by_id.get(post.topic_id)
        if found is None or not _visible(post):
            yield f"{POST}:{post.id}", None
            continue
        topic, category, acl = found
        yield (
            f"{POST}:{post.id}",
            post_document(post, topic, category, acl, author=username, tags=tags[topic.id]),
        )


def _queue(pairs: Iterable[tuple[str, Document | None]]) -> None:
    for key, doc in pairs:
        if doc is not None:
            search.queue_index(doc)
        else:
            kind, _sep, ident = key.partition(":")
            search.queue_delete(kind, ident)


# --- what services call ----------------------------------------------------------------------


def queue_post(post: Post, topic: Topic) -> None:
    """(Re)index ``post`` after the transaction commits: a first post re-indexes its topic's
    document (a topic brought back needs ``queue_topic`` for its replies); a deleted or hidden
    reply (or one in an unlisted topic) leaves the index."""
    if post.post_number == 1:
        # An edit or a new answer changes the topic's own document; a deleted first post
        # takes its topic away, and every reply with it.
        if _indexable(topic):
            queue_topic(topic, posts=False)
        else:
            remove_topic(topic)
        return
    context = _Context()
    category = context.category(topic.category_id)
    if category is None or not _indexable(topic) or not _visible(post):
        search.queue_delete(POST, post.id)
        return
    # The author is usually in the session already (the person posting): no query then.
    user = post.user if "user" in post.__dict__ else db.session.get(User, post.user_id)
    author = user.username if user is not None else ""
    search.queue_index(
        post_document(post, topic, category, context.acl(category), author=author,
                      tags=_tags([topic.id])[topic.id])
    )  # fmt: skip


def queue_topic(topic: Topic, *, posts: bool = True) -> None:
    """Re-index ``topic``'s document and, with ``posts``, every reply in it (after a change of
    title, category, tags, listing, or a split or merge). Unlisted or deleted: it leaves."""
    queue_topics([topic], posts=posts)


def queue_topics(topics: Iterable[Topic], *, posts: bool = True) -> None:
    """``queue_topic`` for several topics at once (a fixed number of queries per batch)."""
    context = _Context()
    chunk: list[Topic] = []
    for topic in topics:
        chunk.append(topic)
        if len(chunk) >= BATCH:
            _queue(_documents(chunk, context, posts=posts))
            chunk = []
    _queue(_documents(chunk, context, posts=posts))


def remove_topic(topic: Topic) -> None:
    """Take ``topic`` and all its posts out of the index (after the commit)."""
    search.queue_delete(TOPIC, topic.id)
    for post_id, number in db.session.execute(
        select(Post.id, Post.post_number).where(Post.topic_id == topic.id)
    ):
        if number > 1:
            search.queue_delete(POST, post_id)


def all_documents(batch: int = BATCH) -> Iterator[Document]:
    """Every topic and reply to index, for ``flask space reindex``: topics ``batch`` at a
    time, each batch a fixed number of queries."""
    context = _Context()
    last = 0
    while True:
        topics = list(
            db.session.scalars(
                select(Topic)
                .where(Topic.id > last, Topic.listed.is_(True), Topic.deleted_at.is_(None))
                .order_by(Topic.id)
                .limit(batch)
            )
        )
        if not topics:
            return
        for _key, doc in _documents(topics, context):
            if doc is not None:
                yield doc
        last = topics[-1].id


def bookmark_keys(user) -> set[str]:
    """Keys of the documents ``user`` bookmarked: a bookmark on a first post stands for the
    topic's document (``in:bookmarks``). The acl still decides what they find."""
    if not getattr(user, "is_authenticated", False):
        return set()
    rows = db.session.execute(
        select(Post.id, Post.topic_id, Post.post_number)
        .join(Bookmark, Bookmark.post_id == Post.id)
        .where(Bookmark.user_id == user.id)
        .order_by(Bookmark.created_at.desc())
        .limit(MAX_BOOKMARKS)
    )
    return {
        f"{TOPIC}:{topic_id}" if number == 1 else f"{POST}:{post_id}"
        for post_id, topic_id, number in rows
    }
