"""The search page: ``/search?q=…&type=…&page=…``.

Costs the same few SQL queries whatever it finds (the signed-in person and their groups, for
the principals); the search itself is the index's, and every hit carries what it shows.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from space import search
from space.paging import page_number
from space.permissions import require

bp = Blueprint("search", __name__)

MAX_PAGE = 1000


def _href(url: str) -> str:
    """Documents store site-relative paths; add the root the site is served from."""
    return request.script_root + url if url.startswith("/") else url


@bp.get("/search")
def index():
    require(current_user, "search.query")
    text = request.args.get("q", "")
    chosen = request.args.get("type", "")
    page = page_number(MAX_PAGE)
    kinds = search.types()
    context = {
        "q": text,
        "chosen_type": chosen,
        "types": kinds,
        # Translated once, not once per hit.
        "labels": {name: str(kind.label) for name, kind in kinds.items()},
        "href": _href,
        "results": None,
    }
    try:
        parsed = search.parse(text, known_types=kinds, type_name=chosen or None)
    except search.QueryError as error:
        return render_template("search/index.html", error=error.message, **context), 400
    if not parsed.is_empty:
        per_page = current_app.config["SPACE_PAGE_SIZE"]
        parsed = search.restrict(parsed, current_user)
        context["results"] = search.backend().search(
            parsed, search.principals(current_user), page=page, per_page=per_page
        )
    pager_args = {"q": text, **({"type": chosen} if chosen else {})}
    return render_template("search/index.html", pager_args=pager_args, **context)
