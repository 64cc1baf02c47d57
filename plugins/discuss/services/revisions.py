"""Revisions: every version of a post's text, kept for comparison."""

from __future__ import annotations

from space.db import db

from ..models import Post, PostRevision


def record_original(post: Post, user, *, title: str = "") -> PostRevision:
    revision = PostRevision(
        post_id=post.id, number=1, user_id=user.id, raw=post.raw, title=title,
        created_at=post.created_at, updated_at=post.created_at,
    )  # fmt: skip
    db.session.add(revision)
    return revision
