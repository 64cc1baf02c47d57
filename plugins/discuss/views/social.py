"""Likes, bookmarks, accepted answers and following topics and categories.

Every action is a plain form (POST + CSRF) that redirects back to the post; ``social.js``
sends the same forms with ``Accept: application/json`` and gets JSON back instead.
"""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from flask_login import current_user, login_required
from wtforms import SelectField, StringField
from wtforms.fields import DateTimeLocalField

from space.db import db
from space.errors import fail
from space.forms import Form, choices, length, optional
from space.i18n import select_timezone
from space.markup import plain_text
from space.paging import page_number
from space.permissions import require

from ..access import can_see_post
from ..models import NotificationLevel, Post, Topic
from ..services import social, watching
from ..services.categories import by_slug
from ..services.posting import DiscussError
from . import bp

ID = "int(max=2147483647)"
LEVEL_LABELS = {
    NotificationLevel.WATCHING: _l("Watching"),
    NotificationLevel.TRACKING: _l("Tracking"),
    NotificationLevel.NORMAL: _l("Normal"),
    NotificationLevel.MUTED: _l("Muted"),
}
LEVEL_HINTS = {
    NotificationLevel.WATCHING: _l("You will be notified of every new post."),
    NotificationLevel.TRACKING: _l(
        "You will see a count of new posts; notified when mentioned or replied to."
    ),  # fmt: skip
    NotificationLevel.NORMAL: _l("You will be notified when mentioned or replied to."),
    NotificationLevel.MUTED: _l("You will never be notified about this."),
}


