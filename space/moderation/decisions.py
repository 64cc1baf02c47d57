"""Moderators' side of the queue: what they see, what they decide, and the reminders.

``decide`` claims the item with one conditional UPDATE on its version: when two moderators
act at once, one wins and the other gets ``AlreadyHandled``.
"""

from __future__ import annotations

from datetime import timedelta

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from space import audit, notify
from space.db import db, utcnow
from space.permissions import is_staff
from space.plugins import flatten, hook

from . import penalties
from .handlers import handler_for, handlers
from .models import (
    Flag,
    FlagStatus,
    Penalty,
    PenaltyKind,
    ReviewHistory,
    ReviewItem,
    ReviewStatus,
)
from .rules import hide
from .services import AlreadyHandled, ModerationError, NotFound, history, notify_moderators
from .settings import value

ACTIONS = {
    # action: (new status, flags become, what happens to the content)
    "agree_hide": (ReviewStatus.APPROVED, FlagStatus.AGREED, "hide"),
    "agree_keep": (ReviewStatus.APPROVED, FlagStatus.AGREED, "unhide"),
    "agree_edit": (ReviewStatus.APPROVED, FlagStatus.AGREED, "hide"),
    "agree_delete": (ReviewStatus.DELETED, FlagStatus.AGREED, "delete"),
    "agree_delete_replies": (ReviewStatus.DELETED, FlagStatus.AGREED, "delete_replies"),
    "agree_silence": (ReviewStatus.APPROVED, FlagStatus.AGREED, "hide"),
    "agree_suspend": (ReviewStatus.APPROVED, FlagStatus.AGREED, "hide"),
    "disagree": (ReviewStatus.REJECTED, FlagStatus.DISAGREED, "restore"),
    "ignore": (ReviewStatus.IGNORED, FlagStatus.IGNORED, None),
    # Held items (watched words, category approval).
    "approve": (ReviewStatus.APPROVED, FlagStatus.IGNORED, "unhide"),
    "reject": (ReviewStatus.REJECTED, FlagStatus.IGNORED, "delete"),
}
HELD_ACTIONS = frozenset({"approve", "reject", "agree_silence", "agree_suspend", "ignore"})
PENALTY_ACTIONS = frozenset({"agree_silence", "agree_suspend"})


