"""The blog in the JSON API, reading: the OpenAPI document, the lists, one story, its history,
revisions and comments, with the pages' rules (a story you may not see is a 404 exactly like a
missing one; revisions and editorial comments are for the story's people only) and a fixed
number of queries."""

from __future__ import annotations

import pytest

from plugins.blog.models import Status
from plugins.blog.services import comments, revisions
from space.api import tokens
from space.db import db

from .conftest import reload

API = "/api/v1/blog"


def bearer(user, scopes=("read", "write")) -> dict:
    _token, secret = tokens.create(user, "tests", list(scopes))
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def people(make):
    """An outsider, a writer and an editor, each with a token."""
    outsider, writer, editor = make.writer(), make.writer(), make.the_editor()
    return {
        "anonymous": {},
        "outsider": bearer(outsider),
        "writer": bearer(writer),
        "editor": bearer(editor),
        "users": {"outsider": outsider, "writer": writer, "editor": editor},
    }


def operations(document) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters" and path.startswith(API)
    }


def test_the_openapi_document_lists_the_blog_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    story = f"{API}/stories/{{story_id}}"
    assert operations(document) == {
        ("GET", f"{API}/stories"),
        ("POST", f"{API}/stories"),
        ("POST", f"{API}/stories/pitch"),
        ("GET", story),
        ("PATCH", story),
        ("PATCH", f"{story}/pitch"),
        ("GET", f"{story}/history"),
        ("GET", f"{story}/revisions"),
        ("GET", f"{story}/revisions/{{number}}"),
        ("GET", f"{story}/compare"),
        ("POST", f"{story}/revisions/{{number}}/restore"),
        ("POST", f"{story}/moves"),
        ("GET", f"{story}/comments"),
        ("POST", f"{story}/comments"),
        ("POST", f"{story}/comments/{{comment_id}}/resolve"),
    }
    paths = document["paths"]
    assert paths[f"{API}/stories"]["post"]["security"] == [{"bearerAuth": []}]
    assert {} in paths[f"{API}/stories"]["get"]["security"]
    assert "409" in paths[story]["patch"]["responses"]
    assert "409" in paths[f"{story}/moves"]["post"]["responses"]
    for path, item in paths.items():
        for method, operation in item.items():
            if path.startswith(API) and method != "parameters":
                assert operation.get("summary"), (method, path)
    moves = document["components"]["schemas"]["StoryMoveArgs"]["properties"]["action"]
    assert "publish" in moves["enum"] and "approve" in moves["enum"]


def test_published_stories_newest_first_with_filters(client, make):
    news, culture = make.category("News"), make.category("Culture")
    tag = make.tag("assembly")
    ada, bob = make.writer(username="ada"), make.writer(username="bob")
    first = make.published(ada, category=news, tags=[tag], title="The first published story")
    second = make.published(bob, category=culture, language="fr", title="Une histoire publiée")
    third = make.published(bob, writers=[ada], category=news, title="Written by two people")
    make.story(ada, Status.IN_REVIEW, category=news, title="Still under review")
    make.story(ada, Status.UNPUBLISHED, category=news, title="Taken down again")
    make.pitch(ada)

    body = client.get(f"{API}/stories").get_json()
    assert [s["id"] for s in body["items"]] == [third.id, second.id, first.id]
    assert body["total"] == 3 and body["page"] == 1
    item = body["items"][0]
    assert item["title"] == "Written by two people" and item["status"] == "published"
    assert [a["username"] for a in item["authors"]] == ["bob", "ada"]
    assert item["category"] == {"id": news.id, "slug": news.slug, "name": "News"}
    assert item["url"].startswith("http://localhost/") and third.slug in item["url"]
    assert "body" not in item and "editorial" not in item

    def ids(**query):
        response = client.get(f"{API}/stories", query_string=query)
        assert response.status_code == 200, response.get_json()
        return [s["id"] for s in response.get_json()["items"]]

    assert ids(category=news.slug) == [third.id, first.id]
    assert ids(tag="assembly") == [first.id]
    assert ids(author="ada") == [third.id, first.id]
    assert ids(author="bob", language="fr") == [second.id]
    assert ids(language="de") == []
    assert ids(per_page=1, page=2) == [second.id]
    assert ids(status="published") == [third.id, second.id, first.id]
    for query in ({"category": "nope"}, {"tag": "nope"}, {"author": "nobody-here"}):
        response = client.get(f"{API}/stories", query_string=query)
        assert response.status_code == 404 and response.get_json()["code"] == 404
    for query in ({"per_page": 1000}, {"status": "bogus"}, {"page": "x"}, {"mine": "maybe"}):
        response = client.get(f"{API}/stories", query_string=query)
        assert response.status_code == 422, query
        assert set(response.get_json()["errors"]["query"]) == set(query)


