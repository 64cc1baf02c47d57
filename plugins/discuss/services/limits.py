"""Content rules and the limits on posting: new users' limits, intervals, daily caps, slow mode.

Every refusal is a ``DiscussError`` whose message says which rule or limit was hit and, when
the limit lifts at a known time, when (``retry_at``, UTC, and the message: "You can post again
in 25 seconds", "… tomorrow at 14:02"). Every number comes from ``settings.value``.

"Today" for daily caps and "the first day" of an account are rolling windows: the last 24
hours, and the 24 hours after the account was created.

Staff (admins, moderators) are exempt from the limits, not from the content rules. A limit set
to 0 is off (intervals, daily caps, first-day and per-topic counts); the per-post counts of
links, images and mentions are literal (0: none allowed). Likes and
flags are capped by the modules that own them, through ``daily_cap`` / ``check_daily``.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask_babel import format_datetime, format_time, format_timedelta, ngettext, to_user_timezone
from flask_babel import gettext as _
from sqlalchemy import func, select

from space.db import db, utcnow
from space.markup import counts
from space.trust import TrustLevel

from ..models import Post, PostRevision, Topic
from ..settings import value

DAY = timedelta(days=1)


def _error(message: str, field: str | None = None, retry_at: datetime | None = None):
    from .posting import DiscussError

    return DiscussError(message, field, retry_at)


def _staff(user) -> bool:
    return bool(getattr(user, "is_staff", False))


def window_start() -> datetime:
    """Start of "today" for daily caps: 24 hours ago."""
    return utcnow() - DAY


def when(moment: datetime) -> str:
    """When a limit lifts, for a sentence: "in 25 seconds", "today at 14:02", "tomorrow at
    14:02" or "on 3/4/26, 14:02", in the reader's language and time zone."""
    now = utcnow()
    delta = moment - now
    if delta < timedelta(hours=1):
        seconds = max(1, math.ceil(delta.total_seconds()))  # never "in 0 seconds"
        return format_timedelta(timedelta(seconds=seconds), threshold=2, add_direction=True)
    local_day = to_user_timezone(moment).date()
    today = to_user_timezone(now).date()
    time = format_time(moment, "short")
    if local_day == today:
        return _("today at %(time)s", time=time)
    if local_day == today + timedelta(days=1):
        return _("tomorrow at %(time)s", time=time)
    return _("on %(datetime)s", datetime=format_datetime(moment, "short"))


# --- content rules (everyone) ----------------------------------------------------------------


def check_title(title: str) -> None:
    low, high = int(value("title_min_length")), int(value("title_max_length"))
    if len(title) < low:
        raise _error(_("The title must be at least %(n)d characters long.", n=low), "title")
    if len(title) > high:
        raise _error(_("The title must be at most %(n)d characters long.", n=high), "title")


def check_length(raw: str) -> None:
    low, high = int(value("post_min_length")), int(value("post_max_length"))
    if len(raw.strip()) < low:
        raise _error(_("The post must be at least %(n)d characters long.", n=low), "raw")
    if len(raw) > high:
        raise _error(_("The post must be at most %(n)d characters long.", n=high), "raw")


def check_body(user, raw: str) -> None:
    """Length, and the same text posted by the same person a moment ago."""
    from .posting import recent_same_text

    check_length(raw)
    window = timedelta(minutes=int(value("duplicate_window_minutes")))
    if window and recent_same_text(user, raw, utcnow() - window):
        raise _error(_("You posted the same text a moment ago."), "raw")


def check_new_user_content(user, raw: str) -> None:
    """Trust level 0: at most so many links, images and mentions per post."""
    if _staff(user) or user.trust_level > TrustLevel.NEW:
        return
    from .posting import cook

    found = counts(cook(raw, user))
    rules = (
        (found.links, int(value("newuser_max_links")),
         lambda n: ngettext("New users may put at most %(num)d link in a post.",
                            "New users may put at most %(num)d links in a post.", n)),
        (found.images, int(value("newuser_max_images")),
         lambda n: ngettext("New users may put at most %(num)d image in a post.",
                            "New users may put at most %(num)d images in a post.", n)),
        (found.mentions, int(value("newuser_max_mentions")),
         lambda n: ngettext("New users may mention at most %(num)d person in a post.",
                            "New users may mention at most %(num)d people in a post.", n)),
    )  # fmt: skip
    for found_count, allowed, message in rules:
        if found_count > allowed:
            raise _error(message(allowed), "raw")


