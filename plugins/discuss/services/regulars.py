"""Trust level 3 ("regular"), decided daily over a window (100 days by default).

``recompute`` evaluates every unlocked, non-staff member at levels 2 and 3 with grouped
queries (a fixed number whatever the number of people): promotion when every target is met,
demotion below a share of the targets (90%) once the grace period after the promotion is
over. The targets for new topics viewed and posts read are a share of what was created in
the window, capped. Levels 1 and 2 are caught up on the way (e.g. after a settings change).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select

from space.accounts.models import User
from space.accounts.services import set_trust_level
from space.db import db, utcnow
from space.moderation.models import ReviewItem, ReviewStatus
from space.trust import Requirement, TrustLevel, earned_level, meets

from ..models import Post, PostLike, Topic, TopicUser, UserStats, UserVisit
from . import stats as stats_service
from .trust import (
    AUTO_REASON,
    all_time,
    automatic_rules,
    requirement,
    setting,
    setting_value,
    settings_once,
)

# Review items about a person's posts (a topic's flags are about its first post).
FLAGGED_TYPES = ("discuss.post", "discuss.topic")


@dataclass
class Summary:
    evaluated: int = 0
    promoted: int = 0
    demoted: int = 0


def since(now: datetime) -> datetime:
    return now - timedelta(days=setting("tl3_window_days"))


def window_totals(start: datetime) -> tuple[int, int]:
    """Topics and posts created in the window (one query)."""
    topics = (
        select(func.count(Topic.id))
        .where(Topic.created_at >= start, Topic.deleted_at.is_(None))
        .scalar_subquery()
    )
    posts = (
        select(func.count(Post.id))
        .where(Post.created_at >= start, Post.deleted_at.is_(None))
        .scalar_subquery()
    )
    row = db.session.execute(select(topics, posts)).one()
    return int(row[0] or 0), int(row[1] or 0)


def _share(total: int, percent_setting: str, cap_setting: str) -> int:
    percent = float(setting_value(percent_setting))
    return min(math.ceil(total * percent / 100 - 1e-9), setting(cap_setting))


def requirements(topics_in_window: int, posts_in_window: int) -> list[Requirement]:
    """Level 3's targets (without the flagged-posts ceiling, see ``_flag_limit``)."""
    return [
        requirement("window_days_visited", "tl3_days_visited"),
        requirement("window_topics_replied", "tl3_topics_replied"),
        requirement("window_topics_viewed",
             _share(topics_in_window, "tl3_topics_viewed_percent", "tl3_topics_viewed_cap")),
        requirement("window_posts_read",
             _share(posts_in_window, "tl3_posts_read_percent", "tl3_posts_read_cap")),
        requirement("all_topics_entered", "tl3_topics_viewed_all_time"),
        requirement("all_posts_read", "tl3_posts_read_all_time"),
        requirement("window_likes_given", "tl3_likes_given"),
        requirement("window_likes_received", "tl3_likes_received"),
        requirement("window_likers", "tl3_likes_received_users"),
        requirement("window_like_days", "tl3_likes_received_days"),
    ]  # fmt: skip


def flag_limit() -> Requirement:
    return requirement("flagged_posts", "tl3_max_flagged_posts")


def _utc_day(column):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def window_stats(user_ids, now: datetime) -> dict[int, dict[str, int]]:
    """{user_id: window statistics} for the people ``user_ids`` (a list or a SELECT of ids),
    in six grouped queries."""
    start = since(now)
    first_day = (now - timedelta(days=setting("tl3_window_days") - 1)).date()
    found: dict[int, dict[str, int]] = {}

    def put(rows, *names):
        for row in rows:
            found.setdefault(row[0], {}).update(
                {name: int(row[i + 1] or 0) for i, name in enumerate(names)}
            )

    put(db.session.execute(
        select(UserVisit.user_id, func.count(UserVisit.id), func.sum(UserVisit.posts_read))
        .where(UserVisit.user_id.in_(user_ids), UserVisit.visited_on >= first_day)
        .group_by(UserVisit.user_id)
    ), "window_days_visited", "window_posts_read")  # fmt: skip
    put(db.session.execute(
        select(Post.user_id, func.count(distinct(Post.topic_id)))
        .join(Topic, Topic.id == Post.topic_id)
        .where(Post.user_id.in_(user_ids), Post.post_number > 1, Post.created_at >= start,
               Post.deleted_at.is_(None), Topic.deleted_at.is_(None))
        .group_by(Post.user_id)
    ), "window_topics_replied")  # fmt: skip
    put(db.session.execute(
        select(TopicUser.user_id, func.count(TopicUser.id))
        .join(Topic, Topic.id == TopicUser.topic_id)
        .where(TopicUser.user_id.in_(user_ids), Topic.created_at >= start,
               Topic.deleted_at.is_(None))
        .group_by(TopicUser.user_id)
    ), "window_topics_viewed")  # fmt: skip
    put(db.session.execute(
        select(PostLike.user_id, func.count(PostLike.id))
        .where(PostLike.user_id.in_(user_ids), PostLike.created_at >= start)
        .group_by(PostLike.user_id)
    ), "window_likes_given")  # fmt: skip
    put(db.session.execute(
        select(PostLike.post_user_id, func.count(PostLike.id),
               func.count(distinct(PostLike.user_id)),
               func.count(distinct(_utc_day(PostLike.created_at))))
        .where(PostLike.post_user_id.in_(user_ids), PostLike.created_at >= start)
        .group_by(PostLike.post_user_id)
    ), "window_likes_received", "window_likers", "window_like_days")  # fmt: skip
    put(db.session.execute(
        select(ReviewItem.target_user_id, func.count(ReviewItem.id))
        .where(ReviewItem.target_user_id.in_(user_ids), ReviewItem.created_at >= start,
               ReviewItem.item_type.in_(FLAGGED_TYPES), ReviewItem.reason == "flagged",
               ReviewItem.status.in_([ReviewStatus.APPROVED, ReviewStatus.DELETED]))
        .group_by(ReviewItem.target_user_id)
    ), "window_flagged_posts")  # fmt: skip
    return found


