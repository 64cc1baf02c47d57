"""Pages that manage personal API tokens: list, create (the secret is shown once), revoke.

The settings page includes ``api/tokens_panel.html``; ``/settings/tokens`` shows the same
panel on its own, and is where the create form comes back with its errors.
"""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from space.api import MAX_ID, tokens
from space.api.forms import TokenForm
from space.db import db
from space.errors import fail
from space.permissions import require

bp = Blueprint("tokens", __name__)


@bp.app_template_global()
def new_token_form() -> TokenForm:
    """An empty token form, for pages that include the tokens panel."""
    return TokenForm(formdata=None)


def _live_tokens():
    return db.session.scalars(tokens.live_tokens_query(current_user.id)).all()


@bp.get("/settings/tokens")
@login_required
def index():
    require(current_user, "token.manage", current_user)
    return render_template("api/tokens.html", tokens=_live_tokens(), token_form=TokenForm())


@bp.post("/settings/tokens")
@login_required
def create():
    """Create a token and show its secret on the page that answers, once."""
    require(current_user, "token.manage", current_user)
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = tokens.create(current_user, form.name.data, form.scopes.data)
        except tokens.TokenError as error:
            if error.field == "name":
                form.name.errors.append(error.message)
            else:
                form.form_errors.append(error.message)
        else:
            db.session.commit()
            response = make_response(
                render_template("api/token_created.html", token=token, secret=secret)
            )
            # The secret must not linger in a cache or the browser's history.
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template("api/tokens.html", tokens=_live_tokens(), token_form=form), 422


@bp.post(f"/settings/tokens/<int(max={MAX_ID}):token_id>/revoke")
@login_required
def revoke(token_id: int):
    require(current_user, "token.manage", current_user)
    token = db.session.get(tokens.ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        fail(404, _("There is no such token."))
    if tokens.revoke(token, by=current_user):
        db.session.commit()
        flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("accounts.settings", _anchor="api-tokens"))
