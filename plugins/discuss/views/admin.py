"""Discuss's admin pages: categories (with per-group permissions) and Discuss's settings.

They live under /discuss/admin and use the core admin area's layout; the admin dashboard
links to them through the ``template_outlet`` hook (the core never imports a plugin).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField

from space import audit
from space.db import db
from space.forms import Form, choices, length, number_range, optional, required
from space.permissions import can, require

from .. import settings
from ..access import all_categories
from ..models import Access, Category
from ..services import categories
from ..services.posting import DiscussError
from . import bp


class CategoryForm(Form):
    name = StringField(_l("Name"), [required(), length(max=60)])
    slug = StringField(_l("Address (slug)"), [optional(), length(max=60)])
    description = TextAreaField(_l("Description"), [optional(), length(max=10_000)])
    color = StringField(_l("Colour"), [optional(), length(max=7)], default="#0b7285")
    color_text = StringField(_l("Or type the colour"), [optional(), length(max=7)])
    parent = SelectField(_l("Parent category"), coerce=int, default=0)
    accepts_answers = BooleanField(_l("Questions and answers: a reply may be marked as the answer"))
    position = IntegerField(_l("Position"), [optional(), number_range(0, 100_000)])


def _access_labels() -> list[tuple[str, str]]:
    return [("", _("None")), (str(int(Access.SEE)), _("See")),
            (str(int(Access.REPLY)), _("See and reply")),
            (str(int(Access.CREATE)), _("See, reply and create topics")),
            (str(int(Access.MODERATE)), _("All of these, and moderate"))]  # fmt: skip


def _category_form(category: Category | None, *, bound: bool) -> CategoryForm:
    if bound:
        form = CategoryForm()
    elif category is None:
        form = CategoryForm(formdata=None)
    else:
        form = CategoryForm(formdata=None, obj=category, parent=category.parent_id or 0)
    parents = [(0, _("None: a top-level category"))]
    parents += [(c.id, c.name) for c in all_categories()
                if c.parent_id is None and (category is None or c.id != category.id)]  # fmt: skip
    form.parent.choices = choices(parents)
    return form


def _typed_permissions(groups) -> tuple[dict[int, int], dict[int, str], bool]:
    """({group_id: Access}, {group_id: what was typed}, all valid) from ``perm-<id>`` fields."""
    wanted, typed, valid = {}, {}, True
    allowed = {value for value, _label in _access_labels()}
    for group in groups:
        value = request.form.get(f"perm-{group.id}", "")
        typed[group.id] = value
        if value not in allowed:
            valid = False
        elif value:
            wanted[group.id] = int(value)
    return wanted, typed, valid


def _category_page(form, category, typed, error=None, status=200):
    return render_template(
        "discuss/admin/category.html", form=form, category=category,
        groups=categories.groups_for_permissions(), typed=typed,
        access_labels=_access_labels(), error=error,
    ), status  # fmt: skip


def _save(category: Category | None):
    form = _category_form(category, bound=True)
    groups = categories.groups_for_permissions()
    wanted, typed, valid = _typed_permissions(groups)
    if not valid or not form.validate_on_submit():
        error = None if valid else DiscussError(_("Unknown permission."), "permissions")
        return _category_page(form, category, typed, error, 422)
    parent = db.session.get(Category, form.parent.data) if form.parent.data else None
    fields = dict(
        name=form.name.data, description=form.description.data or "",
        color=form.color_text.data or form.color.data or "", parent=parent,
        accepts_answers=form.accepts_answers.data, slug=form.slug.data or None,
        position=form.position.data,
    )  # fmt: skip
    try:
        if category is None:
            category = categories.create_category(permissions=wanted, **fields)
            action = "create"
        else:
            categories.update_category(category, **fields)
            categories.set_permissions(category, wanted)
            action = "update"
    except DiscussError as error:
        db.session.rollback()
        if category is not None:
            category = db.session.get(Category, category.id)
        return _category_page(form, category, typed, error, 422)
    audit.record(f"discuss.category.{action}", actor=current_user, target=category,
                 target_type="category", target_label=category.name,
                 permissions={str(gid): level for gid, level in wanted.items()})  # fmt: skip
    db.session.commit()
    flash(_("The category “%(name)s” is saved.", name=category.name), "success")
    return redirect(url_for("discuss.admin_categories"))


@bp.get("/admin/categories")
def admin_categories():
    require(current_user, "category.manage")
    return render_template(
        "discuss/admin/categories.html", rows=categories.admin_overview(),
        access_labels=dict(_access_labels()),
    )  # fmt: skip


@bp.route("/admin/categories/new", methods=["GET", "POST"])
def admin_category_new():
    require(current_user, "category.manage")
    if request.method == "POST":
        return _save(None)
    return _category_page(_category_form(None, bound=False), None, {})


def _category_or_404(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        abort(404)
    return category


@bp.route("/admin/categories/<int:category_id>", methods=["GET", "POST"])
def admin_category_edit(category_id):
    require(current_user, "category.manage")
    category = _category_or_404(category_id)
    if request.method == "POST":
        return _save(category)
    typed = {gid: str(level) for gid, level in categories.permissions_of(category).items()}
    return _category_page(_category_form(category, bound=False), category, typed)


@bp.post("/admin/categories/<int:category_id>/delete")
def admin_category_delete(category_id):
    require(current_user, "category.manage")
    category = _category_or_404(category_id)
    name = category.name
    try:
        audit.record("discuss.category.delete", actor=current_user, target=category,
                     target_type="category", target_label=name)  # fmt: skip
        categories.delete_category(category)
    except DiscussError as error:
        db.session.rollback()
        category = db.session.get(Category, category_id)
        typed = {gid: str(level) for gid, level in categories.permissions_of(category).items()}
        return _category_page(_category_form(category, bound=False), category, typed, error, 400)
    db.session.commit()
    flash(_("The category “%(name)s” is deleted.", name=name), "success")
    return redirect(url_for("discuss.admin_categories"))


# --- settings --------------------------------------------------------------------------------

SECTIONS = {
    "content": _l("Content"),
    "limits": _l("New users' limits and rates"),
    "trust": _l("Trust levels"),
}


def _decimal(setting) -> bool:
    return setting.kind == "decimal"


def _parse(setting, text: str):
    """(value, None) or (None, message)."""
    return setting.parse(text)


def _settings_page(typed: dict, errors: dict, status=200):
    sections = [(label, [s for s in settings.SETTINGS if s.section == key])
                for key, label in SECTIONS.items()]  # fmt: skip
    return render_template(
        "discuss/admin/settings.html", sections=sections, typed=typed, errors=errors,
        decimal=_decimal,
    ), status  # fmt: skip


@bp.route("/admin/settings", methods=["GET", "POST"])
def admin_settings():
    require(current_user, "discuss.settings")
    current = {s.name: settings.value(s.name) for s in settings.SETTINGS}
    if request.method == "GET":
        return _settings_page({name: str(value) for name, value in current.items()}, {})
    typed, errors, new = {}, {}, {}
    for setting in settings.SETTINGS:
        typed[setting.name] = request.form.get(setting.name, str(current[setting.name]))
        value, message = _parse(setting, typed[setting.name])
        if message:
            errors[setting.name] = message
        else:
            new[setting.name] = value
    if errors:
        return _settings_page(typed, errors, 422)
    changes = {name: [current[name], value] for name, value in new.items()
               if value != current[name]}  # fmt: skip
    for name, (_old, value) in changes.items():
        settings.put(name, value)
    if changes:
        audit.record("discuss.settings", actor=current_user, target_type="settings",
                     target_label="discuss", changes=changes)  # fmt: skip
        db.session.commit()
        flash(_("The Discuss settings are saved."), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("discuss.admin_settings"))


def dashboard_outlet():
    """The card on the admin dashboard (``Outlet.ADMIN_DASHBOARD``), for those who manage."""
    if not can(current_user, "category.manage"):
        return None
    return Markup(render_template("discuss/admin/_dashboard_card.html"))
