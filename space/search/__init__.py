"""Search: one index for everything, filtered by what the asking person may read.

Services describe what changed with ``queue_index(doc)`` / ``queue_delete(type, id)`` during
their transaction; the operations wait in the session and reach the index only after the
transaction commits (a rollback discards them). ``backend()`` is the index of the current
app (Whoosh, see whoosh.py); ``principals(user)`` are what an acl is matched against.

See docs/search.md for documents, acls, filters and how a plugin contributes.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event

from space.db import db
from space.search.documents import (
    EDITORS,
    EVERYTHING,
    PUBLIC,
    STAFF,
    Backend,
    Document,
    Hit,
    Results,
    SearchType,
)
from space.search.query import ParsedQuery, QueryError, parse
from space.search.sources import (
    all_documents,
    group_document,
    path_for,
    principals,
    restrict,
    types,
    user_document,
)

__all__ = [
    "EDITORS",
    "EVERYTHING",
    "PUBLIC",
    "STAFF",
    "Backend",
    "Document",
    "Hit",
    "ParsedQuery",
    "QueryError",
    "Results",
    "SearchType",
    "all_documents",
    "backend",
    "group_document",
    "init_app",
    "parse",
    "path_for",
    "principals",
    "queue_delete",
    "queue_index",
    "restrict",
    "types",
    "user_document",
]

log = logging.getLogger(__name__)

_PENDING = "space.search.pending"
_EXTENSION = "space.search"


def backend() -> Backend:
    """The current app's search index, opened on first use (Whoosh loads only when a
    process searches or indexes)."""
    index = current_app.extensions.get(_EXTENSION)
    if index is None:
        from space.search.whoosh import WhooshBackend

        index = current_app.extensions[_EXTENSION] = WhooshBackend(
            current_app.config["SPACE_SEARCH_PATH"]
        )
    return index


def _pending() -> dict[str, Document | None]:
    # Keyed by document key: the last word of a transaction about a document wins.
    return db.session.info.setdefault(_PENDING, {})


def queue_index(doc: Document) -> None:
    """Index (or re-index) ``doc`` once the current transaction commits."""
    pending = _pending()
    pending.pop(doc.key, None)
    pending[doc.key] = doc


def queue_delete(type: str, id: str | int) -> None:
    """Remove the document ``type:id`` once the current transaction commits."""
    key = f"{type}:{id}"
    pending = _pending()
    pending.pop(key, None)
    pending[key] = None


def _after_commit(session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    index = [doc for doc in pending.values() if doc is not None]
    delete = [key for key, doc in pending.items() if doc is None]
    try:
        backend().apply(index, delete)
    except Exception:
        # The data is committed already; a stale index is repaired by `flask space reindex`,
        # a failed page would not be.
        log.exception("search index update failed; run flask space reindex")


def _after_transaction_end(session, transaction) -> None:
    # After a commit the queue is empty already; otherwise the transaction rolled back or
    # was closed, and its operations must never reach the index.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def init_app(app) -> None:
    from space.search.views import bp

    app.register_blueprint(bp)
    # db.session is one scoped session for every app in the process: listen once.
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_transaction_end", _after_transaction_end)
