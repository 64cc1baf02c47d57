"""The counters of discussions written in bulk (``demo_bulk``), set from the rows by a few
aggregate UPDATEs instead of one per post: what ``posting`` and ``social`` keep at write time.

Topics from ``first_topic`` on, and the posts in them, get their counters outright (posts,
highest number, likes, participants, last post and its author, "answered"; each post its
likes and direct replies). Categories, tags and people's stats were counting before the
bulk: they get what the bulk adds (categories' last post and people's first post are the
latest and earliest of all). Likes from ``first_post`` on are the bulk's.
"""

from __future__ import annotations

from sqlalchemy import and_, distinct, exists, func, insert, select, update

from space.accounts.models import User
from space.db import db

from .models import Category, Post, PostLike, Tag, Topic, UserStats, topic_tag

NO_SYNC = {"synchronize_session": False}


def _posts(first_post: int) -> None:
    post, other = Post.__table__, Post.__table__.alias("answering")
    likes = PostLike.__table__
    db.session.execute(
        update(post).where(post.c.id >= first_post)
        .values(
            like_count=select(func.count()).where(likes.c.post_id == post.c.id)
            .scalar_subquery(),
            reply_count=select(func.count())
            .where(other.c.topic_id == post.c.topic_id,
                   other.c.reply_to_post_number == post.c.post_number)
            .scalar_subquery(),
        ),
    )  # fmt: skip


def _topics(first_topic: int) -> None:
    topic, post = Topic.__table__, Post.__table__
    mine = post.c.topic_id == topic.c.id

    def of_posts(value):
        return select(value).where(mine).scalar_subquery()

    last = of_posts(func.max(post.c.created_at))
    db.session.execute(
        update(topic).where(topic.c.id >= first_topic)
        .values(
            post_count=of_posts(func.count()),
            highest_post_number=of_posts(func.max(post.c.post_number)),
            like_count=of_posts(func.coalesce(func.sum(post.c.like_count), 0)),
            participant_count=of_posts(func.count(distinct(post.c.user_id))),
            last_posted_at=last, bumped_at=last,
            last_post_user_id=select(post.c.user_id).where(mine)
            .order_by(post.c.post_number.desc()).limit(1).scalar_subquery(),
            answered=exists().where(mine, post.c.user_id != topic.c.user_id),
        ),
    )  # fmt: skip


def _categories(first_topic: int) -> None:
    category, topic, post = Category.__table__, Topic.__table__, Post.__table__
    added = and_(topic.c.category_id == category.c.id, topic.c.id >= first_topic)
    db.session.execute(
        update(category).values(
            topic_count=category.c.topic_count
            + select(func.count()).where(added).scalar_subquery(),
            post_count=category.c.post_count
            + select(func.count()).select_from(post.join(topic, topic.c.id == post.c.topic_id))
            .where(added, post.c.post_number > 1).scalar_subquery(),
            last_posted_at=select(func.max(topic.c.last_posted_at))
            .where(topic.c.category_id == category.c.id).scalar_subquery(),
        ),
    )  # fmt: skip
    links = topic_tag
    tag = Tag.__table__
    db.session.execute(
        update(tag).values(
            topic_count=tag.c.topic_count
            + select(func.count()).where(links.c.tag_id == tag.c.id,
                                         links.c.topic_id >= first_topic).scalar_subquery(),
        ),
    )  # fmt: skip


def _stats(first_topic: int, first_post: int) -> None:
    stats, post, topic = UserStats.__table__, Post.__table__, Topic.__table__
    likes = PostLike.__table__
    db.session.execute(
        insert(stats).from_select(
            ["user_id"], select(User.id).where(~exists().where(stats.c.user_id == User.id))
        )
    )
    person = stats.c.user_id
    bulk_posts = and_(post.c.user_id == person, post.c.topic_id >= first_topic)

    def count(*where, value=None):
        return select(value if value is not None else func.count()).where(*where)

    db.session.execute(
        update(stats).values(
            post_count=stats.c.post_count + count(bulk_posts).scalar_subquery(),
            topic_count=stats.c.topic_count
            + count(topic.c.user_id == person, topic.c.id >= first_topic).scalar_subquery(),
            likes_given=stats.c.likes_given
            + count(likes.c.user_id == person, likes.c.post_id >= first_post).scalar_subquery(),
            likes_received=stats.c.likes_received
            + count(likes.c.post_user_id == person, likes.c.post_id >= first_post)
            .scalar_subquery(),
            # Topics they joined with a reply (``posting`` counts the first time they post).
            topics_replied=stats.c.topics_replied
            + select(func.count(distinct(post.c.topic_id)))
            .select_from(post.join(topic, topic.c.id == post.c.topic_id))
            .where(bulk_posts, topic.c.user_id != person).scalar_subquery(),
            first_post_at=select(func.min(post.c.created_at)).where(post.c.user_id == person)
            .scalar_subquery(),
        ),
    )  # fmt: skip


def recount(first_topic: int, first_post: int) -> None:
    """Set the counters of topics from ``first_topic`` on and of posts from ``first_post``
    on, and add theirs to categories, tags and people's stats."""
    _posts(first_post)
    _topics(first_topic)
    _categories(first_topic)
    _stats(first_topic, first_post)
    db.session.expire_all()
