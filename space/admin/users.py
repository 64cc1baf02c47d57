"""Admin pages for people: the searchable list, and one person's roles, trust and email."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from space.accounts import services as accounts
from space.accounts.forms import EmptyForm
from space.accounts.models import User
from space.admin import bp, services
from space.admin.audit_views import ACTION_LABELS
from space.admin.forms import UserAccessForm, UserFilterForm
from space.db import db
from space.errors import fail
from space.permissions import require

PER_PAGE = 50


def user_or_404(username: str) -> User:
    user = accounts.by_username(username)
    if user is None:
        fail(404, _("There is no one with this username."))
    return user


@bp.get("/users")
def users():
    require(current_user, "admin.access")
    form = UserFilterForm(formdata=request.args)
    if not form.validate():
        return render_template("admin/users.html", form=form, page=None, filters={}), 400
    query = services.users_query(
        q=form.q.data or "",
        role=form.role.data,
        trust=int(form.trust.data) if form.trust.data else None,
        sort=form.sort.data,
    )
    page = db.paginate(query, page=form.page.data or 1, per_page=PER_PAGE, error_out=False)
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/users.html", form=form, page=page, filters=filters)


@bp.route("/users/<username>", methods=["GET", "POST"])
def user(username: str):
    """One person: roles, trust level and lock (audited by the account services)."""
    require(current_user, "admin.access")
    user = user_or_404(username)
    form = UserAccessForm() if request.method == "POST" else _access_form(user)
    if form.validate_on_submit():
        try:
            changed = services.update_access(
                user,
                roles=form.roles,
                level=form.trust_level.data,
                locked=form.trust_locked.data,
                by=current_user,
                reason=form.reason.data or "",
            )
        except accounts.AccountError as error:
            field = getattr(form, error.field or "", None)
            (field.errors if field is not None else form.form_errors).append(error.message)
        else:
            db.session.commit()
            if changed:
                flash(_("%(user)s is updated.", user=user.username), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for("admin.user", username=user.username))
    return _render_user(user, form), 422 if form.errors else 200


def _access_form(user: User) -> UserAccessForm:
    form = UserAccessForm(formdata=None, obj=user)
    for role in services.ROLES:
        form[role].data = role in user.roles
    form.trust_level.data = int(user.trust_level)
    return form


def _render_user(user: User, form: UserAccessForm):
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        entries=services.audit_for_target("user", user.id),
        labels=ACTION_LABELS,
    )


@bp.post("/users/<username>/confirm")
def confirm_user(username: str):
    require(current_user, "admin.access")
    user = user_or_404(username)
    if EmptyForm().validate_on_submit():
        if services.confirm_email(user, by=current_user):
            db.session.commit()
            flash(_("The email address of %(user)s is confirmed.", user=user.username), "success")
        else:
            flash(_("This email address was confirmed already."), "info")
    return redirect(url_for("admin.user", username=user.username))


@bp.post("/users/<username>/reset")
def reset_user_password(username: str):
    require(current_user, "admin.access")
    user = user_or_404(username)
    if EmptyForm().validate_on_submit():
        services.send_password_reset(user, by=current_user)
        db.session.commit()
        flash(_("A password reset link is on its way to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user", username=user.username))
