"""Editing, deleting and recovering posts.

An edit re-cooks the post, records a revision (``revisions.record_edit``) and re-indexes the
post; a first post's edit may retitle its topic in the same revision. Edits send no
notifications (mentions added by an edit notify nobody), as the posting core does only for
new posts.

Deleting is soft (``deleted_at``), and the counters kept at write time go down with
conditional UPDATEs so that two concurrent deletes count once: the topic's posts, the
category's posts, the parent post's replies. Deleting a first post deletes its topic (the
category's topics and its posts go down; tags' topic counts too). Staff recover; staff deleting
or recovering somebody else's post leave an audit entry.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update

from space import audit
from space.accounts.models import User
from space.db import db, utcnow

from .. import moderation
from ..models import Category, Post, Tag, Topic, topic_tag
from . import indexing, limits, revisions
from .posting import DiscussError, cook, slugify


def edit_post(
    post: Post, user, raw: str, title: str | None = None, *, trusted: bool = False
) -> bool:
    """Change ``post``'s text (and, for a first post, its topic's title when ``title`` is
    given). Returns False when nothing changed. Permission (the edit window included) is the
    caller's ``require(user, "post.edit", post)``. ``trusted`` text was reviewed elsewhere (a
    published story): no limits, no watched words."""
    if post.deleted_at is not None:
        raise DiscussError(_("This post is deleted. Recover it before editing it."))
    topic = db.session.get(Topic, post.topic_id)
    if not post.is_first:
        title = None
    elif title is not None:
        title = " ".join(title.split())
        if title == topic.title:
            title = None
    if raw == post.raw and title is None:
        return False
    if trusted:
        screened = moderation.Screened(raw=raw)
    else:
        limits.check_edit(user, post, raw, title)
        screened = moderation.screen_edit(raw, title)  # watched words
        raw = screened.raw
        if title is not None:
            title = moderation.screen_title(title)
            title = None if title == topic.title else title
    if raw == post.raw and title is None:
        return False
    now = utcnow()
    if raw != post.raw:
        post.raw = raw
        post.cooked = cook(raw, db.session.get(User, post.user_id) or user)  # the author's trust
    if title is not None:
        topic.title = title
        topic.slug = slugify(title)
    post.edited_at = now
    post.edited_by_id = user.id
    revisions.record_edit(post, user, raw=raw, title=topic.title if post.is_first else "")
    if user.id != post.user_id:
        audit.record("discuss.post.edit", actor=user, target=post, target_type="post",
                     target_label=_label(topic, post))  # fmt: skip
    if title is not None:  # replies' documents carry the topic's title
        indexing.queue_topic(topic)
    else:
        indexing.queue_post(post, topic)
    moderation.after_edit(post, user, screened)
    return True


def _label(topic: Topic, post: Post) -> str:
    return f"{topic.title[:180]} #{post.post_number}"


def _recount_last_post(topic_id: int) -> None:
    """The topic's last post (who and when) after a reply was deleted or recovered."""
    last = db.session.execute(
        select(Post.created_at, Post.user_id)
        .where(Post.topic_id == topic_id, Post.deleted_at.is_(None))
        .order_by(Post.post_number.desc())
        .limit(1)
    ).first()
    if last is not None:
        db.session.execute(
            update(Topic).where(Topic.id == topic_id)
            .values(last_posted_at=last.created_at, last_post_user_id=last.user_id)
        )  # fmt: skip


def _tag_counts(topic_id: int, delta: int) -> None:
    tag_ids = select(topic_tag.c.tag_id).where(topic_tag.c.topic_id == topic_id)
    db.session.execute(
        update(Tag).where(Tag.id.in_(tag_ids)).values(topic_count=Tag.topic_count + delta),
        execution_options={"synchronize_session": False},
    )


