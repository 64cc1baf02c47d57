"""Topic lists: latest, top, unsolved, categories, a category, a tag."""

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from space.errors import fail
from space.paging import page_number
from space.permissions import require

from ..services import topic_lists as lists
from . import bp


def _render(template: str, found: lists.TopicList, **context):
    if found.page.out_of_range:
        abort(404)
    return render_template(template, topics=found, **context)


@bp.get("/")
def latest():
    require(current_user, "discuss.read")
    found = lists.latest(current_user, page_number())
    return _render("discuss/latest.html", found, list_kind="latest")


@bp.get("/top")
def top():
    require(current_user, "discuss.read")
    period = request.args.get("period", lists.DEFAULT_PERIOD)
    if period not in lists.PERIODS:
        fail(400, _("Choose a period: day, week, month, year or all."))
    found = lists.top(current_user, period, page_number())
    return _render("discuss/latest.html", found, list_kind="top", period=period,
                   periods=list(lists.PERIODS))  # fmt: skip


@bp.get("/unsolved")
def unsolved():
    require(current_user, "discuss.read")
    found = lists.unsolved(current_user, page_number())
    return _render("discuss/latest.html", found, list_kind="unsolved")


@bp.get("/categories")
def categories():
    require(current_user, "discuss.read")
    cards = lists.category_overview(current_user)
    return render_template("discuss/categories.html", cards=cards)


@bp.get("/c/<slug>")
def category(slug):
    found = lists.category_by_slug(slug)
    if found is None:
        abort(404)
    require(current_user, "category.read", found)
    topics = lists.category_topics(current_user, found, page_number())
    return _render(
        "discuss/category.html",
        topics,
        category=found,
        new_topic_category=found,
        parents=lists.category_parents(found),
        children=lists.subcategories(current_user, found),
    )


@bp.get("/tag/<name>")
def tag(name):
    require(current_user, "discuss.read")
    found = lists.tag_by_name(name)
    if found is None:
        abort(404)
    topics = lists.tag_topics(current_user, found, page_number())
    return _render("discuss/tag.html", topics, tag=found)
