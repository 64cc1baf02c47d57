"""The embedded search backend: a Whoosh index in a directory. The only package importing
whoosh (allowed.py: who may find what; fileformat.py: two changes to how Whoosh reads and
writes its files).

Writers take Whoosh's file lock with a timeout, so several app processes (and a running
``flask space reindex``) never write at once; a thread lock does the same inside a process.

A search scores the words (with the rarer filters as clauses of the query) and hands each
match to a collector that keeps only the documents the asker may find, by acl and type: two
bitmaps per segment, kept in memory (a segment never changes once written), where clauses
of the query were checked match by match. Totals and pages only ever count what the asker
may see, up to ``MAX_COUNTED``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, time

from markupsafe import Markup, escape
from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.highlight import ContextFragmenter, Formatter, get_text
from whoosh.lang import porter2
from whoosh.qparser import AndGroup, MultifieldParser
from whoosh.qparser import plugins as parser_plugins
from whoosh.writing import CLEAR

from space.search import documents
from space.search.documents import EVERYTHING, Backend, Document, Hit, Results
from space.search.query import ParsedQuery
from space.search.whoosh import fileformat
from space.search.whoosh.allowed import Allowed, SegmentBitmaps

# Seconds a writer waits for another process to finish before giving up (LockError).
LOCK_TIMEOUT = 10.0
# Longer bodies are cut: the tail of a huge text adds little to search but much to the index.
MAX_BODY = 100_000
SNIPPET_CHARS = 240
# Opening races a commit in another process at most this many times in a row.
OPEN_ATTEMPTS = 5
# The file lock taken while an index is created.
CREATE_LOCK = "SPACE_CREATE"
TITLE_BOOST = 3.0


fileformat.apply()


def schema() -> Schema:
    # Porter2 (Snowball English): whoosh's default Porter stemmer leaves "running" as "runn".
    stem = StemmingAnalyzer(stemfn=porter2.stem)
    return Schema(
        key=ID(unique=True, stored=True),
        type=ID(stored=True),
        doc_id=ID(stored=True),
        title=TEXT(analyzer=stem, stored=True),
        body=TEXT(analyzer=stem, stored=True),
        url=STORED(),
        acl=KEYWORD(),
        author=KEYWORD(stored=True, lowercase=True),
        created_at=DATETIME(stored=True, sortable=True),
        category=ID(stored=True),
        tags=KEYWORD(stored=True, lowercase=True, commas=True),
        status=ID(stored=True),
        lang=ID(stored=True),
    )


class _Marks(Formatter):
    """Escapes the text around matches and wraps matches in ``<b class="match">``."""

    between = " … "

    def _text(self, text: str) -> str:
        return str(escape(text))

    def format_token(self, text, token, replace=False) -> str:
        return f'<b class="match">{escape(get_text(text, token, replace))}</b>'


class WhooshBackend(Backend):
    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()
        self._bitmaps = SegmentBitmaps()

    # --- the index on disk ------------------------------------------------------------------

    def _open(self, *, create: bool):
        """The index, created on first write; None when reading before anything was written.

        Opening reads the newest table of contents a directory listing names; a commit in
        another process may delete it in between, so opening tries again, with the newer one.
        """
        for attempt in range(OPEN_ATTEMPTS):
            try:
                if whoosh_index.exists_in(self.path):
                    return whoosh_index.open_dir(self.path)
                break
            except FileNotFoundError:
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
        if not create:
            return None
        return self._create(if_missing=True)

    def _create(self, *, if_missing: bool):
        """A new, empty index, made under a file lock: ``create_in`` deletes what is there,
        so two processes that both found no index must not both create one."""
        os.makedirs(self.path, exist_ok=True)
        lock = FileStorage(self.path).lock(CREATE_LOCK)
        lock.acquire(blocking=True)
        try:
            if if_missing and whoosh_index.exists_in(self.path):
                return whoosh_index.open_dir(self.path)  # another process made it meanwhile
            return whoosh_index.create_in(self.path, schema())
        finally:
            lock.release()

    def _write(self, index: Iterable[Document] = (), delete: Iterable[str] = ()) -> None:
        with self._lock:
            writer = self._open(create=True).writer(timeout=LOCK_TIMEOUT)
            try:
                for key in delete:
                    writer.delete_by_term("key", key)
                for doc in index:
                    writer.update_document(**_fields(doc))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    def index(self, docs: Iterable[Document]) -> None:
        self._write(index=list(docs))

    def delete(self, keys: Iterable[str]) -> None:
        self._write(delete=list(keys))

    def apply(self, index: list[Document], delete: list[str]) -> None:
        self._write(index=index, delete=delete)

    def clear(self) -> None:
        with self._lock:
            ix = self._open(create=True)
            # Committing with CLEAR under the write lock drops every segment at once.
            ix.writer(timeout=LOCK_TIMEOUT).commit(mergetype=CLEAR)
            if _layout(ix.schema) != _layout(schema()):
                # An index from an older Space: start over with today's fields.
                self._create(if_missing=False)

    def rebuild(self, batches: Iterable[list[Document]]) -> None:
        """Write every document with one writer and swap it in at the end (a commit that
        drops the old segments): searches find the old index until the new one is complete,
        and the index is merged once, not once per batch."""
        with self._lock:
            ix = self._open(create=True)
            if _layout(ix.schema) != _layout(schema()):
                ix = self._create(if_missing=False)
            writer = ix.writer(timeout=LOCK_TIMEOUT, limitmb=128)
            try:
                for batch in batches:
                    for doc in batch:
                        writer.add_document(**_fields(doc))
            except BaseException:
                writer.cancel()
                raise
            writer.commit(mergetype=CLEAR)

    # --- searching --------------------------------------------------------------------------

    def search(self, query: ParsedQuery, principals, page: int, per_page: int) -> Results:
        for attempt in range(OPEN_ATTEMPTS):
            try:
                return self._search(query, principals, page, per_page)
            except FileNotFoundError:
                # A commit in another process removed files this search had yet to open (a
                # table of contents just replaced, a segment just merged): search anew.
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _search(self, query: ParsedQuery, principals, page: int, per_page: int) -> Results:
        ix = self._open(create=False)
        # No index yet, or restricted to no document at all (an empty Or would match all).
        if ix is None or query.keys == frozenset():
            return Results(total=0, hits=[], page=page, per_page=per_page)
        cap = documents.MAX_COUNTED
        with ix.searcher() as searcher:
            self._bitmaps.forget_all_but(searcher)
            acl = None if EVERYTHING in principals else sorted(principals)
            if query.text:
                whole = _query(ix.schema, query)
                best = searcher.collector(limit=page * per_page)
                allowed = Allowed(best, self._bitmaps, acl, query.types)
            else:
                # Filters alone: the types are a clause, so that "type:user" reads only people.
                kinds = q.Or([q.Term("type", name) for name in query.types])
                filters = _query(ix.schema, query)
                whole = kinds if filters is None else q.And([kinds, filters])
                newest = searcher.collector(
                    limit=page * per_page, sortedby="created_at", reverse=True
                )
                allowed = Allowed(newest, self._bitmaps, acl, None)
            searcher.search_with_collector(whole, allowed)
            found = allowed.results()
            total = allowed.count(whole, cap + 1)
            found.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
            found.formatter = _Marks()
            start = (page - 1) * per_page
            hits = [_hit(hit) for hit in found[start : start + per_page]] if start < cap else []
        return Results(
            total=min(total, cap), hits=hits, page=page, per_page=per_page, capped=total > cap
        )


def _layout(current: Schema) -> list[tuple[str, str]]:
    return [(name, type(field).__name__) for name, field in current.items()]


def _naive_utc(value: datetime) -> datetime:
    # Whoosh drops the zone without converting; give it UTC wall time.
    return value.astimezone(UTC).replace(tzinfo=None)


def _fields(doc: Document) -> dict:
    fields = {
        "key": doc.key,
        "type": doc.type,
        "doc_id": str(doc.id),
        "title": doc.title or "",
        "body": (doc.body or "")[:MAX_BODY],
        "url": doc.url,
        "acl": " ".join(doc.acl),
        "author": doc.author or "",
        "created_at": _naive_utc(doc.created_at),
    }
    if doc.category:
        fields["category"] = doc.category.lower()
    if doc.tags:
        fields["tags"] = ",".join(tag.replace(",", " ") for tag in doc.tags)
    if doc.status:
        fields["status"] = doc.status
    if doc.lang:
        fields["lang"] = doc.lang
    return fields


def _text_query(current: Schema, text: str):
    """Words, phrases, AND/OR/NOT and parentheses; no field syntax, wildcards or ranges."""
    parser = MultifieldParser(
        ["title", "body"], current, fieldboosts={"title": TITLE_BOOST}, group=AndGroup
    )
    # Our own parser took the filters out; the rest must never reach other fields (acl!).
    for plugin in (
        parser_plugins.FieldsPlugin,
        parser_plugins.WildcardPlugin,
        parser_plugins.RangePlugin,
        parser_plugins.BoostPlugin,
    ):
        parser.remove_plugin_class(plugin)
    return parser.parse(text)


def _query(current: Schema, query: ParsedQuery):
    """The words, with the filters other than type and acl (``Allowed`` checks those) as
    clauses that decide membership only; None for no words and no filters."""
    filters = []
    if query.user:
        filters.append(q.Term("author", query.user.lower()))
    if query.category:
        filters.append(q.Term("category", query.category.lower()))
    filters.extend(q.Term("tags", tag.lower()) for tag in query.tags)
    if query.status:
        filters.append(q.Term("status", query.status))
    if query.keys is not None:  # never empty here: search() answers that at once
        filters.append(q.Or([q.Term("key", key) for key in sorted(query.keys)]))
    if query.after or query.before:
        start = datetime.combine(query.after, time()) if query.after else None
        end = datetime.combine(query.before, time()) if query.before else None
        filters.append(q.DateRange("created_at", start, end, endexcl=True))
    if not query.text:
        return q.And(filters) if filters else None
    words = _text_query(current, query.text)
    # Filters decide membership only; relevance comes from the words alone.
    return q.And([words, q.ConstantScoreQuery(q.And(filters), 0.0)]) if filters else words


def _hit(hit) -> Hit:
    fields = hit.fields()
    snippet = hit.highlights("body", top=2)
    if not snippet:
        body = fields.get("body", "")
        cut = body[:SNIPPET_CHARS].rsplit(" ", 1)[0] if len(body) > SNIPPET_CHARS else body
        snippet = escape(cut + ("…" if len(body) > SNIPPET_CHARS else ""))
    created = fields.get("created_at")
    return Hit(
        key=fields["key"],
        type=fields["type"],
        id=fields.get("doc_id", ""),
        title=fields.get("title", ""),
        url=fields.get("url", ""),
        snippet=Markup(snippet),
        created_at=created.replace(tzinfo=UTC) if created else None,
        author=fields.get("author", ""),
        category=fields.get("category", ""),
        tags=tuple(t.strip() for t in fields.get("tags", "").split(",") if t.strip()),
        status=fields.get("status", ""),
    )
