"""The PostgreSQL search backend: documents in the ``search_entry`` table, searched with
PostgreSQL's full text search. Chosen automatically when the database is PostgreSQL.

Each row keeps a ``tsvector`` of its title (weight A) and body (weight D), analysed with the
text-search configuration of the document's language (``french`` for a French story; the
site's default language for documents that say none or a language the site does not
offer), under a GIN index. A query is analysed once per configuration in use and each row is
matched with the query of its own configuration, so stemming and stop words follow the
language on both sides. Acls, types and filters are clauses of the same statement, which
also counts the total: one SQL query per search. Only the newest ``MAX_COUNTED`` + 1 matches
are ranked and counted (see ``_candidates``): past that the page says "more than 1,000".

Writes queued by services (``search.queue_index``) are written inside the transaction that
made them (the ``before_commit`` of the session), so the index and the data commit or roll
back together; there is no lock to take and nothing to repair after a crash. Direct calls
(``index``, ``delete``, ``rebuild``) run in a transaction of their own.

The table is ``SearchEntry`` (entry.py); this module, and with it SQLAlchemy's PostgreSQL
dialect, loads only on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from datetime import UTC, datetime, time
from functools import reduce

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import (
    Text,
    bindparam,
    cast,
    delete,
    func,
    literal,
    literal_column,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY, REGCONFIG, TSQUERY, array, insert

from space.db import db
from space.search import documents
from space.search.documents import EVERYTHING, Backend, Document, Hit, Results
from space.search.entry import SearchEntry
from space.search.query import ParsedQuery
from space.search.tsquery import compile_tsquery, has_positive_terms, parse_text

# Longer bodies are cut: PostgreSQL refuses tsvectors over 1 MB, and the tail adds little.
MAX_BODY = 100_000
SNIPPET_WORDS = 35
# Languages of the site (SPACE_LOCALES) mapped to PostgreSQL's built-in configurations.
CONFIGS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian",
    "it": "italian", "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch",
    "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
FALLBACK_CONFIG = "simple"
# ts_headline marks matches with these; they are replaced after the text is escaped.
_START, _STOP = "\x02", "\x03"

_NO_MARKS = str.maketrans("", "", _START + _STOP)


def _tsv(title, body, config):
    regconfig = cast(config, REGCONFIG)
    return func.setweight(func.to_tsvector(regconfig, title), literal_column("'A'")).op("||")(
        func.setweight(func.to_tsvector(regconfig, body), literal_column("'D'"))
    )


class PostgresBackend(Backend):
    """Search in the database itself. ``locales`` are the site's languages, ``default`` its
    default language: they decide the configurations documents are analysed with."""

    transactional = True

    def __init__(self, locales: Iterable[str], default: str):
        self.default_config = CONFIGS.get(default, FALLBACK_CONFIG)
        self.configs = {code: CONFIGS.get(code, self.default_config) for code in locales}
        # Every configuration a row may have: a query is analysed once with each.
        self.in_use = sorted({self.default_config, *self.configs.values()})

    def config_for(self, lang: str) -> str:
        return self.configs.get((lang or "").split("-")[0].lower(), self.default_config)

    # --- writing ----------------------------------------------------------------------------

    def _row(self, doc: Document) -> dict:
        return {
            "key": doc.key,
            "type": doc.type,
            "doc_id": str(doc.id),
            "title": doc.title or "",
            "body": (doc.body or "")[:MAX_BODY].translate(_NO_MARKS),
            "url": doc.url,
            "acl": list(doc.acl),
            "author": doc.author or "",
            "category": (doc.category or "").lower(),
            "tags": list(doc.tags),
            "status": doc.status or "",
            "lang": doc.lang or "",
            "config": self.config_for(doc.lang),
            "created_at": doc.created_at,
        }

    def _upsert(self):
        columns = SearchEntry.__table__.c
        values = {
            name: bindparam(name, type_=column.type)
            for name, column in columns.items()
            if name != "tsv"
        }
        values["tsv"] = _tsv(values["title"], values["body"], values["config"])
        statement = insert(SearchEntry).values(values)
        return statement.on_conflict_do_update(
            index_elements=["key"],
            set_={name: statement.excluded[name] for name in values if name != "key"},
        )

    def write(self, connection, index: list[Document], delete_keys: list[str]) -> None:
        """Apply deletions then additions on ``connection`` (inside its transaction)."""
        if delete_keys:
            connection.execute(delete(SearchEntry).where(SearchEntry.key.in_(delete_keys)))
        if index:
            # The last document about a key wins, as in one transaction of the queue; rows go
            # in key order, so concurrent writers lock them in the same order (no deadlock).
            latest = {doc.key: doc for doc in index}
            rows = [self._row(latest[key]) for key in sorted(latest)]
            connection.execute(self._upsert(), rows)

    def index(self, docs: Iterable[Document]) -> None:
        with db.engine.begin() as connection:
            self.write(connection, list(docs), [])

    def delete(self, keys: Iterable[str]) -> None:
        with db.engine.begin() as connection:
            self.write(connection, [], list(keys))

    def apply(self, index: list[Document], delete: list[str]) -> None:
        with db.engine.begin() as connection:
            self.write(connection, index, delete)

    def clear(self) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(SearchEntry))

    def rebuild(self, batches: Iterable[list[Document]]) -> None:
        """Replace documents in place, one short transaction per batch, then remove those no
        source gave: searches find everything while it runs, and people writing meanwhile
        never wait for it (one long transaction would hold their rows until the end)."""
        with db.engine.connect() as connection:
            before = set(connection.scalars(select(SearchEntry.key)))
        given: set[str] = set()
        for batch in batches:
            self.index(batch)
            given.update(doc.key for doc in batch)
        stale = sorted(before - given)
        for start in range(0, len(stale), 1000):
            self.delete(stale[start : start + 1000])

    # --- searching --------------------------------------------------------------------------

    def _queries(self, tree):
        """The words' query analysed with each configuration in use: their union (for the GIN
        index), and a function giving, for a configuration column, the one in that language.
        Built once and shared by every use, as constants once planned."""
        parts = [compile_tsquery(tree, config) for config in self.in_use]
        by_config = type_coerce(array(parts), ARRAY(TSQUERY))
        names = array([literal(config) for config in self.in_use])

        def own(config_column):
            return by_config[func.array_position(names, config_column)]

        return reduce(func.tsquery_or, parts), own

    def search(self, query: ParsedQuery, principals, page: int, per_page: int) -> Results:
        empty = Results(total=0, hits=[], page=page, per_page=per_page)
        if query.keys == frozenset():
            return empty
        entry = SearchEntry.__table__.c
        conditions = _filters(entry, query, principals)
        tree = parse_text(query.text) if query.text else None
        if query.text and (tree is None or not has_positive_terms(tree)):
            return empty
        matched = tree is not None
        any_query, own_query = self._queries(tree) if matched else (None, None)
        if matched:
            # The union of every language's query finds candidates through the GIN index, and
            # tells the planner how common the words are (see _candidates); each candidate
            # must then match the query analysed in its own language. That check is the
            # function behind @@, which the planner does not take for a second, independent
            # condition as rare as a word (it would then expect too few matches).
            conditions.append(entry.tsv.op("@@")(any_query))
            conditions.append(func.ts_match_vq(entry.tsv, own_query(entry.config)))
        cap = documents.MAX_COUNTED
        candidates = _candidates(conditions, cap)
        total = select(func.count()).select_from(candidates).scalar_subquery()
        # Title weight A counts 1.0, body weight D 0.1: titles rank above bodies.
        rank = (
            func.ts_rank(candidates.c.tsv, own_query(candidates.c.config))
            if matched
            else literal_column("0.0")
        )
        page_keys = (
            select(
                candidates.c.key, candidates.c.created_at, rank.label("rank"), total.label("total")
            )
            .order_by(*_order(rank if matched else None, candidates.c))
            .limit(per_page)
            .offset((page - 1) * per_page)
            .subquery()
        )
        # … then the page's rows and their headlines (ts_headline reads the whole body).
        shown = SearchEntry.__table__.alias("shown")
        headline = _headline(shown, own_query(shown.c.config)) if matched else literal_column("''")
        statement = (
            select(
                shown.c.key,
                shown.c.type,
                shown.c.doc_id,
                shown.c.title,
                shown.c.url,
                shown.c.author,
                shown.c.category,
                shown.c.tags,
                shown.c.status,
                shown.c.created_at,
                shown.c.body,
                page_keys.c.total,
                headline.label("snippet"),
            )  # fmt: skip
            .join(page_keys, page_keys.c.key == shown.c.key)
            .order_by(*_order(page_keys.c.rank if matched else None, page_keys.c))
        )
        counted = 0
        with _planned_each_time():
            rows = db.session.execute(statement).all()
            if not rows and page > 1:
                # Past the last page the window count is lost with the rows: count apart.
                counted = db.session.scalar(select(func.count()).select_from(candidates))
        if not rows:
            if page == 1:
                return empty
            return _results(counted, [], page, per_page, cap)
        return _results(rows[0].total, [_hit(row) for row in rows], page, per_page, cap)


def _candidates(conditions: list, cap: int):
    """The newest ``cap`` + 1 documents meeting ``conditions``: the only ones ranked and
    counted (the one past the cap tells that there are more; it may end the last page).

    The planner, knowing how common the words are, walks the ``created_at`` index from the
    newest row for a common word and stops after ``cap`` + 1 matches, or reads the few
    matches of a rare one through the GIN index. Either way about ``cap`` rows are read,
    where ranking every match read each of them (17,000 for "editing" at 100,000 posts).
    """
    entry = SearchEntry.__table__.c
    return (
        select(entry.key, entry.created_at, entry.tsv, entry.config)
        .where(*conditions)
        .order_by(entry.created_at.desc(), entry.key)
        .limit(cap + 1)
        .cte("candidates")
        .prefix_with("MATERIALIZED")
    )


def _results(total: int, hits: list[Hit], page: int, per_page: int, cap: int) -> Results:
    capped = total > cap
    return Results(
        total=cap if capped else total, hits=hits, page=page, per_page=per_page, capped=capped
    )


@contextmanager
def _planned_each_time():
    """Statements run meanwhile are planned with their parameters each time.

    psycopg prepares a statement on the server once it has run five times; PostgreSQL may
    then plan it once for any parameters, without knowing how common the words are, and
    read every match of a common word again (see ``_candidates``).
    """
    driver = db.session.connection().connection.driver_connection
    saved = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = saved


def _order(rank, columns) -> list:
    """Best first when there are words to rank by; newest first always after that."""
    newest = [columns.created_at.desc(), columns.key]
    return newest if rank is None else [rank.desc(), *newest]


_OPTS = (
    f"StartSel={_START}, StopSel={_STOP}, MaxWords={SNIPPET_WORDS}, MinWords=15, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


def _headline(rows, query):
    """Each row's best fragments of its body, analysed with its own configuration. The body
    is HTML-escaped first (PostgreSQL's parser would drop what looks like a tag), so the
    headline is safe HTML once the match marks are replaced."""
    escaped = rows.c.body
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        escaped = func.replace(escaped, char, entity)
    return func.ts_headline(cast(rows.c.config, REGCONFIG), escaped, query, _OPTS)


def _filters(entry, query: ParsedQuery, principals) -> list:
    conditions = [entry.type.in_(query.types)]
    if EVERYTHING not in principals:
        conditions.append(entry.acl.op("&&")(cast(sorted(principals), ARRAY(Text))))
    if query.user:
        conditions.append(func.lower(entry.author) == query.user.lower())
    if query.category:
        conditions.append(entry.category == query.category.lower())
    for tag in query.tags:
        tag_value = func.unnest(entry.tags).table_valued("value").render_derived()
        conditions.append(
            select(true())
            .select_from(tag_value)
            .where(func.lower(tag_value.c.value) == tag.lower())
            .exists()
        )
    if query.status:
        conditions.append(entry.status == query.status)
    if query.keys is not None:
        conditions.append(entry.key.in_(sorted(query.keys)))
    if query.after:
        conditions.append(entry.created_at >= datetime.combine(query.after, time(), UTC))
    if query.before:
        conditions.append(entry.created_at < datetime.combine(query.before, time(), UTC))
    return conditions


def _snippet(headline: str, body: str) -> Markup:
    if headline and _START in headline:
        # Escaped by the database (see _headline); only the marks become tags.
        return Markup(headline.replace(_START, '<b class="match">').replace(_STOP, "</b>"))
    cut = body[:240].rsplit(" ", 1)[0] if len(body) > 240 else body
    return escape(cut + ("…" if len(body) > 240 else ""))


def _hit(row) -> Hit:
    return Hit(
        key=row.key,
        type=row.type,
        id=row.doc_id,
        title=row.title,
        url=row.url,
        snippet=_snippet(row.snippet, row.body),
        created_at=row.created_at,
        author=row.author,
        category=row.category,
        tags=tuple(row.tags or ()),
        status=row.status,
    )


def for_app(app=None) -> PostgresBackend:
    config = (app or current_app).config
    return PostgresBackend(config["SPACE_LOCALES"], config["SPACE_DEFAULT_LOCALE"])
