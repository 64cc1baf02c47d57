"""Reading what a person typed into the search box: free text plus ``name:value`` filters.

Filters: ``user:name``, ``category:slug``, ``tag:name`` (repeatable, all must match),
``type:name`` (repeatable, any may match; registered types only), ``before:YYYY-MM-DD``
(created before that day, UTC), ``after:YYYY-MM-DD`` (on or after that day, UTC),
``status:solved|unsolved`` and ``in:bookmarks``. A value may be quoted (``tag:"open data"``).
Anything else, quoted phrases included, is free text for the backend.

``in:bookmarks`` is only parsed and passed on as ``in_bookmarks``: the core has no bookmarks;
a plugin that owns them narrows the results through the ``search_restrict`` hook, which
``restrict`` (in sources.py) turns into ``ParsedQuery.keys``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

MAX_LENGTH = 500
STATUSES = frozenset({"solved", "unsolved"})
FILTERS = frozenset({"user", "category", "tag", "type", "before", "after", "status", "in"})

_TOKEN_RE = re.compile(
    r'(?P<key>[A-Za-z]+):(?:"(?P<quoted>[^"]*)"?|(?P<value>[^\s"]*))'
    r'|(?P<phrase>"[^"]*"?)'
    r"|(?P<word>[^\s\"]+)"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class QueryError(ValueError):
    """A query that cannot run; ``message`` is translated, for the person who typed it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ParsedQuery:
    """A query ready for a backend. ``types`` is never empty: the chosen types, else all."""

    text: str
    types: tuple[str, ...]
    user: str = ""
    category: str = ""
    tags: tuple[str, ...] = ()
    before: date | None = None
    after: date | None = None
    status: str = ""
    in_bookmarks: bool = False
    # None: no restriction; else only the documents with these keys ("post:42") may match.
    # Set by ``search.restrict`` from the plugins' ``search_restrict`` answers.
    keys: frozenset[str] | None = None
    # True when the text has its own type: filter ("type:user" alone lists people).
    typed: bool = False

    @property
    def is_empty(self) -> bool:
        """Nothing to look for (a type chosen in the form alone does not count)."""
        return not (
            self.text
            or self.typed
            or self.user
            or self.category
            or self.tags
            or self.before
            or self.after
            or self.status
            or self.in_bookmarks
        )


def parse(raw: str, *, known_types: Iterable[str], type_name: str | None = None) -> ParsedQuery:
    """Split ``raw`` into free text and filters.

    ``known_types`` are the registered type names; ``type_name`` (the form's type choice)
    applies unless the text has its own ``type:``. Raises ``QueryError`` for a query longer
    than ``MAX_LENGTH``, an unknown type, status or ``in:`` value, an empty filter value or a
    date that is not YYYY-MM-DD.
    """
    if len(raw) > MAX_LENGTH:
        raise QueryError(
            _("Your search is too long. Use at most %(max)s characters.", max=MAX_LENGTH)
        )
    known = tuple(known_types)
    words: list[str] = []
    found: dict[str, object] = {"tags": [], "types": []}
    for match in _TOKEN_RE.finditer(raw):
        key = (match.group("key") or "").lower()
        if key in FILTERS:
            value = match.group("quoted") if match.group("quoted") is not None else match["value"]
            _apply(found, key, value.strip(), known)
        elif match.group("key"):
            words.append(match.group(0))  # "ratio:2" is text, not a filter
        else:
            words.append(match.group("phrase") or match.group("word"))
    types = found["types"] or ([_type(type_name, known)] if type_name else list(known))
    return ParsedQuery(
        text=" ".join(w for w in words if w.strip('"').strip()),
        types=tuple(dict.fromkeys(types)),
        user=found.get("user", ""),
        category=found.get("category", ""),
        tags=tuple(dict.fromkeys(found["tags"])),
        before=found.get("before"),
        after=found.get("after"),
        status=found.get("status", ""),
        in_bookmarks=bool(found.get("in_bookmarks")),
        typed=bool(found["types"]),
    )


def _apply(found: dict, key: str, value: str, known: tuple[str, ...]) -> None:
    if not value:
        raise QueryError(
            _(
                "Write a value after %(filter)s, e.g. %(example)s.",
                filter=f"{key}:",
                example=_EXAMPLES[key],
            )
        )
    if key == "tag":
        found["tags"].append(value.lower())
    elif key == "type":
        found["types"].append(_type(value, known))
    elif key in {"before", "after"}:
        found[key] = _date(value)
    elif key == "status":
        if value.lower() not in STATUSES:
            raise QueryError(
                _("Unknown status “%(value)s”. Use status:solved or status:unsolved.", value=value)
            )
        found["status"] = value.lower()
    elif key == "in":
        if value.lower() != "bookmarks":
            raise QueryError(_("Unknown place “%(value)s”. Use in:bookmarks.", value=value))
        found["in_bookmarks"] = True
    else:  # user, category
        found[key] = value.lower()


_EXAMPLES = {
    "user": "user:alice",
    "category": "category:general",
    "tag": "tag:help",
    "type": "type:user",
    "before": "before:2024-12-31",
    "after": "after:2024-01-01",
    "status": "status:solved",
    "in": "in:bookmarks",
}


def _type(value: str, known: tuple[str, ...]) -> str:
    name = value.strip().lower()
    if name not in known:
        raise QueryError(
            _(
                "Unknown type “%(value)s”. Search one of: %(types)s.",
                value=value,
                types=", ".join(known),
            )
        )
    return name


def _date(value: str) -> date:
    try:
        if not _DATE_RE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(
            _("“%(value)s” is not a date. Write dates as YYYY-MM-DD, e.g. 2024-05-31.", value=value)
        ) from None
