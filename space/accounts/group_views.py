"""Group pages: the list, a group, joining, leaving, requests and members."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from space.accounts import bp, groups, services
from space.accounts.forms import EmptyForm, JoinRequestForm, MemberForm
from space.accounts.models import Group, JoinRequest, RequestStatus, User
from space.db import db
from space.errors import fail
from space.paging import page_number
from space.permissions import require


def _group_or_404(name: str) -> Group:
    group = groups.readable(current_user, name)
    if group is None:
        fail(404, _("There is no such group."))
    return group


@bp.get("/groups", endpoint="groups")
def groups_index():
    query = groups.visible_groups_query(current_user)
    page = db.paginate(query, page=page_number(), per_page=50, error_out=False)
    return render_template("accounts/groups.html", page=page)


@bp.get("/g/<name>")
def group(name: str):
    group = _group_or_404(name)
    members = db.session.scalars(groups.members_query(group).limit(60)).all()
    return render_template(
        "accounts/group.html",
        group=group,
        members=members,
        pending=groups.pending_request(current_user, group),
        is_member=groups.is_member(current_user, group),
        join_form=JoinRequestForm(formdata=None),
        button_form=EmptyForm(formdata=None),
    )


@bp.post("/g/<name>/join")
@login_required
def join(name: str):
    group = _group_or_404(name)
    require(current_user, "group.join", group)
    groups.join(group, current_user)
    db.session.commit()
    flash(_("You joined %(group)s.", group=group.title), "success")
    return redirect(url_for("accounts.group", name=group.name))


@bp.post("/g/<name>/leave")
@login_required
def leave(name: str):
    group = _group_or_404(name)
    require(current_user, "group.leave", group)
    groups.remove_member(group, current_user)
    db.session.commit()
    flash(_("You left %(group)s.", group=group.title), "info")
    return redirect(url_for("accounts.group", name=group.name))


@bp.post("/g/<name>/request")
@login_required
def request_to_join(name: str):
    group = _group_or_404(name)
    require(current_user, "group.request", group)
    form = JoinRequestForm()
    if not form.validate_on_submit():
        why = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        flash(_("Your request could not be sent: %(why)s", why=why), "error")
        return redirect(url_for("accounts.group", name=group.name))
    try:
        groups.request_to_join(group, current_user, form.message.data or "")
    except services.AccountError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Your request is sent. The group's owners will decide."), "success")
    return redirect(url_for("accounts.group", name=group.name))


@bp.get("/g/<name>/requests")
@login_required
def group_requests(name: str):
    group = _group_or_404(name)
    require(current_user, "group.manage", group)
    pending = db.session.execute(
        select(JoinRequest, User)
        .join(User, User.id == JoinRequest.user_id)
        .where(JoinRequest.group_id == group.id, JoinRequest.status == RequestStatus.PENDING)
        .order_by(JoinRequest.created_at)
        .limit(200)
    ).all()
    return render_template(
        "accounts/group_requests.html",
        group=group,
        pending=pending,
        button_form=EmptyForm(formdata=None),
        member_form=MemberForm(formdata=None),
    )


@bp.post("/g/<name>/requests/<int(max=2147483647):request_id>")
@login_required
def decide_request(name: str, request_id: int):
    group = _group_or_404(name)
    require(current_user, "group.manage", group)
    join_request = db.session.get(JoinRequest, request_id)
    if join_request is None or join_request.group_id != group.id:
        fail(404, _("There is no such request."))
    decision = request.form.get("decision")
    if decision not in {"approve", "refuse"}:
        fail(400, _("Choose to approve or refuse."))
    # CSRF is checked for every POST by CSRFProtect before the view runs.
    if groups.decide(join_request, approve=decision == "approve", by=current_user):
        db.session.commit()
        flash(_("Done."), "success")
    else:
        flash(_("Someone else decided this request already."), "info")
    return redirect(url_for("accounts.group_requests", name=group.name))


@bp.post("/g/<name>/members")
@login_required
def add_member(name: str):
    group = _group_or_404(name)
    require(current_user, "group.manage", group)
    form = MemberForm()
    if form.validate_on_submit():
        user = services.by_username(form.username.data)
        if user is None:
            flash(_("There is no one with this username."), "error")
        else:
            groups.add_member(group, user, owner=form.owner.data, by=current_user)
            db.session.commit()
            flash(_("%(user)s is now a member.", user=user.username), "success")
    return redirect(url_for("accounts.group_requests", name=group.name))


@bp.post("/g/<name>/members/<username>/remove")
@login_required
def remove_member(name: str, username: str):
    group = _group_or_404(name)
    require(current_user, "group.manage", group)
    user = services.by_username(username)
    if user is None:
        fail(404, _("There is no one with this username."))
    try:
        groups.remove_member(group, user, by=current_user)
    except services.AccountError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(user)s is no longer a member.", user=user.username), "info")
    return redirect(url_for("accounts.group", name=group.name))
