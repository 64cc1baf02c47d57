"""The ``?page=`` of list pages, checked in one place."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from space.errors import fail

MAX_PAGE = 100_000


def page_number(maximum: int = MAX_PAGE) -> int:
    """The requested page (1 when absent); a translated 400 when it is not a page number
    from 1 to ``maximum``."""
    value = request.args.get("page", "1")
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= maximum:
        fail(400, _("The page number is not valid."))
    return int(value)
