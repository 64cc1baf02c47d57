"""Events: what happens where and when, who comes, and what came of it.

An ``Event`` keeps its times twice: as the wall-clock time in its own zone (``start_local``,
``end_local``, ``timezone``), which is what organizers typed and what recurrences repeat, and
in UTC (``start_at``, ``end_at``), which is what lists sort and filter on. A recurring event
(``rrule``) is one row; its occurrences are computed (``services/times.py``) and an
``OccurrenceChange`` cancels one of them. Counters of registrations are kept at write time.

An event of a private group is visible only to the group's members (and staff): never in
lists, the map, feeds, search or the API for anyone else.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
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

from space.accounts.models import Group, User, enum_values
from space.db import UTCDateTime, db, utcnow


def _enum(kind, length=12):
    return Enum(kind, native_enum=False, length=length, validate_strings=True,
                values_callable=enum_values)  # fmt: skip


class Mode(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class EventType(enum.StrEnum):
    MEETUP = "meetup"
    EDITATHON = "editathon"
    TRAINING = "training"
    CONFERENCE = "conference"
    ONLINE_SESSION = "online"
    OTHER = "other"


class EventStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    TENTATIVE = "tentative"
    CANCELLED = "cancelled"


class Answer(enum.StrEnum):
    """A registration: going (or waiting for a place), interested, not going."""

    GOING = "going"
    WAITLISTED = "waitlisted"
    INTERESTED = "interested"
    NOT_GOING = "not_going"


class Event(db.Model):
    __tablename__ = "events_event"
    __table_args__ = (
        Index("ix_events_event_start", "start_at"),
        Index("ix_events_event_end", "end_at"),
        Index("ix_events_event_place", "lat", "lon"),
        # Holds what the map's count reads (services/geo.py): counting the upcoming events
        # reads this index only, not each event's row.
        Index("ix_events_event_map", "last_end_at", "mode", "lat", "lon", "hidden_at", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    slug: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)  # markdown
    cooked: Mapped[str] = mapped_column(Text, default="", nullable=False)

    # Wall-clock times in the event's own zone, as typed (naive) …
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    start_local: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    end_local: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    # … and the same moments in UTC. For a recurring event, the first occurrence; ``last_end_at``
    # is the end of the last one (None: it repeats forever).
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_end_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # RFC 5545 recurrence rule without DTSTART ("FREQ=WEEKLY;INTERVAL=2;UNTIL=…"), or "".
    rrule: Mapped[str] = mapped_column(String(200), default="", nullable=False)

    mode: Mapped[Mode] = mapped_column(_enum(Mode), default=Mode.IN_PERSON, nullable=False)
    meeting_url: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    venue: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    address: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    # The place: a gazetteer city (``place_id``) or coordinates typed or clicked on the map.
    place_id: Mapped[int | None] = mapped_column(Integer)
    city: Mapped[str] = mapped_column(String(120), default="", nullable=False)
    country_code: Mapped[str] = mapped_column(String(2), default="", nullable=False, index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)

    event_type: Mapped[EventType] = mapped_column(
        _enum(EventType), default=EventType.MEETUP, nullable=False
    )
    languages: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    status: Mapped[EventStatus] = mapped_column(
        _enum(EventStatus), default=EventStatus.SCHEDULED, nullable=False, index=True
    )
    cancel_reason: Mapped[str] = mapped_column(Text, default="", nullable=False)

    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )  # who created it
    # The organizing group (a private group's event is private to it) or an affiliate's name.
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("group.id", ondelete="SET NULL"), index=True
    )
    affiliate: Mapped[str] = mapped_column(String(120), default="", nullable=False)

    # Registration
    registration: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    registration_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    going_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    interested_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    waitlist_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # Start (UTC) of the occurrence participants were last reminded of.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # After the event: the organizers' report.
    report: Mapped[str] = mapped_column(Text, default="", nullable=False)
    report_cooked: Mapped[str] = mapped_column(Text, default="", nullable=False)
    report_attendance: Mapped[int | None] = mapped_column(Integer)
    report_links: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    report_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The discussion topic (space.discussions), opened by default or linked.
    topic_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # True: the topic was opened for the event (its first post follows it); False: linked.
    own_topic: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # Hidden by the review queue (flags): only its organizers and staff see it meanwhile.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # iCalendar SEQUENCE: goes up on every change attendees should know of.
    sequence: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user: Mapped[User | None] = relationship(lazy="raise")
    group: Mapped[Group | None] = relationship(lazy="raise")
    organizers: Mapped[list[Organizer]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Organizer.position"
    )
    changes: Mapped[list[OccurrenceChange]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def has_place(self) -> bool:
        return self.mode != Mode.ONLINE and self.lat is not None and self.lon is not None

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"


class Organizer(db.Model):
    """The people who run an event (the creator first); they manage it and its participants."""

    __tablename__ = "events_organizer"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events_event.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    user: Mapped[User] = relationship(lazy="raise")


class OccurrenceChange(db.Model):
    """One occurrence of a recurring event, cancelled on its own (identified by its local
    start, as RECURRENCE-ID is)."""

    __tablename__ = "events_occurrence_change"
    __table_args__ = (UniqueConstraint("event_id", "start_local"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events_event.id", ondelete="CASCADE"), nullable=False
    )
    start_local: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    reason: Mapped[str] = mapped_column(Text, default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Registration(db.Model):
    __tablename__ = "events_registration"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_events_registration_event_answer", "event_id", "answer", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events_event.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    answer: Mapped[Answer] = mapped_column(_enum(Answer), nullable=False)
    # Whether the person's name shows on the event page (organizers always see it).
    public: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user: Mapped[User] = relationship(lazy="raise")


class CalendarToken(db.Model):
    """A person's private "my events" calendar link; revoking it makes a new one."""

    __tablename__ = "events_calendar_token"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    # The secret in the link (a capability: anyone holding the link reads the calendar, so it
    # is random, shown only to its owner, and revocable).
    token: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
