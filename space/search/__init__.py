"""Search: one index for everything, filtered by what the asking person may read."""

from flask import Blueprint, render_template

bp = Blueprint("search", __name__)


@bp.get("/search")
def index():
    return render_template("search/index.html")


def init_app(app) -> None:
    app.register_blueprint(bp)
