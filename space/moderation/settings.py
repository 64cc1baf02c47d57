"""Moderation's numbers (Discourse's defaults), kept with the site settings as
"moderation.*" and changeable by admins."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from space.site import Setting, Settings

SETTINGS: list[Setting] = [
    Setting("hide_threshold", 8.33, _l("Score that hides a post on a new site")),
    Setting("history_min_items", 20,
            _l("Resolved items before the hide score follows the site's history")),
    Setting("history_factor", 1.0,
            _l("Hide score from history: this times the median score of agreed items")),
    Setting("staff_flag_weight", 5, _l("Weight of a staff flag")),
    Setting("accuracy_min_flags", 5, _l("Resolved flags before the accuracy bonus counts")),
    Setting("accuracy_bonus_max", 5, _l("Largest accuracy bonus")),
    Setting("edit_unhide_minutes", 10, _l("The author may edit a hidden post after (minutes)")),
    Setting("close_threshold", 25, _l("Score of a topic's flags that closes it")),
    Setting("close_min_flaggers", 5, _l("People flagging a topic before it closes")),
    Setting("close_hours", 4, _l("A topic closed by flags stays closed for (hours)"),
            minimum=1),
    Setting("spam_silence_flaggers", 3,
            _l("People flagging a new user's posts as spam before they are silenced"),
            minimum=1),
    Setting("flag_undo_minutes", 10, _l("A flag may be withdrawn within (minutes)")),
    Setting("flag_again_hours", 24, _l("The same flag again on an unedited item after (hours)")),
    Setting("daily_flags", 20, _l("Flags per day (× 1.5 / 2 / 3 at trust levels 2 / 3 / 4)")),
    Setting("reminder_hours", 48, _l("Remind moderators of untouched items after (hours)"),
            minimum=1),
    Setting("penalty_days", [1, 3, 7, 30], _l("Default lengths of successive penalties (days)")),
]  # fmt: skip

PREFIX = "moderation."
_settings = Settings(PREFIX, SETTINGS)
BY_NAME = _settings.by_name
DEFAULTS = _settings.defaults()


def value(name: str) -> Any:
    """The current value of a moderation setting (e.g. ``value("hide_threshold")``)."""
    return _settings.value(name)


def put(name: str, new: Any) -> None:
    """Change a setting (the caller commits)."""
    _settings.put(name, new)
