"""The contract between the review queue and the areas whose content it reviews.

A plugin returns ``ReviewHandler`` instances from its ``review_handlers`` hook, one per kind
of item ("discuss.post", "discuss.topic", "blog.comment", "events.event"…). The queue calls
them to read the item, take a snapshot, hide, restore, delete or close it; it never imports
the plugin.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from space.plugins import flatten, hook


@dataclass(frozen=True)
class Snapshot:
    """The content as flagged: what moderators read even after it changed or vanished."""

    title: str
    html: str  # sanitized HTML, as the author's readers saw it
    url: str  # site-relative link to the item
    context: str = ""  # e.g. "Topic: How do I…" or the category's name

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "html": self.html, "url": self.url, "context": self.context}


class ReviewHandler(ABC):
    """How the queue reaches one kind of item. ``name`` is the item type ("discuss.post")
    and ``label`` what moderators read ("Post")."""

    name: str
    label: Any

    @abstractmethod
    def load(self, item_id: int) -> Any | None:
        """The item, or None when it no longer exists."""

    @abstractmethod
    def author_id(self, item) -> int | None:
        """Who wrote it."""

    @abstractmethod
    def snapshot(self, item) -> Snapshot:
        """What it says now."""

    @abstractmethod
    def can_see(self, user, item) -> bool:
        """May ``user`` read the item (and so flag it)?"""

    def scope(self, item) -> str:
        """Which category moderators may review it ("" : staff only)."""
        return ""

    def version(self, item) -> int:
        """The item's edit version (a new flag of the same kind needs an edit or 24 h)."""
        return 1

    def author_trust_level(self, item) -> int | None:
        return None

    # What the queue does to the item. Each returns True when something changed.
    @abstractmethod
    def hide(self, item) -> bool:
        """Hide it from readers (the author and staff still see it)."""

    @abstractmethod
    def unhide(self, item) -> bool:
        """Show it again."""

    @abstractmethod
    def delete(self, item, *, by, with_replies: bool = False) -> bool:
        """Delete it (soft), with its replies when asked and that means something."""

    def restore(self, item, *, by) -> bool:
        """Undo a deletion (disagree)."""
        return False

    def close_container(self, item, hours: int) -> bool:
        """Close what holds the item (e.g. its topic) for ``hours``; False when not relevant."""
        return False

    def container_key(self, item) -> str:
        """What holds the item ("discuss.topic:12"), for the "close the topic" rule."""
        return ""

    def edit_url(self, item) -> str | None:
        """Where a moderator edits it (agree → edit)."""
        return None


def handlers() -> dict[str, ReviewHandler]:
    """Every enabled plugin's handlers by item type."""
    found: dict[str, ReviewHandler] = {}
    for handler in flatten(hook().review_handlers()):
        found.setdefault(handler.name, handler)
    return found


def handler_for(item_type: str) -> ReviewHandler | None:
    return handlers().get(item_type)
