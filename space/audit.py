"""The audit log: who did what to which target, when and why.

Every privileged action calls ``record`` inside its own transaction, so the entry lands or
vanishes with the change it describes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from space.db import UTCDateTime, db, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_created_at", "created_at"),
        Index("ix_audit_entry_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    # A dotted verb, e.g. "user.roles", "group.create", "discuss.topic.close".
    action: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    target_type: Mapped[str] = mapped_column(String(32), default="", nullable=False)
    target_id: Mapped[int | None] = mapped_column()
    # What the target was called at the time (it may be renamed or deleted later).
    target_label: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    reason: Mapped[str] = mapped_column(Text, default="", nullable=False)
    details: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    ip: Mapped[str] = mapped_column(String(45), default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    actor = relationship("User", lazy="raise")


def record(
    action: str,
    *,
    actor=None,
    target=None,
    target_type: str | None = None,
    target_label: str | None = None,
    reason: str = "",
    ip: str = "",
    **details,
) -> AuditEntry:
    """Add an audit entry to the session (the caller's transaction commits it)."""
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        target_type=target_type or (type(target).__name__.lower() if target is not None else ""),
        target_id=getattr(target, "id", None),
        target_label=target_label
        if target_label is not None
        else str(getattr(target, "username", None) or getattr(target, "name", "") or ""),
        reason=reason or "",
        ip=ip or "",
        details={k: v for k, v in details.items() if v is not None},
    )
    db.session.add(entry)
    return entry


def entries_query(*, actor_id=None, action=None, target_type=None, since=None, until=None):
    """A filtered, newest-first query over the log (the caller paginates it)."""
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if since is not None:
        query = query.where(AuditEntry.created_at >= since)
    if until is not None:
        query = query.where(AuditEntry.created_at < until)
    return query
