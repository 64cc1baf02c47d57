"""Creating topics and replies: numbering, cooking, tags and the counters kept at write time.

Services take plain arguments and never commit. Refusals raise ``DiscussError`` with a
translated message (and the field at fault) for the composer to show beside what was typed.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from space.db import db, utcnow
from space.markup import render, slugify
from space.trust import TrustLevel

from .. import moderation
from ..models import Category, Post, Tag, Topic, TopicUser, topic_tag
from . import stats

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$|^[a-z0-9]$")


class DiscussError(ValueError):
    """A refusal for the person: ``message`` is translated; ``field`` names the input at fault;
    ``retry_at`` (UTC) says when a limit lifts, when it does."""

    def __init__(self, message: str, field: str | None = None, retry_at: datetime | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.retry_at = retry_at


def cook(raw: str, user) -> str:
    """Markdown to stored HTML; links of regulars (TL3+) and staff are followed."""
    trusted = user.is_staff or user.trust_level >= TrustLevel.REGULAR
    return str(render(raw, trusted=trusted))


def normalize_tag(name: str) -> str:
    return slugify(name.strip().lstrip("#"), fallback="")[:40]


def resolve_tags(names: list[str], *, may_create: bool) -> list[Tag]:
    """Tags by name; unknown ones are created when ``may_create`` (trust level 3), else refused."""
    from ..settings import value

    wanted: list[str] = []
    for name in names:
        tag = normalize_tag(name)
        if tag and tag not in wanted:
            wanted.append(tag)
    if len(wanted) > int(value("max_tags_per_topic")):
        raise DiscussError(
            _("A topic may have at most %(n)d tags.", n=int(value("max_tags_per_topic"))), "tags"
        )
    if not wanted:
        return []
    found = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(wanted)))}
    missing = [name for name in wanted if name not in found]
    if missing and not may_create:
        raise DiscussError(
            _("There is no tag %(names)s yet; only trust level 3 can create tags.",
              names=", ".join(missing)),
            "tags",
        )  # fmt: skip
    for name in missing:
        try:
            with db.session.begin_nested():
                found[name] = Tag(name=name)
                db.session.add(found[name])
        except IntegrityError:  # created meanwhile by another new topic
            found[name] = db.session.scalar(select(Tag).where(Tag.name == name))
    db.session.flush()
    return [found[name] for name in wanted]


def set_tags(topic: Topic, tags: list[Tag]) -> None:
    """Replace the topic's tags, keeping every tag's topic count."""
    current = set(db.session.scalars(
        select(topic_tag.c.tag_id).where(topic_tag.c.topic_id == topic.id)
    ))  # fmt: skip
    wanted = {t.id for t in tags}
    removed, added = current - wanted, wanted - current
    if removed:
        db.session.execute(
            topic_tag.delete().where(topic_tag.c.topic_id == topic.id,
                                     topic_tag.c.tag_id.in_(removed))
        )  # fmt: skip
        db.session.execute(
            update(Tag).where(Tag.id.in_(removed)).values(topic_count=Tag.topic_count - 1)
        )
    if added:
        db.session.execute(topic_tag.insert(), [{"topic_id": topic.id, "tag_id": t} for t in added])
        db.session.execute(
            update(Tag).where(Tag.id.in_(added)).values(topic_count=Tag.topic_count + 1)
        )


def create_topic(
    user,
    category: Category,
    title: str,
    raw: str,
    tags: list[str] | None = None,
    *,
    trusted: bool = False,
) -> Topic:
    """A new topic with its first post. Checks content rules and limits (``limits``) and
    watched words, unless ``trusted``: text reviewed elsewhere (a published story)."""
    from . import limits

    title = " ".join(title.split())
    if trusted:
        screened = moderation.Screened(raw=raw)
    else:
        limits.check_topic(user, category, title, raw)
        screened = moderation.screen(raw, title)  # watched words
        raw, title = screened.raw, moderation.screen_title(title)
    tag_rows = resolve_tags(tags or [], may_create=_may_create_tags(user))
    now = utcnow()
    topic = Topic(
        category_id=category.id,
        user_id=user.id,
        title=title,
        slug=slugify(title),
        created_at=now,
        bumped_at=now,
        last_posted_at=now,
        last_post_user_id=user.id,
    )
    db.session.add(topic)
    db.session.flush()
    if tag_rows:
        set_tags(topic, tag_rows)
    post = _add_post(user, topic, raw, reply_to=None, now=now, held=bool(screened.held))
    db.session.execute(
        update(Category)
        .where(Category.id == category.id)
        .values(topic_count=Category.topic_count + 1, last_posted_at=now)
    )
    stats.bump(user.id, topic_count=1)
    _after_post(user, topic, post, new_topic=True)
    moderation.after_post(post, screened)
    return topic


def create_post(user, topic: Topic, raw: str, reply_to: int | None = None) -> Post:
    """A reply to ``topic`` (to its post number ``reply_to`` when given)."""
    from . import limits

    if reply_to is not None:
        exists = db.session.scalar(
            select(Post.id).where(Post.topic_id == topic.id, Post.post_number == reply_to,
                                  Post.deleted_at.is_(None))
        )  # fmt: skip
        if exists is None:
            raise DiscussError(_("The post you are replying to no longer exists."), "reply_to")
    limits.check_reply(user, topic, raw)
    screened = moderation.screen(raw)  # watched words
    raw = screened.raw
    now = utcnow()
    post = _add_post(user, topic, raw, reply_to=reply_to, now=now, held=bool(screened.held))
    topic_values = {
        "bumped_at": now,
        "last_posted_at": now,
        "last_post_user_id": user.id,
    }
    if user.id != topic.user_id:
        topic_values["answered"] = True
    db.session.execute(update(Topic).where(Topic.id == topic.id).values(**topic_values))
    if reply_to is not None:
        db.session.execute(
            update(Post)
            .where(Post.topic_id == topic.id, Post.post_number == reply_to)
            .values(reply_count=Post.reply_count + 1)
        )
    db.session.execute(
        update(Category)
        .where(Category.id == topic.category_id)
        .values(post_count=Category.post_count + 1, last_posted_at=now)
    )
    db.session.expire(topic)
    _after_post(user, topic, post, new_topic=False)
    moderation.after_post(post, screened)
    return post


def _add_post(user, topic: Topic, raw: str, *, reply_to: int | None, now,
              held: bool = False) -> Post:  # fmt: skip
    """Number and store a post; the topic's counter UPDATE serializes concurrent replies.
    A ``held`` post waits for a moderator's approval, hidden from readers."""
    from .revisions import record_original

    number = db.session.execute(
        update(Topic)
        .where(Topic.id == topic.id)
        .values(
            highest_post_number=Topic.highest_post_number + 1,
            post_count=Topic.post_count + 1,
        )
        .returning(Topic.highest_post_number)
    ).scalar_one()
    post = Post(
        topic_id=topic.id,
        user_id=user.id,
        post_number=number,
        reply_to_post_number=reply_to,
        raw=raw,
        cooked=cook(raw, user),
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    if held:
        moderation.hold_new(post)
    record_original(post, user, title=topic.title if number == 1 else "")
    return post


def _after_post(user, topic: Topic, post: Post, *, new_topic: bool) -> None:
    """What follows every new post: the author's topic state and stats, participants,
    notifications and the search index."""
    from . import indexing, watching

    state = db.session.scalar(
        select(TopicUser).where(TopicUser.user_id == user.id, TopicUser.topic_id == topic.id)
    )
    first_in_topic = state is None or not state.posted
    if state is None:
        state = TopicUser(user_id=user.id, topic_id=topic.id)
        db.session.add(state)
    state.posted = True
    state.last_read_post_number = max(state.last_read_post_number or 0, post.post_number)
    state.last_visited_at = utcnow()
    db.session.flush()
    deltas = {"post_count": 1}
    if not new_topic and first_in_topic:
        deltas["topics_replied"] = 1
        db.session.execute(
            update(Topic)
            .where(Topic.id == topic.id)
            .values(participant_count=Topic.participant_count + 1)
        )
    stats.bump(user.id, **deltas)
    row = stats.stats_for(user.id)
    if row.first_post_at is None:
        row.first_post_at = post.created_at
    watching.post_created(user, topic, post, new_topic=new_topic)
    indexing.queue_post(post, topic)


def _may_create_tags(user) -> bool:
    from space.permissions import can

    return can(user, "tag.create")


def recent_same_text(user, raw: str, since) -> bool:
    """Did ``user`` post exactly this text since ``since``?"""
    return (
        db.session.scalar(
            select(func.count(Post.id)).where(
                Post.user_id == user.id, Post.created_at >= since, Post.raw == raw
            )
        )
        or 0
    ) > 0
