"""Topic tools: title, category and tags (trust level 3); close, archive, pin, unlist and
slow mode (trust level 4, moderators); splitting and merging topics.

Each tool is a plain form (the "Topic tools" menu of the topic page, ``_topic_tools.html``);
a refusal shows the same forms on a page of their own with the message and what was typed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from space.db import db
from space.errors import fail
from space.i18n import select_timezone
from space.markup import plain_text
from space.paging import page_number
from space.permissions import can, is_staff, require

from ..access import all_categories
from ..models import Category, Post, Topic
from ..services import moving, staff, topic_lists
from ..services.posting import DiscussError
from . import bp

SPLIT_PAGE_SIZE = 50


def _topic(topic_id: int, action: str) -> Topic:
    """The topic, if the person may read it (404 otherwise) and do ``action`` (401/403)."""
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        abort(404)
    require(current_user, "topic.read", topic)
    require(current_user, action, topic)
    return topic


def _to_topic(topic: Topic):
    return redirect(url_for("discuss.topic", slug=topic.slug, topic_id=topic.id))


def _zone() -> ZoneInfo:
    try:
        return ZoneInfo(select_timezone())
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")


# --- what the tools menu shows ---------------------------------------------------------------


def category_choices(current_id: int | None = None) -> list[tuple[int, str]]:
    """(id, label) of the categories where the viewer may create topics (and ``current_id``)."""
    by_id = {c.id: c for c in all_categories()}
    out = []
    for category in by_id.values():
        if category.id != current_id and not can(current_user, "topic.create", category):
            continue
        parent = by_id.get(category.parent_id) if category.parent_id else None
        label = f"{parent.name} › {category.name}" if parent else category.name
        out.append((category.id, label))
    return out


def slow_mode_choices() -> list[tuple[int, str]]:
    return [
        (
            seconds,
            format_timedelta(timedelta(seconds=seconds), threshold=1) if seconds else _("Off"),
        )
        for seconds in staff.SLOW_MODE_CHOICES
    ]


def tools_for(topic: Topic) -> dict:
    """What ``_topic_tools.html`` needs besides the topic (no query when tags are loaded)."""
    tags = topic.__dict__.get("tags")
    names = [t.name for t in tags] if tags is not None else staff.tag_names(topic)
    until = topic.pinned_until.astimezone(_zone()) if topic.pinned_until else None
    return {
        "categories": category_choices(topic.category_id),
        "tags": ", ".join(names),
        "slow_modes": slow_mode_choices(),
        "pinned": topic_lists.is_pinned(topic),
        "pinned_until": until.strftime("%Y-%m-%dT%H:%M") if until else "",
        "timezone": select_timezone(),
    }


@bp.context_processor
def _tools_helpers():
    return {"topic_tools": tools_for}


def _tools_page(topic: Topic, error: DiscussError, values: dict, status: int = 422):
    db.session.rollback()
    topic = db.session.get(Topic, topic.id)
    return render_template(
        "discuss/tools.html", topic=topic, tools_error=error, tools_values=values
    ), status


# --- parsing ---------------------------------------------------------------------------------


def _whole(value: str | None, field: str, *, optional: bool = False) -> int | None:
    value = (value or "").strip()
    if not value and optional:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise DiscussError(_("Enter a whole number."), field)
    return int(value)


def _local_datetime(value: str | None, field: str) -> datetime | None:
    """A ``datetime-local`` value, read in the viewer's time zone, as UTC."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=_zone())
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise DiscussError(_("Enter a date and time."), field) from None


def _category(value: str | None, topic: Topic | None = None) -> Category:
    if not value and topic is not None:
        return db.session.get(Category, topic.category_id)
    number = _whole(value, "category")
    category = db.session.get(Category, number) if number else None
    if category is None or not can(current_user, "category.read", category):
        raise DiscussError(_("Choose a category."), "category")
    return category


def _tags(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part for part in value.replace(",", " ").split() if part]


# --- title, category, tags -------------------------------------------------------------------


@bp.post("/t/<int:topic_id>/meta")
def topic_meta(topic_id):
    topic = _topic(topic_id, "topic.recategorize")
    form = request.form
    values = {
        "title": form.get("title"),
        "category": form.get("category"),
        "tags": form.get("tags"),
    }
    try:
        title = values["title"] if values["title"] is not None else topic.title
        category = _category(values["category"], topic)
        changes = staff.update_meta(
            current_user, topic, title=title, category=category, tags=_tags(values["tags"])
        )
    except DiscussError as error:
        return _tools_page(topic, error, values)
    db.session.commit()
    flash(_("The topic is saved.") if changes else _("Nothing changed."),
          "success" if changes else "info")  # fmt: skip
    return _to_topic(topic)


# --- status ----------------------------------------------------------------------------------


def _done_messages() -> dict[str, str]:
    return {
        "close": _("The topic is closed."),
        "open": _("The topic is open again."),
        "archive": _("The topic is archived."),
        "unarchive": _("The topic is no longer archived."),
        "pin": _("The topic is pinned."),
        "unpin": _("The topic is no longer pinned."),
        "list": _("The topic is listed again."),
        "unlist": _("The topic is unlisted: only its link leads to it."),
        "slow_mode": _("The slow mode is set."),
    }


