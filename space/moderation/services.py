"""Flagging and the automatic rules: who may flag what, the score a flag adds, and what the
queue does on its own (hide, close the topic, silence a spammer). Moderators' decisions are
in ``decisions.py``. Services never commit.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from space import notify
from space.db import db, utcnow
from space.permissions import is_staff
from space.trust import TrustLevel

from . import rules, scoring
from .handlers import ReviewHandler, handler_for
from .models import (
    Flag,
    FlagReason,
    FlagStatus,
    Priority,
    ReviewHistory,
    ReviewItem,
    ReviewStatus,
)
from .settings import value

MESSAGE_REQUIRED = frozenset({FlagReason.ILLEGAL, FlagReason.OTHER, FlagReason.MESSAGE_AUTHOR})
PRIORITY = {
    FlagReason.ILLEGAL: Priority.HIGH,
    FlagReason.SPAM: Priority.MEDIUM,
    FlagReason.INAPPROPRIATE: Priority.MEDIUM,
}
DAILY_MULTIPLIERS = {TrustLevel.MEMBER: 1.5, TrustLevel.REGULAR: 2, TrustLevel.LEADER: 3}


class ModerationError(ValueError):
    """A refusal for the person: ``message`` is translated; ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ModerationError):
    """The item does not exist or may not be seen: answer 404."""

    def __init__(self):
        super().__init__(_("This item does not exist."))


class AlreadyHandled(ModerationError):
    """Another moderator acted on the item first."""

    def __init__(self):
        super().__init__(_("Another moderator already handled this item."))


def _handler(item_type: str) -> ReviewHandler:
    handler = handler_for(item_type)
    if handler is None:
        raise NotFound()
    return handler


def history(item: ReviewItem, action: str, *, actor=None, reason: str = "", before=None):
    db.session.add(
        ReviewHistory(
            review_item_id=item.id,
            actor_id=getattr(actor, "id", None),
            action=action,
            from_status=str(before if before is not None else item.status),
            to_status=str(item.status),
            reason=reason or "",
        )
    )


def review_item(handler: ReviewHandler, obj, item_id: int, *, reason: str) -> ReviewItem:
    """The item's queue entry, created (with its snapshot) or reopened; race-safe."""
    found = db.session.scalar(
        select(ReviewItem).where(
            ReviewItem.item_type == handler.name, ReviewItem.item_id == item_id
        )
    )
    if found is None:
        try:
            with db.session.begin_nested():
                found = ReviewItem(
                    item_type=handler.name,
                    item_id=item_id,
                    target_user_id=handler.author_id(obj),
                    scope=handler.scope(obj),
                    container=handler.container_key(obj),
                    reason=reason,
                    snapshot=handler.snapshot(obj).as_dict(),
                )
                db.session.add(found)
            history(found, reason, before="")
            return found
        except IntegrityError:  # created meanwhile by another request
            found = db.session.scalar(
                select(ReviewItem).where(
                    ReviewItem.item_type == handler.name, ReviewItem.item_id == item_id
                )
            )
    if found.status != ReviewStatus.PENDING:
        # One conditional UPDATE: of several flags reopening the item at once, one reopens
        # it and the others add to its score (instead of setting it back to zero).
        before = found.status
        reopened = db.session.execute(
            update(ReviewItem)
            .where(ReviewItem.id == found.id, ReviewItem.status != ReviewStatus.PENDING)
            .values(status=ReviewStatus.PENDING, reason=reason, score=0.0,
                    priority=int(Priority.LOW), resolved_at=None,
                    snapshot=handler.snapshot(obj).as_dict(), version=ReviewItem.version + 1)
            .execution_options(synchronize_session=False)
        ).rowcount  # fmt: skip
        db.session.refresh(found)
        if reopened:
            history(found, "reopened", before=before)
    return found


# --- flagging --------------------------------------------------------------------------------


def _weight(user) -> float:
    if is_staff(user):
        return float(value("staff_flag_weight"))
    rows = dict(
        db.session.execute(
            select(Flag.status, func.count(Flag.id))
            .where(Flag.user_id == user.id,
                   Flag.status.in_([FlagStatus.AGREED, FlagStatus.DISAGREED]))
            .group_by(Flag.status)
        ).all()
    )  # fmt: skip
    bonus = scoring.accuracy_bonus(
        rows.get(FlagStatus.AGREED, 0),
        rows.get(FlagStatus.DISAGREED, 0),
        min_flags=int(value("accuracy_min_flags")),
        maximum=float(value("accuracy_bonus_max")),
    )
    return scoring.flag_weight(int(user.trust_level), staff=False, bonus=bonus)


