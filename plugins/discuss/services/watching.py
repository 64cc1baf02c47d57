"""Who follows what, and the notifications a new post sends.

Levels (``NotificationLevel``) are set per topic (``TopicUser.notification_level``) and per
category (``CategoryUser``); a topic without its own level follows its category's, else
NORMAL. Starting a topic watches it; replying tracks it (unless already watched or muted).

A new post notifies, once per person, with the most specific kind: "mentioned" (an @name
outside quotes) > "replied" (the author of the post answered, or of the topic) > "quoted"
(``> @name wrote:`` lines, the composer's quote convention) > "posted" / "new_topic" (those
watching the topic or its category). Never the author, never someone who muted the topic,
and never anyone who cannot read it. The whole fan-out costs a fixed number of queries.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from space.accounts.models import User
from space.db import db, utcnow
from space.markup import MENTION_RE, mentions
from space.notify import Notification, types
from space.permissions import can

from ..access import can_see_post, prime
from ..models import CategoryUser, NotificationLevel, Post, Topic, TopicUser

LEVELS = tuple(int(level) for level in NotificationLevel)
# "> @name wrote:" opens a quote of name's post (the composer writes it so).
QUOTE_RE = re.compile(r"^[ \t]*>[ \t]*" + MENTION_RE + r"[ \t]+wrote\b", re.M)
QUOTED_LINE_RE = re.compile(r"^[ \t]*>.*$", re.M)
# Most specific first: a person gets only the first kind that applies to them.
PRIORITY = ("mentioned", "replied", "quoted", "posted", "new_topic")


def _check_level(level) -> int:
    from .posting import DiscussError

    try:
        level = int(level)
    except (TypeError, ValueError):
        level = -1
    if level not in LEVELS:
        raise DiscussError(_("Choose how you want to follow this."), "level")
    return level


def effective(topic_level: int | None, category_level: int | None) -> int:
    """The level that applies: the topic's own, else the category's, else NORMAL."""
    if topic_level is not None:
        return int(topic_level)
    if category_level is not None:
        return int(category_level)
    return int(NotificationLevel.NORMAL)


def category_level(user, category_id: int) -> int:
    """``user``'s level for a category (NORMAL when never set or anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return int(NotificationLevel.NORMAL)
    found = db.session.scalar(
        select(CategoryUser.notification_level).where(
            CategoryUser.user_id == user.id, CategoryUser.category_id == category_id
        )
    )
    return int(NotificationLevel.NORMAL if found is None else found)


def level_for(user, topic: Topic, state: TopicUser | None = None) -> int:
    """The level that applies to ``user`` on ``topic``; pass their ``TopicUser`` (``state``)
    when already loaded. At most two queries; none for anonymous readers."""
    if not getattr(user, "is_authenticated", False):
        return int(NotificationLevel.NORMAL)
    if state is None:
        own = db.session.scalar(
            select(TopicUser.notification_level).where(
                TopicUser.user_id == user.id, TopicUser.topic_id == topic.id
            )
        )
    else:
        own = state.notification_level
    if own is not None:
        return int(own)
    return category_level(user, topic.category_id)


def _get_or_create(model, **keys):
    row = db.session.scalar(select(model).filter_by(**keys))
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = model(**keys)
            if model is CategoryUser:
                row.notification_level = int(NotificationLevel.NORMAL)
            db.session.add(row)
    except IntegrityError:  # created meanwhile by another request
        row = db.session.scalar(select(model).filter_by(**keys))
    return row


def set_topic_level(user, topic: Topic, level) -> int:
    """Follow ``topic`` at ``level`` (a ``NotificationLevel``)."""
    level = _check_level(level)
    state = _get_or_create(TopicUser, user_id=user.id, topic_id=topic.id)
    state.notification_level = level
    return level


def set_category_level(user, category, level) -> int:
    """Follow ``category`` at ``level``; its topics without their own level follow it."""
    level = _check_level(level)
    row = _get_or_create(CategoryUser, user_id=user.id, category_id=category.id)
    row.notification_level = level
    return level


