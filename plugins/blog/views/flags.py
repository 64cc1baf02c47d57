"""Flagging a published story for the review queue: ``blog.flag`` (/blog/s/<id>/flag).

The page shows the story's title and excerpt and the reasons (those of every flag on the
site) and sends them to ``space.moderation.services.flag`` with the "blog.story" handler
(``moderation.py``). A story that is not published, or that the reader may not see, is 404
like a missing one; signed-out readers are sent to sign in; writers cannot flag their own.
The story page shows the link when ``blog_may_flag(story)`` says so.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from space.db import db
from space.errors import fail
from space.moderation import reasons
from space.moderation.models import FlagReason
from space.permissions import can, require

from ..access import is_writer
from ..models import Status, Story
from ..moderation import ITEM_TYPE, load_story
from . import bp

OFF_TOPIC = _l("It does not belong on this blog: it is not about our movement and its people.")


def reasons_for(user, writer_name: str) -> list[dict]:
    """The reasons with their labels, and whether ``user`` may pick each."""
    return reasons.choices(user, OFF_TOPIC, writer_name)


@bp.app_template_global("blog_may_flag")
def may_flag(story: Story | None) -> bool:
    """Show the "Flag" link on a story's page: a published story, a signed-in reader who may
    flag (not silenced) and is not one of its writers."""
    if story is None or story.status != Status.PUBLISHED:
        return False
    if not getattr(current_user, "is_authenticated", False) or is_writer(current_user, story):
        return False
    if "moderation.flag" not in current_app.extensions.get("space.actions", {}):
        return True
    return can(current_user, "moderation.flag")


def _visible_story(story_id: int) -> Story:
    story = load_story(story_id)
    if story is None:
        abort(404)
    require(current_user, "blog.story.read", story)
    if story.status != Status.PUBLISHED:
        abort(404)
    return story


@bp.route("/s/<int:story_id>/flag", methods=["GET", "POST"])
def flag(story_id: int):
    story = _visible_story(story_id)
    if not current_user.is_authenticated:
        abort(401)
    require(current_user, "moderation.flag")
    if is_writer(current_user, story):
        fail(403, _("You cannot flag your own content."))
    back = url_for("blog.story", slug=story.slug)
    typed = dict(reasons.EMPTY)
    error = None
    if request.method == "POST":
        typed = reasons.read_form(request.form)
        error = reasons.send(current_user, ITEM_TYPE, story.id, typed)
        if error is not None:
            story = load_story(story_id)  # the rollback expired it: load it again
        else:
            db.session.commit()
            if typed["reason"] == FlagReason.MESSAGE_AUTHOR:
                flash(_("Your message was sent to the writer."), "success")
            else:
                flash(_("Thanks for letting us know."), "success")
            return redirect(back)
    writer_name = story.writer.name if story.writer is not None else ""
    page = render_template(
        "blog/moderation/flag.html", story=story, typed=typed, error=error, back=back,
        reasons=reasons_for(current_user, writer_name),
    )  # fmt: skip
    return page, 422 if error else 200
