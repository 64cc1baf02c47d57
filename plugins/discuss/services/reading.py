"""What people read in Discuss: a topic's page and the threads around a post.

A topic page costs a fixed number of queries whatever the number of posts: the page of posts
with their authors, the answered posts off the page in one query, the viewer's likes,
bookmarks and reading state in one batched query each. Lists and the categories page are in
``topic_lists``.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload, load_only, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from space.accounts.models import User
from space.db import db
from space.paging import Page

from .. import access
from ..models import (
    Bookmark,
    NotificationLevel,
    Post,
    PostLike,
    Topic,
    TopicUser,
)
from .topic_lists import posts_page_size

# Direct replies and likers shown at once (a "more" link leads further).
REPLIES_PER_PAGE = 50
LIKERS_SHOWN = 50


# --- the topic page --------------------------------------------------------------------------


def load_topic(topic_id: int, *, with_relations: bool = True) -> Topic | None:
    """A topic with its category, author and tags; or only what checking ``topic.read``
    and counting a view need (loading it again with its relations adds the rest)."""
    query = select(Topic).where(Topic.id == topic_id)
    if with_relations:
        query = query.options(
            joinedload(Topic.category), joinedload(Topic.user), selectinload(Topic.tags)
        )
    else:
        query = query.options(
            load_only(Topic.slug, Topic.category_id, Topic.deleted_at, Topic.view_count)
        )
    return db.session.scalar(query)


@dataclass
class TopicView:
    """Everything the topic page shows (the contract of ``discuss/topic.html``)."""

    topic: Topic
    posts: list[Post]
    pagination: Page
    liked: set[int]
    bookmarks: dict[int, Bookmark]
    state: TopicUser | None
    parents: dict[int, Post]
    notification_level: int
    accepted_post: Post | None = None
    accepted_page: int | None = None
    viewer: Any = None

    def can_see(self, post: Post) -> bool:
        return access.can_see_post(self.viewer, post)

    @property
    def highest_shown(self) -> int:
        return max((p.post_number for p in self.posts), default=0)

    def shows_parent(self, post: Post, previous: Post | None) -> bool:
        """ "In reply to" is shown unless the parent is the post just above."""
        number = post.reply_to_post_number
        if number is None or number not in self.parents:
            return False
        return previous is None or previous.post_number != number


def topic_view(user, topic: Topic, page: int = 1) -> TopicView:
    """One page of ``topic`` for ``user`` (who may read it)."""
    size = posts_page_size()
    total = db.session.scalar(select(func.count(Post.id)).where(Post.topic_id == topic.id)) or 0
    posts: list[Post] = []
    if total and (page - 1) * size < total:
        posts = list(
            db.session.scalars(
                select(Post)
                .where(Post.topic_id == topic.id)
                .order_by(Post.post_number)
                .limit(size)
                .offset((page - 1) * size)
                .options(joinedload(Post.user))
            )
        )
    for post in posts:
        set_committed_value(post, "topic", topic)
    view = TopicView(
        topic=topic,
        posts=posts,
        pagination=Page(posts, page, size, total),
        liked=set(),
        bookmarks={},
        state=None,
        parents=_parents(topic, posts),
        notification_level=int(NotificationLevel.NORMAL),
        viewer=user,
    )
    if topic.accepted_post_id is not None:
        view.accepted_post, view.accepted_page = _accepted(topic)
    if getattr(user, "is_authenticated", False):
        ids = [p.id for p in posts]
        if ids:
            mine = [PostLike.user_id == user.id, PostLike.post_id.in_(ids)]
            view.liked = set(db.session.scalars(select(PostLike.post_id).where(*mine)))
            marks = [Bookmark.user_id == user.id, Bookmark.post_id.in_(ids)]
            view.bookmarks = {
                b.post_id: b for b in db.session.scalars(select(Bookmark).where(*marks))
            }
        view.state = db.session.scalar(
            select(TopicUser).where(TopicUser.user_id == user.id, TopicUser.topic_id == topic.id)
        )
        view.notification_level = notification_level(user, topic, view.state)
    return view


def _parents(topic: Topic, posts: list[Post]) -> dict[int, Post]:
    """{post number: post} of the posts answered on this page, except those just above
    their reply: one query whether they are on this page or not."""
    wanted: set[int] = set()
    previous = None
    for post in posts:
        number = post.reply_to_post_number
        if number is not None and (previous is None or previous.post_number != number):
            wanted.add(number)
        previous = post
    found: dict[int, Post] = {}
    if wanted:
        for parent in db.session.scalars(
            select(Post)
            .where(Post.topic_id == topic.id, Post.post_number.in_(wanted))
            .options(joinedload(Post.user))
        ):
            set_committed_value(parent, "topic", topic)
            found[parent.post_number] = parent
    return found


def _accepted(topic: Topic) -> tuple[Post | None, int | None]:
    before = aliased(Post)
    rank = (
        select(func.count(before.id))
        .where(before.topic_id == Post.topic_id, before.post_number <= Post.post_number)
        .correlate(Post)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(Post, rank)
        .where(Post.id == topic.accepted_post_id, Post.topic_id == topic.id)
        .options(joinedload(Post.user))
    ).first()
    if row is None:
        return None, None
    set_committed_value(row[0], "topic", topic)
    return row[0], max(1, ceil(row[1] / posts_page_size()))


def notification_level(user, topic: Topic, state: TopicUser | None) -> int:
    """The viewer's level for the topic, else for its category (``state`` is already loaded,
    so this costs at most the category lookup)."""
    from .watching import category_level

    if state is not None and state.notification_level is not None:
        return int(state.notification_level)
    return category_level(user, topic.category_id)


# --- posts and threads -----------------------------------------------------------------------


def load_post(post_id: int) -> Post | None:
    """A post with its author and topic (the caller checks ``topic.read`` on the topic)."""
    return db.session.scalar(
        select(Post)
        .where(Post.id == post_id)
        .options(joinedload(Post.user), joinedload(Post.topic).joinedload(Topic.category))
    )


def post_page(post: Post) -> int:
    """The page of its topic that shows ``post``."""
    rank = db.session.scalar(
        select(func.count(Post.id)).where(
            Post.topic_id == post.topic_id, Post.post_number <= post.post_number
        )
    )
    return max(1, ceil((rank or 1) / posts_page_size()))


def post_link(post: Post) -> tuple[Topic, int]:
    """(topic, page number) where ``post`` is shown; the anchor is ``#post-N``."""
    return post.topic, post_page(post)


