"""Discussion topics for things that live outside the discussion area: a blog story, an event.

An area that wants people to talk about something describes it as a ``Subject`` and calls
``open``; the plugin that holds discussions (Discuss) answers through the ``discussion_*``
hooks. The same subject always gets the same topic, however often it is opened: the topic
remembers the subject's key. Without a discussion plugin every call is a no-op returning
None, and callers show no discussion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup

from space.plugins import hook


@dataclass(frozen=True)
class Subject:
    """What a topic is about. ``key`` is stable and unique ("blog.story:12"); ``body`` is the
    first post's markdown (an excerpt and a link); ``category`` a category slug ("" : the
    discussion plugin's default); the topic is written in ``author_id``'s name."""

    key: str
    title: str
    body: str
    author_id: int
    category: str = ""
    language: str = ""


@dataclass(frozen=True)
class Reply:
    author: str  # username
    author_name: str
    html: Markup  # cooked at write time
    url: str
    like_count: int
    created_at: datetime


@dataclass(frozen=True)
class Summary:
    """A topic as another page shows it: its link, counts and best replies."""

    topic_id: int
    title: str
    url: str
    reply_count: int
    closed: bool
    best: list[Reply] = field(default_factory=list)


def open(subject: Subject, *, actor=None) -> int | None:  # noqa: A001 - the verb
    """Create the subject's topic, or bring its first post and title up to date and make
    it open and listed again. Returns the topic's id (None: no discussion plugin)."""
    return hook().discussion_open(subject=subject, actor=actor)


def close(topic_id: int | None, *, actor=None, reason: str = "") -> None:
    """Close the topic and take it off the lists (its page stays, read-only)."""
    if topic_id is not None:
        hook().discussion_close(topic_id=topic_id, actor=actor, reason=reason)


def summary(topic_id: int | None, user, *, limit: int = 3) -> Summary | None:
    """The topic with its ``limit`` best replies as ``user`` may see them, or None when
    there is no such topic or ``user`` may not read it. A fixed number of queries."""
    if topic_id is None:
        return None
    return hook().discussion_summary(topic_id=topic_id, user=user, limit=limit)


def find(reference: str, user) -> int | None:
    """The id of the topic ``reference`` (an id or a topic's URL) names, when ``user`` may
    read it; else None."""
    return hook().discussion_find(reference=reference, user=user)
