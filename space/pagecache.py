"""Pages kept for anonymous readers: rendered once, served from memory until the site's
content changes or they are a minute old.

Every anonymous reader of a page sees the same page but for two things, which are put back
on each hit: the CSRF token of the visitor's session (the language switch is a form) and
what a view fills in per request (``fill``, e.g. a topic's view count, which changes with
every view). A page is served only in the content generation it was rendered in, and what
an anonymous reader may see follows content alone (permissions, categories, deleted
topics): a kept page never outlives their right to see it, so a view may answer it
(``kept``) before loading anything.

**When content changes.** The key of a kept page includes the *content generation*, a token
stored with the site settings (read by the query every request makes) that every commit changing
content replaces, in the same transaction: all processes that share the database see the
change at once, and no process serves a page rendered before it. A commit changes content
when it writes a row of a table that is not *quiet*. Quiet tables and columns hold what no
anonymous page shows (reading positions, notifications, "last seen", view counts); areas
declare theirs with ``quiet()``. What a page shows that follows the clock (relative dates,
"closes in an hour") is at most ``SPACE_PAGE_CACHE_SECONDS`` old.

Pages are kept per process, at most ``SPACE_PAGE_CACHE_SIZE`` of them (least recently used
go first); ``SPACE_PAGE_CACHE_SECONDS = 0`` turns the cache off.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy import event, inspect

from space.db import db

_CHANGED = "space_content_changed"  # Session.info flag: this transaction changed content

# A marker that cannot occur in a page: random per process.
_MARK = f"space-fill-{secrets.token_hex(8)}-"
_CSRF = f"{_MARK}csrf"

_quiet_tables: set[str] = set()
_quiet_columns: dict[str, set[str]] = {}


def quiet(*names: str) -> None:
    """Declare tables ("notification") or columns ("user.last_seen_at") whose writes no
    anonymous page shows: writing only those does not change the content generation."""
    for name in names:
        table, _, column = name.partition(".")
        if column:
            _quiet_columns.setdefault(table, set()).add(column)
        else:
            _quiet_tables.add(table)


def _quiet(table: str, columns: set[str] | None = None) -> bool:
    """Whether a write to ``columns`` of ``table`` (None: whole rows) is quiet."""
    if table in _quiet_tables:
        return True
    return bool(columns) and columns <= _quiet_columns.get(table, set())


# --- noticing changes ------------------------------------------------------------------------


def _after_flush(session, _context) -> None:
    if session.info.get(_CHANGED):
        return
    for obj in (*session.new, *session.deleted):
        if not _quiet(inspect(obj).mapper.persist_selectable.name):
            session.info[_CHANGED] = True
            return
    for obj in session.dirty:
        state = inspect(obj)
        changed = {a.key for a in state.attrs if a.history.has_changes()}
        if changed and not _quiet(state.mapper.persist_selectable.name, changed):
            session.info[_CHANGED] = True
            return


def _on_execute(state) -> None:
    """Bulk INSERT, UPDATE and DELETE statements run through the session."""
    if state.session.info.get(_CHANGED) or not (
        state.is_insert or state.is_update or state.is_delete
    ):
        return
    statement = state.statement
    table = getattr(statement, "table", None)
    name = getattr(table, "name", None)
    columns = None
    if state.is_update:
        values = getattr(statement, "_values", None) or {}
        columns = {getattr(key, "key", key) for key in values}
    if name is None or not _quiet(name, columns):
        state.session.info[_CHANGED] = True


def _before_commit(session) -> None:
    # Only the outermost commit writes the generation, so that its row is the last lock a
    # transaction takes: written when a savepoint is released, it would be held while the
    # transaction goes on to lock other rows, and two writers could wait for each other.
    if session.in_nested_transaction():
        return
    session.flush()  # the last flush notices its own changes
    if session.info.get(_CHANGED):
        _bump(session)
        session.info.pop(_CHANGED, None)


def _forget(session) -> None:
    # A savepoint rolled back leaves the transaction's earlier changes to commit.
    if not session.in_nested_transaction():
        session.info.pop(_CHANGED, None)


def _bump(session) -> None:
    """A new content generation, written in the committing transaction (an upsert: the
    row is made by the first change)."""
    from space.site import GENERATION, SiteSetting

    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    token = secrets.token_hex(8)
    statement = insert(SiteSetting).values(key=GENERATION, value=token)
    statement = statement.on_conflict_do_update(
        index_elements=[SiteSetting.key], set_={"value": statement.excluded.value}
    )
    session.execute(statement)


_listening = False


def listen() -> None:
    """Watch the app's session for content changes (once per process)."""
    global _listening
    if _listening:
        return
    event.listen(db.session, "after_flush", _after_flush)
    event.listen(db.session, "do_orm_execute", _on_execute)
    event.listen(db.session, "before_commit", _before_commit)
    event.listen(db.session, "after_rollback", _forget)
    _listening = True


