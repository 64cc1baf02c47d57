"""The admin area: users, groups, site settings, the audit log."""

from flask import Blueprint, render_template
from flask_login import current_user

from space.permissions import require

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
def index():
    require(current_user, "admin.access")
    return render_template("admin/index.html")


@bp.get("/settings")
def settings():
    require(current_user, "admin.access")
    return render_template("admin/index.html")