def test_editorial_statuses_are_for_editors_and_mine_for_your_own(client, make, people):
    writer, editor = people["users"]["writer"], people["users"]["editor"]
    mine = make.story(writer, Status.IN_REVIEW, title="My story under review")
    draft = make.story(writer, Status.DRAFT, title="My own draft")
    pitched = make.pitch(writer)
    theirs = make.story(make.writer(), Status.IN_REVIEW, title="Someone else's story")
    published = make.published(writer, title="My published story")
    trashed = make.story(writer, Status.TRASH, title="My trashed story")

    def get(who, **query):
        return client.get(f"{API}/stories", query_string=query, headers=people[who])

    review = get("editor", status="in_review").get_json()
    assert {s["id"] for s in review["items"]} == {mine.id, theirs.id}
    assert [s["id"] for s in get("editor", status="trash").get_json()["items"]] == [trashed.id]
    assert get("writer", status="in_review").status_code == 403
    assert get("outsider", status="draft").status_code == 403
    assert get("anonymous", status="draft").status_code == 401
    assert get("anonymous", mine="true").status_code == 401
    own = get("writer", mine="true").get_json()
    assert {s["id"] for s in own["items"]} == {mine.id, draft.id, pitched.id, published.id}
    assert [s["id"] for s in get("writer", mine="true", status="draft").get_json()["items"]] == [
        draft.id
    ]
    assert get("outsider", mine="true").get_json()["total"] == 0
    assert get("editor", mine="true").get_json()["total"] == 0, "the editor writes nothing"
    assert editor.id not in {reload(s).writer_id for s in (mine, draft, theirs)}


STATUSES = [Status.PITCH, Status.DRAFT, Status.IN_REVIEW, Status.CHANGES_REQUESTED,
            Status.APPROVED, Status.SCHEDULED, Status.PUBLISHED, Status.REJECTED,
            Status.UNPUBLISHED, Status.TRASH, Status.DECLINED]  # fmt: skip


@pytest.mark.parametrize("status", STATUSES)
def test_who_sees_a_story_in_each_status(client, make, people, status):
    writer = people["users"]["writer"]
    if status in {Status.PITCH, Status.DECLINED}:
        story = make.story(writer, status)
    else:
        story = make.story(writer, status, title="The story in question")
    missing = client.get(f"{API}/stories/999999").get_json()
    expected = {
        "anonymous": status == Status.PUBLISHED,
        "outsider": status == Status.PUBLISHED,
        "writer": status != Status.TRASH,
        "editor": True,
    }
    for who, sees in expected.items():
        response = client.get(f"{API}/stories/{story.id}", headers=people[who])
        if not sees:
            assert response.status_code == 404, (who, status)
            assert response.get_json() == missing, "exactly like a missing story"
            continue
        assert response.status_code == 200, (who, status)
        body = response.get_json()
        assert body["id"] == story.id and body["status"] == status.value
        insider = who in {"writer", "editor"}
        assert (body["editorial"] is not None) == insider, who
        if insider:
            assert body["editorial"]["pitch"]["length"] == reload(story).pitch_length
            assert {c["name"] for c in body["editorial"]["checklist"]} >= {"title", "category"}


def test_a_story_in_detail(client, make, people):
    writer, editor = people["users"]["writer"], people["users"]["editor"]
    story = make.story(writer, Status.IN_REVIEW, body="Some **bold** words.")
    body = client.get(f"{API}/stories/{story.id}", headers=people["writer"]).get_json()
    assert body["body"] == "Some **bold** words." and "<strong>bold</strong>" in body["cooked"]
    assert body["revision_number"] == 1 and body["version"] == reload(story).version
    assert body["can"] == {"edit": False, "comment": True, "follow": True, "translate": False}
    assert body["moves"] == ["withdraw"]
    as_editor = client.get(f"{API}/stories/{story.id}", headers=people["editor"]).get_json()
    assert as_editor["can"]["edit"] is True
    assert as_editor["moves"] == ["approve", "request_changes", "reject", "trash"]
    assert as_editor["editorial"]["approvals"] == 0
    assert as_editor["editorial"]["submitted_at"] is not None
    assert editor.username not in [a["username"] for a in as_editor["authors"]]
    published = make.published(writer)
    public = client.get(f"{API}/stories/{published.id}").get_json()
    assert public["editorial"] is None and public["moves"] == []
    assert public["can"] == {"edit": False, "comment": False, "follow": False, "translate": False}
    assert public["published_at"] and public["slug"] == reload(published).slug


def test_history_shows_notes_to_the_story_people_only(client, make, people):
    writer = people["users"]["writer"]
    story = make.story(writer, Status.CHANGES_REQUESTED)
    story = make.move(writer, story, "submit")
    story = make.approve(story)
    story = make.move(make.the_editor(), story, "publish")
    for who in ("writer", "editor"):
        body = client.get(f"{API}/stories/{story.id}/history", headers=people[who]).get_json()
        actions = [d["action"] for d in body["items"]]
        assert actions == ["publish", "approve", "submit", "request_changes", "submit", "create"]
        changes = body["items"][3]
        assert changes["note"] == "A note for request_changes."
        assert changes["from_status"] == "in_review"
        assert changes["to_status"] == "changes_requested"
        assert changes["text"] == "requested changes"
        assert changes["user"]["username"] == make.the_editor().username
    public = client.get(f"{API}/stories/{story.id}/history").get_json()
    assert public["total"] == 6 and all(d["note"] is None for d in public["items"])
    draft = make.story(writer)
    assert client.get(f"{API}/stories/{draft.id}/history").status_code == 404


