"""What people do with posts: likes, bookmarks (with reminders) and accepted answers.

Likes are capped per day (``limits.daily_cap``), undone only within ``like_undo_minutes``,
and counted at write time (post, topic, and both people's stats) with race-safe updates: a
like row is unique per post and person, so a double like (even two at once) is a no-op.
Bookmark reminders are sent by the ``discuss.bookmark_reminders`` job.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from space import audit
from space.accounts.models import User
from space.db import db, utcnow
from space.notify import Notification, notify
from space.permissions import can, is_staff

from ..access import can_see_post, prime, visible_category_ids
from ..models import Bookmark, Category, Post, PostLike, Topic
from ..settings import value
from . import limits, stats
from .posting import DiscussError
from .watching import level_for, notify_many, post_data, readers

BOOKMARK_NAME_MAX = 100


def _topic(post: Post) -> Topic:
    if "topic" in post.__dict__:
        return post.topic
    return db.session.get(Topic, post.topic_id)


def _check_readable(user, post: Post, topic: Topic) -> None:
    if not can(user, "topic.read", topic) or not can_see_post(user, post):
        raise DiscussError(_("This post does not exist or you may not see it."))


def _promote(*users) -> None:
    from . import trust

    for person in users:
        if person is not None:
            trust.maybe_promote(person)


# --- likes -----------------------------------------------------------------------------------


def liked(user, post: Post) -> PostLike | None:
    return db.session.scalar(
        select(PostLike).where(PostLike.post_id == post.id, PostLike.user_id == user.id)
    )


def _check_cap(user) -> None:
    if is_staff(user):
        return
    cap = limits.daily_cap(user, "likes")
    times = list(
        db.session.scalars(
            select(PostLike.created_at)
            .where(PostLike.user_id == user.id, PostLike.created_at >= utcnow() - limits.DAY)
            .order_by(PostLike.created_at.desc())
            .limit(max(cap, 1))
        )
    )
    if len(times) >= cap:
        retry_at = times[cap - 1] + limits.DAY if cap > 0 else None
        limits.check_daily(user, "likes", len(times), retry_at=retry_at)


def like(user, post: Post) -> bool:
    """``user`` likes ``post``; False when they already did (nothing changes)."""
    topic = _topic(post)
    _check_readable(user, post, topic)
    if post.user_id == user.id:
        raise DiscussError(_("You cannot like your own post."))
    if post.deleted_at is not None:
        raise DiscussError(_("This post was deleted; it cannot be liked."))
    if topic.archived:
        raise DiscussError(_("This topic is archived; its posts cannot be liked."))
    if not can(user, "post.like", post):
        raise DiscussError(_("You cannot like this post."))
    if liked(user, post) is not None:
        return False
    _check_cap(user)
    try:
        with db.session.begin_nested():
            db.session.add(PostLike(post_id=post.id, user_id=user.id, post_user_id=post.user_id))
    except IntegrityError:  # liked meanwhile (another tab, a double click)
        return False
    _count(post, topic, +1)
    stats.bump(user.id, likes_given=1)
    stats.bump(post.user_id, likes_received=1)
    author = db.session.get(User, post.user_id)
    _notify_liked(user, author, topic, post)
    _promote(user, author)
    return True


def unlike(user, post: Post) -> bool:
    """Undo ``user``'s like of ``post`` (only within ``like_undo_minutes``); False when
    there was none."""
    topic = _topic(post)
    _check_readable(user, post, topic)
    row = liked(user, post)
    if row is None:
        return False
    minutes = int(value("like_undo_minutes"))
    if utcnow() - row.created_at > timedelta(minutes=minutes):
        raise DiscussError(
            _("A like can only be undone within %(n)d minutes of giving it.", n=minutes)
        )
    removed = db.session.execute(
        delete(PostLike).where(PostLike.id == row.id),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.expunge(row)
    if not removed:  # undone meanwhile
        return False
    _count(post, topic, -1)
    stats.bump(user.id, likes_given=-1)
    stats.bump(post.user_id, likes_received=-1)
    return True


def _count(post: Post, topic: Topic, step: int) -> None:
    db.session.execute(
        update(Post).where(Post.id == post.id).values(like_count=Post.like_count + step),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(Topic).where(Topic.id == topic.id).values(like_count=Topic.like_count + step),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(post, ["like_count"])
    db.session.expire(topic, ["like_count"])


def _notify_liked(liker, author, topic: Topic, post: Post) -> None:
    """Once per post and liker; consolidated into the author's unread "liked" notification
    for the post; not when the author muted the topic or can no longer read it."""
    if author is None or level_for(author, topic) == 0 or not readers([author], topic, post):
        return
    earlier = list(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == author.id,
                Notification.kind == "liked",
                Notification.data["post_id"].as_integer() == post.id,
            )
        )
    )
    if any(liker.username in item.data.get("usernames", ()) for item in earlier):
        return
    unread = next((item for item in earlier if item.read_at is None), None)
    if unread is not None:
        data = dict(unread.data)
        data.update(username=liker.username, name=liker.name,
                    usernames=[*data.get("usernames", []), liker.username],
                    count=int(data.get("count", 1)) + 1)  # fmt: skip
        unread.data = data
        unread.created_at = utcnow()
        return
    notify(author.id, "liked", **post_data(liker, topic, post),
           usernames=[liker.username], count=1)  # fmt: skip


# --- bookmarks -------------------------------------------------------------------------------


def to_utc(moment: datetime | None, zone: str) -> datetime | None:
    """A wall-clock time typed in ``zone`` (a naive datetime), as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(ZoneInfo("UTC"))


