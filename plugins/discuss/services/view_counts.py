"""Topic views, added up in memory and written in one UPDATE per topic every few seconds.

A view written with the page it counts made every anonymous read a write and a commit (and
changed the topic row the page cache is checked against). Each process keeps the views it
counted for ``SPACE_VIEW_COUNT_SECONDS`` (0: writes each view at once, as the tests do); then
the next request that counts a view writes them all, with what it commits. View counts are
quiet for the page cache (space/pagecache.py). A page rendered shows the
written count plus this process's pending views; a page kept for anonymous readers adds the
readers it is served to, and shows other processes' views when rendered again. A process
that stops loses at most that many seconds of its views.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

from flask import current_app
from sqlalchemy import update

from space.db import db

from ..models import Topic


class PendingViews:
    """Views counted in this process and not yet written, by topic id."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._counts: Counter[int] = Counter()
        self._since = time.monotonic()
        self._lock = threading.Lock()

    def add(self, topic_id: int) -> dict[int, int]:
        """Count a view; the views to write now (empty until they are due)."""
        with self._lock:
            self._counts[topic_id] += 1
            if time.monotonic() - self._since < self.seconds:
                return {}
            due, self._counts = dict(self._counts), Counter()
            self._since = time.monotonic()
            return due

    def get(self, topic_id: int) -> int:
        return self._counts.get(topic_id, 0)


def _pending() -> PendingViews:
    extensions = current_app.extensions
    found = extensions.get("discuss.pending_views")
    if found is None:
        found = PendingViews(current_app.config["SPACE_VIEW_COUNT_SECONDS"])
        extensions["discuss.pending_views"] = found
    return found


def count_view(topic_id: int) -> None:
    """One more view of the topic ``topic_id``; writes the views that are due (race-safe
    increments)."""
    for due_id, views in sorted(_pending().add(topic_id).items()):
        db.session.execute(
            update(Topic).where(Topic.id == due_id).values(view_count=Topic.view_count + views),
            execution_options={"synchronize_session": False},
        )


def shown(topic: Topic) -> int:
    """The views to show for ``topic``: written, and counted here but not yet written."""
    return topic.view_count + _pending().get(topic.id)
