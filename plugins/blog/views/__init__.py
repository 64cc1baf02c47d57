"""The blog's pages. Each module adds its routes to ``bp``."""

from flask import Blueprint

bp = Blueprint("blog", __name__, template_folder="../templates", static_folder="../static",
               static_url_path="/static")  # fmt: skip


@bp.app_template_global("blog_status_label")
def _status_label(status) -> str:
    from ..services.workflow import status_label

    return status_label(status)


# Importing the modules registers their routes.
from . import admin, editorial, feeds, flags, reading, translations, writing  # noqa: E402, F401
