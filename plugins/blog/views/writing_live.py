"""The editor's JSON endpoints, used by editor.js: live preview, autosave, the edit lock's
heartbeat, and uploading the featured image.

Each needs a signed-in person (401 otherwise) and a CSRF token (the ``X-CSRFToken`` header),
and answers errors as {"error": message} with 400, 403, 404, 409, 413 or 422.
"""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from space import uploads
from space.db import db
from space.extensions import limiter
from space.markup import render
from space.permissions import can

from ..models import Story
from ..services import autosave, locks
from ..services.workflow import WorkflowError
from ..settings import value
from . import bp
from .writing import number

# Room for the JSON envelope around a longest story.
ENVELOPE = 64 * 1024
# Room for the editor's text beside an image (a longest story in UTF-8).
BODY_ROOM = 4 * 1024 * 1024


@bp.url_value_preprocessor
def _allow_images(endpoint, values):
    """The editor's form and the image upload may carry an image as large as uploads allow
    (above the site-wide body limit). Runs before the CSRF check reads the form."""
    if endpoint in {"blog.edit", "blog.upload_image"} and request.method == "POST":
        request.max_content_length = uploads.max_bytes() + uploads.ENVELOPE_BYTES + BODY_ROOM


def _error(status: int, message: str, **extra):
    return jsonify({"error": message, **extra}), status


def _signed_in() -> bool:
    return bool(getattr(current_user, "is_authenticated", False))


def _story(story_id: int, action: str = "blog.story.edit"):
    """(story, None) when ``current_user`` may do ``action`` on it, else (None, error)."""
    if not _signed_in():
        return None, _error(401, _("Sign in to write stories."))
    story = db.session.scalar(select(Story).where(Story.id == story_id))
    if story is None or not can(current_user, "blog.story.read", story):
        return None, _error(404, _("There is no such story."))
    if not can(current_user, action, story):
        return None, _error(403, _("You can no longer edit this story: its status changed or "
                                   "you are no longer one of its writers."))  # fmt: skip
    return story, None


def _too_large() -> bool:
    limit = int(value("body_max_length")) * 4 + ENVELOPE
    return bool(request.content_length and request.content_length > limit)


@bp.post("/preview")
@limiter.limit("120 per minute", error_message=lambda: _("Too many previews. Wait a moment."))
def preview():
    """{"html": cooked} for ``body`` (JSON or a form field), as the story will show it."""
    if not _signed_in():
        return _error(401, _("Sign in to write stories."))
    if _too_large():
        return _error(413, _("The story is too long."))
    if request.is_json:
        sent = request.get_json(silent=True)
        body = sent.get("body") if isinstance(sent, dict) else None
    else:
        body = request.form.get("body")
    if body is None:
        body = ""
    if not isinstance(body, str):
        return _error(400, _("Send the text to preview as “body”."))
    high = int(value("body_max_length"))
    if len(body) > high:
        return _error(413, _("The story is too long (at most %(n)d characters).", n=high))
    return jsonify({"html": str(render(body))})


@bp.post("/stories/<int:story_id>/autosave", endpoint="autosave")
@limiter.limit("60 per minute", error_message=lambda: _("Too many saves. Wait a moment."))
def autosave_view(story_id: int):
    """Keep the person's unsaved text: {"base_revision", "title", "excerpt", "body"} ->
    {"saved_at"}. DELETE-like: {"discard": true} throws it away."""
    story, refused = _story(story_id)
    if refused:
        return refused
    if _too_large():
        return _error(413, _("The story is too long."))
    sent = request.get_json(silent=True)
    if not isinstance(sent, dict):
        return _error(400, _("Send the text as a JSON object."))
    if sent.get("discard") is True:
        autosave.discard(current_user, story)
        db.session.commit()
        return jsonify({"saved_at": None})
    fields = {name: sent.get(name, "") for name in ("title", "excerpt", "body")}
    if any(not isinstance(item, str) for item in fields.values()):
        return _error(400, _("Title, excerpt and text must be text."))
    base = sent.get("base_revision")
    base = number(base) if isinstance(base, int | str) and not isinstance(base, bool) else None
    if base is None:
        return _error(400, _("The version you started from is not valid."))
    try:
        kept = autosave.save(current_user, story, base, **fields)
    except WorkflowError as error:
        db.session.rollback()
        return _error(422, error.message, field=error.field)
    db.session.commit()
    return jsonify({"saved_at": kept.saved_at.isoformat()})


@bp.post("/stories/<int:story_id>/lock")
def lock(story_id: int):
    """The editor's heartbeat: keeps the edit lock ({"expires_at"}), or 409 with who took
    it over ({"error", "holder"})."""
    story, refused = _story(story_id)
    if refused:
        return refused
    try:
        locks.heartbeat(current_user, story)
    except locks.TakenOver as taken:
        name = taken.holder.name if taken.holder else None
        message = (_("%(name)s took over editing this story. Saving is off: copy your text, "
                     "then reload.", name=name) if name else
                   _("Someone else took over editing this story. Saving is off: copy your "
                     "text, then reload."))  # fmt: skip
        return _error(409, message, holder=name)
    db.session.commit()
    return jsonify({"expires_at": locks.expires_at(story).isoformat()})


@bp.post("/stories/<int:story_id>/image")
def upload_image(story_id: int):
    """Upload the featured image (multipart field "image" or "file") for the editor:
    {"url", "width", "height"}; the story changes when the editor's form is saved."""
    story, refused = _story(story_id)
    if refused:
        return refused
    sent = request.files.get("image") or request.files.get("file")
    if sent is None or not sent.filename:
        return _error(400, _("Choose an image to upload."))
    try:
        upload = uploads.save(sent, current_user)
    except uploads.UploadError as error:
        db.session.rollback()
        return _error(error.status, error.message)
    db.session.commit()
    return jsonify({"url": uploads.url(upload), "width": upload.width, "height": upload.height})
