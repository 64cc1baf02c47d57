"""Discuss's implementations of the core's hooks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from space.hookspecs import hookimpl
from space.plugins import NavItem


@hookimpl
def register_actions():
    from .access import actions

    return actions()


@hookimpl
def site_settings():
    from .settings import defaults

    return defaults()


@hookimpl
def nav_items(user):
    return [NavItem(label=_l("Discuss"), endpoint="discuss.latest", order=20,
                    active_prefix="discuss.")]  # fmt: skip


@hookimpl
def search_types():
    from space.search import SearchType

    return [SearchType("topic", _l("Topics")), SearchType("post", _l("Posts"))]


@hookimpl
def search_documents():
    from .services.indexing import all_documents

    return all_documents()


@hookimpl
def search_restrict(query, user):
    """``in:bookmarks``: only the topics and posts the asker bookmarked."""
    if not query.in_bookmarks:
        return None
    from .services.indexing import bookmark_keys

    return bookmark_keys(user)


@hookimpl
def demo_content(size, options):
    from .demo import load

    return load(size, options)


@hookimpl
def template_outlet(outlet, context):
    from space.hookspecs import Outlet

    if outlet == Outlet.ADMIN_DASHBOARD:
        from .views.admin import dashboard_outlet

        return dashboard_outlet()
    from .views.activity import profile_outlet

    return profile_outlet(outlet, context)


@hookimpl
def trust_signals(user_ids):
    from .services.trust import signals

    return signals(user_ids)


@hookimpl
def user_promoted(user, old_level, new_level):
    from .services.trust import promoted

    promoted(user, old_level, new_level)


@hookimpl
def register_commands(cli):
    from .services.trust import register_commands as trust_commands

    trust_commands(cli)


@hookimpl
def scheduled_jobs():
    from datetime import timedelta

    from space.jobs import Job

    from .services.social import send_reminders
    from .services.trust import run_daily

    return [
        Job("discuss.trust", timedelta(days=1), run_daily),
        Job("discuss.bookmark_reminders", timedelta(minutes=5), send_reminders),
    ]


@hookimpl
def notification_types():
    from .services.watching import notification_types as types

    return types()


@hookimpl
def review_handlers():
    from .moderation import handlers

    return handlers()


@hookimpl
def review_scopes(user):
    from .moderation import review_scopes as scopes

    return scopes(user)


@hookimpl
def discussion_open(subject, actor):
    from .services.subjects import open_topic

    return open_topic(subject, actor)


@hookimpl
def discussion_close(topic_id, actor, reason):
    from .services.subjects import close_topic

    close_topic(topic_id, actor, reason)


@hookimpl
def discussion_summary(topic_id, user, limit):
    from .services.subjects import summary

    return summary(topic_id, user, limit)


@hookimpl
def discussion_find(reference, user):
    from .services.subjects import find

    return find(reference, user)


@hookimpl
def sitemap_urls():
    from .services.topic_lists import sitemap_urls as urls

    return urls()
