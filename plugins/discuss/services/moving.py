"""Moving posts between topics: split (some posts to a new or an existing topic) and merge
(every post of a topic into another one).

Moved posts are numbered after the destination's highest number, in the order they were
written; "in reply to" links follow them when the parent moved too and are dropped when it
did not (on both sides). Afterwards both topics' counters are counted again from their
posts (posts, participants, likes, replies per post, last post), ``highest_post_number``
only ever grows, and both categories' counters move by the difference.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from space.db import db, utcnow
from space.permissions import can

from ..models import Category, Post, Topic, TopicUser
from .posting import DiscussError, cook, slugify
from .staff import category_delta, record, reindex

TOPIC_REF_RE = re.compile(r"/t/(?:[^/]+/)?(\d+)/?$")


def find_topic(actor, reference: str) -> Topic:
    """The topic named by an id or a link to it, if ``actor`` may read it."""
    reference = (reference or "").strip()
    topic_id = None
    if reference.isascii() and reference.isdigit():
        topic_id = int(reference)
    else:
        match = TOPIC_REF_RE.search(urlsplit(reference).path)
        if match:
            topic_id = int(match.group(1))
    topic = db.session.get(Topic, topic_id) if topic_id and topic_id < 2**31 else None
    if topic is None or topic.deleted_at is not None or not can(actor, "topic.read", topic):
        raise DiscussError(_("There is no such topic. Give its number or its link."), "topic")
    return topic


def _check_destination(actor, source: Topic, destination: Topic) -> None:
    if destination.id == source.id:
        raise DiscussError(_("Choose another topic than this one."), "topic")
    if destination.archived:
        raise DiscussError(_("That topic is archived: posts cannot be added to it."), "topic")
    if not can(actor, "topic.reply", destination):
        raise DiscussError(_("You cannot add posts to that topic."), "topic")


def _selected(source: Topic, numbers) -> list[Post]:
    numbers = sorted({int(n) for n in numbers})
    if not numbers:
        raise DiscussError(_("Select the posts to move."), "posts")
    posts = list(db.session.scalars(
        select(Post).where(Post.topic_id == source.id, Post.post_number.in_(numbers))
    ))  # fmt: skip
    if not posts:
        raise DiscussError(_("Select the posts to move."), "posts")
    return posts


def split(
    actor,
    source: Topic,
    numbers,
    *,
    destination: Topic | None = None,
    title: str | None = None,
    category: Category | None = None,
) -> tuple[Topic, int]:
    """Move the posts numbered ``numbers`` of ``source`` to ``destination``, or to a new
    topic titled ``title`` in ``category`` (its author: the first moved post's). The first
    post stays: to move everything, merge. Returns the destination and how many moved."""
    from .limits import check_title

    if source.deleted_at is not None:
        raise DiscussError(_("This topic is deleted: restore it first."))
    posts = _selected(source, numbers)
    if any(post.post_number == 1 for post in posts):
        raise DiscussError(
            _("The first post stays with its topic. To move every post, merge the topic."),
            "posts",
        )
    if destination is not None:
        _check_destination(actor, source, destination)
        created = False
    else:
        title = " ".join((title or "").split())
        check_title(title)
        if category is None or not can(actor, "topic.create", category):
            raise DiscussError(_("You cannot create topics in this category."), "category")
        first = min(posts, key=lambda p: (p.created_at, p.post_number))
        destination = Topic(
            category_id=category.id, user_id=first.user_id, title=title, slug=slugify(title),
            created_at=first.created_at, bumped_at=first.created_at,
            last_posted_at=first.created_at, last_post_user_id=first.user_id,
        )  # fmt: skip
        db.session.add(destination)
        db.session.flush()
        created = True
    moved = _move(actor, source, posts, destination, new_topic=created)
    record("split", actor, source, to=destination.id, new_topic=created,
           posts=sorted(moved))  # fmt: skip
    return destination, len(moved)


def merge(actor, source: Topic, destination: Topic) -> Topic:
    """Move every post of ``source`` into ``destination``; ``source`` is then closed and
    unlisted, with one note linking to where its posts went."""
    if source.deleted_at is not None:
        raise DiscussError(_("This topic is deleted: restore it first."))
    _check_destination(actor, source, destination)
    posts = list(db.session.scalars(select(Post).where(Post.topic_id == source.id)))
    if not posts:
        raise DiscussError(_("This topic has no posts to move."))
    first_id = min(posts, key=lambda p: p.post_number).id
    _move(actor, source, posts, destination, new_topic=False)
    if _seen_by_all_readers_of(source, destination):
        link = url_for("discuss.topic", slug=destination.slug, topic_id=destination.id)
        title = re.sub(r"([\\\[\]*_`])", r"\\\1", destination.title)
        _note(actor, source, _("The posts of this topic were moved to [%(title)s](%(link)s).",
                               title=title, link=link))  # fmt: skip
    else:  # readers of the source may not see where it went: neither its title nor its slug
        link = url_for("discuss.post_link", post_id=first_id)
        _note(actor, source, _("The posts of this topic were moved to [another topic]"
                               "(%(link)s).", link=link))  # fmt: skip
    source.closed, source.closed_until, source.listed = True, None, False
    source.pinned_at = source.pinned_until = None
    _recount(source)
    record("merge", actor, source, to=destination.id, posts=len(posts))
    reindex(source)
    return destination


def _seen_by_all_readers_of(source: Topic, destination: Topic) -> bool:
    """May everyone who reads ``source`` read ``destination`` (same category, or one that
    anonymous readers see)? Only then does the merge note name the destination."""
    from space.accounts.models import Anonymous

    from ..access import category_level
    from ..models import Access

    if destination.category_id == source.category_id:
        return True
    return category_level(Anonymous(), destination.category_id) >= Access.SEE


def _move(actor, source: Topic, posts: list[Post], destination: Topic, *, new_topic: bool):
    """Renumber ``posts`` into ``destination``; returns {old number: new number}."""
    before = {
        t.id: (t.category_id, 0 if t is destination and new_topic else t.post_count)
        for t in (source, destination)
    }
    posts.sort(key=lambda p: (p.created_at, p.post_number))
    # Reserving the numbers in one UPDATE serializes with replies arriving meanwhile.
    highest = db.session.execute(
        update(Topic).where(Topic.id == destination.id)
        .values(highest_post_number=Topic.highest_post_number + len(posts))
        .returning(Topic.highest_post_number)
    ).scalar_one()  # fmt: skip
    start = highest - len(posts) + 1
    numbers = {post.post_number: start + i for i, post in enumerate(posts)}
    old_numbers = {post.id: post.post_number for post in posts}
    accepted_moved = source.accepted_post_id in old_numbers
    rows = [
        {"id": post.id, "topic_id": destination.id, "post_number": numbers[post.post_number],
         "reply_to_post_number": numbers.get(post.reply_to_post_number)}
        for post in posts
    ]  # fmt: skip
    db.session.execute(update(Post), rows)
    # Replies left behind whose parent moved away become plain replies.
    db.session.execute(
        update(Post)
        .where(Post.topic_id == source.id, Post.reply_to_post_number.in_(list(numbers)))
        .values(reply_to_post_number=None),
        execution_options={"synchronize_session": False},
    )
    for post in posts:
        db.session.expire(post)
    if accepted_moved:
        answer_id = source.accepted_post_id
        source.accepted_post_id = None
        category = db.session.get(Category, destination.category_id)
        # The answer keeps its role where it lands, unless that topic has one already.
        if (destination.accepted_post_id is None and category.accepts_answers
                and numbers[old_numbers[answer_id]] != 1):  # fmt: skip
            destination.accepted_post_id = answer_id
    _mark_posted(destination, {p.user_id for p in posts})
    for topic in (source, destination):
        _recount(topic)
    for topic in (source, destination):
        old_category, old_count = before[topic.id]
        replies_before = max(0, old_count - 1)
        replies_after = max(0, topic.post_count - 1)
        if new_topic and topic is destination:
            category_delta(topic.category_id, topics=1, posts=replies_after,
                           last_posted_at=topic.last_posted_at)  # fmt: skip
        elif replies_after != replies_before:
            category_delta(
                old_category,
                posts=replies_after - replies_before,
                last_posted_at=topic.last_posted_at if topic is destination else None,
            )
    reindex(destination, [p for p in posts if p.deleted_at is None])
    return numbers


def _mark_posted(topic: Topic, user_ids: set[int]) -> None:
    """Authors of moved posts have posted in their new topic."""
    known = set(db.session.scalars(
        select(TopicUser.user_id)
        .where(TopicUser.topic_id == topic.id, TopicUser.user_id.in_(user_ids))
    ))  # fmt: skip
    if known:
        db.session.execute(
            update(TopicUser)
            .where(TopicUser.topic_id == topic.id, TopicUser.user_id.in_(known))
            .values(posted=True),
            execution_options={"synchronize_session": False},
        )
    for user_id in sorted(user_ids - known):
        db.session.add(TopicUser(user_id=user_id, topic_id=topic.id, posted=True))
    db.session.flush()


def _recount(topic: Topic) -> None:
    """Count the topic's posts again: posts, participants, likes, last post, replies."""
    db.session.flush()
    live = (Post.topic_id == topic.id, Post.deleted_at.is_(None))
    count, people, likes = db.session.execute(
        select(func.count(Post.id), func.count(func.distinct(Post.user_id)),
               func.coalesce(func.sum(Post.like_count), 0)).where(*live)
    ).one()  # fmt: skip
    last = db.session.execute(
        select(Post.user_id, Post.created_at).where(*live)
        .order_by(Post.created_at.desc(), Post.post_number.desc()).limit(1)
    ).first()  # fmt: skip
    answered = db.session.scalar(
        select(Post.id).where(*live, Post.user_id != topic.user_id).limit(1)
    )
    child = aliased(Post)
    replies = (
        select(func.count(child.id))
        .where(child.topic_id == Post.topic_id, child.reply_to_post_number == Post.post_number,
               child.deleted_at.is_(None))
        .scalar_subquery()
    )  # fmt: skip
    db.session.execute(
        update(Post).where(Post.topic_id == topic.id).values(reply_count=replies),
        execution_options={"synchronize_session": False},
    )
    topic.post_count = count
    topic.participant_count = max(1, people)
    topic.like_count = likes
    topic.answered = answered is not None
    if last is not None:
        topic.last_post_user_id = last.user_id
        topic.last_posted_at = topic.bumped_at = last.created_at
    db.session.flush()


def _note(actor, topic: Topic, raw: str) -> Post:
    """A short post by ``actor`` saying what happened to the topic."""
    from .revisions import record_original

    number = db.session.execute(
        update(Topic).where(Topic.id == topic.id)
        .values(highest_post_number=Topic.highest_post_number + 1)
        .returning(Topic.highest_post_number)
    ).scalar_one()  # fmt: skip
    post = Post(topic_id=topic.id, user_id=actor.id, post_number=number, raw=raw,
                cooked=cook(raw, actor), created_at=utcnow())  # fmt: skip
    db.session.add(post)
    db.session.flush()
    record_original(post, actor)
    return post
