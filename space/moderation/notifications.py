"""How moderation's notifications read and link (added to the core's kinds)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from space.notify import NotificationType

OUTCOMES = {
    "agreed": _l("Moderators agreed with your flag on “%(title)s”. Thank you."),
    "disagreed": _l("Moderators reviewed your flag on “%(title)s” and left it as it was."),
    "ignored": _l("Moderators reviewed your flag on “%(title)s”."),
    "approved": _l("Moderators reviewed “%(title)s”."),
    "rejected": _l("Moderators reviewed “%(title)s”."),
}
AUTHOR_OUTCOMES = {
    "disagree": _l("Moderators restored your post “%(title)s”."),
    "approve": _l("Your post “%(title)s” was approved and is now visible."),
    "reject": _l("Your post “%(title)s” was not approved."),
    "agree_delete": _l("Moderators deleted your post “%(title)s”."),
    "agree_delete_replies": _l("Moderators deleted your post “%(title)s” and its replies."),
}


def _review_url(data) -> str:
    from space.search.sources import path_for

    return path_for("moderation.item", item_id=data.get("item_id", 0))


def _author_text(data) -> str:
    template = AUTHOR_OUTCOMES.get(data.get("outcome"))
    if template is None:
        template = _l("Moderators reviewed your post “%(title)s” and it stays hidden.")
    return str(template) % {"title": data.get("title", "")}


def types() -> list[NotificationType]:
    return [
        NotificationType("flag_message", _l("Message about your post"),
                         lambda d: _("@%(name)s about “%(title)s”: %(message)s",
                                     name=d.get("username", ""), title=d.get("title", ""),
                                     message=d.get("message", "")),
                         lambda d: d.get("url") or "/"),
        NotificationType("content_hidden", _l("Post hidden"),
                         lambda d: _("Your post “%(title)s” was hidden after flags from the "
                                     "community. Edit it to address the concerns.",
                                     title=d.get("title", "")),
                         lambda d: d.get("url") or "/"),
        NotificationType("flag_outcome", _l("Your flag"),
                         lambda d: str(OUTCOMES.get(d.get("outcome"), OUTCOMES["ignored"]))
                         % {"title": d.get("title", "")},
                         lambda d: "/"),
        NotificationType("review_outcome", _l("Moderation of your post"), _author_text,
                         lambda d: d.get("url") or "/"),
        NotificationType("review_needed", _l("Review needed"),
                         lambda d: _("“%(title)s” needs a moderator.", title=d.get("title", "")),
                         _review_url),
        NotificationType("review_reminder", _l("Review waiting"),
                         lambda d: _("“%(title)s” is still waiting for a moderator.",
                                     title=d.get("title", "")),
                         _review_url),
    ]  # fmt: skip