def bookmark(user, post: Post, *, name: str = "", reminder_at: datetime | None = None):
    """Bookmark ``post`` (or change the bookmark): an optional name and reminder (UTC)."""
    topic = _topic(post)
    _check_readable(user, post, topic)
    name = " ".join((name or "").split())
    if len(name) > BOOKMARK_NAME_MAX:
        raise DiscussError(
            _("The name must be at most %(n)d characters long.", n=BOOKMARK_NAME_MAX), "name"
        )
    if reminder_at is not None and reminder_at <= utcnow():
        raise DiscussError(_("Choose a reminder time in the future."), "reminder_at")
    row = bookmark_of(user, post)
    if row is None:
        try:
            with db.session.begin_nested():
                row = Bookmark(user_id=user.id, post_id=post.id)
                db.session.add(row)
        except IntegrityError:  # bookmarked meanwhile
            row = bookmark_of(user, post)
    row.name = name
    if reminder_at != row.reminder_at:
        row.reminder_at = reminder_at
        row.reminded_at = None
    return row


def bookmark_of(user, post: Post) -> Bookmark | None:
    return db.session.scalar(
        select(Bookmark).where(Bookmark.user_id == user.id, Bookmark.post_id == post.id)
    )


def unbookmark(user, post: Post) -> bool:
    return bool(
        db.session.execute(
            delete(Bookmark).where(Bookmark.user_id == user.id, Bookmark.post_id == post.id),
            execution_options={"synchronize_session": "fetch"},
        ).rowcount
    )


def bookmarks_query(user):
    """``user``'s bookmarks on posts they may still see, newest first, with each post's
    topic and author loaded (for ``db.paginate``)."""
    query = (
        select(Bookmark)
        .join(Bookmark.post)
        .join(Post.topic)
        .where(Bookmark.user_id == user.id, Topic.category_id.in_(visible_category_ids(user)))
        .options(
            contains_eager(Bookmark.post).contains_eager(Post.topic),
            contains_eager(Bookmark.post).selectinload(Post.user),
        )
        .order_by(Bookmark.created_at.desc(), Bookmark.id.desc())
    )
    if not is_staff(user):
        query = query.where(
            Topic.deleted_at.is_(None),
            Post.deleted_at.is_(None),
            or_(Post.hidden_at.is_(None), Post.user_id == user.id),
        )
    return query


def _request_context():
    """``can`` caches per request; a job lends itself one (links need it too)."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config["SPACE_BASE_URL"])


def send_reminders(limit: int = 500) -> int:
    """Notify each due bookmark reminder once (never about a post its owner may no longer
    see); returns how many were sent. Commits."""
    with _request_context():
        now = utcnow()
        rows = db.session.execute(
            select(Bookmark, User)
            .join(User, User.id == Bookmark.user_id)
            .where(Bookmark.reminder_at.is_not(None), Bookmark.reminder_at <= now,
                   Bookmark.reminded_at.is_(None))
            .options(
                selectinload(Bookmark.post).selectinload(Post.topic),
                selectinload(Bookmark.post).selectinload(Post.user),
            )
            .order_by(Bookmark.reminder_at)
            .limit(limit)
        ).all()  # fmt: skip
        prime([person for _item, person in rows])
        due = []
        for item, person in rows:
            item.reminded_at = now
            post = item.post
            if readers([person], post.topic, post):
                data = post_data(post.user, post.topic, post)
                due.append((person.id, "bookmark_reminder", {**data, "bookmark_name": item.name}))
        notify_many(due)
        sent = len(due)
        db.session.commit()
    return sent


# --- accepted answers ------------------------------------------------------------------------


def _qa_category(topic: Topic) -> Category:
    category = db.session.get(Category, topic.category_id)
    if category is None or not category.accepts_answers:
        raise DiscussError(_("Answers can only be accepted in question-and-answer categories."))
    return category


def _first_post(topic: Topic) -> Post | None:
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))


def accept_answer(user, post: Post) -> bool:
    """Mark ``post`` as its topic's accepted answer (replacing any other); False when it
    already is."""
    from . import indexing

    topic = _topic(post)
    _check_readable(user, post, topic)
    _qa_category(topic)
    if not can(user, "topic.accept_answer", topic):
        raise DiscussError(_("You may not accept an answer in this topic."))
    if post.is_first:
        raise DiscussError(_("The question itself cannot be its answer."))
    if post.deleted_at is not None or post.hidden_at is not None:
        raise DiscussError(_("This post cannot be accepted as the answer."))
    if topic.accepted_post_id == post.id:
        return False
    previous = topic.accepted_post_id
    topic.accepted_post_id = post.id
    if user.id != topic.user_id:
        audit.record("discuss.answer.accept", actor=user, target=topic, target_label=topic.title,
                     post_id=post.id, previous_post_id=previous)  # fmt: skip
    author = db.session.get(User, post.user_id)
    if author is not None and author.id != user.id and readers([author], topic, post):
        notify(author.id, "answer_accepted", **post_data(user, topic, post))
    first = _first_post(topic)
    if first is not None:
        indexing.queue_post(first, topic)
    return True


def unaccept_answer(user, topic: Topic) -> bool:
    """Remove the topic's accepted answer; False when it had none."""
    from . import indexing

    _qa_category(topic)
    if not can(user, "topic.accept_answer", topic):
        raise DiscussError(_("You may not change the accepted answer of this topic."))
    if topic.accepted_post_id is None:
        return False
    previous = topic.accepted_post_id
    topic.accepted_post_id = None
    if user.id != topic.user_id:
        audit.record("discuss.answer.unaccept", actor=user, target=topic,
                     target_label=topic.title, post_id=previous)  # fmt: skip
    first = _first_post(topic)
    if first is not None:
        indexing.queue_post(first, topic)
    return True
