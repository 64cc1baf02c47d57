"""Personal API tokens: ``Authorization: Bearer <token>`` with scopes.

Only a SHA-256 of the token is stored; the token itself is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from space import audit
from space.db import UTCDateTime, db, utcnow

PREFIX = "space_"
MAX_LIVE_TOKENS = 50
SCOPES = {
    "read": _l("Read what you can read on the site"),
    "write": _l("Act on your behalf (post, edit, join)"),
}


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    # The first characters, shown so people can tell their tokens apart.
    hint: Mapped[str] = mapped_column(String(16), nullable=False)
    digest: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    scopes: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", lazy="raise")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenError(ValueError):
    """A refusal with a message for the person (already translated) and the field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def create(user, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the secret (shown once).

    Raises ``ValueError`` for unknown or missing scopes (the caller offers only known ones)
    and ``TokenError`` for a blank name or when the person holds ``MAX_LIVE_TOKENS``.
    """
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"unknown or missing scopes: {sorted(unknown)}")
    if not name.strip():
        raise TokenError(_("Give the token a name."), "name")
    live = db.session.scalar(
        select(func.count(ApiToken.id)).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
        )
    )
    if live >= MAX_LIVE_TOKENS:
        raise TokenError(
            _("You have %(count)d tokens already. Revoke one first.", count=MAX_LIVE_TOKENS)
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:60],
        hint=secret[: len(PREFIX) + 6],
        digest=_digest(secret),
        scopes=sorted(set(scopes)),
    )
    db.session.add(token)
    audit.record("token.create", actor=user, target=user, name=token.name, scopes=token.scopes)
    return token, secret


def revoke(token: ApiToken, *, by) -> bool:
    """Revoke ``token`` (``by``: who, None from the command line); False when it was already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record("token.revoke", actor=by, target_type="api_token", target_label=token.name)
    return True


def live_tokens_query(user_id: int):
    """The live (unrevoked) tokens of one person, newest first."""
    return (
        select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


def authenticate(secret: str) -> ApiToken | None:
    """The live token matching ``secret``, its ``user`` loaded with it (one query); else None."""
    if not secret.startswith(PREFIX) or len(secret) > 200 or not secret.isascii():
        return None
    return db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.digest == _digest(secret), ApiToken.revoked_at.is_(None))
    )


def note_use(token: ApiToken) -> bool:
    """Record that ``token`` was used now, at most once a minute; True when that wrote."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < timedelta(minutes=1):
        return False
    db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return True