def daily_cap(user) -> int:
    multiplier = DAILY_MULTIPLIERS.get(TrustLevel(min(int(user.trust_level), 4)), 1)
    return int(int(value("daily_flags")) * multiplier)


def _check_may_flag(user, handler, obj, item_id, reason, message) -> None:
    from . import penalties

    if penalties.is_silenced(user):
        raise ModerationError(_("You are silenced and cannot flag for now."))
    if handler.author_id(obj) == user.id:
        raise ModerationError(_("You cannot flag your own content."), "reason")
    if user.trust_level < TrustLevel.BASIC and not is_staff(user) and reason != FlagReason.ILLEGAL:
        raise ModerationError(
            _("New users may only report illegal content. Other flags come with trust level 1."),
            "reason",
        )
    if reason in MESSAGE_REQUIRED and not message.strip():
        raise ModerationError(_("Please say what is wrong."), "message")
    mine = db.session.scalars(
        select(Flag).where(
            Flag.user_id == user.id, Flag.item_type == handler.name, Flag.item_id == item_id
        )
    ).all()
    if any(f.status == FlagStatus.PENDING for f in mine):
        raise ModerationError(_("You already flagged this."), "reason")
    again = utcnow() - timedelta(hours=int(value("flag_again_hours")))
    version = handler.version(obj)
    for earlier in mine:
        if (
            earlier.reason == reason
            and earlier.created_at > again
            and earlier.item_version == version
        ):
            when = earlier.created_at + timedelta(hours=int(value("flag_again_hours")))
            raise ModerationError(
                _("You flagged this for the same reason recently. Unless it is edited, you can "
                  "flag it again after %(when)s.", when=format_datetime(when, "short")),
                "reason",
            )  # fmt: skip
    since = utcnow() - timedelta(days=1)
    today = db.session.scalar(
        select(func.count(Flag.id)).where(Flag.user_id == user.id, Flag.created_at >= since)
    )
    if not is_staff(user) and today >= daily_cap(user):
        raise ModerationError(
            _("You reached today's limit of %(n)d flags. Thank you for caring; try again "
              "tomorrow.", n=daily_cap(user)),
            "reason",
        )  # fmt: skip


def flag(
    user, item_type: str, item_id: int, reason, message: str = "", take_action: bool = False
) -> Flag:
    """``user`` flags an item; applies the automatic rules. Raises ``ModerationError``."""
    handler = _handler(item_type)
    obj = handler.load(item_id)
    if obj is None or not handler.can_see(user, obj):
        raise NotFound()
    try:
        reason = FlagReason(reason)
    except ValueError:
        raise ModerationError(_("Choose a reason."), "reason") from None
    message = (message or "").strip()[:2000]
    _check_may_flag(user, handler, obj, item_id, reason, message)
    take_action = bool(take_action) and is_staff(user)

    if reason == FlagReason.MESSAGE_AUTHOR:
        created = Flag(item_type=item_type, item_id=item_id, user_id=user.id, reason=reason,
                       message=message, status=FlagStatus.IGNORED,
                       item_version=handler.version(obj))  # fmt: skip
        db.session.add(created)
        author = handler.author_id(obj)
        if author:
            snap = handler.snapshot(obj)
            notify.notify(author, "flag_message", message=message, title=snap.title,
                          url=snap.url, username=user.username)  # fmt: skip
        return created

    item = review_item(handler, obj, item_id, reason="flagged")
    weight = _weight(user)
    created = Flag(
        review_item_id=item.id, item_type=item_type, item_id=item_id, user_id=user.id,
        reason=reason, message=message, weight=weight, take_action=take_action,
        item_version=handler.version(obj),
    )  # fmt: skip
    db.session.add(created)
    priority = int(PRIORITY.get(reason, Priority.LOW))
    was_high = item.priority >= Priority.HIGH
    db.session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item.id)
        .values(score=ReviewItem.score + weight, updated_at=utcnow(),
                priority=func.max(ReviewItem.priority, priority)
                if db.engine.dialect.name == "sqlite"
                else func.greatest(ReviewItem.priority, priority))
    )  # fmt: skip
    db.session.flush()
    db.session.refresh(item)
    history(item, "flag_" + reason.value, actor=user, reason=message)
    rules.apply(item, handler, obj, user, reason, take_action)
    if priority == Priority.HIGH and not was_high:  # a new high-priority item: once
        notify_moderators(item, "review_needed")
    return created


