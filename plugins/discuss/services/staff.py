"""What regulars (trust level 3), leaders (trust level 4) and moderators do to a topic.

Regulars retitle a topic, move it to another category and change its tags
(``update_meta``). Leaders and moderators also close it (for good or for some hours),
archive it, pin it (until a date, or for good), list or unlist it and set its slow mode.
Moving posts between topics (split, merge) is in ``moving``. Every change a person makes to
somebody else's topic, and every moderation action, leaves an audit entry. Services never
commit; the callers have already checked ``topic.recategorize`` / ``topic.moderate``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import case, literal, select, update

from space import audit
from space.db import db, utcnow
from space.permissions import can

from ..models import Category, Post, Tag, Topic, topic_tag
from .posting import DiscussError, resolve_tags, set_tags, slugify

# Seconds a person must wait between two posts in a topic in slow mode (0: off).
SLOW_MODE_CHOICES = (0, 10, 30, 60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400)
MAX_CLOSE_HOURS = 24 * 365


def record(action: str, actor, topic: Topic, **details) -> None:
    """An audit entry about ``topic`` ("discuss.topic.<action>")."""
    audit.record(
        f"discuss.topic.{action}",
        actor=actor,
        target=topic,
        target_type="topic",
        target_label=topic.title[:200],
        **details,
    )


def reindex(topic: Topic, posts: list[Post] | None = None) -> None:
    """Queue the topic's posts (or ``posts``) for the search index after the commit."""
    from . import indexing

    queue_topic = getattr(indexing, "queue_topic", None)
    if posts is None and queue_topic is not None:
        queue_topic(topic)
        return
    if posts is None:
        posts = list(db.session.scalars(
            select(Post).where(Post.topic_id == topic.id, Post.deleted_at.is_(None))
            .order_by(Post.post_number)
        ))  # fmt: skip
    for post in posts:
        indexing.queue_post(post, topic)


def tag_names(topic: Topic) -> list[str]:
    return list(db.session.scalars(
        select(Tag.name).join(topic_tag, topic_tag.c.tag_id == Tag.id)
        .where(topic_tag.c.topic_id == topic.id).order_by(Tag.name)
    ))  # fmt: skip


def _refuse_frozen(actor, topic: Topic) -> None:
    if topic.deleted_at is not None:
        raise DiscussError(_("This topic is deleted: restore it first."))
    if topic.archived and not can(actor, "topic.moderate", topic):
        raise DiscussError(_("This topic is archived: it can no longer be changed."))


# --- title, category and tags (trust level 3) ------------------------------------------------


def update_meta(
    actor, topic: Topic, *, title: str, category: Category, tags: list[str] | None = None
) -> dict[str, list]:
    """Retitle, recategorize and retag ``topic``; returns {what: [before, after]} changed.

    The new category must be one where ``actor`` may create topics; unknown tags are
    created only for those who may (``tag.create``). ``tags=None`` leaves the tags alone.
    """
    from .limits import check_title

    _refuse_frozen(actor, topic)
    title = " ".join((title or "").split())
    changes: dict[str, list] = {}
    if title != topic.title:
        check_title(title)
        changes["title"] = [topic.title, title]
    old_category_id = topic.category_id
    if category.id != old_category_id:
        if not can(actor, "topic.create", category):
            raise DiscussError(_("You cannot move topics into this category."), "category")
        changes["category"] = [old_category_id, category.id]
    tag_rows = None
    if tags is not None:
        current = tag_names(topic)
        tag_rows = resolve_tags(tags, may_create=can(actor, "tag.create"))
        wanted = sorted(t.name for t in tag_rows)
        if wanted != current:
            changes["tags"] = [current, wanted]
    if not changes:
        return changes
    if "title" in changes:
        topic.title = title
        topic.slug = slugify(title)
    if "tags" in changes:
        set_tags(topic, tag_rows)
    if "category" in changes:
        move_topic_counters(topic, old_category_id, category.id)
    db.session.flush()
    if topic.user_id != getattr(actor, "id", None):
        record("edit", actor, topic, changes=changes)
    if "title" in changes or "category" in changes:
        reindex(topic)
    return changes


