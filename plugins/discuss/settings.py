"""Discuss's numbers: Discourse's defaults, changeable by admins at run time.

They live with the site settings (``space.site``) under "discuss.*" keys; ``value(name)``
reads one for the current request. ``SETTINGS`` describes each for the admin page.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from space.site import Setting, Settings

# Sections: "content", "limits", "trust".
SETTINGS: list[Setting] = [
    # Content rules
    Setting("post_min_length", 20, _l("Shortest post (characters)"), "content", 1),
    Setting("post_max_length", 32000, _l("Longest post (characters)"), "content", 1),
    Setting("title_min_length", 15, _l("Shortest title (characters)"), "content", 1),
    Setting("title_max_length", 255, _l("Longest title (characters)"), "content", 1),
    Setting("duplicate_window_minutes", 5, _l("Same text refused within (minutes)"), "content"),
    Setting("max_tags_per_topic", 5, _l("Tags per topic"), "content"),
    Setting("edit_window_hours", 24, _l("Authors may edit for (hours)"), "content"),
    Setting(
        "edit_window_member_days",
        30,
        _l("From trust level 2, authors may edit for (days)"),
        "content",
    ),  # fmt: skip
    Setting(
        "revision_grace_minutes",
        5,
        _l("Small edits within (minutes) make no new revision"),
        "content",
    ),  # fmt: skip
    Setting("like_undo_minutes", 10, _l("A like may be undone within (minutes)"), "content"),
    Setting("posts_per_page", 20, _l("Posts per topic page"), "content", 5),
    # New users' limits (trust level 0)
    Setting("newuser_max_links", 2, _l("Links per post"), "limits"),
    Setting("newuser_max_images", 1, _l("Images per post"), "limits"),
    Setting("newuser_max_mentions", 2, _l("Mentions per post"), "limits"),
    Setting(
        "newuser_max_replies_per_topic", 3, _l("Replies per topic until someone answers"), "limits"
    ),  # fmt: skip
    Setting("newuser_first_day_topics", 3, _l("Topics on the first day"), "limits"),
    Setting("newuser_first_day_replies", 10, _l("Replies on the first day"), "limits"),
    Setting("newuser_topic_interval", 120, _l("Seconds between topics (new users)"), "limits"),
    Setting("newuser_post_interval", 30, _l("Seconds between posts (new users)"), "limits"),
    Setting("topic_interval", 15, _l("Seconds between topics (others)"), "limits"),
    Setting("post_interval", 5, _l("Seconds between posts (others)"), "limits"),
    Setting("daily_topics", 20, _l("Topics per day"), "limits"),
    Setting("daily_likes", 50, _l("Likes per day"), "limits"),
    Setting("daily_flags", 20, _l("Flags per day"), "limits"),
    Setting("daily_edits", 30, _l("Edits per day"), "limits"),
    Setting(
        "daily_multiplier_tl2",
        1.5,
        _l("Daily caps multiplier at trust level 2"),
        "limits",
        decimal=True,
    ),
    Setting(
        "daily_multiplier_tl3",
        2,
        _l("Daily caps multiplier at trust level 3"),
        "limits",
        decimal=True,
    ),
    Setting(
        "daily_multiplier_tl4",
        3,
        _l("Daily caps multiplier at trust level 4"),
        "limits",
        decimal=True,
    ),
    # Trust level 1
    Setting("tl1_topics_entered", 5, _l("Trust level 1: topics entered"), "trust"),
    Setting("tl1_posts_read", 30, _l("Trust level 1: posts read"), "trust"),
    Setting("tl1_time_read_minutes", 10, _l("Trust level 1: minutes reading"), "trust"),
    # Trust level 2
    Setting("tl2_topics_entered", 20, _l("Trust level 2: topics entered"), "trust"),
    Setting("tl2_posts_read", 100, _l("Trust level 2: posts read"), "trust"),
    Setting("tl2_time_read_minutes", 60, _l("Trust level 2: minutes reading"), "trust"),
    Setting("tl2_days_visited", 15, _l("Trust level 2: days visited"), "trust"),
    Setting("tl2_likes_given", 1, _l("Trust level 2: likes given"), "trust"),
    Setting("tl2_likes_received", 1, _l("Trust level 2: likes received"), "trust"),
    Setting("tl2_topics_replied", 3, _l("Trust level 2: topics replied to"), "trust"),
    # Trust level 3, over a window
    Setting("tl3_window_days", 100, _l("Trust level 3: window (days)"), "trust", 1),
    Setting("tl3_days_visited", 50, _l("Trust level 3: days visited in the window"), "trust"),
    Setting(
        "tl3_topics_replied", 10, _l("Trust level 3: topics replied to in the window"), "trust"
    ),  # fmt: skip
    Setting(
        "tl3_topics_viewed_percent",
        25,
        _l("Trust level 3: share of new topics viewed (percent)"),
        "trust",
    ),
    Setting("tl3_topics_viewed_cap", 500, _l("Trust level 3: topics viewed, at most"), "trust"),
    Setting(
        "tl3_posts_read_percent",
        25,
        _l("Trust level 3: share of new posts read (percent)"),
        "trust",
    ),
    Setting("tl3_posts_read_cap", 20000, _l("Trust level 3: posts read, at most"), "trust"),
    Setting(
        "tl3_topics_viewed_all_time", 200, _l("Trust level 3: topics viewed, all time"), "trust"
    ),  # fmt: skip
    Setting("tl3_posts_read_all_time", 500, _l("Trust level 3: posts read, all time"), "trust"),
    Setting("tl3_max_flagged_posts", 5, _l("Trust level 3: flagged posts, at most"), "trust"),
    Setting("tl3_likes_given", 30, _l("Trust level 3: likes given in the window"), "trust"),
    Setting("tl3_likes_received", 20, _l("Trust level 3: likes received in the window"), "trust"),
    Setting(
        "tl3_likes_received_users", 5, _l("Trust level 3: likes received from (people)"), "trust"
    ),  # fmt: skip
    Setting("tl3_likes_received_days", 7, _l("Trust level 3: likes received on (days)"), "trust"),
    Setting(
        "tl3_demotion_percent",
        90,
        _l("Trust level 3: demoted below this share of the targets (percent)"),
        "trust",
    ),  # fmt: skip
    Setting(
        "tl3_grace_days", 14, _l("Trust level 3: grace period before demotion (days)"), "trust"
    ),  # fmt: skip
]

PREFIX = "discuss."
_settings = Settings(PREFIX, SETTINGS)
BY_NAME = _settings.by_name


def defaults() -> dict[str, Any]:
    """For the ``site_settings`` hook: every setting's key and default."""
    return _settings.defaults()


def value(name: str) -> Any:
    """The current value of a Discuss setting (e.g. ``value("post_min_length")``)."""
    return _settings.value(name)


def put(name: str, new: Any) -> None:
    """Change a setting (the caller commits)."""
    _settings.put(name, new)
