"""The blog's numbers and switches, kept with the site settings as "blog.*" and changeable by
admins on the blog's settings page."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from space.site import Setting, Settings

SETTINGS: list[Setting] = [
    # Review
    Setting("required_approvals", 1, _l("Approvals a story needs before publication"),
            "review", 1),
    Setting("substantive_edit_chars", 50,
            _l("An edit changing more characters than this needs reviewing again"), "review"),
    Setting("authors_publish", True, _l("Authors may publish their own approved stories"),
            "review"),
    Setting("author_trust_level", 3, _l("Trust level from which writers are authors"),
            "review"),
    Setting("pitch_trust_level", 0, _l("Trust level needed to pitch a story"), "review"),
    Setting("translate_trust_level", 1, _l("Trust level needed to translate a story"),
            "review"),
    # Content rules (the pre-publish checklist)
    Setting("title_max_length", 120, _l("Longest title (characters)"), "content", 10, 200),
    Setting("excerpt_min_length", 50, _l("Shortest excerpt (characters)"), "content", 1),
    Setting("excerpt_max_length", 300, _l("Longest excerpt (characters)"), "content", 10),
    Setting("body_max_length", 100_000, _l("Longest story (characters)"), "content", 100),
    Setting("require_image", False, _l("A story needs a featured image"), "content"),
    # Editing
    Setting("lock_seconds", 150, _l("An edit lock expires after (seconds without a heartbeat)"),
            "editing", 30),
    Setting("heartbeat_seconds", 30, _l("The editor sends a heartbeat every (seconds)"),
            "editing", 5),
    Setting("trash_days", 30, _l("Stories in the trash are purged after (days)"), "editing", 1),
    # Reading
    Setting("stories_per_page", 10, _l("Stories per page"), "reading", 1),
    Setting("discussion_category", "blog", _l("Discussion category of published stories (slug)"),
            "reading"),
    Setting("best_replies", 3, _l("Replies shown under a story"), "reading"),
]  # fmt: skip

_settings = Settings("blog.", SETTINGS)
BY_NAME = _settings.by_name


def defaults() -> dict[str, Any]:
    return _settings.defaults()


def value(name: str) -> Any:
    """The current value of a blog setting (e.g. ``value("required_approvals")``)."""
    return _settings.value(name)


def put(name: str, new: Any) -> None:
    """Change a setting (the caller commits)."""
    _settings.put(name, new)
