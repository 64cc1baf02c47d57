"""The blog's admin pages (categories, settings) and its panels in core pages.

``blog.admin_categories`` lists the categories (/blog/admin/categories) with pages to create,
edit and delete one; ``blog.admin_settings`` (/blog/admin/settings) changes every setting of
``settings.SETTINGS``, by section. Both need ``blog.manage`` and use the core admin area's
layout; the admin dashboard links to them through ``outlet`` (the ``template_outlet`` hook:
the core never imports a plugin), which also shows a person's published stories on their
profile.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from wtforms import IntegerField, StringField, TextAreaField

from space import audit
from space.db import db
from space.forms import (
    Form,
    length,
    number_range,
    optional,
    read_settings,
    required,
    save_settings,
    setting_text,
)
from space.permissions import can, require

from .. import settings
from ..models import BlogCategory, Status, Story, StoryAuthor
from ..services import categories
from ..services.categories import CategoryError
from . import bp

# --- categories ------------------------------------------------------------------------------


class CategoryForm(Form):
    name = StringField(_l("Name"), [required(), length(max=categories.NAME_MAX)])
    slug = StringField(_l("Address (slug)"), [optional(), length(max=categories.SLUG_MAX)])
    description = TextAreaField(_l("Description"),
                                [optional(), length(max=categories.DESCRIPTION_MAX)])  # fmt: skip
    position = IntegerField(_l("Position"),
                            [optional(), number_range(0, categories.POSITION_MAX)])  # fmt: skip


def _category_or_404(category_id: int) -> BlogCategory:
    category = db.session.get(BlogCategory, category_id)
    if category is None:
        abort(404)
    return category


def _category_page(form, category, error=None, status=200):
    if error is not None and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
        error = None  # shown at its field
    return render_template("blog/admin/category.html", form=form, category=category,
                           error=error), status  # fmt: skip


def _save(category: BlogCategory | None):
    form = CategoryForm()
    if not form.validate_on_submit():
        return _category_page(form, category, status=422)
    fields = dict(name=form.name.data, slug=form.slug.data or "",
                  description=form.description.data or "", position=form.position.data)  # fmt: skip
    try:
        if category is None:
            category = categories.create(**fields)
            action = "create"
        else:
            categories.update_category(category, **fields)
            action = "update"
    except CategoryError as error:
        db.session.rollback()
        if category is not None:
            category = db.session.get(BlogCategory, category.id)
        return _category_page(form, category, error, 422)
    audit.record(f"blog.category.{action}", actor=current_user, target=category,
                 target_type="blog_category", target_label=category.name)  # fmt: skip
    db.session.commit()
    flash(_("The category “%(name)s” is saved.", name=category.name), "success")
    return redirect(url_for("blog.admin_categories"))


@bp.get("/admin/categories")
def admin_categories():
    require(current_user, "blog.manage")
    return render_template("blog/admin/categories.html", rows=categories.all_categories())


@bp.route("/admin/categories/new", methods=["GET", "POST"])
def admin_category_new():
    require(current_user, "blog.manage")
    if request.method == "POST":
        return _save(None)
    return _category_page(CategoryForm(formdata=None), None)


@bp.route("/admin/categories/<int:category_id>", methods=["GET", "POST"])
def admin_category_edit(category_id: int):
    require(current_user, "blog.manage")
    category = _category_or_404(category_id)
    if request.method == "POST":
        return _save(category)
    return _category_page(CategoryForm(formdata=None, obj=category), category)


@bp.post("/admin/categories/<int:category_id>/delete")
def admin_category_delete(category_id: int):
    require(current_user, "blog.manage")
    category = _category_or_404(category_id)
    name = category.name
    audit.record("blog.category.delete", actor=current_user, target=category,
                 target_type="blog_category", target_label=name)  # fmt: skip
    left = categories.delete(category)
    db.session.commit()
    flash(_deleted(name, left), "success")
    return redirect(url_for("blog.admin_categories"))


def _deleted(name: str, count: int) -> str:
    return ngettext(
        "The category “%(name)s” is deleted; its %(num)d story now has no category.",
        "The category “%(name)s” is deleted; its %(num)d stories now have no category.",
        count, name=name,
    ) if count else _("The category “%(name)s” is deleted.", name=name)  # fmt: skip


# --- settings --------------------------------------------------------------------------------

SECTIONS = {
    "review": _l("Review and who may do what"),
    "content": _l("Content rules (the pre-publish checklist)"),
    "editing": _l("Editing"),
    "reading": _l("Reading"),
}


def kind(setting) -> str:
    """How the page asks for a setting: "bool", "number", "decimal" or "slug"."""
    return "slug" if setting.kind == "text" else setting.kind


def _parse(setting, text: str):
    """(value, None) or (None, message)."""
    if kind(setting) == "slug":
        text = (text or "").strip().lower()
        if text and (len(text) > categories.SLUG_MAX or not categories.SLUG_RE.match(text)):
            return None, _("Use lowercase letters, digits and dashes (at most %(n)d).",
                           n=categories.SLUG_MAX)  # fmt: skip
        return text, None
    return setting.parse(text)


def _together(new: dict, errors: dict) -> None:
    """Rules between settings: the shortest excerpt is not longer than the longest, the
    editor's heartbeat comes before its lock expires."""
    low, high = new.get("excerpt_min_length"), new.get("excerpt_max_length")
    if low is not None and high is not None and low > high:
        errors["excerpt_min_length"] = _("The shortest excerpt cannot be longer than the "
                                         "longest.")  # fmt: skip
    beat, lock = new.get("heartbeat_seconds"), new.get("lock_seconds")
    if beat is not None and lock is not None and beat >= lock:
        errors["heartbeat_seconds"] = _("The heartbeat must come more often than the lock "
                                        "expires.")  # fmt: skip