# --- limits ----------------------------------------------------------------------------------


def _is_new(user) -> bool:
    return user.trust_level <= TrustLevel.NEW


def _check_interval(last: datetime | None, seconds: int, message: str) -> None:
    if not seconds or last is None:
        return
    retry_at = last + timedelta(seconds=seconds)
    if retry_at > utcnow():
        raise _error(message % {"when": when(retry_at)}, None, retry_at)


def _last_topic_at(user) -> datetime | None:
    return db.session.scalar(select(func.max(Topic.created_at)).where(Topic.user_id == user.id))


def _last_post_at(user, topic: Topic | None = None) -> datetime | None:
    query = select(func.max(Post.created_at)).where(Post.user_id == user.id)
    if topic is not None:
        query = query.where(Post.topic_id == topic.id)
    return db.session.scalar(query)


def _recent(column, owner, cap: int, since: datetime) -> list[datetime]:
    """Up to ``cap`` times of ``column`` since ``since`` for ``owner`` (a condition), newest
    first: when ``cap`` are found the cap is reached, and lifts 24 h after the last one."""
    return list(
        db.session.scalars(
            select(column).where(owner, column >= since).order_by(column.desc()).limit(cap)
        )
    )


def _first_day_check(user, kind: str) -> None:
    """Trust level 0 in the account's first 24 hours: so many topics, so many replies."""
    created = getattr(user, "created_at", None)
    if created is None or not _is_new(user) or created + DAY <= utcnow():
        return
    if kind == "topic":
        cap = int(value("newuser_first_day_topics"))
        done = _recent(Topic.created_at, Topic.user_id == user.id, cap, created)
        message = ngettext(
            "On their first day, new users may start %(num)d topic. You can start another "
            "%(when)s.",
            "On their first day, new users may start %(num)d topics. You can start another "
            "%(when)s.",
            cap,
            when=when(created + DAY),
        )
    else:
        cap = int(value("newuser_first_day_replies"))
        done = _recent(Post.created_at, (Post.user_id == user.id) & (Post.post_number > 1),
                       cap, created)  # fmt: skip
        message = ngettext(
            "On their first day, new users may post %(num)d reply. You can reply again %(when)s.",
            "On their first day, new users may post %(num)d replies. You can reply again %(when)s.",
            cap,
            when=when(created + DAY),
        )
    if cap > 0 and len(done) >= cap:
        raise _error(message, None, created + DAY)


def _replies_until_answered(user, topic: Topic) -> None:
    if topic.answered:
        return
    cap = int(value("newuser_max_replies_per_topic"))
    if cap <= 0:
        return
    mine = db.session.scalar(
        select(func.count(Post.id)).where(
            Post.topic_id == topic.id, Post.user_id == user.id, Post.post_number > 1,
            Post.deleted_at.is_(None),
        )
    ) or 0  # fmt: skip
    if mine >= cap:
        raise _error(
            ngettext(
                "New users may post %(num)d reply in a topic until someone else answers. "
                "You can reply again once somebody does.",
                "New users may post %(num)d replies in a topic until someone else answers. "
                "You can reply again once somebody does.",
                cap,
            )
        )


def _slow_mode(user, topic: Topic) -> None:
    seconds = int(topic.slow_mode_seconds or 0)
    if not seconds or user.trust_level >= TrustLevel.LEADER:
        return
    _check_interval(
        _last_post_at(user, topic), seconds,
        _("This topic is in slow mode: one post per person every so often. "
          "You can post here again %(when)s."),
    )  # fmt: skip


def daily_cap(user, name: str) -> int:
    """Today's cap on ``name`` ("topics", "likes", "flags", "edits", or the setting's full
    name) for ``user``: the setting times the multiplier of trust levels 2, 3 and 4."""
    setting = name if name.startswith("daily_") else f"daily_{name}"
    cap = float(value(setting))
    level = int(getattr(user, "trust_level", 0))
    if level >= TrustLevel.MEMBER:
        cap *= float(value(f"daily_multiplier_tl{min(level, int(TrustLevel.LEADER))}"))
    return int(cap)