def _unquoted(raw: str) -> str:
    return QUOTED_LINE_RE.sub("", raw or "")


def quoted_names(raw: str) -> list[str]:
    """Usernames quoted in ``raw`` (lowercase, in order, without repeats)."""
    seen: dict[str, None] = {}
    for name in QUOTE_RE.findall(raw or ""):
        seen.setdefault(name.lower(), None)
    return list(seen)


def post_data(author, topic: Topic, post: Post) -> dict:
    """What a notification about ``post`` keeps: enough to describe and link it."""
    return {
        "topic_id": topic.id,
        "topic_title": topic.title,
        "post_id": post.id,
        "post_number": post.post_number,
        "username": author.username,
        "name": author.name,
    }


def readers(users, topic: Topic, post: Post | None = None) -> list:
    """Those of ``users`` who may read ``topic`` (and see ``post``): the one rule,
    ``can(user, "topic.read", topic)``, with everyone's groups loaded at once."""
    users = list(users)
    prime(users)
    return [
        u for u in users
        if can(u, "topic.read", topic) and (post is None or can_see_post(u, post))
    ]  # fmt: skip


def post_created(user, topic, post, *, new_topic: bool) -> None:
    """Set the author's default level, then notify those who should hear about ``post``."""
    raw = post.raw or ""
    mentioned = [n for n in mentions(_unquoted(raw)) if n != user.username.lower()]
    quoted = [n for n in quoted_names(raw) if n != user.username.lower()]
    by_name: dict[str, User] = {}
    if mentioned or quoted:
        by_name = {
            u.username.lower(): u
            for u in db.session.scalars(
                select(User).where(func.lower(User.username).in_(set(mentioned) | set(quoted)))
            )
        }
    kinds: dict[int, str] = {}

    def offer(user_id: int | None, kind: str) -> None:
        if user_id is None or user_id == user.id:
            return
        if user_id not in kinds or PRIORITY.index(kind) < PRIORITY.index(kinds[user_id]):
            kinds[user_id] = kind

    for name in mentioned:
        offer(getattr(by_name.get(name), "id", None), "mentioned")
    if post.reply_to_post_number:
        offer(
            db.session.scalar(
                select(Post.user_id).where(
                    Post.topic_id == topic.id,
                    Post.post_number == post.reply_to_post_number,
                    Post.deleted_at.is_(None),
                )
            ),
            "replied",
        )
    elif not new_topic:
        offer(topic.user_id, "replied")
    for name in quoted:
        offer(getattr(by_name.get(name), "id", None), "quoted")

    # Levels of those named above, of the author, and of everyone watching.
    direct = [*kinds, user.id]
    watching = int(NotificationLevel.WATCHING)
    topic_levels: dict[int, int | None] = {}
    states: dict[int, TopicUser] = {}
    category_watchers = select(CategoryUser.user_id).where(
        CategoryUser.category_id == topic.category_id, CategoryUser.notification_level == watching
    )
    for state in db.session.scalars(
        select(TopicUser).where(
            TopicUser.topic_id == topic.id,
            or_(
                TopicUser.notification_level == watching,
                TopicUser.user_id.in_(direct),
                TopicUser.user_id.in_(category_watchers),
            ),
        )
    ):
        topic_levels[state.user_id] = state.notification_level
        states[state.user_id] = state
    category_levels = dict(
        db.session.execute(
            select(CategoryUser.user_id, CategoryUser.notification_level).where(
                CategoryUser.category_id == topic.category_id,
                or_(CategoryUser.notification_level == watching, CategoryUser.user_id.in_(direct)),
            )
        ).all()
    )
    _set_author_default(user, topic, states.get(user.id), category_levels.get(user.id), new_topic)

    for user_id in set(topic_levels) | set(category_levels):
        if effective(topic_levels.get(user_id), category_levels.get(user_id)) == watching:
            offer(user_id, "new_topic" if new_topic else "posted")
    muted = int(NotificationLevel.MUTED)
    kinds = {
        uid: kind
        for uid, kind in kinds.items()
        if effective(topic_levels.get(uid), category_levels.get(uid)) != muted
    }
    if not kinds:
        return
    known = {u.id: u for u in by_name.values() if u.id in kinds}
    missing = [uid for uid in kinds if uid not in known]
    if missing:
        known.update(
            (u.id, u) for u in db.session.scalars(select(User).where(User.id.in_(missing)))
        )
    data = post_data(user, topic, post)
    notify_many(
        [(person.id, kinds[person.id], data) for person in readers(known.values(), topic, post)]
    )


