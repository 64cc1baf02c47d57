"""Search: one index for everything, filtered by what the asking person may read.

Services describe what changed with ``queue_index(doc)`` / ``queue_delete(type, id)`` during
their transaction; the operations wait in the session and reach the index only after the
transaction commits (a rollback discards them). ``backend()`` is the index of the current
app: ``SPACE_SEARCH_BACKEND`` "postgres" (postgres.py, the default on PostgreSQL, written
inside the same transaction) or "whoosh" (whoosh.py, the default elsewhere, written after the
commit); ``principals(user)`` are what an acl is matched against.

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
    "rebuild",
    "restrict",
    "types",
    "user_document",
]

log = logging.getLogger(__name__)

_PENDING = "space.search.pending"
_EXTENSION = "space.search"


BACKENDS = ("auto", "whoosh", "postgres")


def _on_postgresql(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def backend_name(app) -> str:
    """ "postgres" or "whoosh": the setting, or for "auto" the one that suits the database.

    Raises ``ValueError`` for an unknown name or "postgres" on another database."""
    chosen = app.config["SPACE_SEARCH_BACKEND"]
    if chosen not in BACKENDS:
        raise ValueError(f"SPACE_SEARCH_BACKEND must be one of {', '.join(BACKENDS)}")
    on_postgres = _on_postgresql(app)
    if chosen == "postgres" and not on_postgres:
        raise ValueError("SPACE_SEARCH_BACKEND=postgres needs a PostgreSQL database")
    if chosen == "auto":
        return "postgres" if on_postgres else "whoosh"
    return chosen


def backend() -> Backend:
    """The current app's search index, made on first use (Whoosh loads only when a process
    searches or indexes with it)."""
    index = current_app.extensions.get(_EXTENSION)
    if index is None:
        if backend_name(current_app) == "postgres":
            from space.search.postgres import for_app

            index = for_app(current_app)
        else:
            from space.search.whoosh import WhooshBackend

            index = WhooshBackend(current_app.config["SPACE_SEARCH_PATH"])
        current_app.extensions[_EXTENSION] = index
    return index


def rebuild(batch_size: int = 500, show=lambda batches: batches) -> int:
    """Rebuild the whole index from every source (``Backend.rebuild``); ``show`` wraps the
    batches on their way (e.g. a progress bar). Returns how many documents were indexed."""
    from space.search import sources

    total = 0

    def counted(batches):
        nonlocal total
        for batch in batches:
            total += len(batch)
            yield batch

    backend().rebuild(counted(show(sources.batches(batch_size))))
    return total


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


def _split(pending: dict[str, Document | None]) -> tuple[list[Document], list[str]]:
    index = [doc for doc in pending.values() if doc is not None]
    delete = [key for key, doc in pending.items() if doc is None]
    return index, delete


def _before_commit(session) -> None:
    # A transactional backend (PostgreSQL) writes with the data, in the same transaction.
    # Releasing a savepoint (begin_nested) fires commit events too: wait for the real one.
    if session.in_nested_transaction() or not session.info.get(_PENDING):
        return
    if not has_app_context():
        return
    index = backend()
    if index.transactional:
        index.write(session.connection(), *_split(session.info.pop(_PENDING)))


def _after_commit(session) -> None:
    if session.in_nested_transaction():  # a savepoint released; the transaction goes on
        return
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    try:
        backend().apply(*_split(pending))
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
    backend_name(app)  # a wrong setting fails at start, not at the first search
    if _on_postgresql(app):
        from space.search.entry import on_postgresql

        on_postgresql()
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "before_commit", _before_commit)
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_transaction_end", _after_transaction_end)
