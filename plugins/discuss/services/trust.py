"""Trust levels from Discuss activity.

Levels 1 and 2 are granted as soon as the all-time counters in ``UserStats`` meet the rules
(``maybe_promote``, called after each read report). Level 3 is decided daily by ``recompute``
over a window (100 days by default) with grouped queries: a fixed number of queries whatever
the number of people. Level 4 and locks are the staff's (the admin area). The rules
themselves are ``space.trust``'s pure functions; the level changes go through
``space.accounts.services.set_trust_level`` (notification, ``user_promoted`` hook, audit).
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from space import notify
from space import site as site_settings
from space.accounts.services import set_trust_level
from space.db import db, utcnow
from space.trust import Progress, Requirement, TrustLevel, earned_level
from space.trust import progress as measure

from ..models import UserStats
from ..settings import PREFIX, value
from . import stats as stats_service

AUTO_REASON = "Discuss activity"

LABELS = {
    "topics_entered": _l("Topics entered"),
    "posts_read": _l("Posts read"),
    "minutes_read": _l("Minutes spent reading"),
    "days_visited": _l("Days visited"),
    "likes_given": _l("Likes given"),
    "likes_received": _l("Likes received"),
    "topics_replied": _l("Topics replied to"),
    # Trust level 3: over the window unless "all time".
    "window_days_visited": _l("Days visited"),
    "window_topics_replied": _l("Topics replied to"),
    "window_topics_viewed": _l("New topics viewed"),
    "window_posts_read": _l("Posts read"),
    "all_topics_entered": _l("Topics entered, all time"),
    "all_posts_read": _l("Posts read, all time"),
    "window_likes_given": _l("Likes given"),
    "window_likes_received": _l("Likes received"),
    "window_likers": _l("People who liked your posts"),
    "window_like_days": _l("Days on which your posts were liked"),
    "flagged_posts": _l("Flagged posts (at most)"),
}


# Settings read once for a whole recompute (outside a request every read is a query).
_snapshot: ContextVar[dict | None] = ContextVar("discuss_trust_settings", default=None)


@contextmanager
def settings_once():
    token = _snapshot.set(site_settings.all_settings())
    try:
        yield
    finally:
        _snapshot.reset(token)


def setting_value(name: str):
    snapshot = _snapshot.get()
    return snapshot[PREFIX + name] if snapshot is not None else value(name)


def setting(name: str) -> int:
    return int(setting_value(name))


def requirement(stat: str, source: str | int) -> Requirement:
    """Requirement ``stat`` with a fixed target or the target of the setting ``source``."""
    target = source if isinstance(source, int) else setting(source)
    return Requirement(stat, target, LABELS[stat])


@dataclass(frozen=True)
class AtMost(Progress):
    """A ceiling rather than a target: met while the value stays at or below it."""

    at_most = True

    @property
    def met(self) -> bool:
        return self.value <= self.requirement.target

    @property
    def remaining(self) -> int:
        return max(0, self.requirement.target - self.value)


@dataclass
class TrustProgress:
    """Where a person stands, for the profile panel."""

    level: TrustLevel
    next_level: TrustLevel | None
    items: list[Progress] = field(default_factory=list)
    window_days: int | None = None  # the items are measured over this window (level 3)
    keeping: bool = False  # the items say whether a regular keeps level 3
    locked: bool = False

    @property
    def all_met(self) -> bool:
        return bool(self.items) and all(item.met for item in self.items)


# --- levels 1 and 2 --------------------------------------------------------------------------


def all_time(row: UserStats | None) -> dict[str, int]:
    """The all-time statistics the rules of levels 1 and 2 read (reading time in minutes)."""
    if row is None:
        return {}
    return {
        "topics_entered": row.topics_entered,
        "posts_read": row.posts_read,
        "minutes_read": row.time_read_seconds // 60,
        "days_visited": row.days_visited,
        "likes_given": row.likes_given,
        "likes_received": row.likes_received,
        "topics_replied": row.topics_replied,
        "flagged_posts": row.flagged_posts,
    }


def signals(user_ids) -> dict[int, dict[str, int]]:
    """{user_id: statistics} for the ``trust_signals`` hook (one query)."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.scalars(select(UserStats).where(UserStats.user_id.in_(ids)))
    return {row.user_id: all_time(row) for row in rows}


def requirements_for(level: TrustLevel, *, now: datetime | None = None) -> list[Requirement]:
    """The requirements of ``level`` with today's settings (level 3's depend on the window)."""
    if level == TrustLevel.BASIC:
        return [
            requirement("topics_entered", "tl1_topics_entered"),
            requirement("posts_read", "tl1_posts_read"),
            requirement("minutes_read", "tl1_time_read_minutes"),
        ]
    if level == TrustLevel.MEMBER:
        return [
            requirement("topics_entered", "tl2_topics_entered"),
            requirement("posts_read", "tl2_posts_read"),
            requirement("minutes_read", "tl2_time_read_minutes"),
            requirement("days_visited", "tl2_days_visited"),
            requirement("likes_given", "tl2_likes_given"),
            requirement("likes_received", "tl2_likes_received"),
            requirement("topics_replied", "tl2_topics_replied"),
        ]
    if level == TrustLevel.REGULAR:
        from . import regulars

        return regulars.requirements(*regulars.window_totals(regulars.since(now or utcnow())))
    return []


