"""The reasons a reader gives when flagging something, as every area's flag form shows them.

An area passes what "off-topic" means where it lives; the rest reads the same everywhere.
Trust level 0 may only flag something as illegal.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from space.moderation.models import FlagReason
from space.permissions import is_staff
from space.trust import TrustLevel

MESSAGE_MAX = 2000
_TRUE = frozenset({"1", "on", "y", "true"})

# (reason, label, what it means); %(name)s is the author's name.
_REASONS = [
    (FlagReason.INAPPROPRIATE, _l("It's inappropriate"),
     _l("A reasonable person would find it offensive or abusive, or it breaks the code of "
        "conduct.")),
    (FlagReason.SPAM, _l("It's spam"),
     _l("It is an advertisement or vandalism: not useful or relevant here.")),
    (FlagReason.ILLEGAL, _l("It's illegal"),
     _l("I believe it breaks the law. Say why in the message (required).")),
    (FlagReason.OTHER, _l("Something else"),
     _l("It needs a moderator for another reason. Say which in the message (required).")),
    (FlagReason.MESSAGE_AUTHOR, _l("Message the author"),
     _l("Tell %(name)s privately, without involving moderators (a message is required).")),
]  # fmt: skip


def choices(user, off_topic_help, author_name: str | None = None) -> list[dict]:
    """The reasons with their labels and help, and whether ``user`` may pick each. With
    ``author_name`` the "message the author" help names them; without, it keeps its
    ``%(name)s`` for the template."""
    newcomer = not is_staff(user) and (user.trust_level or 0) < TrustLevel.BASIC
    found = [(FlagReason.OFF_TOPIC, _l("It's off-topic"), off_topic_help), *_REASONS]
    return [
        {"value": reason.value, "label": label,
         "help": help_text % {"name": author_name}
         if reason == FlagReason.MESSAGE_AUTHOR and author_name is not None else help_text,
         "enabled": not newcomer or reason == FlagReason.ILLEGAL}
        for reason, label, help_text in found
    ]  # fmt: skip


def read_form(form) -> dict:
    """What a flag form sent: reason, message and "take action", trimmed."""
    return {
        "reason": (form.get("reason") or "").strip()[:40],
        "message": (form.get("message") or "").strip()[:MESSAGE_MAX],
        "take_action": form.get("take_action") in _TRUE,
    }


EMPTY = {"reason": "", "message": "", "take_action": False}


def send(user, item_type: str, item_id: int, typed: dict):
    """Send the flag ``typed`` (``read_form``) on an item. A refusal rolls back and is
    returned (the page shows the form again with it); a vanished item is a 404; None when
    sent (the caller commits)."""
    from flask import abort

    from space.db import db
    from space.moderation import services

    try:
        services.flag(user, item_type, item_id, typed["reason"] or "none", typed["message"],
                      typed["take_action"])  # fmt: skip
    except services.NotFound:
        db.session.rollback()
        abort(404)
    except services.ModerationError as refused:
        db.session.rollback()
        return refused
    return None