# --- kept pages --------------------------------------------------------------------------------


class PageCache:
    """At most ``size`` pages, each for ``seconds``; safe across threads."""

    def __init__(self, size: int, seconds: float) -> None:
        self.size, self.seconds = size, seconds
        self._pages: OrderedDict[Hashable, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, html: str) -> None:
        with self._lock:
            self._pages[key] = (time.monotonic() + self.seconds, html)
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def init_app(app) -> None:
    listen()
    quiet("user.last_seen_at", "api_token.last_used_at", "notification", "mail_message",
          "job_run")  # fmt: skip
    app.extensions["space.page_cache"] = PageCache(
        app.config["SPACE_PAGE_CACHE_SIZE"], app.config["SPACE_PAGE_CACHE_SECONDS"]
    )


def generation() -> str:
    """The current content generation (read with the site settings, once per request)."""
    from space import site

    return site.generation()


def memo(name: str, build: Callable[[], Any]) -> Any:
    """``build()``, kept by this process until the content generation changes: for what
    every request needs and only content changes, derived into plain values (never ORM
    objects, which belong to one request's session). Outside a request: ``build()``."""
    if not has_request_context():
        return build()
    kept = current_app.extensions.setdefault("space.memo", {})
    current = generation()
    found = kept.get(name)
    if found is not None and found[0] == current:
        return found[1]
    value = build()
    kept[name] = (current, value)
    return value


def fill(name: str) -> Markup:
    """The marker a page rendered for the cache holds where ``name`` is filled in."""
    return Markup(f"{_MARK}{name}")


class Kept:
    """A page kept for anonymous readers (CSRF token and fills as markers), and the counts
    its view keeps with it (e.g. the views at rendering, plus those served since)."""

    _lock = threading.Lock()

    def __init__(self, html: str, counts: dict[str, int]) -> None:
        self.html, self.counts = html, dict(counts)

    def add(self, name: str, number: int = 1) -> int:
        """Add ``number`` to the count ``name``; its new value."""
        with self._lock:
            self.counts[name] += number
            return self.counts[name]

    def page(self, **fills: str) -> str:
        """The page for this request: its visitor's CSRF token, and ``fills`` (plain text,
        escaped here) in place of their markers."""
        page = self.html.replace(_CSRF, generate_csrf()) if _CSRF in self.html else self.html
        for name, value in fills.items():
            page = page.replace(f"{_MARK}{name}", str(escape(value)))
        return page


def _cache() -> PageCache:
    return current_app.extensions["space.page_cache"]


def _key(key: Hashable, args: tuple[str, ...]) -> tuple | None:
    """Where this request's page is kept, or None when it is not to be kept: pages of
    signed-in readers, of a session holding flashed messages (they are shown once), of a
    query string with other parameters than ``args`` (the page shows its address: other
    parameters would make as many copies), and with the cache off."""
    cache = _cache()
    usable = (
        cache.seconds > 0
        and cache.size > 0
        and not current_user.is_authenticated
        and "_flashes" not in session
        and request.args.keys() <= set(args)
    )
    if not usable:
        return None
    return (key, request.full_path, str(get_locale()), generation())


def kept(key: Hashable, *, args: tuple[str, ...] = ("page",)) -> Kept | None:
    """The page kept for this request, if there is one: to be served without loading what
    it shows, or checking again who may see it. Both hold: the page was rendered in the
    current content generation, for an anonymous reader who was allowed to see it, and what
    an anonymous reader may see changes only with content (a permission, a category, a
    deleted topic), which replaces the generation."""
    full_key = _key(key, args)
    return None if full_key is None else _cache().get(full_key)


def anonymous_page(
    key: Hashable,
    render: Callable[[Callable[[str], Markup] | None], str],
    *,
    args: tuple[str, ...] = ("page",),
    counts: dict[str, int] | None = None,
    **fills: str,
) -> str:
    """The page for an anonymous reader: kept, or rendered by ``render(fill)`` and kept
    with ``counts`` (see ``Kept``).

    ``render`` gets ``fill`` (or None when the page is not kept, see ``_key``) and renders
    the page with ``fill(name)`` in place of each of ``fills``, whose values (plain text,
    escaped here) are put in on every request. The caller has already loaded what the page
    shows and checked that anonymous readers may see it."""
    full_key = _key(key, args)
    if full_key is None:
        return render(None)
    cache = _cache()
    found = cache.get(full_key)
    if found is None:
        html = render(fill)
        token = generate_csrf()
        found = Kept(html.replace(token, _CSRF) if token else html, counts or {})
        cache.put(full_key, found)
    return found.page(**fills)
