"""Content rules and the limits on posting (new users' limits, intervals, daily caps)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _

from space.db import utcnow

from ..settings import value


def check_title(title: str) -> None:
    from .posting import DiscussError

    low, high = int(value("title_min_length")), int(value("title_max_length"))
    if len(title) < low:
        raise DiscussError(_("The title must be at least %(n)d characters long.", n=low), "title")
    if len(title) > high:
        raise DiscussError(_("The title must be at most %(n)d characters long.", n=high), "title")


def check_body(user, raw: str) -> None:
    from .posting import DiscussError, recent_same_text

    text = raw.strip()
    low, high = int(value("post_min_length")), int(value("post_max_length"))
    if len(text) < low:
        raise DiscussError(_("The post must be at least %(n)d characters long.", n=low), "raw")
    if len(raw) > high:
        raise DiscussError(_("The post must be at most %(n)d characters long.", n=high), "raw")
    window = timedelta(minutes=int(value("duplicate_window_minutes")))
    if window and recent_same_text(user, raw, utcnow() - window):
        raise DiscussError(_("You posted the same text a moment ago."), "raw")


def check_topic(user, category, title: str, raw: str) -> None:
    check_title(title)
    check_body(user, raw)


def check_reply(user, topic, raw: str) -> None:
    check_body(user, raw)
