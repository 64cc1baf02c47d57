"""Topic lists: latest, top, unsolved, categories, a category, a tag."""

from flask import render_template
from flask_login import current_user

from space.permissions import require

from . import bp


@bp.get("/")
def latest():
    require(current_user, "discuss.read")
    return render_template("discuss/latest.html")
