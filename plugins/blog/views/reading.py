"""Reading pages: the blog's front page, a story, and the archives of a category, a tag, an
author and a language. Published stories only; a story that is not published has no public
page (its writers and editors are sent to its editorial page, others get a 404)."""

from __future__ import annotations

from babel.lists import format_list
from flask import abort, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from space.paging import page_number
from space.permissions import require

from .. import feeds
from ..access import is_editor, is_involved
from ..models import Status, Story
from ..services import reading
from . import bp


@bp.get("/")
def index():
    require(current_user, "blog.read")
    stories = reading.index(page_number())
    if stories.out_of_range:
        abort(404)
    return render_template("blog/index.html", stories=stories)


def _story_or_404(story_id: int) -> Story:
    story = reading.load(story_id)
    if story is None:
        abort(404)
    require(current_user, "blog.story.read", story)
    return story


@bp.get("/<slug>")
def story(slug: str):
    require(current_user, "blog.read")
    found = reading.story_page(slug, current_user)
    if found is None:
        abort(404)
    if isinstance(found, reading.Moved):
        return redirect(url_for("blog.story", slug=found.slug), 301)
    if found.story.status != Status.PUBLISHED:
        require(current_user, "blog.story.read", found.story)
        return redirect(url_for("blog.manage_story", story_id=found.story.id))
    return render_template("blog/story.html", page=found, story=found.story)


@bp.get("/s/<int:story_id>")
def story_by_id(story_id: int):
    """A story's permanent address: its public page once published, else its editorial page
    (for those who may see it; a 404 for others)."""
    found = _story_or_404(story_id)
    if found.status == Status.PUBLISHED and found.slug:
        return redirect(url_for("blog.story", slug=found.slug))
    return redirect(url_for("blog.manage_story", story_id=found.id))


def _archive(found: reading.Archive | None, **pager_args):
    if found is None or found.stories.out_of_range:
        abort(404)
    return render_template("blog/archive.html", archive=found, stories=found.stories,
                           pager_args=pager_args)  # fmt: skip


@bp.get("/category/<slug>")
def category(slug: str):
    require(current_user, "blog.read")
    return _archive(reading.by_category(slug, page_number()), slug=slug)


@bp.get("/tag/<name>")
def tag(name: str):
    require(current_user, "blog.read")
    return _archive(reading.by_tag(name, page_number()), name=name)


@bp.get("/author/<username>")
def author(username: str):
    require(current_user, "blog.read")
    return _archive(reading.by_author(username, page_number()), username=username)


@bp.get("/language/<code>")
def language(code: str):
    require(current_user, "blog.read")
    return _archive(reading.by_language(code, page_number()), code=code)


@bp.app_template_global("blog_language_name")
def _language_name(code: str, own: bool = False) -> str:
    return feeds.language_name(code, own=own)


@bp.app_template_global("blog_can_manage")
def _can_manage(story: Story) -> bool:
    """Is the story's editorial page for the viewer (its writers and pitcher, editors)?"""
    return is_editor(current_user) or is_involved(current_user, story)


@bp.app_template_global("blog_writers")
def _writers(story: Story) -> list:
    return reading.writers(story)


@bp.app_template_global("blog_list")
def _list(items: list) -> Markup:
    """Escaped pieces of HTML as a list in the reader's language ("A, B and C")."""
    pieces = [str(escape(item)) for item in items]
    return Markup(format_list(pieces, locale=get_locale())) if pieces else Markup("")
