"""The code of conduct, acknowledged once: a newcomer (trust level 0, not staff) reads it and
says they will follow it before their first post.

Composers call ``require_acknowledgment(user, next_url)``: a URL to redirect to (the
acknowledgment page, which comes back to ``next_url``), or None when nothing is needed.
"""

from __future__ import annotations

from flask import g, has_request_context, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from space.db import db
from space.moderation.models import Acknowledgment
from space.permissions import is_staff
from space.trust import TrustLevel

_CACHE = "space_coc_acknowledged"


def _cache() -> dict[int, bool]:
    cache = g.get(_CACHE)
    if cache is None:
        cache = g.setdefault(_CACHE, {})
    return cache


def acknowledged(user) -> bool:
    """Has ``user`` acknowledged the code of conduct? (One query per request.)"""
    if not getattr(user, "is_authenticated", False):
        return False
    cache = _cache()
    if user.id not in cache:
        cache[user.id] = (
            db.session.scalar(
                select(Acknowledgment.user_id).where(Acknowledgment.user_id == user.id)
            )
            is not None
        )
    return cache[user.id]


def acknowledge(user) -> bool:
    """Record that ``user`` read and accepted it; False when they had already."""
    if acknowledged(user):
        return False
    try:
        with db.session.begin_nested():  # the same person in two tabs at once
            db.session.add(Acknowledgment(user_id=user.id))
    except IntegrityError:
        _cache()[user.id] = True
        return False
    _cache()[user.id] = True
    return True


def needs_acknowledgment(user) -> bool:
    """Must ``user`` acknowledge before posting? Newcomers (TL0, not staff) who have not."""
    if not getattr(user, "is_authenticated", False) or is_staff(user):
        return False
    if user.trust_level is None or user.trust_level > TrustLevel.NEW:
        return False
    return not acknowledged(user)


def require_acknowledgment(user, next_url: str | None = None) -> str | None:
    """The acknowledgment page's URL (coming back to ``next_url``, by default the current
    page) when ``user`` must acknowledge first; None otherwise."""
    if not needs_acknowledgment(user):
        return None
    if next_url is None and has_request_context():
        next_url = request.full_path.rstrip("?") if request.query_string else request.path
    return url_for("coc.acknowledge", next=next_url or None)