def _daily_message(kind: str, cap: int, moment: str) -> str:
    if kind == "topics":
        return ngettext("You may start %(num)d topic a day. You can start another %(when)s.",
                        "You may start %(num)d topics a day. You can start another %(when)s.",
                        cap, when=moment)  # fmt: skip
    if kind == "edits":
        return ngettext("You may make %(num)d edit a day. You can edit again %(when)s.",
                        "You may make %(num)d edits a day. You can edit again %(when)s.",
                        cap, when=moment)  # fmt: skip
    if kind == "likes":
        return ngettext("You may give %(num)d like a day. You can like again %(when)s.",
                        "You may give %(num)d likes a day. You can like again %(when)s.",
                        cap, when=moment)  # fmt: skip
    if kind == "flags":
        return ngettext("You may flag %(num)d time a day. You can flag again %(when)s.",
                        "You may flag %(num)d times a day. You can flag again %(when)s.",
                        cap, when=moment)  # fmt: skip
    return ngettext("You may do this %(num)d time a day. You can do it again %(when)s.",
                    "You may do this %(num)d times a day. You can do it again %(when)s.",
                    cap, when=moment)  # fmt: skip


def check_daily(
    user, kind: str, count_today: int, *, retry_at: datetime | None = None, field=None
) -> None:
    """Refuse when ``user`` already did ``kind`` ("topics", "likes", "flags", "edits")
    ``count_today`` times in the last 24 hours and that reaches ``daily_cap``. ``retry_at``:
    when the cap lifts (24 h after the action that filled it); 24 h from now when unknown.
    Staff are exempt; a cap of 0 means no cap."""
    if _staff(user):
        return
    kind = kind.removeprefix("daily_")
    cap = daily_cap(user, kind)
    if cap <= 0 or count_today < cap:
        return
    retry_at = retry_at or utcnow() + DAY
    raise _error(_daily_message(kind, cap, when(retry_at)), field, retry_at)


def _check_daily_times(user, kind: str, times: list[datetime], cap: int) -> None:
    if len(times) >= cap:
        check_daily(user, kind, len(times), retry_at=times[cap - 1] + DAY)


# --- what each action checks -----------------------------------------------------------------


def check_topic(user, category, title: str, raw: str) -> None:
    check_title(title)
    check_body(user, raw)
    check_new_user_content(user, raw)
    if _staff(user):
        return
    _first_day_check(user, "topic")
    seconds = int(value("newuser_topic_interval" if _is_new(user) else "topic_interval"))
    _check_interval(
        _last_topic_at(user),
        seconds,
        _("You started a topic a moment ago. You can start another %(when)s."),
    )
    cap = daily_cap(user, "topics")
    if cap > 0:
        times = _recent(Topic.created_at, Topic.user_id == user.id, cap, window_start())
        _check_daily_times(user, "topics", times, cap)


def check_reply(user, topic, raw: str) -> None:
    check_body(user, raw)
    check_new_user_content(user, raw)
    if _staff(user):
        return
    if _is_new(user):
        _replies_until_answered(user, topic)
        _first_day_check(user, "reply")
    seconds = int(value("newuser_post_interval" if _is_new(user) else "post_interval"))
    _check_interval(
        _last_post_at(user), seconds, _("You posted a moment ago. You can post again %(when)s.")
    )
    _slow_mode(user, topic)


def edits_today(user) -> list[datetime]:
    """When ``user`` made revisions in the last 24 hours (newest first). An edit folded into
    the latest revision within the grace period counts once, with that revision."""
    cap = max(daily_cap(user, "edits"), 1)  # 0: no cap; one row is enough to say so
    return _recent(PostRevision.created_at,
                   (PostRevision.user_id == user.id) & (PostRevision.number > 1),
                   cap, window_start())  # fmt: skip


def check_edit(user, post, raw: str, title: str | None = None) -> None:
    """An edit: length (no duplicate rule), a title's rules, new users' content limits and
    the daily cap on edits (staff exempt). The edit window is the ``post.edit`` action's."""
    if title is not None:
        check_title(title)
    check_length(raw)
    check_new_user_content(user, raw)
    if _staff(user):
        return
    cap = daily_cap(user, "edits")
    if cap > 0:
        _check_daily_times(user, "edits", edits_today(user), cap)
