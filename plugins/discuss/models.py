"""Discuss: categories, tags, topics, posts and what people do with them.

Counters (topics and posts per category, replies and likes per post, posts per topic) and
cooked HTML are kept at write time, so pages read them without counting rows. Activity
behind trust levels (topics entered, posts read, reading time, days visited, likes…) is kept
in ``UserStats`` and, per day, in ``UserVisit`` for the 100-day window of trust level 3.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from space import pagecache
from space.accounts.models import User, enum_values
from space.db import UTCDateTime, db, utcnow


def _enum(kind, length=10):
    return Enum(kind, native_enum=False, length=length, validate_strings=True,
                values_callable=enum_values)  # fmt: skip


class Access(enum.IntEnum):
    """What a group may do in a category; each level includes those below."""

    SEE = 1
    REPLY = 2
    CREATE = 3
    # Category moderators: they review the category's flagged and held posts in /review.
    MODERATE = 4


class NotificationLevel(enum.IntEnum):
    """How closely someone follows a topic or category (Discourse's levels)."""

    MUTED = 0
    NORMAL = 1
    TRACKING = 2
    WATCHING = 3


class Category(db.Model):
    __tablename__ = "discuss_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    description_html: Mapped[str] = mapped_column(Text, default="", nullable=False)
    color: Mapped[str] = mapped_column(String(7), default="#0b7285", nullable=False)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("discuss_category.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # Q&A: the topic's author (TL4, staff) may mark one reply as the accepted answer.
    accepts_answers: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # No permission rows: everyone (anonymous readers too) sees, replies and creates.
    # Otherwise only the groups listed, each up to its ``Access``.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    topic_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    post_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    permissions: Mapped[list[CategoryPermission]] = relationship(
        cascade="all, delete-orphan", lazy="raise", back_populates="category"
    )

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class CategoryPermission(db.Model):
    __tablename__ = "discuss_category_permission"
    __table_args__ = (UniqueConstraint("category_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("discuss_category.id", ondelete="CASCADE"), nullable=False
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("group.id", ondelete="CASCADE"), index=True, nullable=False
    )
    access: Mapped[int] = mapped_column(Integer, default=Access.CREATE, nullable=False)

    category: Mapped[Category] = relationship(back_populates="permissions", lazy="raise")


topic_tag = db.Table(
    "discuss_topic_tag",
    db.Column("topic_id", ForeignKey("discuss_topic.id", ondelete="CASCADE"), primary_key=True),
    db.Column(
        "tag_id", ForeignKey("discuss_tag.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Tag(db.Model):
    __tablename__ = "discuss_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    topic_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Topic(db.Model):
    __tablename__ = "discuss_topic"
    __table_args__ = (
        Index("ix_discuss_topic_category_bumped", "category_id", "bumped_at"),
        Index("ix_discuss_topic_bumped", "bumped_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("discuss_category.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True, nullable=False
    )
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    slug: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Moves the topic up the "latest" list (a new reply; not an edit or a like).
    bumped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_post_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    # Visible posts (the first one included) and the highest number ever given.
    post_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    highest_post_number: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    like_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    view_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    participant_count: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    closed: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # Closed until then (e.g. the moderation rules' 4 h); None: until reopened.
    closed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pinned_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Unlisted topics are reachable by link but left out of lists, feeds and search.
    listed: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    accepted_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("discuss_post.id", ondelete="SET NULL", use_alter=True)
    )
    # Set once somebody other than the author has replied (TL0's reply limit lifts).
    answered: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the topic is about when another area opened it ("blog.story:12", "events.event:3"):
    # one topic per subject (``space.discussions``).
    subject: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    category: Mapped[Category] = relationship(lazy="raise")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    last_post_user: Mapped[User | None] = relationship(
        foreign_keys=[last_post_user_id], lazy="raise"
    )
    tags: Mapped[list[Tag]] = relationship(secondary=topic_tag, lazy="raise", order_by=Tag.name)

    @property
    def reply_count(self) -> int:
        return max(0, self.post_count - 1)

    @property
    def is_solved(self) -> bool:
        return self.accepted_post_id is not None

    def __repr__(self) -> str:
        return f"<Topic {self.id} {self.slug}>"


class Post(db.Model):
    __tablename__ = "discuss_post"
    __table_args__ = (
        UniqueConstraint("topic_id", "post_number"),
        Index("ix_discuss_post_topic_reply_to", "topic_id", "reply_to_post_number"),
        Index("ix_discuss_post_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("discuss_topic.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    post_number: Mapped[int] = mapped_column(Integer, nullable=False)
    # The post this one answers ("in reply to"), by number within the topic.
    reply_to_post_number: Mapped[int | None] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(Text, nullable=False)
    cooked: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The revision number shown (1: never edited).
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    like_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # Direct replies (posts whose reply_to_post_number is this post's number).
    reply_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # Hidden by flags or a moderator (issue: moderation); the author and staff still see it.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Held for a moderator's approval (watched words): hidden too (``hidden_at``) until a
    # moderator approves it; the author sees it as waiting.
    pending: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    topic: Mapped[Topic] = relationship(foreign_keys=[topic_id], lazy="raise")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")

    @property
    def is_first(self) -> bool:
        return self.post_number == 1

    def __repr__(self) -> str:
        return f"<Post {self.topic_id}#{self.post_number}>"


class PostRevision(db.Model):
    """The text of each version of a post; version 1 is the original."""

    __tablename__ = "discuss_post_revision"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("discuss_post.id", ondelete="CASCADE"), nullable=False
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    raw: Mapped[str] = mapped_column(Text, nullable=False)
    # The topic's title at that version (first posts only; "" otherwise).
    title: Mapped[str] = mapped_column(String(255), default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user: Mapped[User | None] = relationship(lazy="raise")


class PostLike(db.Model):
    __tablename__ = "discuss_post_like"
    __table_args__ = (
        UniqueConstraint("post_id", "user_id"),
        Index("ix_discuss_post_like_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("discuss_post.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    # The liked post's author, kept for "likes received" without a join.
    post_user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True, nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Bookmark(db.Model):
    __tablename__ = "discuss_bookmark"
    __table_args__ = (
        UniqueConstraint("user_id", "post_id"),
        Index("ix_discuss_bookmark_reminder", "reminder_at", "reminded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("discuss_post.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    post: Mapped[Post] = relationship(lazy="raise")


class TopicUser(db.Model):
    """One person and one topic: how far they read, how they follow it, whether they posted."""

    __tablename__ = "discuss_topic_user"
    __table_args__ = (UniqueConstraint("user_id", "topic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("discuss_topic.id", ondelete="CASCADE"), index=True, nullable=False
    )
    last_read_post_number: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # None: follow the category's level (or the default).
    notification_level: Mapped[int | None] = mapped_column(Integer)
    posted: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    first_visited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_visited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    time_read_seconds: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class CategoryUser(db.Model):
    __tablename__ = "discuss_category_user"
    __table_args__ = (UniqueConstraint("user_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("discuss_category.id", ondelete="CASCADE"), index=True, nullable=False
    )
    notification_level: Mapped[int] = mapped_column(Integer, nullable=False)


class Draft(db.Model):
    """What someone is typing, saved as they type: one per person and composer ``key``
    ("topic" for a new topic, "reply:<topic id>", "edit:<post id>")."""

    __tablename__ = "discuss_draft"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(String(40), nullable=False)
    # {"title", "raw", "category", "tags", "reply_to"}: what the composer holds.
    data: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    # Goes up with every save; a save from an older sequence is refused (two tabs).
    sequence: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class UserStats(db.Model):
    """All-time activity behind trust levels, kept at write time."""

    __tablename__ = "discuss_user_stats"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    topics_entered: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    posts_read: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    time_read_seconds: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    days_visited: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    likes_given: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    likes_received: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    topics_replied: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    topic_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    post_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # Posts of theirs that flags hid or moderators agreed with (fed by moderation).
    flagged_posts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    first_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_visit_on: Mapped[date | None] = mapped_column(Date)
    # When trust level 3 was last granted (demotion waits out the grace period).
    regular_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserVisit(db.Model):
    """One row per person per day they visited, with that day's reading."""

    __tablename__ = "discuss_user_visit"
    __table_args__ = (
        UniqueConstraint("user_id", "visited_on"),
        Index("ix_discuss_user_visit_day", "visited_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    visited_on: Mapped[date] = mapped_column(Date, nullable=False)
    posts_read: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    time_read_seconds: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


# What no page kept for anonymous readers shows: writing only these leaves those pages kept
# (space/pagecache.py). View counts are filled in on every request.
pagecache.quiet(
    "discuss_topic.view_count",
    TopicUser.__tablename__,
    CategoryUser.__tablename__,
    Draft.__tablename__,
    UserStats.__tablename__,
    UserVisit.__tablename__,
    Bookmark.__tablename__,
)
