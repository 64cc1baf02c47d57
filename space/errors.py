"""Error pages: translated HTML for people, JSON under /api."""

from __future__ import annotations

import logging

from flask import jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from space.db import db

log = logging.getLogger(__name__)


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Check what you sent.")),
        401: (_("Sign in required"), _("Sign in to see this page.")),
        403: (_("Not allowed"), _("You do not have permission to do this.")),
        404: (_("Page not found"), _("There is nothing here. The link may be broken or the "
                                     "page may have been removed.")),
        405: (_("Method not allowed"), _("This address does not accept this kind of request.")),
        413: (_("Too large"), _("What you sent is larger than this site accepts.")),
        415: (_("Unsupported format"), _("This address does not accept data in this format.")),
        422: (_("Invalid input"), _("Some of what you sent is not valid.")),
        429: (_("Slow down"), _("Too many requests in a short time. Wait a moment and try "
                               "again.")),
        500: (_("Something went wrong"), _("An error on our side stopped this page. It has "
                                           "been logged; try again in a moment.")),
    }  # fmt: skip


def wants_json() -> bool:
    """The API, and pages' JSON endpoints asked for JSON (``Accept: application/json``)."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _render(code: int, description: str | None = None, errors=None):
    title, text = _titles().get(code, (_("Error"), ""))
    if wants_json():
        body = {"code": code, "status": title, "message": description or text}
        if errors:
            body["errors"] = errors
        return jsonify(body), code
    return render_template(
        "errors/error.html", code=code, title=title, text=description or text
    ), code


def handle_http(error: HTTPException):
    code = error.code or 500
    if code == 401 and not wants_json():
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    # Our own descriptions (given to abort()) are translated; werkzeug's defaults are not.
    description = getattr(error, "space_message", None)
    data = getattr(error, "data", None)
    errors = None
    if isinstance(data, dict):  # from flask_smorest.abort / webargs: message, field errors
        description = description or data.get("message")
        errors = data.get("errors") or data.get("messages")
    response = make_response(_render(code, description, errors))
    if code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def handle_csrf(error: CSRFError):
    return _render(
        400,
        _("Your form expired or came from elsewhere. Go back, reload the page and submit again."),
    )


def handle_unicode(error: UnicodeError):
    return _render(400, _("The request contains text that is not valid UTF-8."))


def handle_500(error):
    original = getattr(error, "original_exception", error)
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
    db.session.rollback()
    return _render(500)


def init_app(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(UnicodeError, handle_unicode)
    app.register_error_handler(InternalServerError, handle_500)
    app.register_error_handler(HTTPException, handle_http)


def fail(code: int, message: str):
    """abort() with a translated message shown on the error page."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[code]()
    error.space_message = message
    raise error
