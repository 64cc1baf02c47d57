"""Drafts: what someone is typing in a composer, saved on the server as they type.

One draft per person and composer key: "topic" (a new topic), "reply:<topic id>",
"edit:<post id>". Each save carries the ``sequence`` the composer last knew; a save from an
older sequence (another window saved meanwhile) is refused with ``DraftConflict``, so two tabs
never silently overwrite each other. Only the owner ever reads a draft (every function takes
the user). The composer deletes the draft when the post is created.
"""

from __future__ import annotations

import json
import re

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from space.db import db, utcnow

from ..models import Draft
from ..settings import value

KEY_RE = re.compile(r"^(topic|reply:[1-9][0-9]{0,9}|edit:[1-9][0-9]{0,9})$")
FIELDS = {"title": str, "raw": str, "category": str, "tags": str, "reply_to": int}
SHORT_LIMITS = {"title": 1000, "category": 60, "tags": 500}
MAX_SEQUENCE = 2**31 - 1
# Drafts kept per person: saving one more forgets the least recently saved.
MAX_DRAFTS = 100


class DraftError(ValueError):
    """Bad input: ``status`` is 400 (malformed) or 413 (too large)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class DraftConflict(Exception):
    """The draft was saved meanwhile from elsewhere; ``sequence`` is the current one."""

    def __init__(self, sequence: int):
        super().__init__(sequence)
        self.sequence = sequence


def valid_key(key: str) -> bool:
    return isinstance(key, str) and bool(KEY_RE.match(key))


def max_bytes() -> int:
    """The largest draft accepted: a longest post plus room for the title and the rest."""
    return int(value("post_max_length")) * 4 + 4096


def clean(data) -> dict:
    """The composer's fields from ``data``, checked: unknown keys dropped, wrong types
    refused (400), oversized text refused (413)."""
    if not isinstance(data, dict):
        raise DraftError(_("A draft must be an object of text fields."))
    out: dict = {}
    for name, kind in FIELDS.items():
        item = data.get(name)
        if item is None or item == "":
            continue
        if kind is int:
            if isinstance(item, bool) or not isinstance(item, int | str):
                raise DraftError(_("The draft's field %(name)s is not valid.", name=name))
            try:
                item = int(item)
            except ValueError:
                raise DraftError(_("The draft's field %(name)s is not valid.", name=name)) from None
            if not 0 < item < MAX_SEQUENCE:
                raise DraftError(_("The draft's field %(name)s is not valid.", name=name))
        elif not isinstance(item, str):
            raise DraftError(_("The draft's field %(name)s is not valid.", name=name))
        elif name == "raw" and len(item) > int(value("post_max_length")):
            raise DraftError(_("The draft is longer than a post may be."), 413)
        elif len(item) > SHORT_LIMITS.get(name, 10_000):
            raise DraftError(_("The draft's field %(name)s is too long.", name=name), 413)
        out[name] = item
    if len(json.dumps(out)) > max_bytes():
        raise DraftError(_("The draft is too large."), 413)
    return out


def get(user, key: str) -> Draft | None:
    if not valid_key(key):
        return None
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.key == key))


def save(user, key: str, data, sequence: int) -> Draft:
    """Store the composer's ``data`` under ``key``. ``sequence``: what the composer last got
    back (0 at first). Returns the draft with its new sequence; ``DraftConflict`` if another
    save came in meanwhile. Race-safe: a conditional UPDATE, or an INSERT guarded by the
    unique (user, key)."""
    if not valid_key(key):
        raise DraftError(_("Unknown draft."))
    if (
        isinstance(sequence, bool)
        or not isinstance(sequence, int)
        or not (0 <= sequence < MAX_SEQUENCE)
    ):
        raise DraftError(_("The draft's sequence is not valid."))
    fields = clean(data)
    now = utcnow()
    done = db.session.execute(
        update(Draft)
        .where(Draft.user_id == user.id, Draft.key == key, Draft.sequence <= sequence)
        .values(data=fields, sequence=sequence + 1, updated_at=now),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not done:
        current = db.session.scalar(
            select(Draft.sequence).where(Draft.user_id == user.id, Draft.key == key)
        )
        if current is not None:
            raise DraftConflict(current)
        try:
            with db.session.begin_nested():
                db.session.add(Draft(user_id=user.id, key=key, data=fields,
                                     sequence=sequence + 1, updated_at=now))  # fmt: skip
        except IntegrityError:  # saved meanwhile from another window
            current = db.session.scalar(
                select(Draft.sequence).where(Draft.user_id == user.id, Draft.key == key)
            )
            raise DraftConflict(current or 0) from None
        _prune(user)
    draft = get(user, key)
    db.session.refresh(draft)
    return draft


def _prune(user) -> None:
    keep = (
        select(Draft.id)
        .where(Draft.user_id == user.id)
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
        .limit(MAX_DRAFTS)
    )
    db.session.execute(
        delete(Draft).where(Draft.user_id == user.id, Draft.id.not_in(keep.scalar_subquery())),
        execution_options={"synchronize_session": False},
    )


def discard(user, key: str) -> None:
    """Delete the person's draft under ``key`` (after posting, or when they throw it away)."""
    if valid_key(key):
        db.session.execute(
            delete(Draft).where(Draft.user_id == user.id, Draft.key == key),
            execution_options={"synchronize_session": False},
        )


def as_json(draft: Draft | None) -> dict:
    if draft is None:
        return {"draft": None, "sequence": 0}
    return {
        "draft": draft.data,
        "sequence": draft.sequence,
        "updated_at": draft.updated_at.isoformat(),
    }
