"""Blog: stories from pitch to publication, their revisions, decisions and editorial comments.

A ``Story`` carries its current text (``title``, ``excerpt``, ``body`` and the ``cooked`` body,
rendered at save time) and its place in the editorial flow (``status``, see
``services/workflow.py``). Every save adds an immutable ``StoryRevision``; ``StoryAutosave``
keeps one unsaved copy per person. Every move through the flow is a ``StoryDecision``, which
is also the story's history. ``StoryComment``s are editorial notes, never shown to readers.

Counters (published stories per category and tag) and cooked HTML are kept at write time.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from space.accounts.models import User, enum_values
from space.db import UTCDateTime, db, utcnow


class Status(enum.StrEnum):
    PITCH = "pitch"
    DECLINED = "declined"
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    REJECTED = "rejected"
    UNPUBLISHED = "unpublished"
    TRASH = "trash"


def _status_column(**kwargs):
    kind = Enum(Status, native_enum=False, length=20, validate_strings=True,
                values_callable=enum_values)  # fmt: skip
    return mapped_column(kind, **kwargs)


class BlogCategory(db.Model):
    __tablename__ = "blog_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # Published stories in the category (kept at write time).
    story_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class BlogTag(db.Model):
    __tablename__ = "blog_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    # Published stories with the tag (kept at write time).
    story_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


story_tag = Table(
    "blog_story_tag",
    db.metadata,
    Column("story_id", ForeignKey("blog_story.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("blog_tag.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_blog_story_tag_tag", "tag_id"),
)


class StoryAuthor(db.Model):
    """The story's writers, in byline order (position 0 is the lead writer)."""

    __tablename__ = "blog_story_author"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("blog_story.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    user: Mapped[User] = relationship(lazy="raise")


class Story(db.Model):
    __tablename__ = "blog_story"
    __table_args__ = (
        Index("ix_blog_story_status_published", "status", "published_at"),
        Index("ix_blog_story_status_publish_at", "status", "publish_at"),
        # Ids are never reused (SQLite would, after a purge): a story's discussion topic is
        # found by its id.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[Status] = _status_column(default=Status.DRAFT, nullable=False)
    # Bumped by every move through the flow: a move claims the version it read, so two
    # editors deciding at once cannot both succeed.
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    language: Mapped[str] = mapped_column(String(10), default="en", nullable=False, index=True)

    title: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    # Fixed at first publication; editors may change it later (the old one redirects).
    slug: Mapped[str | None] = mapped_column(String(120), unique=True)
    excerpt: Mapped[str] = mapped_column(Text, default="", nullable=False)
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)  # markdown
    cooked: Mapped[str] = mapped_column(Text, default="", nullable=False)  # body as HTML
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("blog_category.id", ondelete="SET NULL"), index=True
    )
    # Featured image: an uploaded file's path (/uploads/…) with its alt text and credit.
    image_url: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    image_alt: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    image_attribution: Mapped[str] = mapped_column(String(300), default="", nullable=False)

    # The pitch, from the editorial guidelines' template.
    pitch_what: Mapped[str] = mapped_column(Text, default="", nullable=False)
    pitch_why: Mapped[str] = mapped_column(Text, default="", nullable=False)
    pitch_who: Mapped[str] = mapped_column(Text, default="", nullable=False)
    pitch_length: Mapped[int | None] = mapped_column(Integer)  # proposed words
    pitched_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    # The lead writer (also in ``authors``): the discussion topic is written in their name.
    writer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    # The editor who accepted the pitch (or took the story on).
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    due_date: Mapped[date | None] = mapped_column(Date)

    # Revisions: the head's number, the last substantive one's, the published one's.
    revision_number: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    substantive_revision_number: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    published_revision_number: Mapped[int | None] = mapped_column(Integer)
    # Approvals (distinct editors) since the last substantive edit.
    approvals: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # When it last entered the review queue (editors sort by time waiting).
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # scheduled for
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    trashed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_before_trash: Mapped[Status | None] = _status_column()

    # A translation points at the story it translates (always the original) and the
    # revision of it that it was made from.
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("blog_story.id", ondelete="SET NULL"), index=True
    )
    source_revision_number: Mapped[int | None] = mapped_column(Integer)

    # The discussion topic opened at first publication (space.discussions).
    topic_id: Mapped[int | None] = mapped_column(Integer)

    # Edit lock: who is editing, as of their last heartbeat.
    lock_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    lock_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    category: Mapped[BlogCategory | None] = relationship(lazy="raise")
    tags: Mapped[list[BlogTag]] = relationship(
        secondary=story_tag, lazy="raise", order_by=BlogTag.name
    )
    authors: Mapped[list[StoryAuthor]] = relationship(
        lazy="raise", order_by=StoryAuthor.position, cascade="all, delete-orphan"
    )
    writer: Mapped[User | None] = relationship(foreign_keys=[writer_id], lazy="raise")
    pitched_by: Mapped[User | None] = relationship(foreign_keys=[pitched_by_id], lazy="raise")
    editor: Mapped[User | None] = relationship(foreign_keys=[editor_id], lazy="raise")
    lock_user: Mapped[User | None] = relationship(foreign_keys=[lock_user_id], lazy="raise")
    source: Mapped[Story | None] = relationship(remote_side=[id], lazy="raise")

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def translation_group(self) -> int:
        """The id shared by an original and its translations."""
        return self.source_id or self.id

    def __repr__(self) -> str:
        return f"<Story {self.id} {self.status}>"