def scopes(user) -> frozenset[str]:
    """Review scopes ``user`` moderates through plugins (category moderators); asked once
    per request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = g.setdefault("space_review_scopes", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = frozenset(flatten(hook().review_scopes(user=user)))
    return cache[user.id]


def may_review(user) -> bool:
    return is_staff(user) or bool(scopes(user))


def visible_to(user, item: ReviewItem) -> bool:
    return is_staff(user) or (bool(item.scope) and item.scope in scopes(user))


def queue_query(user, *, status="pending", item_type=None, scope=None, reason=None,
                user_id=None, flag_reason=None):  # fmt: skip
    """The items ``user`` may review, highest priority and score first."""
    query = select(ReviewItem)
    if not is_staff(user):
        mine = scopes(user)
        if not mine:
            return query.where(ReviewItem.id.is_(None))
        query = query.where(ReviewItem.scope.in_(sorted(mine)))
    if status and status != "all":
        query = query.where(ReviewItem.status == ReviewStatus(status))
    if item_type:
        query = query.where(ReviewItem.item_type == item_type)
    if scope:
        query = query.where(ReviewItem.scope == scope)
    if reason:
        query = query.where(ReviewItem.reason == reason)
    if user_id:
        query = query.where(ReviewItem.target_user_id == user_id)
    if flag_reason:
        query = query.where(
            ReviewItem.id.in_(
                select(Flag.review_item_id).where(
                    Flag.reason == flag_reason, Flag.status != FlagStatus.WITHDRAWN
                )
            )
        )
    return query.order_by(
        ReviewItem.priority.desc(), ReviewItem.score.desc(), ReviewItem.created_at
    )


def pending_count(user) -> int:
    query = queue_query(user)
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def decide(moderator, item: ReviewItem, action: str, *, version: int, reason: str = "",
           penalty_days: int | None = None, message: str = "") -> ReviewItem:  # fmt: skip
    """Apply a moderator's decision. Raises ``AlreadyHandled`` when someone acted first."""
    if not visible_to(moderator, item):
        raise NotFound()
    if action not in ACTIONS:
        raise ModerationError(_("Unknown action."), "action")
    if item.reason == "held" and action not in HELD_ACTIONS:
        raise ModerationError(_("A held post is approved or rejected."), "action")
    if item.reason != "held" and action in {"approve", "reject"}:
        raise ModerationError(_("Only a held post is approved or rejected."), "action")
    if action == "agree_suspend" and not (reason or "").strip():
        raise ModerationError(_("Say why the person is suspended."), "reason")
    if action in PENALTY_ACTIONS:
        _check_penalty(moderator, item, action)
    status, flag_status, effect = ACTIONS[action]
    before = item.status
    claimed = db.session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item.id, ReviewItem.version == version,
               ReviewItem.status == ReviewStatus.PENDING)
        .values(version=ReviewItem.version + 1, status=status, resolved_at=utcnow(),
                resolved_by_id=moderator.id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if claimed.rowcount != 1:
        raise AlreadyHandled()
    db.session.refresh(item)
    was_hidden = item.hidden_at is not None
    handler = handler_for(item.item_type)
    obj = handler.load(item.item_id) if handler else None
    if obj is not None:
        _apply(effect, item, handler, obj, moderator)
    flags = db.session.scalars(
        select(Flag).where(Flag.review_item_id == item.id, Flag.status == FlagStatus.PENDING)
    ).all()
    for row in flags:
        row.status = flag_status
        row.resolved_at = utcnow()
    if action in PENALTY_ACTIONS and item.target_user_id:
        _penalize(moderator, item, action, reason, message, penalty_days)
    history(item, action, actor=moderator, reason=reason, before=before)
    audit.record("moderation." + action, actor=moderator, target_type="review_item",
                 target=item, target_label=item.snapshot.get("title", "")[:200],
                 reason=reason, item=item.key)  # fmt: skip
    _tell(item, action, flags, reason, was_hidden=was_hidden)
    return item


def _apply(effect, item: ReviewItem, handler, obj, moderator) -> None:
    if effect == "hide" and item.hidden_at is None:
        hide(item, handler, obj, actor=moderator)
    elif effect in {"unhide", "restore"}:
        if item.hidden_at is not None or item.reason == "held":
            handler.unhide(obj)
            item.hidden_at = None
        if effect == "restore":
            handler.restore(obj, by=moderator)
    elif effect in {"delete", "delete_replies"}:
        handler.delete(obj, by=moderator, with_replies=effect == "delete_replies")


def _check_penalty(moderator, item: ReviewItem, action: str) -> None:
    """Refuse a silence or suspension the moderator may not give, before claiming the item."""
    from space.accounts.models import User

    author = db.session.get(User, item.target_user_id) if item.target_user_id else None
    if author is None:
        raise ModerationError(_("The author's account no longer exists."), "action")
    kind = PenaltyKind.SILENCE if action == "agree_silence" else PenaltyKind.SUSPEND
    try:
        penalties._check(moderator, author, kind)
    except penalties.PenaltyError as error:
        raise ModerationError(error.message, "action") from None


def _penalize(moderator, item, action, reason, message, days) -> None:
    from space.accounts.models import User

    author = db.session.get(User, item.target_user_id)
    if author is None:
        return
    kind = penalties.silence if action == "agree_silence" else penalties.suspend
    try:
        kind(author, by=moderator, reason=reason or _("Breaking the code of conduct."),
             message=message, days=days, review_item=item)  # fmt: skip
    except penalties.PenaltyError as error:  # the caller rolls the decision back
        raise ModerationError(error.message, error.field) from None


def _tell(item: ReviewItem, action: str, flags, reason: str, *, was_hidden: bool) -> None:
    """The flaggers hear the outcome; the author hears when their content was affected."""
    outcome = {
        "disagree": "disagreed", "ignore": "ignored", "approve": "approved", "reject": "rejected",
    }.get(action, "agreed")  # fmt: skip
    title = item.snapshot.get("title", "")
    for user_id in {row.user_id for row in flags}:
        notify.notify(user_id, "flag_outcome", outcome=outcome, title=title)
    if action == "disagree" and not was_hidden:
        return  # nothing happened to the author's content
    if item.target_user_id and action not in {"ignore", "agree_keep"}:
        notify.notify(item.target_user_id, "review_outcome", outcome=action, title=title,
                      url=item.snapshot.get("url", ""), reason=reason)  # fmt: skip


def author_record(user_id: int) -> dict:
    """What moderators need about an author: flags agreed with before, penalties."""
    agreed = db.session.scalar(
        select(func.count(ReviewItem.id)).where(
            ReviewItem.target_user_id == user_id,
            ReviewItem.status.in_([ReviewStatus.APPROVED, ReviewStatus.DELETED]),
            ReviewItem.reason == "flagged",
        )
    )
    flagged = db.session.scalar(
        select(func.count(ReviewItem.id)).where(ReviewItem.target_user_id == user_id)
    )
    past = db.session.scalars(
        select(Penalty).where(Penalty.user_id == user_id).order_by(Penalty.starts_at.desc())
        .limit(10)
    ).all()  # fmt: skip
    return {"items": flagged, "agreed": agreed, "penalties": past}


def remind() -> int:
    """Remind moderators of items untouched for the reminder delay (once per item)."""
    cutoff = utcnow() - timedelta(hours=int(value("reminder_hours")))
    items = db.session.scalars(
        select(ReviewItem).where(ReviewItem.status == ReviewStatus.PENDING,
                                 ReviewItem.updated_at <= cutoff,
                                 ReviewItem.reminded_at.is_(None)).limit(200)
    ).all()  # fmt: skip
    for item in items:
        item.reminded_at = utcnow()
        notify_moderators(item, "review_reminder")
    return len(items)


# --- what the queue pages read (each a single query) -----------------------------------------


def flag_counts(item_ids: list[int]) -> dict[int, dict[str, int]]:
    """{review item id: {flag reason: count}} of the items' flags (withdrawn ones left out)."""
    found: dict[int, dict[str, int]] = {item_id: {} for item_id in item_ids}
    if not item_ids:
        return found
    rows = db.session.execute(
        select(Flag.review_item_id, Flag.reason, func.count(Flag.id))
        .where(Flag.review_item_id.in_(item_ids), Flag.status != FlagStatus.WITHDRAWN)
        .group_by(Flag.review_item_id, Flag.reason)
    )
    for item_id, reason, count in rows:
        found[item_id][str(reason)] = count
    return found


def flags_of(item: ReviewItem) -> list[Flag]:
    """Every flag on the item, oldest first, with its flagger."""
    return list(
        db.session.scalars(
            select(Flag)
            .options(joinedload(Flag.user))
            .where(Flag.review_item_id == item.id)
            .order_by(Flag.created_at, Flag.id)
        )
    )


def history_of(item: ReviewItem) -> list[ReviewHistory]:
    """Every transition of the item, oldest first, with who made it."""
    return list(
        db.session.scalars(
            select(ReviewHistory)
            .options(joinedload(ReviewHistory.actor))
            .where(ReviewHistory.review_item_id == item.id)
            .order_by(ReviewHistory.created_at, ReviewHistory.id)
        )
    )


def scope_choices(user) -> list[str]:
    """The scopes ``user`` may filter the queue by: their own, or (staff) every scope used."""
    if not is_staff(user):
        return sorted(scopes(user))
    return list(
        db.session.scalars(
            select(ReviewItem.scope).where(ReviewItem.scope != "").distinct()
            .order_by(ReviewItem.scope)
        )
    )  # fmt: skip


def scope_labels(names) -> dict[str, str]:
    """How each scope reads, from the handlers that offer ``scope_labels(scopes)`` (optional);
    the scope itself otherwise."""
    names = list(names)
    labels = {name: name for name in names}
    for handler in handlers().values():
        describe = getattr(handler, "scope_labels", None)
        if describe is not None and names:
            labels.update({k: str(v) for k, v in (describe(names) or {}).items() if k in labels})
    return labels
