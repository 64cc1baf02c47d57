"""Flagging posts and topics for the review queue, and withdrawing one's flag.

``discuss.flag`` (/discuss/p/<id>/flag) and ``discuss.flag_topic`` (/discuss/t/<id>/flag)
show the reasons as a plain form (the topic page opens the same form in a ``<details>``
dialog under each post) and send them to ``space.moderation.services.flag``;
``discuss.withdraw_flag`` (POST /discuss/flags/<id>/withdraw) undoes a flag within the undo
window. Whoever may not see the item gets 404, like for something missing.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from space.db import db
from space.errors import fail
from space.moderation import reasons, services
from space.moderation.models import Flag, FlagReason
from space.permissions import require

from .. import moderation
from ..access import can_see_post
from ..models import Post
from ..services import reading
from . import bp

OFF_TOPIC = _l("It does not belong in this discussion, as its title and first post describe it.")


def reasons_for(user) -> list[dict]:
    """The reasons with their labels, and whether ``user`` may pick each."""
    return reasons.choices(user, OFF_TOPIC)


bp.add_app_template_global(reasons_for, "discuss_flag_reasons")
bp.add_app_template_global(moderation.may_flag, "discuss_may_flag")
bp.add_app_template_global(moderation.viewer_flags, "discuss_viewer_flags")
bp.add_app_template_global(moderation.withdrawable, "discuss_flag_withdrawable")


def _visible_post(post_id: int) -> Post:
    post = reading.load_post(post_id)
    if post is None:
        abort(404)
    require(current_user, "topic.read", post.topic)
    if post.deleted_at is not None or not can_see_post(current_user, post):
        abort(404)
    return post


def _may_flag(post: Post) -> None:
    """Signed in (else the login page), not silenced (403 with the notice), not one's own."""
    if not current_user.is_authenticated:
        abort(401)
    require(current_user, "moderation.flag")
    if post.user_id == current_user.id:
        fail(403, _("You cannot flag your own content."))


def _form(post: Post, item_type: str, action: str, cancel: str):
    """Show the form, or send the flag; 422 with the message and what was typed."""
    typed = dict(reasons.EMPTY)
    error = None
    if request.method == "POST":
        typed = reasons.read_form(request.form)
        item_id = post.id if item_type == "discuss.post" else post.topic_id
        try:
            services.flag(current_user, item_type, item_id, typed["reason"] or "none",
                          typed["message"], typed["take_action"])  # fmt: skip
        except services.NotFound:
            db.session.rollback()
            abort(404)
        except services.ModerationError as refused:
            db.session.rollback()  # expires the post: load it again to show the form
            post, error = reading.load_post(post.id), refused
        else:
            db.session.commit()
            if typed["reason"] == FlagReason.MESSAGE_AUTHOR:
                flash(_("Your message was sent to the author."), "success")
            else:
                flash(_("Thanks for letting us know."), "success")
            return redirect(cancel)
    page = render_template(
        "discuss/flag.html", post=post, topic=post.topic, item_type=item_type, action=action,
        cancel=cancel, typed=typed, error=error,
    )  # fmt: skip
    return page, 422 if error else 200


@bp.route("/p/<int:post_id>/flag", methods=["GET", "POST"])
def flag(post_id: int):
    post = _visible_post(post_id)
    _may_flag(post)
    return _form(post, "discuss.post", url_for("discuss.flag", post_id=post.id),
                 url_for("discuss.post_link", post_id=post.id))  # fmt: skip


@bp.route("/t/<int:topic_id>/flag", methods=["GET", "POST"])
def flag_topic(topic_id: int):
    found = moderation.TopicHandler().load(topic_id)
    if found is None:
        abort(404)
    post = _visible_post(found.id)
    _may_flag(post)
    topic = post.topic
    return _form(post, "discuss.topic", url_for("discuss.flag_topic", topic_id=topic.id),
                 url_for("discuss.topic", slug=topic.slug, topic_id=topic.id))  # fmt: skip


@bp.post("/flags/<int:flag_id>/withdraw")
def withdraw_flag(flag_id: int):
    if not current_user.is_authenticated:
        abort(401)
    found = db.session.get(Flag, flag_id)
    if (
        found is None
        or found.user_id != current_user.id
        or not found.item_type.startswith("discuss.")
    ):
        abort(404)
    if found.item_type == "discuss.topic":
        back = url_for("discuss.topic", slug="t", topic_id=found.item_id)
    else:
        back = url_for("discuss.post_link", post_id=found.item_id)
    try:
        services.withdraw(current_user, found)
    except services.NotFound:
        db.session.rollback()
        abort(404)
    except services.ModerationError as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(back)
    db.session.commit()
    flash(_("Your flag is withdrawn."), "success")
    return redirect(back)
