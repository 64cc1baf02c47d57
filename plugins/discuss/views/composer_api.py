"""The composer's JSON endpoints, used by composer.js: live preview and drafts.

Both need a signed-in person (401 otherwise) and a CSRF token (the ``X-CSRFToken`` header).
"""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from space.db import db
from space.extensions import limiter

from ..services import drafts, posting
from ..settings import value
from . import bp


def _error(status: int, message: str, **extra):
    return jsonify({"error": message, **extra}), status


def _signed_in() -> bool:
    return bool(getattr(current_user, "is_authenticated", False))


@bp.post("/preview")
@limiter.limit("120 per minute", error_message=lambda: _("Too many previews. Wait a moment."))
def preview():
    """{"html": cooked} for ``raw`` (a form field or JSON), as the post would show."""
    if not _signed_in():
        return _error(401, _("Sign in to write posts."))
    if request.is_json:
        body = request.get_json(silent=True)
        raw = body.get("raw") if isinstance(body, dict) else None
    else:
        raw = request.form.get("raw")
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        return _error(400, _("Send the text to preview as “raw”."))
    high = int(value("post_max_length"))
    if len(raw) > high:
        return _error(413, _("The post must be at most %(n)d characters long.", n=high))
    return jsonify({"html": posting.cook(raw, current_user)})


@bp.route("/drafts/<key>", methods=["GET", "PUT", "DELETE"])
def draft(key: str):
    """GET: the person's draft under ``key`` ({"draft": {...} or null, "sequence"}).
    PUT {"data": {...}, "sequence": n}: save it (409 with the current sequence when another
    window saved meanwhile). DELETE: throw it away."""
    if not _signed_in():
        return _error(401, _("Sign in to keep drafts."))
    if not drafts.valid_key(key):
        return _error(400, _("Unknown draft."))
    if request.method == "GET":
        return jsonify(drafts.as_json(drafts.get(current_user, key)))
    if request.method == "DELETE":
        drafts.discard(current_user, key)
        db.session.commit()
        return jsonify({"draft": None, "sequence": 0})
    if request.content_length and request.content_length > drafts.max_bytes() + 1024:
        return _error(413, _("The draft is too large."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, _("Send the draft as a JSON object."))
    try:
        saved = drafts.save(current_user, key, body.get("data"), body.get("sequence", 0))
    except drafts.DraftError as error:
        return _error(error.status, error.message)
    except drafts.DraftConflict as conflict:
        db.session.rollback()
        return _error(409, _("This draft was changed in another window."),
                      sequence=conflict.sequence)  # fmt: skip
    db.session.commit()
    return jsonify(drafts.as_json(saved))