def _settings_page(typed: dict, errors: dict, status=200):
    sections = [(label, [s for s in settings.SETTINGS if s.section == key])
                for key, label in SECTIONS.items()]  # fmt: skip
    return render_template("blog/admin/settings.html", sections=sections, typed=typed,
                           errors=errors, kind=kind), status  # fmt: skip


@bp.route("/admin/settings", methods=["GET", "POST"])
def admin_settings():
    require(current_user, "blog.manage")
    current = {s.name: settings.value(s.name) for s in settings.SETTINGS}
    if request.method == "GET":
        return _settings_page(
            {s.name: setting_text(s, current[s.name]) for s in settings.SETTINGS}, {}
        )
    typed, new, errors = read_settings(request.form, settings.SETTINGS, current, _parse)
    _together(new, errors)
    if errors:
        return _settings_page(typed, errors, 422)
    changes = save_settings(new, current, settings.put, actor=current_user, area="blog")
    if changes:
        db.session.commit()
        flash(_("The blog settings are saved."), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("blog.admin_settings"))


# --- panels in core pages --------------------------------------------------------------------

PROFILE_STORIES = 5


def outlet(place, context):
    """The ``template_outlet`` hook: a card on the admin dashboard, the person's published
    stories on their profile; nothing elsewhere."""
    from space.hookspecs import Outlet

    if place == Outlet.ADMIN_DASHBOARD:
        return dashboard_card()
    if place == Outlet.PROFILE_MAIN:
        return profile_stories(context.get("user"))
    return None


def dashboard_card():
    """Stories by status (one query) and the links to the queue and the admin pages, for
    those who manage the blog."""
    if not can(current_user, "blog.manage"):
        return None
    rows = db.session.execute(select(Story.status, func.count(Story.id)).group_by(Story.status))
    counts = {Status(status): number for status, number in rows}
    return Markup(render_template(
        "blog/admin/_dashboard_card.html", counts=[(s, counts.get(s, 0)) for s in Status],
    ))  # fmt: skip


def profile_stories(person):
    """The person's latest published stories (one query), or nothing when they have none."""
    if person is None:
        return None
    theirs = select(StoryAuthor.story_id).where(StoryAuthor.user_id == person.id)
    stories = db.session.scalars(
        select(Story)
        .where(Story.status == Status.PUBLISHED, Story.id.in_(theirs))
        .order_by(Story.published_at.desc(), Story.id.desc())
        .limit(PROFILE_STORIES + 1)
    ).all()
    if not stories:
        return None
    return Markup(render_template(
        "blog/profile/_stories.html", person=person, stories=stories[:PROFILE_STORIES],
        more=len(stories) > PROFILE_STORIES,
    ))  # fmt: skip