def notify_many(items: list[tuple[int, str, dict]]) -> None:
    """``notify`` for many people in one statement: [(user id, kind, data)]."""
    if not items:
        return
    known = types()
    for _user_id, kind, _data in items:
        if kind not in known:
            raise KeyError(f"unknown notification kind {kind!r}")
    now = utcnow()
    db.session.execute(
        insert(Notification),
        [{"user_id": uid, "kind": kind, "data": dict(data), "created_at": now}
         for uid, kind, data in items],
    )  # fmt: skip


def _set_author_default(user, topic, state, category_level_, new_topic) -> None:
    if state is None:
        state = _get_or_create(TopicUser, user_id=user.id, topic_id=topic.id)
    if new_topic:
        state.notification_level = int(NotificationLevel.WATCHING)
        return
    current = effective(state.notification_level, category_level_)
    if current == NotificationLevel.MUTED or current >= NotificationLevel.TRACKING:
        return
    state.notification_level = int(NotificationLevel.TRACKING)


# --- how Discuss's notifications read ---------------------------------------------------------


def notification_types() -> list:
    from flask import url_for
    from flask_babel import lazy_gettext as _l
    from flask_babel import ngettext

    from space.notify import NotificationType

    def link(data):
        return url_for("discuss.post_link", post_id=data["post_id"])

    def liked(d):
        others = int(d.get("count", 1)) - 1
        if others > 0:
            return ngettext("%(user)s and %(num)d other liked your post in “%(title)s”",
                            "%(user)s and %(num)d others liked your post in “%(title)s”",
                            others, user=d["name"], title=d["topic_title"])  # fmt: skip
        return _("%(user)s liked your post in “%(title)s”", user=d["name"], title=d["topic_title"])

    def reminder(d):
        if d.get("bookmark_name"):
            return _("Reminder: %(name)s (in “%(title)s”)", name=d["bookmark_name"],
                     title=d["topic_title"])  # fmt: skip
        return _("Reminder: your bookmark in “%(title)s”", title=d["topic_title"])

    def kind(name, label, text):
        return NotificationType(name, label, text, link)

    return [
        kind("mentioned", _l("Mentions in discussions"),
             lambda d: _("%(user)s mentioned you in “%(title)s”", user=d["name"],
                         title=d["topic_title"])),
        kind("replied", _l("Replies to your posts"),
             lambda d: _("%(user)s replied to you in “%(title)s”", user=d["name"],
                         title=d["topic_title"])),
        kind("quoted", _l("Quotes of your posts"),
             lambda d: _("%(user)s quoted you in “%(title)s”", user=d["name"],
                         title=d["topic_title"])),
        kind("posted", _l("New posts in topics you watch"),
             lambda d: _("%(user)s posted in “%(title)s”", user=d["name"],
                         title=d["topic_title"])),
        kind("new_topic", _l("New topics in categories you watch"),
             lambda d: _("%(user)s started “%(title)s”", user=d["name"], title=d["topic_title"])),
        kind("liked", _l("Likes of your posts"), liked),
        kind("answer_accepted", _l("Accepted answers"),
             lambda d: _("%(user)s accepted your answer in “%(title)s”", user=d["name"],
                         title=d["topic_title"])),
        kind("bookmark_reminder", _l("Bookmark reminders"), reminder),
    ]  # fmt: skip
