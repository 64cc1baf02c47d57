"""The events' implementations of the core's hooks."""

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
    return [NavItem(label=_l("Events"), endpoint="events.upcoming", order=30,
                    active_prefix="events.")]  # fmt: skip


@hookimpl
def search_types():
    from space.search import SearchType

    return [SearchType("event", _l("Events"))]


@hookimpl
def search_documents():
    from .services.indexing import all_documents

    return all_documents()


@hookimpl
def notification_types():
    from .services.notices import notification_types as types

    return types()


@hookimpl
def scheduled_jobs():
    from datetime import timedelta

    from space.jobs import Job

    from .services.registration import send_reminders

    return [Job("events.reminders", timedelta(minutes=10), send_reminders)]


@hookimpl
def review_handlers():
    from .moderation import handlers

    return handlers()


@hookimpl
def demo_content(size):
    from .demo import load

    return load(size)


@hookimpl
def sitemap_urls():
    from .services.listing import sitemap_urls as urls

    return urls()


@hookimpl
def template_outlet(outlet, context):
    from .views.pages import outlet as events_outlet

    return events_outlet(outlet, context)
