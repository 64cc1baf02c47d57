"""``wrong_counters()``: every counter Discuss keeps at write time, compared with what it
counts, by a few grouped queries (fast enough for tens of thousands of posts)."""

from __future__ import annotations

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import aliased

from plugins.discuss.models import Category, Post, PostLike, Tag, Topic, TopicUser, UserStats
from plugins.discuss.models import topic_tag as links
from space.db import db


def _rows(query) -> dict:
    return {row[0]: tuple(row[1:]) for row in db.session.execute(query)}


def _differences(name: str, kept: dict, counted: dict, empty: tuple) -> list[str]:
    return [
        f"{name} {key}: kept {kept.get(key, empty)}, counted {counted.get(key, empty)}"
        for key in sorted(set(kept) | set(counted))
        if kept.get(key, empty) != counted.get(key, empty)
    ]


def _topics() -> list[str]:
    kept = _rows(select(
        Topic.id, Topic.post_count, Topic.highest_post_number, Topic.like_count,
        Topic.participant_count, Topic.created_at, Topic.last_posted_at, Topic.bumped_at,
    ))  # fmt: skip
    counted = _rows(
        select(Post.topic_id, func.count(), func.max(Post.post_number), func.sum(Post.like_count),
               func.count(distinct(Post.user_id)), func.min(Post.created_at),
               func.max(Post.created_at), func.max(Post.created_at))
        .group_by(Post.topic_id)
    )  # fmt: skip
    wrong = _differences("topic", kept, counted, ())
    other = aliased(Post)
    last = select(func.max(other.post_number)).where(other.topic_id == Topic.id)
    answered = select(func.count()).where(other.topic_id == Topic.id,
                                          other.user_id != Topic.user_id)  # fmt: skip
    kept = _rows(select(Topic.id, Topic.last_post_user_id, Topic.answered))
    counted = _rows(
        select(Topic.id, Post.user_id, answered.correlate(Topic).scalar_subquery() > 0)
        .join(Post, Post.topic_id == Topic.id)
        .where(Post.post_number == last.correlate(Topic).scalar_subquery())
    )  # fmt: skip
    wrong += _differences("topic (last poster, answered)", kept, counted, ())
    posters = select(TopicUser.user_id, TopicUser.topic_id).where(TopicUser.posted.is_(True))
    kept = set(db.session.execute(posters))
    counted = set(db.session.execute(select(Post.user_id, Post.topic_id).distinct()))
    if kept != counted:
        wrong.append(f"topic users who posted: {len(kept ^ counted)} differ")
    return wrong


def _posts() -> list[str]:
    kept = _rows(select(Post.id, Post.like_count).where(Post.like_count > 0))
    counted = _rows(select(PostLike.post_id, func.count()).group_by(PostLike.post_id))
    wrong = _differences("post likes", kept, counted, (0,))
    answered = Post.__table__.alias("answered")
    kept = _rows(select(Post.id, Post.reply_count).where(Post.reply_count > 0))
    counted = _rows(
        select(Post.id, func.count())
        .join(answered, (answered.c.topic_id == Post.topic_id)
              & (answered.c.reply_to_post_number == Post.post_number))
        .group_by(Post.id)
    )  # fmt: skip
    return wrong + _differences("post replies", kept, counted, (0,))


def _categories_and_tags() -> list[str]:
    kept = _rows(select(Category.id, Category.topic_count, Category.post_count,
                        Category.last_posted_at))  # fmt: skip
    replies = (
        select(func.count()).select_from(Post).join(Topic, Topic.id == Post.topic_id)
        .where(Topic.category_id == Category.id, Post.post_number > 1).scalar_subquery()
    )  # fmt: skip
    counted = _rows(
        select(Category.id, select(func.count(Topic.id)).where(Topic.category_id == Category.id)
               .scalar_subquery(), replies,
               select(func.max(Topic.last_posted_at)).where(Topic.category_id == Category.id)
               .scalar_subquery())
    )  # fmt: skip
    wrong = _differences("category", kept, counted, ())
    kept = _rows(select(Tag.id, Tag.topic_count).where(Tag.topic_count > 0))
    counted = _rows(select(links.c.tag_id, func.count()).group_by(links.c.tag_id))
    return wrong + _differences("tag", kept, counted, (0,))


def _stats() -> list[str]:
    kept = _rows(select(
        UserStats.user_id, UserStats.post_count, UserStats.topic_count, UserStats.likes_given,
        UserStats.likes_received, UserStats.topics_replied, UserStats.first_post_at,
    ))  # fmt: skip
    people = {user_id: [0, 0, 0, 0, 0, None] for user_id in kept}

    def person(user_id: int) -> list:
        return people.setdefault(user_id, [0, 0, 0, 0, 0, None])

    for user_id, posts, first in db.session.execute(
        select(Post.user_id, func.count(), func.min(Post.created_at)).group_by(Post.user_id)
    ):
        person(user_id)[0], person(user_id)[5] = posts, first
    columns = [(1, Topic.user_id), (2, PostLike.user_id), (3, PostLike.post_user_id)]
    for index, column in columns:
        for user_id, n in db.session.execute(select(column, func.count()).group_by(column)):
            person(user_id)[index] = n
    replied = (
        select(Post.user_id, func.count(distinct(Post.topic_id)))
        .join(Topic, Topic.id == Post.topic_id).where(Post.user_id != Topic.user_id)
        .group_by(Post.user_id)
    )  # fmt: skip
    for user_id, n in db.session.execute(replied):
        person(user_id)[4] = n
    counted = {user_id: tuple(values) for user_id, values in people.items()}
    return _differences("user stats", kept, counted, (0, 0, 0, 0, 0, None))


def wrong_counters() -> list[str]:
    """What differs, one line per counter ("topic 12: kept (…), counted (…)"); empty when
    every counter equals what it counts. Assumes no deleted or hidden posts."""
    db.session.expire_all()
    return _topics() + _posts() + _categories_and_tags() + _stats()