def regular_stats(row: UserStats | None, window: dict[str, int]) -> dict[str, int]:
    stats = dict(window)
    stats["all_topics_entered"] = row.topics_entered if row else 0
    stats["all_posts_read"] = row.posts_read if row else 0
    # Posts flagged in the window that moderators agreed with (hidden or deleted), plus any
    # count kept on the person's statistics.
    stats["flagged_posts"] = (row.flagged_posts if row else 0) + stats.pop(
        "window_flagged_posts", 0
    )
    return stats


def _candidates(levels):
    return (
        select(User.id)
        .where(User.trust_level.in_(list(levels)), User.trust_locked.is_(False),
               User.is_admin.is_(False), User.is_moderator.is_(False))
    )  # fmt: skip


def recompute(now: datetime | None = None) -> Summary:
    """Evaluate every unlocked, non-staff member at levels 2 and 3 over the window: promote
    to 3 those who meet every target, demote to 2 regulars below the demotion share of the
    targets once their grace period is over. Also catches up levels 1 and 2 (e.g. after a
    settings change). Idempotent; the caller commits."""
    with settings_once():
        return _recompute(now or utcnow())


def _recompute(now: datetime) -> Summary:
    summary = Summary()
    rules = automatic_rules()
    lowest = min(r.target for r in rules[TrustLevel.BASIC] if r.stat == "topics_entered")
    early = db.session.execute(
        select(User, UserStats)
        .join(UserStats, UserStats.user_id == User.id)
        .where(User.id.in_(_candidates((TrustLevel.NEW, TrustLevel.BASIC))),
               UserStats.topics_entered >= lowest)
    ).all()  # fmt: skip
    for user, row in early:
        summary.evaluated += 1
        level = earned_level(user.trust_level, rules, all_time(row))
        if level > user.trust_level and set_trust_level(user, level, by=None, reason=AUTO_REASON):
            summary.promoted += 1

    members = _candidates((TrustLevel.MEMBER, TrustLevel.REGULAR))
    rows = db.session.execute(
        select(User, UserStats)
        .outerjoin(UserStats, UserStats.user_id == User.id)
        .where(User.id.in_(members))
    ).all()
    if not rows:
        return summary
    targets = requirements(*window_totals(since(now)))
    window = window_stats(members, now)
    factor = float(setting_value("tl3_demotion_percent")) / 100
    max_flagged = flag_limit().target
    grace = timedelta(days=setting("tl3_grace_days"))
    for user, row in rows:
        summary.evaluated += 1
        stats = regular_stats(row, window.get(user.id, {}))
        if user.trust_level == TrustLevel.MEMBER:
            if meets(targets, stats) and stats["flagged_posts"] <= max_flagged:
                set_trust_level(user, TrustLevel.REGULAR, by=None, reason=AUTO_REASON)
                stats_service.stats_for(user.id).regular_since = now
                summary.promoted += 1
            continue
        row = row or stats_service.stats_for(user.id)
        if row.regular_since is None:  # granted by staff without a lock: the grace starts now
            row.regular_since = now
            continue
        if row.regular_since > now - grace:
            continue
        keeps = meets(targets, stats, factor=factor) and (
            stats["flagged_posts"] <= max_flagged / factor if factor else True
        )
        if not keeps:
            set_trust_level(user, TrustLevel.MEMBER, by=None, reason=AUTO_REASON)
            summary.demoted += 1
    return summary


def run_daily() -> Summary:
    """The daily job: recompute and commit."""
    summary = recompute()
    db.session.commit()
    return summary
