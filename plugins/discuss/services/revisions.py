"""Revisions: every version of a post's text (and of the topic's title, for first posts).

Version 1 is the original. Each edit makes a new version, except that the same person editing
again within ``revision_grace_minutes`` of the latest edit's revision folds the change into
that revision (small successive fixes make one version, as in Discourse). The original is
never folded into: the first edit always makes version 2.

Two versions are compared with ``space.diffs.side_by_side``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from space.db import db, utcnow

from ..models import Post, PostRevision
from ..settings import value


def record_original(post: Post, user, *, title: str = "") -> PostRevision:
    revision = PostRevision(
        post_id=post.id, number=1, user_id=user.id, raw=post.raw, title=title,
        created_at=post.created_at, updated_at=post.created_at,
    )  # fmt: skip
    db.session.add(revision)
    return revision


def latest(post: Post) -> PostRevision | None:
    return db.session.scalar(
        select(PostRevision)
        .where(PostRevision.post_id == post.id)
        .order_by(PostRevision.number.desc())
        .limit(1)
    )


def record_edit(post: Post, user, *, raw: str, title: str = "") -> tuple[PostRevision, bool]:
    """Record the post's new text (the caller has set ``post.raw``). Returns the revision and
    whether it is a new one (False: folded into the latest, within the grace period)."""
    now = utcnow()
    last = latest(post)
    grace = timedelta(minutes=int(value("revision_grace_minutes")))
    if (
        last is not None
        and last.number > 1
        and last.user_id == user.id
        and grace
        and last.created_at + grace > now
    ):
        last.raw, last.title, last.updated_at = raw, title, now
        return last, False
    # The post row's version UPDATE serializes concurrent edits of the same post.
    number = db.session.execute(
        update(Post)
        .where(Post.id == post.id)
        .values(version=Post.version + 1)
        .returning(Post.version),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    post.version = number
    db.session.flush()
    revision = PostRevision(post_id=post.id, number=number, user_id=user.id, raw=raw,
                            title=title, created_at=now, updated_at=now)  # fmt: skip
    db.session.add(revision)
    db.session.flush()
    return revision, True


def for_post(post: Post) -> list[PostRevision]:
    """Every version, oldest first, with its editor (one query plus one for the editors)."""
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .options(selectinload(PostRevision.user))
            .order_by(PostRevision.number)
        )
    )
