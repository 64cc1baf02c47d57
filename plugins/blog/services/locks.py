"""The edit lock on a story: who is editing it, as of their last heartbeat.

The lock lives on the story (``lock_user_id``, ``lock_heartbeat_at``). The editor page takes
it when it opens and sends a heartbeat every ``heartbeat_seconds``; the lock expires
``lock_seconds`` after the last heartbeat, so a closed laptop never keeps a story locked.
Someone else may take over a live lock explicitly; the previous holder's next heartbeat
then fails with ``TakenOver`` and their page stops saving (their text stays on the page).

Every change is one conditional UPDATE on the story's row, so two people opening the editor
at the same moment cannot both get the lock: on PostgreSQL the second UPDATE waits for the
first and re-reads the row; on SQLite writes are serialized. Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlalchemy.orm.attributes import set_committed_value

from space.accounts.models import User
from space.db import db, utcnow

from ..models import Story
from ..settings import value


class Locked(Exception):
    """Someone else holds a live lock: ``holder`` (a User), ``since`` (their last
    heartbeat)."""

    def __init__(self, holder: User | None, since: datetime | None = None):
        super().__init__(getattr(holder, "username", None))
        self.holder = holder
        self.since = since


class TakenOver(Locked):
    """The lock was taken by ``holder`` since the last heartbeat."""


def lifetime() -> timedelta:
    return timedelta(seconds=int(value("lock_seconds")))


def _cutoff(now: datetime) -> datetime:
    """Heartbeats at or before this time no longer hold a lock."""
    return now - lifetime()


def is_live(story: Story, now: datetime | None = None) -> bool:
    """Does someone hold a lock on ``story`` that has not expired?"""
    now = now or utcnow()
    return (
        story.lock_user_id is not None
        and story.lock_heartbeat_at is not None
        and story.lock_heartbeat_at > _cutoff(now)
    )


def holder(story: Story, now: datetime | None = None) -> User | None:
    """The person holding a live lock on ``story``, or None (no lock, or expired)."""
    if not is_live(story, now):
        return None
    return db.session.get(User, story.lock_user_id)


def expires_at(story: Story) -> datetime | None:
    """When the current lock expires without a further heartbeat."""
    if story.lock_heartbeat_at is None:
        return None
    return story.lock_heartbeat_at + lifetime()


def _takeable(user, now: datetime):
    """The lock is free, expired, or already ``user``'s."""
    return or_(
        Story.lock_user_id.is_(None),
        Story.lock_user_id == user.id,
        Story.lock_heartbeat_at.is_(None),
        Story.lock_heartbeat_at <= _cutoff(now),
    )


def _set(story: Story, condition, user_id: int | None, now: datetime | None) -> bool:
    """One conditional UPDATE of the story's lock; mirrors the result on ``story``."""
    done = db.session.execute(
        update(Story)
        .where(and_(Story.id == story.id, condition))
        .values(lock_user_id=user_id, lock_heartbeat_at=now),
        execution_options={"synchronize_session": False},
    ).rowcount
    if done:
        set_committed_value(story, "lock_user_id", user_id)
        set_committed_value(story, "lock_heartbeat_at", now)
    return bool(done)


def _reread(story: Story) -> None:
    """Load the lock as the database has it now (someone else just changed it)."""
    db.session.refresh(story, ["lock_user_id", "lock_heartbeat_at"])


def acquire(user, story: Story, now: datetime | None = None) -> None:
    """Take the lock when it is free, expired or already ours (which refreshes it). Raises
    ``Locked`` with the holder when someone else holds a live lock."""
    now = now or utcnow()
    if _set(story, _takeable(user, now), user.id, now):
        return
    _reread(story)
    raise Locked(holder(story, now), story.lock_heartbeat_at)


def heartbeat(user, story: Story, now: datetime | None = None) -> None:
    """Keep our lock alive. A heartbeat after our lock expired or was released takes it again
    when nobody else holds it (a laptop that slept, a second tab that closed); when someone
    else holds it, raises ``TakenOver`` with them."""
    now = now or utcnow()
    if _set(story, _takeable(user, now), user.id, now):
        return
    _reread(story)
    raise TakenOver(holder(story, now), story.lock_heartbeat_at)


def take_over(user, story: Story, now: datetime | None = None) -> User | None:
    """Take the lock whoever holds it; returns who held a live lock before (None: nobody).
    The previous holder learns it at their next heartbeat."""
    now = now or utcnow()
    previous = holder(story, now)
    _set(story, Story.id == story.id, user.id, now)
    return previous if previous is not None and previous.id != user.id else None


def release(user, story: Story) -> bool:
    """Give the lock up if we hold it (leaving the editor). Returns whether we did."""
    return _set(story, Story.lock_user_id == user.id, None, None)
