"""Who follows what, and the notifications a new post sends."""

from __future__ import annotations


def post_created(user, topic, post, *, new_topic: bool) -> None:
    """Notify those who should hear about ``post`` (mentions, replies, watchers)."""