@bp.post("/t/<int:topic_id>/status")
def topic_status(topic_id):
    topic = _topic(topic_id, "topic.moderate")
    form = request.form
    action = form.get("action", "")
    messages = _done_messages()
    if action not in messages:
        fail(400, _("Unknown action."))
    values = {name: form.get(name, "") for name in ("hours", "until", "seconds", "reason")}
    reason = values["reason"].strip()[:500]
    try:
        if action == "close":
            hours = _whole(values["hours"], "hours", optional=True)
            changed = staff.close(current_user, topic, hours=hours, reason=reason)
        elif action == "open":
            changed = staff.reopen(current_user, topic, reason=reason)
        elif action == "archive":
            changed = staff.archive(current_user, topic, reason=reason)
        elif action == "unarchive":
            changed = staff.unarchive(current_user, topic, reason=reason)
        elif action == "pin":
            until = _local_datetime(values["until"], "until")
            changed = staff.pin(current_user, topic, until=until)
        elif action == "unpin":
            changed = staff.unpin(current_user, topic)
        elif action in {"list", "unlist"}:
            changed = staff.set_listed(current_user, topic, action == "list")
        else:
            seconds = _whole(values["seconds"], "seconds")
            changed = staff.set_slow_mode(current_user, topic, seconds)
    except DiscussError as error:
        return _tools_page(topic, error, values)
    db.session.commit()
    flash(messages[action] if changed else _("Nothing changed."),
          "success" if changed else "info")  # fmt: skip
    return _to_topic(topic)


# --- split and merge -------------------------------------------------------------------------


def _selection(form, topic: Topic) -> list[int]:
    """Post numbers ticked (``posts``) plus the range ``from``–``to``, when given."""
    numbers = {_whole(value, "posts") for value in form.getlist("posts")}
    low = _whole(form.get("from"), "from", optional=True)
    high = _whole(form.get("to"), "to", optional=True)
    if (low is None) != (high is None):
        raise DiscussError(_("Give both ends of the range."), "from" if low is None else "to")
    if low is not None:
        if low > high:
            raise DiscussError(_("The range must go from a lower to a higher number."), "to")
        numbers.update(range(max(low, 1), min(high, topic.highest_post_number) + 1))
    return sorted(numbers)


def _split_page(topic: Topic, values: dict, error: DiscussError | None = None, status=200):
    query = select(Post).options(selectinload(Post.user)).where(Post.topic_id == topic.id)
    if not is_staff(current_user):  # deleted and hidden posts: staff only (their authors too)
        query = query.where(Post.deleted_at.is_(None), or_(
            Post.hidden_at.is_(None), Post.user_id == current_user.id))  # fmt: skip
    page = db.paginate(
        query.order_by(Post.post_number),
        page=page_number(),
        per_page=SPLIT_PAGE_SIZE,
        error_out=False,
        count=True,
    )
    excerpts = {post.id: plain_text(post.cooked)[:160] for post in page.items}
    return render_template(
        "discuss/split.html", topic=topic, page=page, excerpts=excerpts, values=values,
        error=error, categories=category_choices(), ticked=set(values.get("posts", ())),
    ), status  # fmt: skip


@bp.route("/t/<int:topic_id>/split", methods=["GET", "POST"])
def split(topic_id):
    topic = _topic(topic_id, "topic.moderate")
    if request.method == "GET":
        return _split_page(topic, {"mode": "new"})
    form = request.form
    values = {name: form.get(name, "") for name in
              ("mode", "title", "category", "topic", "from", "to")}  # fmt: skip
    values["posts"] = form.getlist("posts")
    try:
        numbers = _selection(form, topic)
        if values["mode"] == "existing":
            destination = moving.find_topic(current_user, values["topic"])
            destination, moved = moving.split(current_user, topic, numbers, destination=destination)
        else:
            category = _category(values["category"] or None, topic)
            destination, moved = moving.split(
                current_user, topic, numbers, title=values["title"], category=category
            )
    except DiscussError as error:
        db.session.rollback()
        topic = db.session.get(Topic, topic_id)
        return _split_page(topic, values, error, 422)
    db.session.commit()
    flash(ngettext("%(num)d post moved.", "%(num)d posts moved.", moved), "success")
    return _to_topic(destination)


@bp.route("/t/<int:topic_id>/merge", methods=["GET", "POST"])
def merge(topic_id):
    topic = _topic(topic_id, "topic.moderate")
    values = {"topic": request.form.get("topic", "")}
    if request.method == "POST":
        try:
            destination = moving.find_topic(current_user, values["topic"])
            moving.merge(current_user, topic, destination)
        except DiscussError as error:
            db.session.rollback()
            topic = db.session.get(Topic, topic_id)
            return render_template(
                "discuss/merge.html", topic=topic, values=values, error=error
            ), 422
        db.session.commit()
        flash(_("The topics are merged."), "success")
        return _to_topic(destination)
    return render_template("discuss/merge.html", topic=topic, values=values, error=None)
