"""Activity counters behind trust levels, kept at write time (race-safe increments)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from space.db import db

from ..models import UserStats


def stats_for(user_id: int) -> UserStats:
    """The person's stats row, created on first use."""
    row = db.session.get(UserStats, user_id)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = UserStats(user_id=user_id)
            db.session.add(row)
    except IntegrityError:  # created meanwhile by another request
        row = db.session.scalar(select(UserStats).where(UserStats.user_id == user_id))
    return row


def bump(user_id: int, **deltas: int) -> None:
    """Add ``deltas`` to the person's counters in one UPDATE (no lost increments)."""
    stats_for(user_id)
    values = {name: getattr(UserStats, name) + amount for name, amount in deltas.items() if amount}
    if values:
        db.session.execute(
            update(UserStats).where(UserStats.user_id == user_id).values(**values),
            execution_options={"synchronize_session": False},
        )
        row = db.session.get(UserStats, user_id)
        if row is not None:
            db.session.expire(row, list(values))