def withdraw(user, flag_row: Flag) -> None:
    """Undo one's own flag within the undo window."""
    if flag_row.user_id != user.id or flag_row.status != FlagStatus.PENDING:
        raise NotFound()
    limit = flag_row.created_at + timedelta(minutes=int(value("flag_undo_minutes")))
    if utcnow() > limit:
        raise ModerationError(_("A flag can only be withdrawn within %(n)d minutes.",
                                n=int(value("flag_undo_minutes"))))  # fmt: skip
    flag_row.status = FlagStatus.WITHDRAWN
    flag_row.resolved_at = utcnow()
    item = db.session.get(ReviewItem, flag_row.review_item_id)
    db.session.execute(
        update(ReviewItem).where(ReviewItem.id == item.id)
        .values(score=ReviewItem.score - flag_row.weight)
    )  # fmt: skip
    db.session.flush()
    db.session.refresh(item)
    history(item, "withdrawn", actor=user)
    left = db.session.scalar(
        select(func.count(Flag.id)).where(Flag.review_item_id == item.id,
                                          Flag.status == FlagStatus.PENDING)
    )  # fmt: skip
    if not left and item.reason == "flagged" and item.status == ReviewStatus.PENDING:
        handler = handler_for(item.item_type)
        obj = handler.load(item.item_id) if handler else None
        if obj is not None and item.hidden_at is not None:
            handler.unhide(obj)
            item.hidden_at = None
        before = item.status
        item.status = ReviewStatus.IGNORED
        item.version += 1
        history(item, "all_withdrawn", before=before)


def _enqueue(item_type: str, item_id: int, *, reason: str, action: str, text: str) -> ReviewItem:
    handler = _handler(item_type)
    obj = handler.load(item_id)
    if obj is None:
        raise NotFound()
    item = review_item(handler, obj, item_id, reason=reason)
    item.priority = max(item.priority, int(Priority.MEDIUM))
    history(item, action, reason=text)
    notify_moderators(item, "review_needed")
    return item


def hold(item_type: str, item_id: int, reason_text: str) -> ReviewItem:
    """Put an item (already kept from readers by its owner) in the queue for approval."""
    item = _enqueue(item_type, item_id, reason="held", action="held", text=reason_text)
    item.hidden_at = item.hidden_at or utcnow()
    return item


def auto_flag(item_type: str, item_id: int, reason_text: str) -> ReviewItem:
    """The system flags an item (watched words): it enters the queue as "flagged" without a
    score, and moderators hear of it."""
    return _enqueue(item_type, item_id, reason="flagged", action="watched_words",
                    text=reason_text)  # fmt: skip


def author_edited(item_type: str, item_id: int) -> bool:
    """The author edited a hidden item: unhide it once, after the waiting time."""
    item = db.session.scalar(
        select(ReviewItem).where(ReviewItem.item_type == item_type, ReviewItem.item_id == item_id)
    )
    if item is None or item.status != ReviewStatus.PENDING or item.hidden_at is None:
        return False
    if item.reason != "flagged" or item.hide_count != 1:
        return False  # held items wait for a moderator; a second hide needs staff
    wait = timedelta(minutes=int(value("edit_unhide_minutes")))
    if utcnow() - item.hidden_at < wait:
        return False
    handler = handler_for(item_type)
    obj = handler.load(item_id) if handler else None
    if obj is None:
        return False
    handler.unhide(obj)
    item.hidden_at = None
    history(item, "unhidden_by_edit")
    return True


def moderator_ids() -> list[int]:
    from space.accounts.models import User

    return list(db.session.scalars(select(User.id).where((User.is_moderator) | (User.is_admin))))


def notify_moderators(item: ReviewItem, kind: str) -> None:
    for user_id in moderator_ids():
        notify.notify(user_id, kind, item_id=item.id, title=item.snapshot.get("title", ""))
