"""A topic page and the reading around it (threads, likers, read reports)."""

from flask import abort, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from space import pagecache
from space.db import db
from space.errors import fail
from space.paging import page_number
from space.permissions import require

from .. import access
from ..services import activity, reading, topic_lists, view_counts
from . import bp

# What one read report may add to someone's reading time (seconds).
MAX_REPORT_SECONDS = 60


# Helpers for templates (globals, so imported macros see them too).
bp.add_app_template_global(access.is_closed, "discuss_is_closed")
bp.add_app_template_global(topic_lists.is_pinned, "discuss_is_pinned")
bp.add_app_template_global(access.can_see_post, "discuss_can_see_post")
bp.add_app_template_global(topic_lists.category_parents, "discuss_category_parents")


def _topic_url(topic, page: int = 1, **kwargs) -> str:
    if page > 1:
        kwargs["page"] = page
    return url_for("discuss.topic", slug=topic.slug, topic_id=topic.id, **kwargs)


@bp.get("/t/<slug>/<int:topic_id>")
def topic(slug, topic_id):
    signed_in = current_user.is_authenticated
    if not signed_in:
        # Most anonymous readers get a kept page, without a query (see pagecache.kept).
        kept = pagecache.kept(("discuss.topic", topic_id))
        if kept is not None:
            view_counts.count_view(topic_id)
            db.session.commit()
            return kept.page(views=_views(kept.add("views")))
    found = reading.load_topic(topic_id, with_relations=signed_in)
    if found is None:
        abort(404)
    require(current_user, "topic.read", found)
    page = page_number()
    if slug != found.slug:
        return redirect(_topic_url(found, page), 301)
    shown = view_counts.shown(found)
    if signed_in:
        html = _render_topic(found, page, _views(shown))
        first_visit = g.discuss_topic_view.state is None
        activity.record_topic_view(
            current_user, found, g.discuss_topic_view.highest_shown, seconds=0
        )
    else:
        first_visit = True
        # Kept with the views shown; each reader it is served to adds one (other processes'
        # readers show when it is rendered again: within SPACE_PAGE_CACHE_SECONDS).
        html = pagecache.anonymous_page(
            ("discuss.topic", found.id),
            lambda fill: _render_topic(
                reading.load_topic(topic_id), page, fill("views") if fill else _views(shown)
            ),
            counts={"views": shown},
            views=_views(shown),
        )
    # Written after rendering: the commit expires what the template reads.
    if first_visit:
        view_counts.count_view(found.id)
    db.session.commit()
    return html


def _views(count: int) -> str:
    return ngettext("%(num)s view", "%(num)s views", count)


def _render_topic(found, page: int, views: str) -> str:
    """The topic page (404 past its last page); its view for what follows is in ``g``."""
    view = reading.topic_view(current_user, found, page)
    if view.pagination.out_of_range:
        abort(404)
    g.discuss_topic_view = view
    return render_template("discuss/topic.html", view=view, topic=found, views=views)


def _readable_post(post_id: int):
    post = reading.load_post(post_id)
    if post is None:
        abort(404)
    require(current_user, "topic.read", post.topic)
    return post


def _wants_fragment() -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or request.args.get("partial") == "1"


def _answer(fragment: str, full: str, **context):
    template = fragment if _wants_fragment() else full
    response = make_response(render_template(template, **context))
    response.vary.add("X-Requested-With")
    return response


@bp.get("/p/<int:post_id>")
def post_link(post_id):
    post = _readable_post(post_id)
    found, page = reading.post_link(post)
    return redirect(_topic_url(found, page, _anchor=f"post-{post.post_number}"))


@bp.get("/p/<int:post_id>/replies")
def post_replies(post_id):
    post = _readable_post(post_id)
    replies = reading.replies_to(post, page_number())
    if replies.out_of_range:
        abort(404)
    return _answer("discuss/_replies.html", "discuss/replies.html", post=post,
                   topic=post.topic, replies=replies)  # fmt: skip


@bp.get("/p/<int:post_id>/parent")
def post_parent(post_id):
    post = _readable_post(post_id)
    parent = reading.parent_of(post)
    if parent is None:
        abort(404)
    return _answer("discuss/_parent.html", "discuss/parent.html", post=post, topic=post.topic,
                   parent=parent)  # fmt: skip


@bp.get("/p/<int:post_id>/likes")
def post_likers(post_id):
    post = _readable_post(post_id)
    if not access.can_see_post(current_user, post):
        abort(404)
    people = reading.likers(post)
    return _answer("discuss/_likers.html", "discuss/likers.html", post=post, topic=post.topic,
                   people=people, shown=len(people))  # fmt: skip


def _report() -> tuple[int, int]:
    """``{"highest": N, "seconds": S}`` from the body, or a translated 400."""
    data = request.get_json(silent=True)
    if isinstance(data, dict):
        highest, seconds = data.get("highest"), data.get("seconds", 0)
        numbers = all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < 2**31
            for v in (highest, seconds)
        )
        if numbers:
            return int(highest), int(seconds)
    fail(400, _('Send JSON such as {"highest": 3, "seconds": 10}: the highest post number '
                "read and the seconds spent reading."))  # fmt: skip


@bp.post("/t/<int:topic_id>/read")
def read_report(topic_id):
    found = reading.load_topic(topic_id)
    if found is None:
        abort(404)
    require(current_user, "topic.read", found)
    if not current_user.is_authenticated:
        abort(401)
    highest, seconds = _report()
    highest = min(highest, found.highest_post_number)
    activity.record_topic_view(
        current_user, found, highest, seconds=min(seconds, MAX_REPORT_SECONDS)
    )
    db.session.commit()
    return "", 204
