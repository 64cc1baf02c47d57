"""Admin page for invitations: create one and get its registration link, see the recent
ones with their status, revoke those not used yet."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from space import site
from space.accounts import services as accounts
from space.accounts.forms import EmptyForm
from space.accounts.models import Invite
from space.admin import bp, services
from space.admin.forms import InviteForm
from space.db import db
from space.errors import fail
from space.permissions import require


def _render(form: InviteForm, status: int = 200):
    return render_template(
        "admin/invites.html",
        form=form,
        invites=services.recent_invites(),
        invite_only=site.get("registration") == "invite",
    ), status


@bp.get("/invites")
def invites():
    require(current_user, "admin.access")
    return _render(InviteForm(formdata=None))


@bp.post("/invites")
def create_invite():
    require(current_user, "admin.access")
    form = InviteForm()
    if not form.validate_on_submit():
        return _render(form, 422)
    invite = accounts.create_invite(
        by=current_user, email=form.email.data or "", days=form.days.data
    )
    db.session.commit()
    link = url_for("accounts.register", invite=invite.code, _external=True)
    flash(_("Invitation created. Send this link: %(link)s", link=link), "success")
    return redirect(url_for("admin.invites", _anchor=f"invite-{invite.id}"))


# Ids beyond a 32-bit integer cannot exist; stopping them here spares the database driver.
@bp.post("/invites/<int(max=2147483647):invite_id>/revoke")
def revoke_invite(invite_id: int):
    require(current_user, "admin.access")
    invite = db.session.get(Invite, invite_id)
    if invite is None:
        fail(404, _("There is no such invitation."))
    if EmptyForm().validate_on_submit():
        try:
            services.revoke_invite(invite, by=current_user)
        except accounts.AccountError as error:
            fail(400, error.message)
        db.session.commit()
        flash(_("The invitation is revoked."), "info")
    return redirect(url_for("admin.invites"))
