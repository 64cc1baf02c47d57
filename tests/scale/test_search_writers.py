"""The embedded Whoosh index with several processes: writers indexing different documents
into the same directory at the same moment lose nothing and the index opens cleanly
afterwards; a search while others commit, and writers that create a fresh index together,
still work when the races the last tests make certain (see interleavings.py) are lost."""

from __future__ import annotations

from space.db import utcnow
from space.search import EVERYTHING, Document, ParsedQuery
from space.search.whoosh import WhooshBackend

from .worker import word

WRITERS = 4
EACH = 15
WHOOSH = {"SPACE_SEARCH_BACKEND": "whoosh"}


def _find(index: WhooshBackend, text: str, per_page: int = 10):
    query = ParsedQuery(text=text, types=("post",))
    return index.search(query, frozenset({EVERYTHING}), 1, per_page)


def _index(tmp_path) -> WhooshBackend:
    return WhooshBackend(str(tmp_path / "search"))


def _create(tmp_path) -> str:
    """The index, made by one first write (as a running site has it)."""
    first = Document(type="post", id="first", title="The first document", body="Welcome.",
                     url="/p/first", acl=["public"], created_at=utcnow())  # fmt: skip
    _index(tmp_path).index([first])
    return first.key


def _all_found(tmp_path, keys: list[str]) -> None:
    index = _index(tmp_path)
    everything = _find(index, "", per_page=1000)
    assert {hit.key for hit in everything.hits} == set(keys)
    assert everything.total == len(keys)
    missing = [key for key in keys if key != "post:first"
               and [hit.key for hit in _find(index, word(key[5:])).hits] != [key]]  # fmt: skip
    assert not missing, f"not found by their own word: {missing}"


def _written(results) -> list[str]:
    keys = [key for result in results for key in result.get("indexed", [])]
    assert len(set(keys)) == len(keys)
    return keys


def test_concurrent_writers_lose_no_document(app, crew, tmp_path):
    first = _create(tmp_path)
    results = crew("index", {"count": EACH}, **WHOOSH).run(WRITERS)

    keys = _written(results)
    assert len(keys) == WRITERS * EACH
    _all_found(tmp_path, [first, *keys])


def test_writers_creating_a_fresh_index_together_lose_nothing(app, crew, tmp_path):
    work = {"count": 3, "late_create": True, "writers": WRITERS}
    results = crew("index", work, **WHOOSH).run(WRITERS)

    keys = _written(results)
    assert len(keys) == WRITERS * 3
    _all_found(tmp_path, keys)


def test_a_search_while_another_process_commits_does_not_fail(app, crew, tmp_path):
    first = _create(tmp_path)
    work = {"count": 5, "readers": 1, "total": 2 * 5 + 1, "stale_read": True}
    results = crew("index", work, **WHOOSH).run(3)

    [searched] = [result for result in results if "searches" in result]
    assert searched["errors"] == [], searched
    _all_found(tmp_path, [first, *_written(results)])
