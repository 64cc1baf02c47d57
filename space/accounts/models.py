"""People and groups.

Trust levels 0–4 are automatic groups: a person is a member of ``trust_level_N`` for every
N up to their level, without rows in ``membership``. Custom groups are public (anyone
joins), closed (ask; owners approve) or private (invisible to non-members).
"""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from space.db import TimestampMixin, UTCDateTime, db, utcnow
from space.trust import TrustLevel


def enum_values(enum_class) -> list[str]:
    """Store enums by value ("public"), not by member name ("PUBLIC")."""
    return [member.value for member in enum_class]


class TrustLevelType(db.TypeDecorator):
    """A ``TrustLevel`` stored as a small integer."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else int(value)

    def process_result_value(self, value, dialect):
        return None if value is None else TrustLevel(value)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    is_moderator: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    is_editor: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    trust_level: Mapped[TrustLevel] = mapped_column(
        TrustLevelType, default=TrustLevel.NEW, nullable=False
    )
    # Staff may lock a level so automatic promotion and demotion leave it alone.
    trust_locked: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    display_name: Mapped[str] = mapped_column(String(80), default="", nullable=False)
    bio: Mapped[str] = mapped_column(Text, default="", nullable=False)
    bio_html: Mapped[str] = mapped_column(Text, default="", nullable=False)
    website: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    languages: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    affiliation: Mapped[str] = mapped_column(String(120), default="", nullable=False)
    locale: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str | None] = mapped_column(String(64))
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # Bumped when the password changes: signs out other sessions and voids reset links.
    session_version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    # Moderation penalties in force until then (``space.moderation.penalties``; a far-future
    # date means "until lifted"). Silenced: reads but cannot write; suspended: cannot log in.
    silenced_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="raise"
    )

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        method = current_app.config["SPACE_PASSWORD_HASH"] if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_staff(self) -> bool:
        return self.is_admin or self.is_moderator

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.replace("_", " ").replace(".", " ").split() if p]
        letters = "".join(p[0] for p in parts[:2]) or self.username[:2]
        return letters.upper()

    @property
    def avatar_hue(self) -> int:
        """A stable colour for the initials avatar (one of 12 hues)."""
        digest = hashlib.sha256(self.username.lower().encode()).digest()
        return digest[0] % 12

    @property
    def roles(self) -> list[str]:
        return [r for r in ("admin", "moderator", "editor") if getattr(self, f"is_{r}")]


# Usernames and emails are unique whatever their case.
Index("ix_user_username_lower", func.lower(User.username), unique=True)
Index("ix_user_email_lower", func.lower(User.email), unique=True)


class Anonymous(AnonymousUserMixin):
    id = None
    username = ""
    is_admin = is_moderator = is_editor = is_staff = False
    silenced_until = suspended_until = None
    trust_level = None
    locale = None
    timezone = None
    roles: list[str] = []


class GroupVisibility(enum.StrEnum):
    PUBLIC = "public"  # anyone sees it and joins
    CLOSED = "closed"  # anyone sees it; owners approve requests to join
    PRIVATE = "private"  # only members (and staff) know it exists


class Group(TimestampMixin, db.Model):
    __tablename__ = "group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    description_html: Mapped[str] = mapped_column(Text, default="", nullable=False)
    visibility: Mapped[GroupVisibility] = mapped_column(
        Enum(
            GroupVisibility,
            native_enum=False,
            length=10,
            validate_strings=True,
            values_callable=enum_values,
        ),
        default=GroupVisibility.PUBLIC,
        nullable=False,
    )
    # Automatic groups mirror trust levels; nobody joins or leaves them by hand.
    automatic_trust_level: Mapped[TrustLevel | None] = mapped_column(TrustLevelType, unique=True)
    # Kept at write time so lists never count rows.
    member_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="group", cascade="all, delete-orphan", lazy="raise"
    )

    @property
    def is_automatic(self) -> bool:
        return self.automatic_trust_level is not None

    @property
    def display_title(self) -> str:
        """The title people read; automatic groups are named for their trust level."""
        if self.automatic_trust_level is None:
            return self.title
        level = self.automatic_trust_level
        return _("Trust level %(level)s: %(label)s", level=int(level), label=level.label)


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"), index=True)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user: Mapped[User] = relationship(back_populates="memberships", lazy="raise")
    group: Mapped[Group] = relationship(back_populates="memberships", lazy="raise")


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class JoinRequest(db.Model):
    """A request to join a closed group."""

    __tablename__ = "join_request"
    __table_args__ = (Index("ix_join_request_group_status", "group_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    status: Mapped[RequestStatus] = mapped_column(
        Enum(
            RequestStatus,
            native_enum=False,
            length=10,
            validate_strings=True,
            values_callable=enum_values,
        ),
        default=RequestStatus.PENDING,
        nullable=False,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    group: Mapped[Group] = relationship(lazy="raise")


class Invite(db.Model):
    """An invitation to register while registration is invite-only."""

    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    email: Mapped[str] = mapped_column(String(254), default="", nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
