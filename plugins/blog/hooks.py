"""The blog's implementations of the core's hooks."""

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
    return [NavItem(label=_l("Blog"), endpoint="blog.index", order=10, active_prefix="blog.")]


@hookimpl
def search_types():
    from space.search import SearchType

    return [SearchType("story", _l("Stories"))]


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

    from .services.publishing import publish_due, purge_trash

    return [
        Job("blog.publish_due", timedelta(minutes=1), publish_due),
        Job("blog.purge_trash", timedelta(days=1), purge_trash),
    ]


@hookimpl
def sitemap_urls():
    from .services.reading import sitemap_urls as urls

    return urls()


@hookimpl(trylast=True)  # after Discuss's: stories' topics must not count in its daily caps
def demo_content(size):
    from .demo import load

    return load(size)


@hookimpl
def review_handlers():
    from .moderation import handlers

    return handlers()


@hookimpl
def template_outlet(outlet, context):
    from .views.admin import outlet as blog_outlet

    return blog_outlet(outlet, context)