def _set_deleted(post: Post, user, deleted: bool) -> bool:
    """Flip the post's deleted state in one conditional UPDATE; False if it already was."""
    condition = Post.deleted_at.is_(None) if deleted else Post.deleted_at.is_not(None)
    values = (
        {"deleted_at": utcnow(), "deleted_by_id": user.id}
        if deleted
        else {"deleted_at": None, "deleted_by_id": None}
    )
    done = db.session.execute(
        update(Post).where(Post.id == post.id, condition).values(**values),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.expire(post, ["deleted_at", "deleted_by_id"])
    return done == 1


def _topic_counters(topic: Topic, sign: int) -> None:
    """A whole topic leaves (sign -1) or comes back (+1): its category's topics and replies,
    its tags' topic counts."""
    replies = max(0, topic.post_count - 1)
    db.session.execute(
        update(Category).where(Category.id == topic.category_id)
        .values(topic_count=Category.topic_count + sign,
                post_count=Category.post_count + sign * replies)
    )  # fmt: skip
    _tag_counts(topic.id, sign)


def _reply_counters(post: Post, sign: int) -> None:
    """A reply leaves (sign -1) or comes back (+1)."""
    db.session.execute(
        update(Topic).where(Topic.id == post.topic_id).values(post_count=Topic.post_count + sign)
    )
    topic = db.session.get(Topic, post.topic_id)
    if topic.deleted_at is None:  # a deleted topic's replies are out of its category already
        db.session.execute(
            update(Category).where(Category.id == topic.category_id)
            .values(post_count=Category.post_count + sign)
        )  # fmt: skip
    if post.reply_to_post_number is not None:
        db.session.execute(
            update(Post)
            .where(Post.topic_id == post.topic_id, Post.post_number == post.reply_to_post_number)
            .values(reply_count=Post.reply_count + sign),
            execution_options={"synchronize_session": False},
        )
    if sign < 0 and topic.accepted_post_id == post.id:
        db.session.execute(update(Topic).where(Topic.id == topic.id).values(accepted_post_id=None))
    _recount_last_post(post.topic_id)
    db.session.expire(topic)


def delete_post(post: Post, user, *, reason: str = "") -> bool:
    """Soft-delete ``post`` (its topic too when it is the first post). Permission is the
    caller's ``require(user, "post.delete", post)``. Returns False if it was deleted already."""
    topic = db.session.get(Topic, post.topic_id)
    post_number, author_id = post.post_number, post.user_id
    if not _set_deleted(post, user, True):
        return False
    if post_number == 1:
        done = db.session.execute(
            update(Topic).where(Topic.id == topic.id, Topic.deleted_at.is_(None))
            .values(deleted_at=utcnow()),
            execution_options={"synchronize_session": False},
        ).rowcount  # fmt: skip
        db.session.expire(topic)
        if done:
            _topic_counters(topic, -1)
    else:
        _reply_counters(post, -1)
    indexing.queue_post(post, topic)  # a deleted post (or topic) leaves the index
    if author_id != user.id:
        audit.record("discuss.post.delete", actor=user, target=post, target_type="post",
                     target_label=_label(topic, post), reason=reason)  # fmt: skip
    return True


def recover_post(post: Post, user) -> bool:
    """Undo a deletion (staff: ``post.moderate``). A first post brings its topic back."""
    topic = db.session.get(Topic, post.topic_id)
    post_number, author_id = post.post_number, post.user_id
    if not _set_deleted(post, user, False):
        return False
    if post_number == 1:
        done = db.session.execute(
            update(Topic).where(Topic.id == topic.id, Topic.deleted_at.is_not(None))
            .values(deleted_at=None),
            execution_options={"synchronize_session": False},
        ).rowcount  # fmt: skip
        db.session.expire(topic)
        if done:
            _topic_counters(topic, +1)
        indexing.queue_topic(topic)  # the topic and its replies come back
    else:
        _reply_counters(post, +1)
        indexing.queue_post(post, topic)
    if author_id != user.id:
        audit.record("discuss.post.recover", actor=user, target=post, target_type="post",
                     target_label=_label(topic, post))  # fmt: skip
    return True
