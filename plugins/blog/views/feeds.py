"""Feeds: ``blog.feed`` answers /blog/feed.rss and /blog/feed.atom (the whole blog) and
/blog/feed/<category|tag|author|language>/<key>.<rss|atom>.

Published stories only, whoever asks (see ``feeds``); a key that names nothing is a 404.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from space import feeds as space_feeds
from space.permissions import require

from .. import feeds
from . import bp


@bp.get("/feed.<any(rss, atom):fmt>")
@bp.get("/feed/<any(category, tag, author, language):kind>/<key>.<any(rss, atom):fmt>")
def feed(fmt: str, kind: str | None = None, key: str | None = None):
    require(current_user, "blog.read")
    found = feeds.build(kind, key, fmt)
    if found is None:
        abort(404)
    return space_feeds.response(found, fmt)
