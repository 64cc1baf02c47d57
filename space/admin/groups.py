"""Admin pages for groups: every group (private and automatic ones too), creating one,
editing one and managing its members. Automatic trust-level groups are shown read-only."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from space.accounts import groups as group_services
from space.accounts import services as accounts
from space.accounts.forms import EmptyForm
from space.accounts.models import Group
from space.admin import bp, services
from space.admin.audit_views import ACTION_LABELS
from space.admin.forms import AddMemberForm, GroupCreateForm, GroupEditForm, OwnerForm
from space.admin.users import user_or_404
from space.db import db
from space.errors import fail
from space.paging import page_number
from space.permissions import require

PER_PAGE = 50


def _group_or_404(name: str) -> Group:
    group = group_services.by_name(name)
    if group is None:
        fail(404, _("There is no such group."))
    return group


def _editable_or_400(group: Group) -> None:
    if group.is_automatic:
        fail(400, _("Automatic groups follow trust levels; they cannot be changed by hand."))


@bp.get("/groups")
def groups():
    require(current_user, "admin.access")
    query = group_services.visible_groups_query(current_user)
    page = db.paginate(query, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("admin/groups.html", page=page)


@bp.route("/groups/new", methods=["GET", "POST"])
def new_group():
    require(current_user, "admin.access")
    require(current_user, "group.create")
    form = GroupCreateForm()
    if form.validate_on_submit():
        owner = None
        if form.owner.data:
            owner = accounts.by_username(form.owner.data)
            if owner is None:
                form.owner.errors.append(_("There is no one with this username."))
        if not form.errors:
            try:
                group = group_services.create_group(
                    name=form.name.data,
                    title=form.title.data,
                    description=form.description.data or "",
                    visibility=form.visibility.data,
                    by=current_user,
                    owner=owner,
                )
            except accounts.AccountError as error:
                _attach(form, error)
            else:
                db.session.commit()
                flash(_("The group %(group)s is created.", group=group.title), "success")
                return redirect(url_for("admin.group", name=group.name))
    return render_template("admin/group_new.html", form=form), 422 if form.errors else 200


def _attach(form, error: accounts.AccountError) -> None:
    field = getattr(form, error.field or "", None)
    (field.errors if field is not None else form.form_errors).append(error.message)


@bp.route("/groups/<name>", methods=["GET", "POST"])
def group(name: str):
    require(current_user, "admin.access")
    group = _group_or_404(name)
    if request.method == "POST":
        _editable_or_400(group)
        form = GroupEditForm()
    else:
        form = GroupEditForm(formdata=None, obj=group)
        form.visibility.data = str(group.visibility)
    if form.validate_on_submit():
        group_services.update_group(
            group,
            by=current_user,
            title=form.title.data,
            description=form.description.data or "",
            visibility=form.visibility.data,
        )
        db.session.commit()
        flash(_("The group %(group)s is saved.", group=group.title), "success")
        return redirect(url_for("admin.group", name=group.name))
    return _render_group(group, form), 422 if form.errors else 200


def _render_group(group: Group, form: GroupEditForm, member_form: AddMemberForm | None = None):
    members = None
    if not group.is_automatic:
        members = db.paginate(
            group_services.members_query(group),
            page=page_number(),
            per_page=PER_PAGE,
            error_out=False,
        )
    return render_template(
        "admin/group.html",
        group=group,
        form=form,
        members=members,
        member_form=member_form or AddMemberForm(formdata=None),
        entries=services.audit_for_target("group", group.id),
        labels=ACTION_LABELS,
    )


@bp.post("/groups/<name>/members")
def add_group_member(name: str):
    require(current_user, "admin.access")
    group = _group_or_404(name)
    _editable_or_400(group)
    form = AddMemberForm()
    if form.validate_on_submit():
        user = accounts.by_username(form.username.data)
        if user is None:
            form.username.errors.append(_("There is no one with this username."))
        else:
            group_services.add_member(group, user, owner=form.owner.data, by=current_user)
            db.session.commit()
            flash(_("%(user)s is now a member.", user=user.username), "success")
            return redirect(url_for("admin.group", name=group.name))
    edit_form = GroupEditForm(formdata=None, obj=group)
    return _render_group(group, edit_form, member_form=form), 422


@bp.post("/groups/<name>/members/<username>/remove")
def remove_group_member(name: str, username: str):
    require(current_user, "admin.access")
    group = _group_or_404(name)
    _editable_or_400(group)
    user = user_or_404(username)
    if EmptyForm().validate_on_submit():
        try:
            removed = group_services.remove_member(group, user, by=current_user)
        except accounts.AccountError as error:
            flash(error.message, "error")
        else:
            if removed:
                db.session.commit()
                flash(_("%(user)s is no longer a member.", user=user.username), "info")
            else:
                flash(_("%(user)s is not a member of this group.", user=user.username), "info")
    return redirect(url_for("admin.group", name=group.name))


@bp.post("/groups/<name>/members/<username>/owner")
def set_group_owner(name: str, username: str):
    require(current_user, "admin.access")
    group = _group_or_404(name)
    _editable_or_400(group)
    user = user_or_404(username)
    form = OwnerForm()
    if not form.validate_on_submit():
        fail(400, _("Choose to make this member an owner or a plain member."))
    try:
        group_services.set_owner(group, user, owner=form.owner.data == "1", by=current_user)
    except accounts.AccountError as error:
        fail(400, error.message)
    db.session.commit()
    flash(_("The members of %(group)s are updated.", group=group.title), "success")
    return redirect(url_for("admin.group", name=group.name))
