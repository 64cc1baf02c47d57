"""Topics and posts in the core search."""

from __future__ import annotations


def queue_post(post, topic) -> None:
    """(Re)index ``post`` after the transaction commits."""