def move_topic_counters(topic: Topic, old_id: int, new_id: int) -> None:
    """Point ``topic`` at category ``new_id`` and move its counts there. Updating the topic
    row first locks it, so replies arriving meanwhile are counted where they land."""
    replies = db.session.execute(
        update(Topic).where(Topic.id == topic.id).values(category_id=new_id)
        .returning(Topic.post_count, Topic.last_posted_at)
    ).one()  # fmt: skip
    moved = max(0, replies.post_count - 1)
    topic.category_id = new_id
    db.session.execute(
        update(Category).where(Category.id == old_id)
        .values(topic_count=Category.topic_count - 1, post_count=Category.post_count - moved)
    )  # fmt: skip
    category_delta(new_id, topics=1, posts=moved, last_posted_at=replies.last_posted_at)


def category_delta(
    category_id: int, *, topics: int = 0, posts: int = 0, last_posted_at: datetime | None = None
) -> None:
    """Add to a category's counters in one UPDATE; ``last_posted_at`` only ever moves later."""
    values = {}
    if topics:
        values["topic_count"] = Category.topic_count + topics
    if posts:
        values["post_count"] = Category.post_count + posts
    if last_posted_at is not None:
        when = literal(last_posted_at, Category.last_posted_at.type)
        values["last_posted_at"] = case(
            (Category.last_posted_at.is_(None), when),
            (Category.last_posted_at < when, when),
            else_=Category.last_posted_at,
        )
    if values:
        db.session.execute(update(Category).where(Category.id == category_id).values(**values))


# --- moderation (trust level 4 and moderators) -----------------------------------------------


def _set(actor, topic: Topic, action: str, reason: str = "", **values) -> bool:
    """Apply ``values`` to the topic; audit ``action`` when anything changed."""
    if topic.deleted_at is not None:
        raise DiscussError(_("This topic is deleted: restore it first."))
    before = {name: getattr(topic, name) for name in values}
    if before == values:
        return False
    for name, value in values.items():
        setattr(topic, name, value)
    db.session.flush()
    details = {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in values.items()
        if name not in {"closed", "archived", "listed"}
    }
    record(action, actor, topic, reason=reason, **details)
    return True


def close(actor, topic: Topic, *, hours: int | None = None, reason: str = "") -> bool:
    """Close ``topic`` to replies (leaders still reply), for ``hours`` or until reopened."""
    until = None
    if hours is not None:
        if not 1 <= hours <= MAX_CLOSE_HOURS:
            raise DiscussError(
                _("Close for 1 to %(n)d hours, or leave it empty.", n=MAX_CLOSE_HOURS), "hours"
            )
        until = utcnow() + timedelta(hours=hours)
    return _set(actor, topic, "close", reason, closed=True, closed_until=until)


def reopen(actor, topic: Topic, *, reason: str = "") -> bool:
    return _set(actor, topic, "open", reason, closed=False, closed_until=None)


def archive(actor, topic: Topic, *, reason: str = "") -> bool:
    """Archived: no replies, no edits, no likes; read only."""
    return _set(actor, topic, "archive", reason, archived=True)


def unarchive(actor, topic: Topic, *, reason: str = "") -> bool:
    return _set(actor, topic, "unarchive", reason, archived=False)


def pin(actor, topic: Topic, *, until: datetime | None = None) -> bool:
    """Pin ``topic`` at the top of its lists, until ``until`` (UTC) or until unpinned."""
    now = utcnow()
    if until is not None and until <= now:
        raise DiscussError(_("Choose a date in the future."), "until")
    if (
        topic.pinned_at is not None
        and topic.pinned_until == until
        and (until is None or until > now)
    ):
        return False
    return _set(actor, topic, "pin", pinned_at=now, pinned_until=until)


def unpin(actor, topic: Topic) -> bool:
    return _set(actor, topic, "unpin", pinned_at=None, pinned_until=None)


def set_listed(actor, topic: Topic, listed: bool) -> bool:
    """Unlisted topics stay reachable by link but leave lists, feeds and search."""
    changed = _set(actor, topic, "list" if listed else "unlist", listed=listed)
    if changed:
        reindex(topic)
    return changed


def set_slow_mode(actor, topic: Topic, seconds: int) -> bool:
    """Each person waits ``seconds`` between two posts in the topic (0: off)."""
    if seconds not in SLOW_MODE_CHOICES:
        raise DiscussError(_("Choose one of the offered intervals."), "seconds")
    return _set(actor, topic, "slow_mode", slow_mode_seconds=seconds)
