"""Events in the one review queue (``space.moderation``): events can be flagged.

One review handler, "events.event". What the queue does:

- **hide**: ``Event.hidden_at`` is set — the event leaves every list, the map, feeds,
  search and the API for everyone but its organizers and staff (``access``), and its
  discussion topic is closed and unlisted;
- **unhide** (disagree, a withdrawn flag): shown again, its topic reopened;
- **delete**: hidden, and cancelled (its participants are told, as when organizers cancel);
  the audit log remembers the status it had (``events.event.remove``);
- **restore**: shown again, and un-cancelled when the queue had cancelled it.

Only staff review events (no review scope). A private group's event can be flagged only by
those who may see it (``can_see``): to anyone else it does not exist.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from space import audit, discussions
from space.db import db, utcnow
from space.moderation.handlers import ReviewHandler, Snapshot
from space.permissions import can
from space.search.sources import path_for

from . import formatting
from .models import Event, EventStatus
from .services import events, indexing, notices

ITEM_TYPE = "events.event"
REMOVED = "events.event.remove"


def load_event(event_id: int) -> Event | None:
    """The event with its creator and organizers (who may still see it once hidden)."""
    return db.session.scalar(
        select(Event)
        .options(joinedload(Event.user), selectinload(Event.organizers))
        .where(Event.id == event_id)
    )


def hide(event: Event) -> bool:
    """Hide the event from readers on the queue's behalf; its topic is closed."""
    if event.hidden_at is not None:
        return False
    event.hidden_at = utcnow()
    discussions.close(
        event.topic_id,
        actor=None,
        reason=_("Hidden from readers after flags; the moderators review it."),
    )
    indexing.queue_event(event)
    return True


def unhide(event: Event) -> bool:
    """Show the event again; its topic is reopened (unless the event is cancelled)."""
    if event.hidden_at is None:
        return False
    event.hidden_at = None
    db.session.flush()
    if event.topic_id is not None and not event.is_cancelled:
        events.open_discussion(event)
    indexing.queue_event(event)
    return True


def remove(event: Event, by) -> bool:
    """Hide and cancel the event; remember the status it had."""
    was = event.status
    # Cancelled first, so that its participants (who will no longer see it) are told.
    cancelled = events.cancel(by, event, _("Removed by the moderators."))
    hidden = hide(event)
    if not (hidden or cancelled):
        return False
    audit.record(REMOVED, actor=by, target=event, target_type="event",
                 target_label=event.title[:200], status_before=was.value)  # fmt: skip
    return True


def status_before_removal(event: Event) -> EventStatus | None:
    """The status the event had when the queue last removed it (None: it never did)."""
    entry = db.session.scalar(
        select(audit.AuditEntry)
        .where(audit.AuditEntry.action == REMOVED, audit.AuditEntry.target_type == "event",
               audit.AuditEntry.target_id == event.id)
        .order_by(audit.AuditEntry.created_at.desc(), audit.AuditEntry.id.desc())
        .limit(1)
    )  # fmt: skip
    if entry is None:
        return None
    try:
        return EventStatus((entry.details or {}).get("status_before", ""))
    except ValueError:
        return None


def restore(event: Event, by) -> bool:
    """Undo a removal: the status it had before (participants are told) and shown again."""
    shown = unhide(event)
    before = status_before_removal(event)
    if not event.is_cancelled or before is None or before == EventStatus.CANCELLED:
        return shown
    event.status = before
    event.cancel_reason = ""
    event.sequence += 1
    event.updated_at = utcnow()
    db.session.flush()
    if event.topic_id is not None:
        events.open_discussion(event)
    indexing.queue_event(event)
    notices.tell_participants(event, "events.updated", by)
    audit.record("events.event.restore", actor=by, target=event, target_type="event",
                 target_label=event.title[:200])  # fmt: skip
    return True


class EventHandler(ReviewHandler):
    """An event of the calendar."""

    name = ITEM_TYPE
    label = _l("Event")

    def load(self, item_id: int) -> Event | None:
        return load_event(item_id)

    def author_id(self, item: Event) -> int | None:
        return item.user_id

    def snapshot(self, item: Event) -> Snapshot:
        return Snapshot(
            title=item.title,
            html=item.cooked,
            url=path_for("events.event", event_id=item.id, slug=item.slug),
            context=formatting.where_text(item) or str(formatting.MODE_LABELS[item.mode]),
        )

    def can_see(self, user, item: Event) -> bool:
        return can(user, "events.read", item)

    def version(self, item: Event) -> int:
        return item.sequence + 1

    def author_trust_level(self, item: Event) -> int | None:
        return int(item.user.trust_level) if item.user is not None else None

    def hide(self, item: Event) -> bool:
        return hide(item)

    def unhide(self, item: Event) -> bool:
        return unhide(item)

    def delete(self, item: Event, *, by, with_replies: bool = False) -> bool:
        return remove(item, by)

    def restore(self, item: Event, *, by) -> bool:
        return restore(item, by)

    def edit_url(self, item: Event) -> str | None:
        return path_for("events.edit", event_id=item.id)


def handlers() -> list[ReviewHandler]:
    return [EventHandler()]
