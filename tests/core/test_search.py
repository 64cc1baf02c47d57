"""Search: indexing after commit, privacy through acls, filters, the page and reindexing."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from space import search
from space.accounts import groups, services
from space.db import db
from space.hookspecs import hookimpl
from space.search import Document, SearchType
from space.trust import TrustLevel
from tests import factories


class NotesPlugin:
    """A plugin-like hook object: contributes "note" documents to search."""

    def __init__(self):
        self.docs: list[Document] = []

    @hookimpl
    def search_types(self):
        return [SearchType("note", "Notes")]

    @hookimpl
    def search_documents(self):
        yield from self.docs


@pytest.fixture
def notes(app):
    plugin = NotesPlugin()
    app.extensions["space.plugins"].manager.register(plugin, name="notes")
    return plugin


def note(id, title, body="", **fields) -> Document:
    fields.setdefault("acl", ["public"])
    fields.setdefault("created_at", datetime(2024, 6, 1, 12, tzinfo=UTC))
    return Document(type="note", id=id, title=title, body=body, url=f"/notes/{id}", **fields)


def find(text, user=None, *, page=1, per_page=30):
    parsed = search.parse(text, known_types=search.types())
    return search.backend().search(parsed, search.principals(user), page, per_page)


def titles(results) -> list[str]:
    return [hit.title for hit in results.hits]


def page_text(client, **args) -> tuple[int, str]:
    response = client.get("/search", query_string=args)
    return response.status_code, response.get_data(as_text=True)


# --- indexing follows commits ---------------------------------------------------------------


def test_a_new_person_is_found_once_their_account_is_committed(app):
    factories.user("ada")
    results = find("ada")
    assert titles(results) == ["ada"]
    assert results.hits[0].url == "/u/ada"
    assert results.hits[0].type == "user"


def test_nothing_reaches_the_index_when_the_transaction_rolls_back(app):
    services.create_user("ghost", "ghost@example.org", factories.PASSWORD)
    db.session.rollback()
    factories.user("later")  # a later commit must not carry the discarded document
    assert find("ghost").total == 0
    assert find("later").total == 1


def test_a_released_savepoint_is_not_the_commit(app, notes):
    search.queue_index(note(1, "Marmalade"))
    with db.session.begin_nested():  # e.g. a like, or a tag created meanwhile
        db.session.execute(text("SELECT 1"))
    assert find("marmalade").total == 0
    db.session.rollback()
    assert find("marmalade").total == 0
    search.queue_index(note(2, "Quince"))
    with db.session.begin_nested():
        db.session.execute(text("SELECT 1"))
    db.session.commit()
    assert titles(find("quince")) == ["Quince"]


def test_queued_documents_wait_for_the_commit(app, notes):
    search.queue_index(note(1, "Marmalade recipes"))
    assert find("marmalade").total == 0
    db.session.commit()
    assert titles(find("marmalade")) == ["Marmalade recipes"]


def test_the_last_word_of_a_transaction_about_a_document_wins(app, notes):
    search.queue_index(note(1, "First draft"))
    search.queue_index(note(1, "Final marmalade"))
    search.queue_index(note(2, "Short-lived marmalade"))
    search.queue_delete("note", 2)
    db.session.commit()
    assert titles(find("marmalade")) == ["Final marmalade"]
    assert find("draft").total == 0


def test_a_deleted_document_leaves_the_index_after_commit(app, notes):
    search.backend().index([note(1, "Marmalade")])
    search.queue_delete("note", 1)
    assert find("marmalade").total == 1
    db.session.commit()
    assert find("marmalade").total == 0


def test_profile_changes_are_reindexed_with_stemming(app):
    ada = factories.user("ada")
    services.update_profile(ada, display_name="Ada L.", bio="I keep **running** marathons & more")
    db.session.commit()
    results = find("run")
    assert titles(results) == ["Ada L."]
    assert "&amp; more" in results.hits[0].snippet


@pytest.fixture
def whoosh(app):
    """The Whoosh backend, whatever the database (these tests look inside its files)."""
    app.config["SPACE_SEARCH_BACKEND"] = "whoosh"
    app.extensions.pop("space.search", None)


def test_a_locked_index_does_not_break_the_commit_and_says_so(app, whoosh, monkeypatch, caplog):
    from space.search import whoosh

    monkeypatch.setattr(whoosh, "LOCK_TIMEOUT", 0.05)
    factories.user("first")  # creates the index
    writer = search.backend()._open(create=True).writer()  # another process, say
    try:
        with caplog.at_level(logging.ERROR, logger="space.search"):
            factories.user("blocked")
    finally:
        writer.cancel()
    assert services.by_username("blocked") is not None
    assert "flask space reindex" in caplog.text


# --- privacy --------------------------------------------------------------------------------


@pytest.fixture
def secret(app):
    """A private group with one member, plus an outsider."""
    member = factories.user("member")
    group = factories.group("secret-garden", visibility="private", members=[member])
    return group, member, factories.user("outsider")


def test_a_private_group_never_appears_to_outsiders(app, client, login, secret):
    group, _member, outsider = secret
    assert find("garden").total == 0
    assert find("garden", outsider).total == 0
    status, html = page_text(client, q="garden")
    assert status == 200 and "Secret Garden" not in html and "No results for" in html
    login(outsider)
    status, html = page_text(client, q="secret garden")
    assert "Secret Garden" not in html and "/g/secret-garden" not in html


def test_a_private_group_is_found_by_its_members_and_by_staff(app, client, login, secret):
    group, member, _outsider = secret
    assert titles(find("garden", member)) == ["Secret Garden"]
    assert find("garden", factories.moderator()).total == 1
    assert find("garden", factories.admin()).total == 1
    login(member)
    status, html = page_text(client, q="garden")
    assert status == 200 and 'href="/g/secret-garden"' in html


def test_making_a_group_private_takes_it_out_of_public_results(app):
    admin = factories.admin()
    group = factories.group("book-club", by=admin)
    assert find("book").total == 1
    groups.update_group(group, by=admin, title="Book club", description="", visibility="private")
    db.session.commit()
    assert find("book").total == 0
    assert find("book", admin).total == 1


def test_totals_and_pages_count_only_what_the_reader_may_see(app, notes):
    hidden = [note(i, f"Hidden marmalade {i}", acl=["group:999"]) for i in range(5)]
    shown = [note(10 + i, f"Shown marmalade {i}") for i in range(3)]
    search.backend().index(hidden + shown)
    first = find("marmalade", per_page=2)
    second = find("marmalade", page=2, per_page=2)
    assert (first.total, first.pages, len(first.hits)) == (3, 2, 2)
    assert (second.total, len(second.hits), second.has_next) == (3, 1, False)
    assert all(hit.title.startswith("Shown") for hit in first.hits + second.hits)


def test_acls_name_trust_levels_and_people(app, notes):
    basic = factories.user("basic", trust_level=TrustLevel.BASIC)
    regular = factories.user("regular", trust_level=TrustLevel.REGULAR)
    search.backend().index(
        [
            note(1, "Lounge marmalade", acl=["tl:3"]),
            note(2, "Diary marmalade", acl=[f"user:{basic.id}"]),
        ]
    )
    assert titles(find("marmalade", basic)) == ["Diary marmalade"]
    assert titles(find("marmalade", regular)) == ["Lounge marmalade"]
    assert find("marmalade").total == 0


def test_principals_describe_readers_members_staff_and_admins(app, secret):
    group, member, _outsider = secret
    assert search.principals(None) == {"public"}
    mine = search.principals(member)
    assert {"public", f"user:{member.id}", "tl:0", "tl:1", f"group:{group.id}"} <= mine
    assert "tl:2" not in mine and "staff" not in mine and search.EVERYTHING not in mine
    assert "staff" in search.principals(factories.moderator())
    assert search.EVERYTHING in search.principals(factories.admin())


def test_documents_refuse_missing_acls_and_naive_dates(app):
    with pytest.raises(ValueError):
        note(1, "x", acl=[])
    with pytest.raises(ValueError):
        note(1, "x", acl="public")
    with pytest.raises(ValueError):
        note(1, "x", created_at=datetime(2024, 1, 1))


# --- filters --------------------------------------------------------------------------------


def test_the_type_filter_narrows_results(app, client):
    factories.user("orchard")
    factories.group("orchard-friends")
    assert find("orchard").total == 2
    assert [h.type for h in find("orchard type:group").hits] == ["group"]
    status, html = page_text(client, q="orchard", type="user")
    assert status == 200 and "/u/orchard" in html and "/g/orchard-friends" not in html


def test_a_type_filter_alone_lists_that_type_newest_first(app):
    factories.user("older")
    factories.user("newer")
    assert titles(find("type:user"))[:2] == ["newer", "older"]


@pytest.mark.parametrize("args", [{"q": "type:post marmalade"}, {"q": "jam", "type": "nope"}])
def test_an_unknown_type_is_explained_not_an_error(client, args):
    status, html = page_text(client, **args)
    assert status == 400
    assert "Unknown type" in html and 'value="' + args["q"] + '"' in html


def test_the_user_filter_finds_what_a_person_wrote(app, notes):
    search.backend().index(
        [note(1, "Jam by Ada", author="Ada"), note(2, "Jam by Bob", author="bob")]
    )
    assert titles(find("jam user:ada")) == ["Jam by Ada"]
    assert titles(find("user:BOB")) == ["Jam by Bob"]


def test_before_and_after_filter_by_the_day_written(app, notes):
    search.backend().index(
        [
            note(1, "Spring jam", created_at=datetime(2024, 3, 10, 23, 30, tzinfo=UTC)),
            note(2, "Summer jam", created_at=datetime(2024, 7, 1, tzinfo=UTC)),
        ]
    )
    assert titles(find("jam before:2024-07-01")) == ["Spring jam"]
    assert titles(find("jam after:2024-07-01")) == ["Summer jam"]
    assert find("jam after:2024-03-11 before:2024-07-01").total == 0


@pytest.mark.parametrize("q", ["jam after:2024-13-01", "jam before:yesterday", "after:2024-1-1"])
def test_a_bad_date_is_refused_with_a_message_and_the_input_kept(client, q):
    status, html = page_text(client, q=q)
    assert status == 400
    assert "is not a date" in html and "YYYY-MM-DD" in html
    assert f'value="{q}"' in html


def test_tag_and_category_filters(app, notes):
    search.backend().index(
        [
            note(1, "Jam one", tags=["Open Data", "help"], category="Kitchen"),
            note(2, "Jam two", tags=["help"], category="garden"),
        ]
    )
    assert titles(find('jam tag:"open data"')) == ["Jam one"]
    assert find("tag:help").total == 2
    assert titles(find("tag:help tag:open-data")) == []
    assert titles(find("category:kitchen")) == ["Jam one"]


def test_the_status_filter_and_its_values(app, client, notes):
    search.backend().index(
        [note(1, "Solved jam", status="solved"), note(2, "Open jam", status="unsolved")]
    )
    assert titles(find("jam status:solved")) == ["Solved jam"]
    assert titles(find("jam status:unsolved")) == ["Open jam"]
    status, html = page_text(client, q="jam status:maybe")
    assert status == 400 and "Unknown status" in html


def test_in_bookmarks_is_parsed_and_passed_on(client):
    parsed = search.parse("jam in:bookmarks", known_types=["user"])
    assert parsed.in_bookmarks and parsed.text == "jam"
    assert page_text(client, q="jam in:bookmarks")[0] == 200
    assert page_text(client, q="jam in:drafts")[0] == 400


class Bookmarks:
    """A plugin-like hook object narrowing ``in:bookmarks`` to the keys it holds."""

    def __init__(self, keys):
        self.keys = keys

    @hookimpl
    def search_restrict(self, query, user):
        return self.keys if query.in_bookmarks else None


def test_search_restrict_narrows_results_to_the_keys_a_plugin_answers(app, client, notes):
    search.backend().index([note(1, "Jam one"), note(2, "Jam two"), note(3, "Jam three")])
    app.extensions["space.plugins"].manager.register(Bookmarks({"note:2", "note:3"}), "bm")
    parsed = search.restrict(search.parse("jam", known_types=search.types()), None)
    assert parsed.keys is None, "no in:bookmarks: the plugin has no opinion"
    status, html = page_text(client, q="jam in:bookmarks")
    assert status == 200 and "Jam two" in html and "Jam three" in html and "Jam one" not in html
    app.extensions["space.plugins"].manager.register(Bookmarks({"note:3", "note:1"}), "bm2")
    parsed = search.restrict(search.parse("jam in:bookmarks", known_types=search.types()), None)
    assert parsed.keys == {"note:3"}, "every answer narrows"
    assert titles(search.backend().search(parsed, search.principals(None), 1, 30)) == ["Jam three"]
    nothing = replace(search.parse("jam", known_types=search.types()), keys=frozenset())
    assert search.backend().search(nothing, search.principals(None), 1, 30).total == 0


def test_words_that_only_look_like_filters_stay_text(app):
    parsed = search.parse('ratio:2 "open data" User:Ada', known_types=["user"])
    assert parsed.text == 'ratio:2 "open data"'
    assert parsed.user == "ada"
    assert parsed.types == ("user",)


def test_quoted_phrases_match_words_in_order(app, notes):
    search.backend().index(
        [note(1, "Apricot", "fresh apricot jam today"), note(2, "Other", "jam with fresh apricot")]
    )
    assert titles(find('"apricot jam"')) == ["Apricot"]
    assert find("apricot jam").total == 2


def test_titles_rank_above_bodies(app, notes):
    search.backend().index(
        [note(1, "Weekly notes", "a word on quince at the end"), note(2, "Quince", "a fruit")]
    )
    assert titles(find("quince")) == ["Quince", "Weekly notes"]


def test_a_very_long_query_is_refused_with_a_message(client):
    status, html = page_text(client, q="jam " * 200)
    assert status == 400 and "too long" in html


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "99999999"])
def test_bad_page_numbers_are_refused(client, page):
    status, html = page_text(client, q="jam", page=page)
    assert status == 400 and "page number is not valid" in html


def test_types_of_disabled_plugins_are_not_searched(app, notes):
    search.backend().index([note(1, "Orphan jam")])
    assert find("jam").total == 1
    app.extensions["space.plugins"].manager.unregister(name="notes")
    assert find("jam").total == 0
    with pytest.raises(search.QueryError):
        find("type:note")


# --- the page -------------------------------------------------------------------------------


def test_an_empty_query_asks_for_something(client):
    status, html = page_text(client)
    assert status == 200 and "Type something to search for" in html
    assert "How to search" in html and "before:2024-12-31" in html


def test_no_results_says_so_with_tips(client):
    status, html = page_text(client, q="zzyzx")
    assert status == 200
    assert "No results for “zzyzx”" in html and "Check the spelling" in html


def test_results_show_type_title_snippet_author_and_date(client, notes):
    search.backend().index(
        [note(1, "Quince <jam>", "<script>alert(1)</script> the best quince", author="ada")]
    )
    status, html = page_text(client, q="quince")
    assert status == 200 and "1 result" in html
    assert '<span class="chip">Notes</span>' in html
    assert '<a href="/notes/1">Quince &lt;jam&gt;</a>' in html
    assert '<b class="match">quince</b>' in html
    assert "alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert 'href="/u/ada"' in html and "<time datetime=" in html


def test_pages_link_to_each_other_keeping_the_query(app, client, notes):
    app.config["SPACE_PAGE_SIZE"] = 2
    search.backend().index([note(i, f"Jam {i}") for i in range(5)])
    status, html = page_text(client, q="jam", type="note")
    assert status == 200 and "5 results" in html and "Page 1 of 3" in html
    assert 'href="/search?q=jam&amp;type=note&amp;page=2"' in html
    status, html = page_text(client, q="jam", type="note", page="9")
    assert status == 200 and "past the last result" in html


def test_the_search_page_costs_the_same_queries_for_few_and_many_results(
    app, client, login, count_queries, notes
):
    login(factories.user("reader"))
    search.backend().index([note(i, f"Jam {i}", author=f"author{i}") for i in range(2)])
    client.get("/search?q=jam")  # settles "last seen"
    with count_queries() as few:
        assert client.get("/search?q=jam").status_code == 200
    search.backend().index([note(i, f"Jam {i}", author=f"author{i}") for i in range(2, 25)])
    with count_queries() as many:
        assert "25 results" in client.get("/search?q=jam").get_data(as_text=True)
    assert many.count == few.count
    assert few.count <= 6, few.statements


@pytest.fixture
def cap_of_3(monkeypatch):
    """Count at most three results, as a large site counts at most MAX_COUNTED."""
    from space.search import documents

    monkeypatch.setattr(documents, "MAX_COUNTED", 3)


def test_more_matches_than_are_counted_say_more_than_the_cap(app, client, notes, cap_of_3):
    app.config["SPACE_PAGE_SIZE"] = 2
    search.backend().index([note(i, f"Jam {i}") for i in range(5)])
    results = find("jam", per_page=2)
    assert (results.total, results.capped, results.pages) == (3, True, 2)
    status, html = page_text(client, q="jam")
    assert status == 200 and "More than 3 results" in html and "Page 1 of 2" in html
    assert "5 results" not in html
    status, html = page_text(client, q="type:note")  # filters alone are capped the same way
    assert "More than 3 results" in html


def test_as_many_matches_as_the_cap_are_counted_exactly(app, client, notes, cap_of_3):
    search.backend().index([note(i, f"Jam {i}") for i in range(3)] + [note(9, "Plum")])
    results = find("jam")
    assert (results.total, results.capped) == (3, False)
    status, html = page_text(client, q="jam")
    assert "3 results" in html and "More than" not in html


def test_the_cap_counts_only_what_the_reader_may_see(app, client, notes, cap_of_3):
    search.backend().index(
        [note(i, f"Hidden jam {i}", acl=["staff"]) for i in range(5)]
        + [note(10 + i, f"Shown jam {i}") for i in range(2)]
    )
    assert (find("jam").total, find("jam").capped) == (2, False)
    assert find("jam", factories.moderator()).capped
    status, html = page_text(client, q="jam")
    assert "2 results" in html and "More than" not in html and "Hidden" not in html


def test_a_member_finds_public_and_group_documents_among_many(app, notes, secret):
    group, member, outsider = secret
    public = [note(i, f"Public jam {i}") for i in range(40)]
    search.backend().index(public + [note(99, "Garden jam", acl=[f"group:{group.id}"])])
    assert find("jam", member, per_page=50).total == 41
    assert "Garden jam" in titles(find("garden jam", member))
    assert find("jam", outsider, per_page=50).total == 40
    assert "Garden jam" not in titles(find("jam", outsider, per_page=50))


def test_a_document_made_private_leaves_results_already_searched(app, notes):
    """Whoosh keeps who may find what per segment; a change lands in a new one."""
    search.backend().index([note(i, f"Jam {i}") for i in range(20)])
    assert find("jam", per_page=50).total == 20  # the public documents are now known
    search.backend().index([note(3, "Jam 3", acl=["staff"])])
    assert find("jam", per_page=50).total == 19
    assert "Jam 3" not in titles(find("jam", per_page=50))
    assert "Jam 3" in titles(find("jam", factories.moderator(), per_page=50))


# --- reindexing -----------------------------------------------------------------------------


def test_reindex_rebuilds_people_groups_and_plugin_documents(app, runner, notes):
    factories.user("ada")
    factories.group("quilters")
    notes.docs = [note(1, "Quince jam"), note(2, "Hidden jam", acl=["staff"])]
    search.backend().clear()
    assert find("ada").total == 0
    result = runner.invoke(args=["space", "reindex", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    # ada, the group's creator, the group itself and two notes; automatic groups are not.
    assert "Indexed 5 documents." in result.output
    assert titles(find("ada")) == ["ada"]
    assert titles(find("quilters")) == ["Quilters"]
    assert titles(find("jam")) == ["Quince jam"]
    assert find("jam", factories.moderator()).total == 2


def test_reindex_drops_documents_nothing_contributes_any_more(app, runner, notes):
    search.backend().index([note(99, "Stale jam")])
    notes.docs = [note(1, "Fresh jam")]
    assert runner.invoke(args=["space", "reindex"]).exit_code == 0
    assert titles(find("jam")) == ["Fresh jam"]


def test_searches_find_the_old_index_until_a_rebuild_is_complete(app, notes):
    search.backend().index([note(99, "Stale jam")])
    found_during = []

    def batches():
        yield [note(1, "Fresh jam")]
        found_during.append("Stale jam" in titles(find("jam")))
        yield [note(2, "Fresher jam")]

    search.backend().rebuild(batches())
    assert found_during == [True]
    assert sorted(titles(find("jam"))) == ["Fresh jam", "Fresher jam"]


def test_a_plugin_may_return_its_documents_as_a_list(app, runner):
    class ListPlugin:
        @hookimpl
        def search_types(self):
            return [SearchType("memo", "Memos")]

        @hookimpl
        def search_documents(self):
            created = datetime(2024, 1, 1, tzinfo=UTC)
            return [
                Document(
                    type="memo",
                    id=n,
                    title=f"Memo {n}",
                    body="",
                    url="/m",
                    acl=["public"],
                    created_at=created,
                )
                for n in (1, 2)
            ]

    app.extensions["space.plugins"].manager.register(ListPlugin(), name="memos")
    result = runner.invoke(args=["space", "reindex"])
    assert "Indexed 2 documents." in result.output
    assert find("memo").total == 2


def test_whoosh_writes_posting_blocks_that_load_without_a_call_per_posting(app, whoosh):
    import pickle

    from whoosh.codec import whoosh3

    from space.search import whoosh as backend  # noqa: F401 - importing it makes the change

    # Protocol 2 pickles bytes as calls to codecs.encode, one per posting; 4 and up do not.
    assert pickle.loads(whoosh3.dumps((b"positions",), 2)) == (b"positions",)
    assert whoosh3.dumps((b"positions",), 2)[1] >= 4


def test_clearing_an_index_of_an_older_layout_starts_over_with_todays(
    app, whoosh, monkeypatch, notes
):
    from space.search import whoosh

    current = whoosh.schema

    def older():
        layout = current()
        layout.remove("lang")
        return layout

    monkeypatch.setattr(whoosh, "schema", older)
    search.backend().index([note(1, "Old jam")])
    monkeypatch.setattr(whoosh, "schema", current)
    search.backend().clear()
    search.backend().index([note(2, "New jam", lang="fr")])
    assert titles(find("jam")) == ["New jam"]
    assert "lang" in search.backend()._open(create=False).schema.names()


def test_whoosh_skips_inside_posting_blocks_as_it_steps(tmp_path):
    """fileformat.py bisects a posting block where Whoosh stepped through it: every skip
    lands on the same posting, across block boundaries and past the end."""
    pytest.importorskip("whoosh")
    from whoosh import fields, index
    from whoosh.matching import ReadTooFar

    from space.search.whoosh import fileformat  # noqa: F401  (applied on import)

    ix = index.create_in(tmp_path, fields.Schema(body=fields.TEXT))
    with ix.writer() as writer:  # blocks hold 128 postings: several blocks
        for n in range(1000):
            writer.add_document(body="common" + (" rare" if n % 7 == 0 else ""))
    with ix.searcher() as searcher:
        for word in ("common", "rare"):
            ids = list(searcher.postings("body", word).all_ids())
            for target in (0, 1, 6, 7, 8, 127, 128, 129, 300, 511, 700, 993, 994):
                matcher = searcher.postings("body", word)
                matcher.skip_to(target)
                expected = next((i for i in ids if i >= target), None)
                assert (matcher.id() if matcher.is_active() else None) == expected
            matcher = searcher.postings("body", word)
            matcher.skip_to(5000)
            assert not matcher.is_active()
            with pytest.raises(ReadTooFar):
                matcher.skip_to(6000)


def test_whoosh_field_lengths_are_read_as_whoosh_reads_them(tmp_path):
    """fileformat.py keeps each segment's field lengths: the same lengths (None for an
    empty field, as Whoosh answers) and so the same scores."""
    pytest.importorskip("whoosh")
    from whoosh import fields, index
    from whoosh.codec import whoosh3

    from space.search.whoosh import fileformat  # noqa: F401  (applied on import)

    ix = index.create_in(tmp_path, fields.Schema(title=fields.TEXT, body=fields.TEXT))
    with ix.writer() as writer:
        for n in range(300):
            writer.add_document(title="word " * (n % 5), body="word other " * (n % 40))
    with ix.searcher() as searcher:
        perdoc = searcher.reader()._perdoc
        for fieldname in ("title", "body", "missing"):
            column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
            for docnum in range(300):
                kept = perdoc.doc_field_length(docnum, fieldname, default=-1)
                if column is None:
                    assert kept == -1
                    continue
                raw = column[docnum]
                assert kept == (whoosh3.byte_to_length(raw) if raw else None)
        assert perdoc.doc_field_length(0, "title") is None  # "word " * 0: empty
        with pytest.raises(IndexError):
            perdoc.doc_field_length(301, "title")
