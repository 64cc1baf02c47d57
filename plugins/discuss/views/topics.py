"""A topic page and the reading around it (threads, likers, read reports)."""

from flask import abort, render_template
from flask_login import current_user

from space.db import db
from space.permissions import require

from ..models import Topic
from . import bp


@bp.get("/t/<slug>/<int:topic_id>")
def topic(slug, topic_id):
    found = db.session.get(Topic, topic_id)
    if found is None:
        abort(404)
    require(current_user, "topic.read", found)
    return render_template("discuss/topic.html", topic=found)
