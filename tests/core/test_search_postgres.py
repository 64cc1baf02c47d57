"""The PostgreSQL search backend: how it is chosen, languages, writing inside the
transaction, the atomic rebuild and the index the query uses. The behaviour both backends
share (privacy, filters, paging, ranking) is tested in test_search.py, which runs on Whoosh
with SQLite and on this backend with PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, text

from space import search
from space.db import db
from space.search import Document
from space.search.tsquery import Op, Words, has_positive_terms, parse_text
from tests.conftest import PG_URL, make_app
from tests.core.test_search import NotesPlugin, find, titles

needs_pg = pytest.mark.skipif(not PG_URL, reason="the PostgreSQL backend needs PostgreSQL")


@pytest.fixture
def notes(app):
    plugin = NotesPlugin()
    app.extensions["space.plugins"].manager.register(plugin, name="notes")
    return plugin


# --- choosing the backend -------------------------------------------------------------------


def test_auto_chooses_the_backend_that_suits_the_database(app):
    expected = "PostgresBackend" if PG_URL else "WhooshBackend"
    assert type(search.backend()).__name__ == expected


def test_whoosh_may_be_chosen_on_any_database(database_url, tmp_path):
    app = make_app(database_url, tmp_path, SPACE_SEARCH_BACKEND="whoosh")
    with app.app_context():
        assert type(search.backend()).__name__ == "WhooshBackend"


@pytest.mark.skipif(bool(PG_URL), reason="SQLite cannot hold the PostgreSQL backend")
def test_the_postgres_backend_on_sqlite_is_refused_at_start(database_url, tmp_path):
    with pytest.raises(ValueError, match="needs a PostgreSQL database"):
        make_app(database_url, tmp_path, SPACE_SEARCH_BACKEND="postgres")


def test_an_unknown_backend_is_refused_at_start(database_url, tmp_path):
    with pytest.raises(ValueError, match="auto, whoosh, postgres"):
        make_app(database_url, tmp_path, SPACE_SEARCH_BACKEND="solr")


# --- reading the search box ------------------------------------------------------------------


def test_words_phrases_and_operators_make_a_tree():
    assert parse_text("jam") == Words("jam")
    assert parse_text('"quince jam" pie') == Op(
        "and", (Words("quince jam", phrase=True), Words("pie"))
    )
    assert parse_text("jam OR pie NOT plum") == Op(
        "or", (Words("jam"), Op("and", (Words("pie"), Op("not", (Words("plum"),)))))
    )
    assert parse_text("(jam OR pie) AND tart") == Op(
        "and", (Op("or", (Words("jam"), Words("pie"))), Words("tart"))
    )


@pytest.mark.parametrize("typed", ["AND", "OR NOT", "()", '""', "((( ", ")"])
def test_operators_alone_leave_nothing_to_search(typed):
    assert parse_text(typed) is None


@pytest.mark.parametrize("typed", ["(jam", "jam)", "jam OR", "NOT", "((jam OR pie)"])
def test_unbalanced_input_is_forgiven(typed):
    tree = parse_text(typed)
    assert tree is None or "jam" in repr(tree)


def test_a_lone_negation_cannot_match_by_itself():
    assert not has_positive_terms(parse_text("NOT jam"))
    assert has_positive_terms(parse_text("pie NOT jam"))


def test_very_deep_nesting_is_cut_short_not_a_crash():
    assert "jam" in repr(parse_text("(" * 5000 + "jam" + ")" * 5000))
    assert parse_text("(" * 5000) is None


# --- PostgreSQL ------------------------------------------------------------------------------


def _doc(id, title, body="", lang="", **fields):
    fields.setdefault("acl", ["public"])
    return Document(
        type="note", id=id, title=title, body=body, url=f"/notes/{id}", lang=lang,
        created_at=datetime(2024, 6, 1, 12, tzinfo=UTC), **fields,
    )  # fmt: skip


@needs_pg
def test_each_document_is_stemmed_in_its_own_language(app, notes):
    search.backend().index(
        [
            _doc(1, "Les chevaux du village", "Ils courent dans les prés.", lang="fr"),
            _doc(2, "Las bibliotecas públicas", "Abiertas los domingos.", lang="es"),
            _doc(3, "المكتبات العامة", "مفتوحة يوم الأحد", lang="ar"),
            _doc(4, "Horses of the village", "They were running in the fields.", lang="en"),
        ]
    )
    assert titles(find("cheval")) == ["Les chevaux du village"]
    assert titles(find("biblioteca")) == ["Las bibliotecas públicas"]
    assert titles(find("مكتبة")) == ["المكتبات العامة"]
    assert titles(find("run")) == ["Horses of the village"]


@needs_pg
def test_a_language_the_site_does_not_offer_uses_the_default_language(app, notes):
    backend = search.backend()
    assert backend.config_for("fr") == "french"
    assert backend.config_for("fr-CA") == "french"
    assert backend.config_for("sv") == "english"  # not among SPACE_LOCALES
    assert backend.config_for("") == "english"
    backend.index([_doc(1, "Running in Stockholm", lang="sv")])
    assert titles(find("run")) == ["Running in Stockholm"]


@needs_pg
def test_boolean_searches(app, notes):
    search.backend().index(
        [_doc(1, "Quince jam"), _doc(2, "Plum jam"), _doc(3, "Quince tart"), _doc(4, "Plum pie")]
    )
    assert sorted(titles(find("jam OR tart"))) == ["Plum jam", "Quince jam", "Quince tart"]
    assert titles(find("jam NOT plum")) == ["Quince jam"]
    assert sorted(titles(find("(jam OR pie) plum"))) == ["Plum jam", "Plum pie"]
    assert find("NOT plum").total == 0
    assert find("the").total == 0  # only a stop word


@needs_pg
def test_queued_changes_are_written_in_the_same_transaction(app, notes):
    search.queue_index(_doc(1, "Marmalade"))
    db.session.flush()
    db.session.execute(text("SELECT 1"))
    # Another connection sees nothing before the commit …
    with db.engine.connect() as other:
        assert other.execute(text("SELECT count(*) FROM search_entry")).scalar() == 0
    db.session.commit()
    with db.engine.connect() as other:
        assert other.execute(text("SELECT count(*) FROM search_entry")).scalar() == 1
    # … and a failed commit takes the index change back with the data.
    search.queue_delete("note", 1)
    db.session.execute(text("SELECT 1"))
    db.session.rollback()
    assert titles(find("marmalade")) == ["Marmalade"]


@needs_pg
def test_a_rebuild_replaces_documents_in_place_and_drops_the_stale_ones(app, notes):
    search.backend().index([_doc(1, "Old marmalade"), _doc(2, "Marmalade, first version")])
    seen_during = []

    def batches():
        yield [_doc(2, "Marmalade, second version")]
        # Meanwhile searches still find everything, and others write without waiting.
        seen_during.append(sorted(titles(find("marmalade"))))
        with db.engine.begin() as other:
            other.execute(text("UPDATE search_entry SET url = '/moved' WHERE key = 'note:2'"))
        yield [_doc(3, "Newer marmalade")]

    search.backend().rebuild(batches())
    assert seen_during == [["Marmalade, second version", "Old marmalade"]]
    assert sorted(titles(find("marmalade"))) == ["Marmalade, second version", "Newer marmalade"]


@needs_pg
def test_a_search_is_one_query_that_can_use_the_gin_index(app, notes):
    search.backend().index([_doc(i, f"Jam {i}", "sweet") for i in range(300)])
    search.backend().index([_doc(300, "Quince jam", "sweet")])
    assert find("jam sweet").total == 301
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        results = find("quince")
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert titles(results) == ["Quince jam"]
    assert len(seen) == 1
    statement, parameters = seen[0]
    db.session.rollback()  # let go of the table: the index is dropped (and restored) below
    with db.engine.connect() as connection:
        # A table this small is read whole, walked newest first along created_at (as a large
        # one is for a common word) or through the acl index (every row is public here):
        # forbid all three, in a transaction rolled back, to see that the words can use theirs.
        connection.exec_driver_sql("ANALYZE search_entry")
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
        connection.exec_driver_sql("DROP INDEX ix_search_entry_acl")
        plan = "\n".join(
            row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        )
        connection.rollback()
    assert "ix_search_entry_tsv" in plan, plan


@needs_pg
def test_snippets_are_escaped_and_marked(app, notes):
    search.backend().index(
        [_doc(1, "Quince", "Write <b>bold</b> & <script>x</script> about quince \x02 here")]
    )
    snippet = str(find("quince").hits[0].snippet)
    assert '<b class="match">quince</b>' in snippet
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;" in snippet
    assert "<script>" not in snippet and "\x02" not in snippet