class BookmarkForm(Form):
    name = StringField(_l("Name (optional)"), validators=[optional(), length(max=100)])
    reminder_at = DateTimeLocalField(
        _l("Remind me (optional)"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[optional()],
    )


class LevelForm(Form):
    level = SelectField(_l("Notifications"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = choices((int(k), v) for k, v in LEVEL_LABELS.items())


# --- helpers ---------------------------------------------------------------------------------


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > 0


def _visible_post(post_id: int) -> tuple[Post, Topic]:
    """The post and its topic, or 404 when either is missing or may not be seen."""
    post = db.session.get(Post, post_id)
    if post is None:
        fail(404, _("There is no such post."))
    topic = db.session.get(Topic, post.topic_id)
    require(current_user, "topic.read", topic)
    if not can_see_post(current_user, post):
        fail(404, _("There is no such post."))
    return post, topic


def _refused(error: DiscussError, post: Post, topic: Topic, status: int = 422):
    if wants_json():
        body = {"ok": False, "error": error.message, "field": error.field}
        if error.retry_at is not None:
            body["retry_at"] = error.retry_at.isoformat()
        return jsonify(body), status
    return render_template(
        "discuss/post_action.html", message=error.message, post=post, topic=topic
    ), status


def _back(post: Post):
    return redirect(url_for("discuss.post_link", post_id=post.id))


@bp.app_template_filter("discuss_local_input")
def local_input(moment) -> str:
    """A UTC datetime as the value of a ``datetime-local`` input, in the viewer's zone."""
    return to_user_timezone(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""


@bp.app_template_global("discuss_level_choices")
def level_choices():
    """(level, label, hint) for the notification controls, closest follow first."""
    return [(int(k), v, LEVEL_HINTS[k]) for k, v in LEVEL_LABELS.items()]


@bp.app_template_global("discuss_bookmark_excerpt")
def bookmark_excerpt(post, length: int = 200) -> str:
    text = plain_text(post.cooked)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


@bp.app_template_global("discuss_category_level")
def category_notification_level(category) -> int:
    return watching.category_level(current_user, category.id)


# --- likes -----------------------------------------------------------------------------------


def _set_like(post_id: int, liked: bool):
    post, topic = _visible_post(post_id)
    try:
        (social.like if liked else social.unlike)(current_user, post)
    except DiscussError as error:
        db.session.rollback()
        return _refused(error, post, topic)
    db.session.commit()
    if wants_json():
        return jsonify({"ok": True, "liked": liked, "like_count": post.like_count})
    return _back(post)


@bp.post(f"/p/<{ID}:post_id>/like")
@login_required
def like(post_id):
    return _set_like(post_id, True)


@bp.post(f"/p/<{ID}:post_id>/unlike")
@login_required
def unlike(post_id):
    return _set_like(post_id, False)


# --- bookmarks -------------------------------------------------------------------------------


def _bookmark_page(form, post, topic, existing, status=200):
    return render_template(
        "discuss/bookmark.html", form=form, post=post, topic=topic, existing=existing
    ), status


@bp.route(f"/p/<{ID}:post_id>/bookmark", methods=["GET", "POST"])
@login_required
def bookmark(post_id):
    post, topic = _visible_post(post_id)
    require(current_user, "post.bookmark", post)
    existing = social.bookmark_of(current_user, post)
    if request.method == "GET":
        form = BookmarkForm(formdata=None)
        if existing is not None:
            form.name.data = existing.name
            form.reminder_at.data = (
                to_user_timezone(existing.reminder_at).replace(tzinfo=None)
                if existing.reminder_at
                else None
            )
        return _bookmark_page(form, post, topic, existing)
    form = BookmarkForm()
    if not form.validate():
        if wants_json():
            return jsonify({"ok": False, "errors": form.errors}), 422
        return _bookmark_page(form, post, topic, existing, 422)
    try:
        row = social.bookmark(
            current_user,
            post,
            name=form.name.data or "",
            reminder_at=social.to_utc(form.reminder_at.data, select_timezone()),
        )
    except DiscussError as error:
        db.session.rollback()
        if wants_json():
            return _refused(error, post, topic)
        getattr(form, error.field or "name").errors = [error.message]
        return _bookmark_page(form, post, topic, existing, 422)
    db.session.commit()
    if wants_json():
        return jsonify(
            {
                "ok": True,
                "bookmarked": True,
                "name": row.name,
                "reminder_at": row.reminder_at.isoformat() if row.reminder_at else None,
            }
        )
    return _back(post)


@bp.post(f"/p/<{ID}:post_id>/unbookmark")
@login_required
def unbookmark(post_id):
    post, _topic = _visible_post(post_id)
    social.unbookmark(current_user, post)
    db.session.commit()
    if wants_json():
        return jsonify({"ok": True, "bookmarked": False})
    return _back(post)


@bp.get("/bookmarks")
@login_required
def bookmarks():
    require(current_user, "discuss.read")
    page = db.paginate(
        social.bookmarks_query(current_user), page=page_number(), per_page=30, error_out=False
    )
    return render_template("discuss/bookmarks.html", page=page)


# --- accepted answers ------------------------------------------------------------------------


@bp.post(f"/p/<{ID}:post_id>/accept")
@login_required
def accept(post_id):
    post, topic = _visible_post(post_id)
    require(current_user, "topic.accept_answer", topic)
    try:
        social.accept_answer(current_user, post)
    except DiscussError as error:
        db.session.rollback()
        return _refused(error, post, topic)
    db.session.commit()
    if wants_json():
        return jsonify({"ok": True, "accepted_post_id": topic.accepted_post_id})
    return _back(post)


@bp.post(f"/p/<{ID}:post_id>/unaccept")
@login_required
def unaccept(post_id):
    post, topic = _visible_post(post_id)
    require(current_user, "topic.accept_answer", topic)
    if topic.accepted_post_id == post.id:
        try:
            social.unaccept_answer(current_user, topic)
        except DiscussError as error:
            db.session.rollback()
            return _refused(error, post, topic)
        db.session.commit()
    if wants_json():
        return jsonify({"ok": True, "accepted_post_id": topic.accepted_post_id})
    return _back(post)


# --- following -------------------------------------------------------------------------------


def _level_answer(level: int, back: str):
    if wants_json():
        return jsonify({"ok": True, "level": level})
    return redirect(back)


def _level_from_form() -> int:
    form = LevelForm()
    if not form.validate():
        fail(400, _("Choose how you want to follow this."))
    return form.level.data


@bp.post(f"/t/<{ID}:topic_id>/notifications")
@login_required
def topic_notifications(topic_id):
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        fail(404, _("There is no such topic."))
    require(current_user, "topic.read", topic)
    require(current_user, "topic.watch", topic)
    level = watching.set_topic_level(current_user, topic, _level_from_form())
    db.session.commit()
    return _level_answer(level, url_for("discuss.topic", slug=topic.slug, topic_id=topic.id))


@bp.post("/c/<slug>/notifications")
@login_required
def category_notifications(slug):
    category = by_slug(slug)
    if category is None:
        fail(404, _("There is no such category."))
    require(current_user, "category.read", category)
    require(current_user, "topic.watch", category)
    level = watching.set_category_level(current_user, category, _level_from_form())
    db.session.commit()
    return _level_answer(level, url_for("discuss.category", slug=category.slug))
