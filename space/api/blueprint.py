"""The API's blueprint class: flask-smorest's, with a JSON body parser whose refusals are
translated and never crash.

webargs alone answers an English "Invalid JSON body." and lets a too deeply nested document
raise ``RecursionError`` (a 500). Here every unreadable body is a 4xx with the usual error
shape: ``{"code", "status", "message", "errors": {"json": {"_schema": [message]}}}``.
"""

from __future__ import annotations

import json

from flask_babel import gettext as _
from flask_smorest import Blueprint as _Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request


def refuse_body(code: int, message: str):
    """Abort with ``message`` about the request body as a whole."""
    abort(code, message=message, errors={"json": {"_schema": [message]}})


class JsonParser(FlaskParser):
    def _raw_load_json(self, req):
        body = req.get_data(cache=True)
        if not is_json_request(req):
            # A form body may have been parsed (and its bytes consumed) already: ask the header.
            if body or req.content_length:
                refuse_body(415, _("Send JSON with the header Content-Type: application/json."))
            return core.missing
        if not body.strip():
            return core.missing
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            refuse_body(400, _("The request body is not valid UTF-8."))
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            # ValueError covers malformed JSON and integers too long to convert.
            refuse_body(400, _("The request body is not valid JSON."))


class Blueprint(_Blueprint):
    """A flask-smorest blueprint reading JSON bodies with ``JsonParser``."""

    ARGUMENTS_PARSER = JsonParser()
