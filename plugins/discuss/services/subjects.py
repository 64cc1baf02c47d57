"""Topics about things elsewhere (a story, an event): Discuss's side of ``space.discussions``.

A subject's topic is found by its key (``Topic.subject``, unique), so opening the same
subject twice — publish, unpublish, republish — brings back the one topic: its first post
and title follow the subject, it is reopened and listed again. The content was reviewed where
it lives, so opening skips the newcomers' limits and watched words; it is written in the
author's name like any topic and counted like one.
"""

from __future__ import annotations

import re

from flask import url_for
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from space.accounts.models import User
from space.db import db
from space.discussions import Reply, Subject, Summary
from space.permissions import can

from .. import access
from ..models import Category, Post, Topic
from . import editing, posting, staff

_TOPIC_URL = re.compile(r"/t/[^/]+/(\d+)")


def _category(slug: str) -> Category:
    """The category named by ``slug``; made (open to everyone) when it does not exist yet,
    so that publishing never fails on a missing category."""
    if slug:
        found = db.session.scalar(select(Category).where(Category.slug == slug))
        if found is not None:
            return found
        category = Category(slug=slug[:60], name=slug.replace("-", " ").title()[:60])
        db.session.add(category)
        db.session.flush()
        return category
    first = db.session.scalar(
        select(Category).where(Category.restricted.is_(False)).order_by(Category.position)
    )
    return first if first is not None else _category("general")


def open_topic(subject: Subject, actor=None) -> int:
    author = db.session.get(User, subject.author_id)
    topic = db.session.scalar(select(Topic).where(Topic.subject == subject.key))
    title = " ".join(subject.title.split())[:255]
    if topic is None:
        category = _category(subject.category)
        topic = posting.create_topic(author, category, title, subject.body, trusted=True)
        topic.subject = subject.key
        db.session.flush()
        return topic.id
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))
    if topic.deleted_at is not None or first.deleted_at is not None:
        editing.recover_post(first, actor or author)
    editing.edit_post(first, actor or author, subject.body, title=title, trusted=True)
    # Reopening and listing are audited as the person acting (None: the site itself).
    if topic.closed:
        staff.reopen(actor, topic)
    if not topic.listed:
        staff.set_listed(actor, topic, True)
    return topic.id


def close_topic(topic_id: int, actor=None, reason: str = "") -> None:
    topic = db.session.get(Topic, topic_id)
    if topic is None or topic.deleted_at is not None:
        return
    staff.close(actor, topic, reason=reason)
    staff.set_listed(actor, topic, False)


def summary(topic_id: int, user, limit: int) -> Summary | None:
    topic = db.session.get(Topic, topic_id)
    if topic is None or not can(user, "topic.read", topic):
        return None
    best = db.session.scalars(
        select(Post)
        .options(joinedload(Post.user))
        .where(Post.topic_id == topic.id, Post.post_number > 1, Post.deleted_at.is_(None),
               Post.hidden_at.is_(None))
        .order_by(Post.like_count.desc(), Post.post_number)
        .limit(limit)
    ).all()  # fmt: skip
    return Summary(
        topic_id=topic.id,
        title=topic.title,
        url=url_for("discuss.topic", slug=topic.slug, topic_id=topic.id),
        reply_count=topic.reply_count,
        closed=access.is_closed(topic),
        best=[
            Reply(
                author=post.user.username,
                author_name=post.user.display_name or post.user.username,
                html=Markup(post.cooked),
                url=url_for("discuss.post_link", post_id=post.id),
                like_count=post.like_count,
                created_at=post.created_at,
            )
            for post in best
        ],
    )


def find(reference: str, user) -> int | None:
    reference = (reference or "").strip()
    match = _TOPIC_URL.search(reference)
    number = match.group(1) if match else reference
    if not number.isdigit() or len(number) > 12:
        return None
    topic = db.session.get(Topic, int(number))
    if topic is None or topic.deleted_at is not None or not can(user, "topic.read", topic):
        return None
    return topic.id