def automatic_rules() -> dict[TrustLevel, list[Requirement]]:
    return {level: requirements_for(level) for level in (TrustLevel.BASIC, TrustLevel.MEMBER)}


def _moves_automatically(user) -> bool:
    return not user.trust_locked and not user.is_staff


def maybe_promote(user) -> bool:
    """Promote ``user`` to trust level 1 or 2 as soon as their stats meet the rules.

    Locked levels and staff are left alone; levels 3 and 4 are not decided here.
    """
    user = _real(user)
    if not getattr(user, "is_authenticated", False) or not _moves_automatically(user):
        return False
    if user.trust_level >= TrustLevel.MEMBER:
        return False
    row = db.session.get(UserStats, user.id)
    level = earned_level(user.trust_level, automatic_rules(), all_time(row))
    if level <= user.trust_level:
        return False
    return set_trust_level(user, level, by=None, reason=AUTO_REASON)


def recompute(now: datetime | None = None):
    """Levels 3 (and a catch-up of 1 and 2) for everyone: see ``regulars.recompute``."""
    from .regulars import recompute as run

    return run(now)


def run_daily():
    """The daily job: recompute and commit."""
    from .regulars import run_daily as run

    return run()


# --- progress and the welcome message --------------------------------------------------------


def progress(user, *, now: datetime | None = None) -> TrustProgress:
    """Where ``user`` stands on the way to their next level (for level 3, over the window;
    a regular sees whether they keep the level)."""
    user = _real(user)
    level = TrustLevel(user.trust_level)
    result = TrustProgress(level=level, next_level=None, locked=user.trust_locked)
    if user.trust_locked or level >= TrustLevel.LEADER:
        return result
    row = db.session.get(UserStats, user.id)
    if level < TrustLevel.MEMBER:
        result.next_level = TrustLevel(level + 1)
        result.items = measure(requirements_for(result.next_level), all_time(row))
        return result
    now = now or utcnow()
    from . import regulars

    requirements = regulars.requirements(*regulars.window_totals(regulars.since(now)))
    stats = regulars.regular_stats(row, regulars.window_stats([user.id], now).get(user.id, {}))
    result.items = measure(requirements, stats)
    limit = regulars.flag_limit()
    result.items.append(AtMost(limit, stats["flagged_posts"]))
    result.window_days = setting("tl3_window_days")
    if level == TrustLevel.MEMBER:
        result.next_level = TrustLevel.REGULAR
    else:
        result.keeping = True
    return result


def _abilities(level: TrustLevel) -> str:
    if level == TrustLevel.BASIC:
        return _("You may now put more links and images in your posts, mention more people "
                 "and flag posts for the moderators.")  # fmt: skip
    if level == TrustLevel.MEMBER:
        return _(
            "You may now edit your posts for %(days)d days instead of %(hours)d hours, and "
            "your daily limits (topics, likes, flags, edits) are higher.",
            days=setting("edit_window_member_days"),
            hours=setting("edit_window_hours"),
        )
    if level == TrustLevel.REGULAR:
        return _(
            "You may now move topics to another category, change their titles and create "
            "tags. Keep visiting, reading and replying to keep this level."
        )
    if level == TrustLevel.LEADER:
        return _("You may now close, pin, unlist and split topics.")
    return ""


def _link_context():
    """Links need a request; jobs and commands lend one with the public address."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config["SPACE_BASE_URL"])


def promoted(user, old_level, new_level) -> None:
    """After a rise (the ``user_promoted`` hook): start level 3's grace period and send the
    person a welcome message, in their language, saying what the new level lets them do."""
    old_level, new_level = TrustLevel(old_level), TrustLevel(new_level)
    if new_level >= TrustLevel.REGULAR > old_level:
        stats_service.stats_for(user.id).regular_since = utcnow()
    if not user.email or not user.is_confirmed or not user.email_notifications:
        return
    with force_locale(user.locale or current_app.config["SPACE_DEFAULT_LOCALE"]):
        with _link_context():
            link = url_for("discuss.activity", username=user.username, _external=True)
        site = site_settings.get("title")
        gained = [_abilities(TrustLevel(n)) for n in range(int(old_level) + 1, int(new_level) + 1)]
        subject = _("[%(site)s] You are now a %(level)s", site=site, level=new_level.label)
        body = _(
            "Hello %(name)s,\n\nThank you for taking part in %(site)s: you are now at trust "
            "level %(number)d (%(level)s).\n\n%(abilities)s\n\nYour activity: %(link)s",
            name=user.name,
            site=site,
            number=int(new_level),
            level=new_level.label,
            abilities="\n\n".join(text for text in gained if text),
            link=link,
        )
        notify.queue_mail(user.email, subject, body)


def _real(user):
    """The user object behind ``current_user`` (a proxy) or ``user`` itself."""
    getter = getattr(user, "_get_current_object", None)
    return getter() if getter is not None else user


def register_commands(cli) -> None:
    """``flask space trust recompute``."""
    import click

    @cli.group("trust")
    def trust_group():
        """Trust levels from Discuss activity."""

    @trust_group.command("recompute")
    def recompute_command():
        """Promote to and demote from trust level 3 now (safe to run any time)."""
        summary = run_daily()
        click.echo(
            f"Evaluated {summary.evaluated}; promoted {summary.promoted}; "
            f"demoted {summary.demoted}."
        )
