"""Personal API tokens: ``Authorization: Bearer <token>`` with scopes.

Only a SHA-256 of the token is stored; the token itself is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from space import audit
from space.db import UTCDateTime, db, utcnow

PREFIX = "space_"
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


def create(user, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the secret (shown once)."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"unknown or missing scopes: {sorted(unknown)}")
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
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record("token.revoke", actor=by, target_type="api_token", target_label=token.name)
    return True


def authenticate(secret: str) -> ApiToken | None:
    """The live token matching ``secret`` (its last use noted at most once a minute)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.digest == _digest(secret), ApiToken.revoked_at.is_(None))
    )
    if token is not None:
        now = utcnow()
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            db.session.execute(
                update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
            )
    return token
