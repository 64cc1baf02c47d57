"""The automatic rules, applied after each flag: hide at the hide score (or at once for a
staff "take action" or a regular's spam flag on a new user's post), close the container when
enough people flagged it, silence a new user whose posts several people called spam."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from space import audit, notify
from space.db import db, utcnow
from space.permissions import is_staff
from space.trust import TrustLevel

from . import scoring
from .models import Flag, FlagReason, FlagStatus, ReviewItem, ReviewStatus
from .settings import value


def hide_threshold() -> float:
    scores = list(
        db.session.scalars(
            select(ReviewItem.score)
            .where(
                ReviewItem.status.in_([ReviewStatus.APPROVED, ReviewStatus.DELETED]),
                ReviewItem.reason == "flagged",
            )
            .order_by(ReviewItem.resolved_at.desc())
            .limit(500)
        )
    )
    return scoring.hide_threshold(
        scores,
        default=float(value("hide_threshold")),
        min_items=int(value("history_min_items")),
        factor=float(value("history_factor")),
    )


def apply(item: ReviewItem, handler, obj, flagger, reason, take_action: bool) -> None:
    """Hide, close the container, silence a new user's spam: the rules that need no one."""
    author_level = handler.author_trust_level(obj)
    spam_on_new = (
        reason == FlagReason.SPAM
        and (is_staff(flagger) or flagger.trust_level >= TrustLevel.REGULAR)
        and author_level is not None
        and author_level < TrustLevel.BASIC
    )
    if item.hidden_at is None and scoring.should_hide(
        item.score, hide_threshold(), staff_take_action=take_action,
        spam_from_regular_on_new=spam_on_new,
    ):  # fmt: skip
        hide(item, handler, obj, actor=flagger if take_action else None)
    if item.container:
        _maybe_close(item, handler, obj)
    if reason == FlagReason.SPAM and author_level is not None and author_level < TrustLevel.BASIC:
        _maybe_silence(item)


def hide(item: ReviewItem, handler, obj, *, actor=None) -> None:
    from .services import history

    if handler.hide(obj) or item.hidden_at is None:
        item.hidden_at = utcnow()
        item.hide_count += 1
        history(item, "hidden", actor=actor)
        audit.record("moderation.hide", actor=actor, target_type="review_item",
                     target=item, target_label=item.snapshot.get("title", "")[:200])  # fmt: skip
        if item.target_user_id:
            snap = item.snapshot
            notify.notify(item.target_user_id, "content_hidden",
                          title=snap.get("title", ""), url=snap.get("url", ""))  # fmt: skip


def _maybe_close(item: ReviewItem, handler, obj) -> None:
    from .services import history

    row = db.session.execute(
        select(func.count(func.distinct(Flag.user_id)), func.coalesce(func.sum(Flag.weight), 0))
        .join(ReviewItem, ReviewItem.id == Flag.review_item_id)
        .where(ReviewItem.container == item.container, Flag.status == FlagStatus.PENDING)
    ).one()
    if scoring.should_close(
        float(row[1]), int(row[0]), threshold=float(value("close_threshold")),
        min_flaggers=int(value("close_min_flaggers")),
    ) and handler.close_container(obj, int(value("close_hours"))):  # fmt: skip
        history(item, "closed_container")
        audit.record("moderation.close", target_type="review_item", target=item,
                     target_label=item.container[:200],
                     hours=int(value("close_hours")))  # fmt: skip


def _maybe_silence(item: ReviewItem) -> None:
    from space.accounts.models import User

    from . import penalties
    from .services import history

    author = db.session.get(User, item.target_user_id) if item.target_user_id else None
    if author is None or is_staff(author) or penalties.is_silenced(author):
        return
    flaggers = db.session.scalar(
        select(func.count(func.distinct(Flag.user_id)))
        .join(ReviewItem, ReviewItem.id == Flag.review_item_id)
        .where(ReviewItem.target_user_id == author.id, Flag.reason == FlagReason.SPAM,
               Flag.status.in_([FlagStatus.PENDING, FlagStatus.AGREED]))
    )  # fmt: skip
    if flaggers >= int(value("spam_silence_flaggers")):
        penalties.silence(author, by=None, reason=_("Several people flagged your posts as spam."),
                          review_item=item)  # fmt: skip
        history(item, "silenced_author")