class StorySlug(db.Model):
    """A slug the story used to have: its old address redirects to the current one."""

    __tablename__ = "blog_story_slug"

    slug: Mapped[str] = mapped_column(String(120), primary_key=True)
    story_id: Mapped[int] = mapped_column(
        ForeignKey("blog_story.id", ondelete="CASCADE"), nullable=False, index=True
    )


class StoryRevision(db.Model):
    """One saved version of the story's text; never changed once written."""

    __tablename__ = "blog_story_revision"
    __table_args__ = (UniqueConstraint("story_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(
        ForeignKey("blog_story.id", ondelete="CASCADE"), nullable=False
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    title: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    excerpt: Mapped[str] = mapped_column(Text, default="", nullable=False)
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # Changed enough to need reviewing again (``services/revisions.is_substantive``).
    substantive: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # What made it: "" (a save) or e.g. "restore:3".
    note: Mapped[str] = mapped_column(String(100), default="", nullable=False)

    user: Mapped[User | None] = relationship(lazy="raise")


class StoryAutosave(db.Model):
    """Someone's unsaved text for a story, one per person, replaced as they type."""

    __tablename__ = "blog_story_autosave"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("blog_story.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    base_revision: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    excerpt: Mapped[str] = mapped_column(Text, default="", nullable=False)
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class StoryDecision(db.Model):
    """One move through the editorial flow (the story's history): who, what, when, why."""

    __tablename__ = "blog_story_decision"
    __table_args__ = (Index("ix_blog_story_decision_story", "story_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(
        ForeignKey("blog_story.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # A transition's name (``workflow.TRANSITIONS``), or "pitch", "create", "translate",
    # "autopublish".
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    from_status: Mapped[Status | None] = _status_column()
    to_status: Mapped[Status] = _status_column(nullable=False)
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)
    revision_number: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user: Mapped[User | None] = relationship(lazy="raise")


class StoryComment(db.Model):
    """A private editorial comment: writers and editors only, threaded, resolvable."""

    __tablename__ = "blog_story_comment"
    __table_args__ = (Index("ix_blog_story_comment_story", "story_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(
        ForeignKey("blog_story.id", ondelete="CASCADE"), nullable=False
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("blog_story_comment.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, nullable=False)
    cooked: Mapped[str] = mapped_column(Text, nullable=False)
    # The revision the comment was written against.
    revision_number: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="raise")
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id], lazy="raise")


class StoryFollow(db.Model):
    """Someone told of what happens to a story (writers, pitcher, commenters, by choice)."""

    __tablename__ = "blog_story_follow"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("blog_story.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
