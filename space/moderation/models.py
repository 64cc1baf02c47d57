"""Moderation's tables: flags, the one review queue, its history, penalties, watched words and
code-of-conduct acknowledgments.

An item anyone can flag (a post, a topic, a story comment, an event) is known to the queue by
its ``item_type`` (a review handler's name, e.g. "discuss.post") and ``item_id``; the plugin
that owns it answers for it through a ``ReviewHandler`` (see ``handlers.py``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from space.accounts.models import User, enum_values
from space.db import UTCDateTime, db, utcnow


def _enum(kind, length=20):
    return Enum(
        kind, native_enum=False, length=length, validate_strings=True, values_callable=enum_values
    )


class FlagReason(enum.StrEnum):
    OFF_TOPIC = "off_topic"
    INAPPROPRIATE = "inappropriate"
    SPAM = "spam"
    ILLEGAL = "illegal"  # a message is required
    OTHER = "other"  # "something else": a message is required
    MESSAGE_AUTHOR = "message_author"  # tell the author privately; no score


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"  # moderators agreed with the flags (or approved a held post)
    REJECTED = "rejected"  # moderators disagreed (or rejected a held post)
    IGNORED = "ignored"
    DELETED = "deleted"


class FlagStatus(enum.StrEnum):
    PENDING = "pending"
    AGREED = "agreed"
    DISAGREED = "disagreed"
    IGNORED = "ignored"
    WITHDRAWN = "withdrawn"  # undone by the flagger within the undo window


class Priority(enum.IntEnum):
    LOW = 0
    MEDIUM = 1
    HIGH = 2


class ReviewItem(db.Model):
    """One item in the review queue: everything flagged or held about one piece of content."""

    __tablename__ = "review_item"
    __table_args__ = (
        UniqueConstraint("item_type", "item_id"),
        Index("ix_review_item_status_score", "status", "score"),
        Index("ix_review_item_scope", "scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(String(40), nullable=False)
    item_id: Mapped[int] = mapped_column(Integer, nullable=False)
    # The content's author (None once their account is gone).
    target_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    # What category moderators see it: e.g. "discuss.category:4" ("" : staff only).
    scope: Mapped[str] = mapped_column(String(60), default="", nullable=False)
    # What holds the item, e.g. "discuss.topic:12" (flags on a topic's posts may close it).
    container: Mapped[str] = mapped_column(String(60), default="", index=True, nullable=False)
    status: Mapped[ReviewStatus] = mapped_column(
        _enum(ReviewStatus), default=ReviewStatus.PENDING, nullable=False
    )
    score: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    priority: Mapped[int] = mapped_column(Integer, default=int(Priority.LOW), nullable=False)
    # Why it is here: "flagged" or "held" (watched words, category approval).
    reason: Mapped[str] = mapped_column(String(20), default="flagged", nullable=False)
    # The content as it was when first flagged or held: {"title", "html", "text", "url",
    # "author", "context"}; kept when the content is later edited or deleted.
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    # Hidden by the automatic rules this many times (the author may unhide once by editing).
    hide_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by every transition: two moderators acting at once, one wins.
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id], lazy="raise")
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id], lazy="raise")

    @property
    def key(self) -> str:
        return f"{self.item_type}:{self.item_id}"


class Flag(db.Model):
    """One person's flag on one item."""

    __tablename__ = "flag"
    __table_args__ = (
        Index("ix_flag_item", "item_type", "item_id"),
        Index("ix_flag_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for "message the author", which never enters the queue.
    review_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_item.id", ondelete="CASCADE"), index=True
    )
    item_type: Mapped[str] = mapped_column(String(40), nullable=False)
    item_id: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    reason: Mapped[FlagReason] = mapped_column(_enum(FlagReason), nullable=False)
    message: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # The weight the flag added to the item's score, fixed when it was raised.
    weight: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    # Staff asking for immediate action ("take action") hide the item at once.
    take_action: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    status: Mapped[FlagStatus] = mapped_column(
        _enum(FlagStatus), default=FlagStatus.PENDING, nullable=False
    )
    # The item's edit version when flagged (the same flag again needs an edit or 24 h).
    item_version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="raise")


class ReviewHistory(db.Model):
    """Every transition of a review item: who, what, when, why."""

    __tablename__ = "review_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_item_id: Mapped[int] = mapped_column(
        ForeignKey("review_item.id", ondelete="CASCADE"), index=True, nullable=False
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # "flagged", "held", "hidden", "unhidden", "agree_hide", "agree_delete", "disagree",
    # "ignore", "closed_topic", "silenced", …
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    from_status: Mapped[str] = mapped_column(String(20), default="", nullable=False)
    to_status: Mapped[str] = mapped_column(String(20), default="", nullable=False)
    reason: Mapped[str] = mapped_column(Text, default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    actor: Mapped[User | None] = relationship(lazy="raise")


class PenaltyKind(enum.StrEnum):
    WARNING = "warning"
    SILENCE = "silence"  # reads, cannot post, reply, message or flag
    SUSPEND = "suspend"  # cannot log in


class Penalty(db.Model):
    __tablename__ = "penalty"
    __table_args__ = (Index("ix_penalty_user_kind", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[PenaltyKind] = mapped_column(_enum(PenaltyKind), nullable=False)
    reason: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # What the person is told.
    message: Mapped[str] = mapped_column(Text, default="", nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: until lifted
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    review_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_item.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    by: Mapped[User | None] = relationship(foreign_keys=[by_id], lazy="raise")


class WatchedAction(enum.StrEnum):
    BLOCK = "block"
    REQUIRE_APPROVAL = "require_approval"
    FLAG = "flag"
    CENSOR = "censor"


class WatchedWord(db.Model):
    __tablename__ = "watched_word"
    __table_args__ = (UniqueConstraint("word", "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A word or phrase; "*" matches any run of letters (e.g. "spam*").
    word: Mapped[str] = mapped_column(String(100), nullable=False)
    action: Mapped[WatchedAction] = mapped_column(_enum(WatchedAction), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Acknowledgment(db.Model):
    """A person read and accepted the code of conduct (once, before their first post)."""

    __tablename__ = "coc_acknowledgment"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
