"""RSS 2.0 and Atom feeds: the latest topics, a category (with its sub-categories), a tag and a
topic's posts.

Feed readers come without an account, so a feed shows what an anonymous reader may see,
whoever asks: a category or topic hidden from anonymous readers has no feed (404), and lists
leave out private categories, unlisted and deleted topics and deleted or hidden posts. Each
feed costs a fixed number of queries.

The XML is written by ``space.feeds``.
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from space import site
from space.accounts.models import Anonymous
from space.db import db, utcnow
from space.feeds import Feed, Item
from space.markup import plain_text

from . import access
from .models import Access, Category, Post, Tag, Topic, topic_tag

KINDS = ("latest", "category", "tag", "topic")
# Items in a feed.
SIZE = 30


def anonymous() -> Anonymous:
    return Anonymous()


def _public_category_ids() -> list[int]:
    return access.visible_category_ids(anonymous())


def is_public_category(category: Category | None) -> bool:
    """May an anonymous reader see ``category`` (so that it may have a feed)?"""
    if category is None:
        return False
    return access.category_level(anonymous(), category.id) >= Access.SEE


def is_public_topic(topic: Topic | None) -> bool:
    """Is ``topic`` in the feeds: listed, not deleted, in a category anonymous readers see."""
    if topic is None or not topic.listed or topic.deleted_at is not None:
        return False
    return access.category_level(anonymous(), topic.category_id) >= Access.SEE


def _feed_url(fmt: str, kind: str, key=None) -> str:
    values = {"kind": kind, "fmt": fmt} | ({"key": key} if key is not None else {})
    return url_for("discuss.feed", _external=True, **values)


def _profile(user) -> str:
    return url_for("accounts.profile", username=user.username, _external=True)


def _post_url(post_id: int) -> str:
    return url_for("discuss.post_link", post_id=post_id, _external=True)


def _topic_url(topic: Topic) -> str:
    return url_for("discuss.topic", slug=topic.slug, topic_id=topic.id, _external=True)


def _name(user) -> str:
    return user.display_name or user.username


# --- what goes in -----------------------------------------------------------------------------


def _topic_items(where: list) -> list[Item]:
    """The newest listed topics matching ``where`` in public categories, first posts as
    content (three queries: topics with authors and categories, their tags, first posts)."""
    topics = list(
        db.session.scalars(
            select(Topic)
            .where(
                Topic.category_id.in_(_public_category_ids()),
                Topic.deleted_at.is_(None),
                Topic.listed.is_(True),
                *where,
            )
            .order_by(Topic.created_at.desc(), Topic.id.desc())
            .limit(SIZE)
            .options(joinedload(Topic.user), joinedload(Topic.category), selectinload(Topic.tags))
        ).unique()
    )
    firsts = {}
    if topics:
        firsts = {
            post.topic_id: post
            for post in db.session.scalars(
                select(Post).where(Post.topic_id.in_([t.id for t in topics]), Post.post_number == 1)
            )
        }
    items = []
    for topic in topics:
        first = firsts.get(topic.id)
        shown = first is not None and first.deleted_at is None and first.hidden_at is None
        updated = (first.edited_at if first is not None else None) or topic.created_at
        items.append(
            Item(
                title=topic.title,
                url=_topic_url(topic),
                guid=_post_url(first.id) if first is not None else _topic_url(topic),
                published=topic.created_at,
                updated=max(updated, topic.created_at),
                author=_name(topic.user),
                author_url=_profile(topic.user),
                html=first.cooked if shown else "",
                categories=[topic.category.name, *(t.name for t in topic.tags)],
            )
        )
    return items


def _updated(items: list[Item], fallback: datetime) -> datetime:
    return max((item.updated for item in items), default=fallback)


def _site() -> str:
    return str(site.get("title") or "Space")


def latest(fmt: str) -> Feed:
    items = _topic_items([])
    return Feed(
        title=_("%(site)s: latest topics", site=_site()),
        description=_("The newest topics in the discussions."),
        url=url_for("discuss.latest", _external=True),
        self_url=_feed_url(fmt, "latest"),
        updated=_updated(items, utcnow()),
        items=items,
    )


def category(fmt: str, slug: str) -> Feed | None:
    """The newest topics of a public category and its public sub-categories; None: no feed."""
    found = next((c for c in access.all_categories() if c.slug == slug), None)
    if not is_public_category(found):
        return None
    public = set(_public_category_ids())
    ids = [found.id, *(c.id for c in access.all_categories()
                       if c.parent_id == found.id and c.id in public)]  # fmt: skip
    items = _topic_items([Topic.category_id.in_(ids)])
    return Feed(
        title=_("%(site)s: %(category)s", site=_site(), category=found.name),
        description=plain_text(found.description_html)
        or _("The newest topics in %(category)s.", category=found.name),
        url=url_for("discuss.category", slug=found.slug, _external=True),
        self_url=_feed_url(fmt, "category", found.slug),
        updated=_updated(items, found.created_at),
        items=items,
    )


def tag(fmt: str, name: str) -> Feed | None:
    found = db.session.scalar(select(Tag).where(Tag.name == name.lower()))
    if found is None:
        return None
    tagged = select(topic_tag.c.topic_id).where(topic_tag.c.tag_id == found.id)
    items = _topic_items([Topic.id.in_(tagged)])
    return Feed(
        title=_("%(site)s: topics tagged %(tag)s", site=_site(), tag=found.name),
        description=_("The newest topics tagged %(tag)s.", tag=found.name),
        url=url_for("discuss.tag", name=found.name, _external=True),
        self_url=_feed_url(fmt, "tag", found.name),
        updated=_updated(items, found.created_at),
        items=items,
    )


def topic(fmt: str, topic_id: int) -> Feed | None:
    """A public topic's newest posts (deleted and hidden ones left out)."""
    found = db.session.scalar(
        select(Topic).where(Topic.id == topic_id).options(joinedload(Topic.category))
    )
    if not is_public_topic(found):
        return None
    posts = db.session.scalars(
        select(Post)
        .where(Post.topic_id == found.id, Post.deleted_at.is_(None), Post.hidden_at.is_(None))
        .order_by(Post.post_number.desc())
        .limit(SIZE)
        .options(joinedload(Post.user))
    )
    items = [
        Item(
            title=found.title
            if post.post_number == 1
            else _("%(title)s, post #%(number)d", title=found.title, number=post.post_number),
            url=_post_url(post.id),
            guid=_post_url(post.id),
            published=post.created_at,
            updated=max(post.edited_at or post.created_at, post.created_at),
            author=_name(post.user),
            author_url=_profile(post.user),
            html=post.cooked,
        )  # fmt: skip
        for post in posts
    ]
    return Feed(
        title=found.title,
        description=_("Posts in the topic “%(title)s”.", title=found.title),
        url=_topic_url(found),
        self_url=_feed_url(fmt, "topic", found.id),
        updated=_updated(items, found.created_at),
        items=items,
    )


def build(kind: str, key: str | None, fmt: str) -> Feed | None:
    """The feed ``kind`` (of ``key``) or None when there is none for anonymous readers."""
    if kind == "latest":
        return latest(fmt)
    if kind == "category":
        return category(fmt, key)
    if kind == "tag":
        return tag(fmt, key)
    if kind == "topic":
        if not (key.isascii() and key.isdigit()) or not 0 < int(key) < 2**31:
            return None
        return topic(fmt, int(key))
    return None