def test_revisions_are_for_the_story_people_only(client, make, people):
    writer = people["users"]["writer"]
    story = make.published(writer, body="First line.\nSecond line.")
    revisions.save(writer, reload(story), revisions.Text(story.title, story.excerpt,
                   "First line.\nSecond line, changed."), base_revision=1)  # fmt: skip
    db.session.commit()
    base = f"{API}/stories/{story.id}"
    for path in ("/revisions", "/revisions/1", "/compare?a=1&b=2", "/comments"):
        for who in ("anonymous", "outsider"):
            response = client.get(base + path, headers=people[who])
            assert response.status_code == 404, (who, path)
    listed = client.get(f"{base}/revisions", headers=people["writer"]).get_json()
    assert [r["number"] for r in listed["items"]] == [2, 1]
    assert listed["items"][0]["user"]["username"] == writer.username
    assert "body" not in listed["items"][0]
    one = client.get(f"{base}/revisions/1", headers=people["editor"]).get_json()
    assert one["number"] == 1 and one["body"] == "First line.\nSecond line."
    assert client.get(f"{base}/revisions/9", headers=people["editor"]).status_code == 404
    compared = client.get(f"{base}/compare", headers=people["writer"]).get_json()
    assert compared["a"]["number"] == 1 and compared["b"]["number"] == 2
    rows = compared["diff"]["body"]
    assert rows[0] == {"kind": "equal", "left": "First line.", "right": "First line."}
    assert rows[1]["kind"] == "replace" and "<ins>" in rows[1]["right"]
    assert all(row["kind"] == "equal" for row in compared["diff"]["title"])
    same = client.get(f"{base}/compare?a=2&b=2", headers=people["writer"]).get_json()
    assert {row["kind"] for row in same["diff"]["body"]} == {"equal"}
    for query in ("a=0", "b=x", "a=99"):
        response = client.get(f"{base}/compare?{query}", headers=people["writer"])
        assert response.status_code in {404, 422}, query


def test_editorial_comments_never_reach_readers(client, make, people):
    writer, editor = people["users"]["writer"], people["users"]["editor"]
    story = make.published(writer)
    first = comments.add(editor, reload(story), "Check the second paragraph.")
    db.session.flush()
    comments.add(writer, reload(story), "Done, thanks.", parent_id=first.id)
    db.session.commit()
    for who in ("writer", "editor"):
        body = client.get(f"{API}/stories/{story.id}/comments", headers=people[who]).get_json()
        assert body["total"] == 1 and body["open"] == 1
        thread = body["items"][0]
        assert thread["comment"]["body"] == "Check the second paragraph."
        assert [r["body"] for r in thread["replies"]] == ["Done, thanks."]
        assert thread["resolved"] is False
    for who in ("anonymous", "outsider"):
        response = client.get(f"{API}/stories/{story.id}", headers=people[who])
        assert "Check the second" not in response.get_data(as_text=True)
        listed = client.get(f"{API}/stories", headers=people[who])
        assert "Check the second" not in listed.get_data(as_text=True)


def test_the_list_costs_a_fixed_number_of_queries(client, make, people, count_queries):
    category, tag = make.category(), make.tag()

    def add(n):
        for _ in range(n):
            make.published(make.writer(), writers=[make.writer()], category=category,
                           tags=[tag])  # fmt: skip

    def cost(**query):
        with count_queries() as counter:
            response = client.get(f"{API}/stories", query_string=query, headers=people["editor"])
            assert response.status_code == 200
        return counter.count, response.get_json()["total"]

    add(2)
    cost()  # the token's first use is written down
    small = cost(), cost(category=category.slug, tag=tag.name)
    add(28)
    large = cost(), cost(category=category.slug, tag=tag.name)
    assert [c for c, _total in small] == [c for c, _total in large]
    assert [total for _count, total in large] == [30, 30]
    # The token and its owner, the count, the page, its writers, its tags.
    assert small[0][0] <= 6, small


def test_one_story_costs_a_fixed_number_of_queries(client, make, people, count_queries):
    writer = people["users"]["writer"]

    def cost(story):
        with count_queries() as counter:
            response = client.get(f"{API}/stories/{story.id}", headers=people["editor"])
            assert response.status_code == 200
        return counter.count

    small = make.story(writer, Status.IN_REVIEW)
    cost(small)
    large = make.story(writer, Status.IN_REVIEW, writers=[make.writer(), make.writer()],
                       tags=[make.tag(), make.tag(), make.tag()])  # fmt: skip
    assert cost(small) == cost(large)
