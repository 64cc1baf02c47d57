"""Feeds: ``discuss.feed`` answers /discuss/feed/latest.rss, /discuss/feed/category/<slug>.atom,
/discuss/feed/tag/<name>.rss and /discuss/feed/topic/<id>.atom (rss or atom each).

What anonymous readers may see, whoever asks (see ``feeds``); anything else is a 404.
"""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from jinja2 import pass_context

from space import feeds as space_feeds

from .. import feeds
from ..models import Category, Tag, Topic
from . import bp


@bp.get("/feed/<any(latest):kind>.<any(rss, atom):fmt>")
@bp.get("/feed/<any(category, tag, topic):kind>/<key>.<any(rss, atom):fmt>")
def feed(kind: str, fmt: str, key: str | None = None):
    found = feeds.build(kind, key, fmt)
    if found is None:
        abort(404)
    return space_feeds.response(found, fmt)


@bp.app_template_global("discuss_page_feed")
@pass_context
def page_feed(context) -> tuple[str, str | int | None, str]:
    """(kind, key, title) of the feed that follows the page's ``topic``, ``category`` or
    ``tag`` when anonymous readers have it, else of the latest topics (templates)."""
    topic, category, tag = (context.get(name) for name in ("topic", "category", "tag"))
    if isinstance(topic, Topic) and feeds.is_public_topic(topic):
        return "topic", topic.id, topic.title
    if isinstance(category, Category) and feeds.is_public_category(category):
        return "category", category.slug, category.name
    if isinstance(tag, Tag):
        return "tag", tag.name, f"#{tag.name}"
    return "latest", None, _("Latest topics")