def replies_to(post: Post, page: int = 1) -> Page:
    """Direct replies to ``post``, in order, ``REPLIES_PER_PAGE`` at a time."""
    where = [Post.topic_id == post.topic_id, Post.reply_to_post_number == post.post_number]
    total = db.session.scalar(select(func.count(Post.id)).where(*where)) or 0
    items: list[Post] = []
    if total and (page - 1) * REPLIES_PER_PAGE < total:
        items = list(
            db.session.scalars(
                select(Post)
                .where(*where)
                .order_by(Post.post_number)
                .limit(REPLIES_PER_PAGE)
                .offset((page - 1) * REPLIES_PER_PAGE)
                .options(joinedload(Post.user))
            )
        )
    for item in items:
        set_committed_value(item, "topic", post.topic)
    return Page(items, page, REPLIES_PER_PAGE, total)


def parent_of(post: Post) -> Post | None:
    """The post ``post`` answers, if any."""
    if post.reply_to_post_number is None:
        return None
    parent = db.session.scalar(
        select(Post)
        .where(Post.topic_id == post.topic_id, Post.post_number == post.reply_to_post_number)
        .options(joinedload(Post.user))
    )
    if parent is not None:
        set_committed_value(parent, "topic", post.topic)
    return parent


def likers(post: Post, limit: int = LIKERS_SHOWN) -> list[User]:
    """The first people who liked ``post`` (``post.like_count`` says how many in all)."""
    return list(
        db.session.scalars(
            select(User)
            .join(PostLike, PostLike.user_id == User.id)
            .where(PostLike.post_id == post.id)
            .order_by(PostLike.created_at, PostLike.id)
            .limit(limit)
        )
    )
