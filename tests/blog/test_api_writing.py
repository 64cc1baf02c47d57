"""The blog in the JSON API, writing: from a pitch to a published story through the API alone,
saves (a stale one is a 409 with the difference, nothing lost), moves (403/404/409/422),
editorial comments, and bad input answered with 4xx and the field at fault, never 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from plugins.blog.models import Status, Story, StoryComment, StoryRevision
from space.db import db, utcnow

from .conftest import EXCERPT, reload
from .test_api import API, bearer

PITCH = {"what": "A thing happened", "why": "It matters", "length": 800, "language": "en"}
TOMORROW = (utcnow() + timedelta(days=1)).date().isoformat()


def revision_count(story) -> int:
    return db.session.scalar(
        select(func.count(StoryRevision.id)).where(StoryRevision.story_id == story.id)
    )


def test_from_pitch_to_publication_through_the_api_alone(client, make):
    member, editor = make.writer(username="mira"), make.the_editor()
    category = make.category("Community")
    mira, chief = bearer(member), bearer(editor)

    def move(auth, story_id, **data):
        response = client.post(f"{API}/stories/{story_id}/moves", json=data, headers=auth)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    pitched = client.post(f"{API}/stories/pitch", headers=mira, json={
        "title": "A library opens in the old station",
        "what": "Volunteers turned the old station into a library.",
        "why": "It shows what a neighbourhood can do on its own.",
        "who": "The station's neighbours and two librarians.",
        "length": 900, "language": "en",
    })  # fmt: skip
    assert pitched.status_code == 201, pitched.get_json()
    story = pitched.get_json()
    story_id = story["id"]
    assert story["status"] == "pitch" and story["editorial"]["pitch"]["length"] == 900
    assert story["editorial"]["pitched_by"]["username"] == "mira"
    assert story["moves"] == ["trash"], "the pitcher may only take the pitch back"

    queue = client.get(f"{API}/stories", query_string={"status": "pitch"}, headers=chief)
    assert [s["id"] for s in queue.get_json()["items"]] == [story_id]
    accepted = move(chief, story_id, action="accept", due_date=TOMORROW, note="Go for it!",
                    version=story["version"])  # fmt: skip
    assert accepted["decision"]["action"] == "accept"
    assert accepted["decision"]["note"] == "Go for it!"
    story = accepted["story"]
    assert story["status"] == "draft" and [a["username"] for a in story["authors"]] == ["mira"]
    assert story["editorial"]["due_date"] == TOMORROW
    assert story["editorial"]["editor"]["username"] == editor.username

    saved = client.patch(f"{API}/stories/{story_id}", headers=mira, json={
        "base_revision": story["revision_number"], "title": "A library in the old station",
        "excerpt": EXCERPT, "body": "It opened on Saturday.\n\nEveryone came.",
        "category": category.slug, "tags": ["Libraries", "volunteers"],
    })  # fmt: skip
    assert saved.status_code == 200, saved.get_json()
    story = saved.get_json()
    assert story["revision_number"] == 1 and story["category"]["slug"] == category.slug
    assert story["tags"] == ["libraries", "volunteers"]
    assert "<p>Everyone came.</p>" in story["cooked"]
    assert move(mira, story_id, action="submit")["story"]["status"] == "in_review"
    changes = move(chief, story_id, action="request_changes", note="Name the librarians.")
    assert changes["story"]["status"] == "changes_requested"
    saved = client.patch(f"{API}/stories/{story_id}", headers=mira, json={
        "base_revision": 1, "body": "It opened on Saturday.\n\nAnna and Li run it.",
    })  # fmt: skip
    assert saved.status_code == 200 and saved.get_json()["revision_number"] == 2
    move(mira, story_id, action="submit", note="Done.")
    refused = client.post(f"{API}/stories/{story_id}/moves", headers=mira,
                          json={"action": "approve"})  # fmt: skip
    assert refused.status_code == 403, "writers do not approve their own stories"
    assert move(chief, story_id, action="approve")["story"]["status"] == "approved"
    published = move(chief, story_id, action="publish")["story"]
    assert published["status"] == "published" and published["slug"]
    assert published["topic_id"] is not None, "publishing opens the discussion topic"

    listed = client.get(f"{API}/stories").get_json()
    assert [s["id"] for s in listed["items"]] == [story_id]
    public = client.get(f"{API}/stories/{story_id}").get_json()
    assert "Anna and Li" in public["body"] and public["editorial"] is None
    history = client.get(f"{API}/stories/{story_id}/history", headers=mira).get_json()
    assert [d["action"] for d in history["items"]] == [
        "publish", "approve", "submit", "request_changes", "submit", "accept", "pitch",
    ]  # fmt: skip


def test_a_stale_save_is_refused_with_the_difference_and_nothing_lost(client, make):
    writer, editor = make.writer(), make.the_editor()
    story = make.story(writer, Status.DRAFT, body="One.\nTwo.\nThree.")
    path, theirs, mine = (
        f"{API}/stories/{story.id}",
        "One.\nTwo, edited.\nThree.",
        "One.\nTwo.\nThree.\nFour.",
    )
    first = client.patch(path, headers=bearer(editor), json={"base_revision": 1, "body": theirs})
    assert first.status_code == 200 and first.get_json()["revision_number"] == 2
    stale = client.patch(path, headers=bearer(writer), json={"base_revision": 1, "body": mine})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["code"] == 409 and "revision 2" in body["message"]
    assert body["head_revision"] == 2
    assert body["head"]["user"]["username"] == editor.username
    assert body["head"]["body"] == theirs
    kinds = [row["kind"] for row in body["diff"]["body"]]
    assert kinds == ["equal", "replace", "equal", "insert"]
    assert body["diff"]["body"][3]["right"] == "<ins>Four.</ins>"
    assert revision_count(story) == 2 and reload(story).body == theirs
    again = client.patch(path, headers=bearer(writer), json={"base_revision": 2, "body": mine})
    assert again.status_code == 200 and again.get_json()["revision_number"] == 3


def test_who_may_save(client, make):
    writer = make.writer()
    story = make.story(writer, Status.IN_REVIEW)
    data = {"base_revision": 1, "title": "A new title for it"}
    assert client.patch(f"{API}/stories/{story.id}", headers=bearer(writer), json=data
                        ).status_code == 403, "under review: the writer waits"  # fmt: skip
    assert client.patch(f"{API}/stories/{story.id}", headers=bearer(make.writer()), json=data
                        ).status_code == 404  # fmt: skip
    assert client.patch(f"{API}/stories/{story.id}", json=data).status_code == 401
    read_only = bearer(make.the_editor(), scopes=("read",))
    assert client.patch(f"{API}/stories/{story.id}", headers=read_only, json=data
                        ).status_code == 403  # fmt: skip
    assert reload(story).title != "A new title for it"
    edited = client.patch(f"{API}/stories/{story.id}", headers=bearer(make.the_editor()),
                          json=data)  # fmt: skip
    assert edited.status_code == 200 and edited.get_json()["title"] == "A new title for it"
    assert edited.get_json()["status"] == "in_review", "a new title resets the approvals"


def test_authors_start_stories_without_a_pitch(client, make):
    author, contributor = make.author(username="tess"), make.writer()
    category = make.category("Reports")
    data = {"title": "Report from the assembly", "excerpt": EXCERPT, "body": "It went well.",
            "language": "en", "category": category.slug, "tags": ["assembly"]}  # fmt: skip
    created = client.post(f"{API}/stories", json=data, headers=bearer(author))
    assert created.status_code == 201, created.get_json()
    story = created.get_json()
    assert story["status"] == "draft" and story["revision_number"] == 1
    assert [a["username"] for a in story["authors"]] == ["tess"]
    assert story["category"]["slug"] == category.slug and story["tags"] == ["assembly"]
    assert client.post(f"{API}/stories", json=data, headers=bearer(contributor)).status_code == 403
    count = db.session.scalar(select(func.count(Story.id)))
    for change, field in [({"category": "no-such"}, "category"), ({"language": "xx-nope"},
                          "language"), ({"title": ""}, "title"),
                          ({"image_url": "http://example.org/x.png"}, "image_url")]:  # fmt: skip
        refused = client.post(f"{API}/stories", json={**data, **change}, headers=bearer(author))
        assert refused.status_code == 422, change
        assert field in refused.get_json()["errors"]["json"], refused.get_json()
    assert db.session.scalar(select(func.count(Story.id))) == count, "nothing half-made"


def test_moves_refused_and_conflicts(client, make):
    writer, editor = make.writer(), make.the_editor()
    story = make.story(writer, Status.IN_REVIEW)
    path = f"{API}/stories/{story.id}/moves"
    outsider_draft = make.story(make.writer())
    assert client.post(f"{API}/stories/{outsider_draft.id}/moves", headers=bearer(writer),
                       json={"action": "submit"}).status_code == 404  # fmt: skip
    assert client.post(path, headers=bearer(writer), json={"action": "publish"}).status_code == 403
    assert client.post(path, json={"action": "withdraw"}).status_code == 401
    read_only = bearer(writer, scopes=("read",))
    assert client.post(path, headers=read_only, json={"action": "withdraw"}).status_code == 403
    stale = client.post(path, headers=bearer(editor),
                        json={"action": "approve", "version": story.version - 1})  # fmt: skip
    assert stale.status_code == 409 and stale.get_json()["message"]
    assert reload(story).status == Status.IN_REVIEW
    no_note = client.post(path, headers=bearer(editor), json={"action": "reject"})
    assert no_note.status_code == 422
    assert list(no_note.get_json()["errors"]["json"]) == ["note"]
    published = make.published(writer)
    assert client.post(f"{API}/stories/{published.id}/moves", headers=bearer(make.writer()),
                       json={"action": "unpublish", "note": "no"}).status_code == 403  # fmt: skip


def test_scheduling_takes_a_time_with_its_offset(client, make):
    editor = bearer(make.the_editor())
    story = make.story(make.writer(), Status.APPROVED)
    path = f"{API}/stories/{story.id}/moves"
    later = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    for when, field in [(later.replace(tzinfo=None).isoformat(), "publish_at"),
                        ("next tuesday", "publish_at"),
                        ((utcnow() - timedelta(hours=1)).isoformat(), "publish_at"),
                        (None, "publish_at")]:  # fmt: skip
        refused = client.post(path, headers=editor, json={"action": "schedule", "publish_at": when})
        assert refused.status_code == 422, when
        assert list(refused.get_json()["errors"]["json"]) == [field], refused.get_json()
    offset = later.astimezone().isoformat()
    done = client.post(path, headers=editor, json={"action": "schedule", "publish_at": offset})
    assert done.status_code == 201, done.get_json()
    assert done.get_json()["story"]["status"] == "scheduled"
    assert reload(story).publish_at == later


def test_a_writer_who_trashes_their_draft_no_longer_sees_it(client, make):
    writer = make.writer()
    story = make.story(writer)
    moved = client.post(f"{API}/stories/{story.id}/moves", headers=bearer(writer),
                        json={"action": "trash"})  # fmt: skip
    assert moved.status_code == 201
    assert moved.get_json()["story"] is None
    assert moved.get_json()["decision"]["to_status"] == "trash"
    assert client.get(f"{API}/stories/{story.id}", headers=bearer(writer)).status_code == 404


def test_accepting_a_pitch_for_another_writer(client, make):
    pitch, other = make.pitch(), make.writer(username="quill")
    path = f"{API}/stories/{pitch.id}/moves"
    editor = bearer(make.the_editor())
    for data, field in [({"writer": "nobody-at-all"}, "writer"), ({"due_date": "soon"}, "due_date"),
                        ({"due_date": "2001-01-01"}, "due_date")]:  # fmt: skip
        refused = client.post(path, headers=editor, json={"action": "accept", **data})
        assert refused.status_code == 422, data
        assert list(refused.get_json()["errors"]["json"]) == [field]
    accepted = client.post(path, headers=editor, json={"action": "accept", "writer": "quill"})
    assert accepted.status_code == 201
    assert [a["username"] for a in accepted.get_json()["story"]["authors"]] == ["quill"]
    assert reload(pitch).writer_id == other.id


def test_editorial_comments_threads_and_resolving(client, make):
    writer, editor = make.writer(), make.the_editor()
    story = make.story(writer, Status.IN_REVIEW)
    path = f"{API}/stories/{story.id}/comments"
    first = client.post(path, headers=bearer(editor), json={"body": "Is the *date* right?"})
    assert first.status_code == 201, first.get_json()
    comment = first.get_json()
    assert comment["user"]["username"] == editor.username and "<em>date</em>" in comment["cooked"]
    assert comment["revision_number"] == 1 and comment["parent_id"] is None
    reply = client.post(path, headers=bearer(writer),
                        json={"body": "Yes, checked.", "parent_id": comment["id"]})  # fmt: skip
    assert reply.status_code == 201 and reply.get_json()["parent_id"] == comment["id"]
    for data, field in [({"body": "   "}, "body"), ({"body": "x", "parent_id": 999}, "parent_id"),
                        ({}, "body"), ({"body": "x", "bogus": 1}, "bogus")]:  # fmt: skip
        refused = client.post(path, headers=bearer(writer), json=data)
        assert refused.status_code == 422, data
        assert field in refused.get_json()["errors"]["json"], refused.get_json()
    assert client.post(path, headers=bearer(make.writer()), json={"body": "Hi"}).status_code == 404
    resolve = f"{path}/{reply.get_json()['id']}/resolve"
    resolved = client.post(resolve, headers=bearer(writer))
    assert resolved.status_code == 200
    assert resolved.get_json()["id"] == comment["id"], "resolving a reply resolves its thread"
    assert resolved.get_json()["resolved_by"]["username"] == writer.username
    assert client.post(resolve, headers=bearer(writer)).status_code == 200, "twice: no change"
    assert client.post(f"{path}/999999/resolve", headers=bearer(writer)).status_code == 404
    threads = client.get(path, headers=bearer(writer)).get_json()
    assert threads["open"] == 0 and threads["items"][0]["resolved"] is True
    assert db.session.scalar(select(func.count(StoryComment.id))) == 2


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "/stories/pitch", {"what": "x" * 30001, "why": 3, "length": "800"}),
        ("post", "/stories/pitch", {**PITCH, "length": 5}),
        ("post", "/stories/pitch", {**PITCH, "language": "klingon"}),
        ("post", "/stories/pitch", {**PITCH, "what": "A\u0000thing"}),
        ("post", "/stories/pitch", {**PITCH, "why": ""}),
        ("post", "/stories/pitch", ["not", "an", "object"]),
        ("patch", "/stories/{id}", {"title": "No base revision"}),
        ("patch", "/stories/{id}", {"base_revision": "1", "title": "A string base"}),
        ("patch", "/stories/{id}", {"base_revision": 1, "body": "x" * 1_000_001}),
        ("patch", "/stories/{id}", {"base_revision": 1, "title": "t" * 500}),
        ("patch", "/stories/{id}", {"tags": ["a"] * 30}),
        ("post", "/stories/{id}/moves", {"action": "fly"}),
        ("post", "/stories/{id}/moves", {}),
        ("post", "/stories/{id}/moves", {"action": "submit", "version": 2**40}),
        ("post", "/stories/{id}/comments", {"body": 12}),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(client, make, method, path, data):
    writer = make.writer()
    story = make.story(writer)
    response = getattr(client, method)(API + path.format(id=story.id), json=data,
                                       headers=bearer(writer))  # fmt: skip
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["code"] == 422 and body["message"]
    assert body["errors"]["json"], body
    assert revision_count(story) == 1


def test_unreadable_requests(client, make):
    writer = make.writer()
    story = make.story(writer)
    auth = {**bearer(writer), "Content-Type": "application/json"}
    broken = client.patch(f"{API}/stories/{story.id}", data="{nope", headers=auth)
    assert broken.status_code == 400 and broken.get_json()["code"] == 400
    form = client.post(f"{API}/stories/pitch", data={"what": "x"}, headers=bearer(writer))
    assert form.status_code == 415
    assert client.get(f"{API}/stories/99999999999").status_code == 404
    assert client.get(f"{API}/stories/{story.id}/revisions/99999999999",
                      headers=bearer(writer)).status_code == 404  # fmt: skip
    assert client.get(f"{API}/stories/abc").status_code == 404


def test_restoring_an_old_revision(client, make):
    writer = make.writer()
    story = make.story(writer, body="The first text.")
    auth = bearer(writer)
    saved = client.patch(f"{API}/stories/{story.id}", headers=auth,
                         json={"base_revision": 1, "body": "The second text."})  # fmt: skip
    assert saved.status_code == 200
    path = f"{API}/stories/{story.id}/revisions/1/restore"
    stale = client.post(path, headers=auth, json={"base_revision": 1})
    assert stale.status_code == 409 and stale.get_json()["head_revision"] == 2
    restored = client.post(path, headers=auth, json={"base_revision": 2})
    assert restored.status_code == 200, restored.get_json()
    assert restored.get_json()["revision_number"] == 3
    assert restored.get_json()["body"] == "The first text."
    listed = client.get(f"{API}/stories/{story.id}/revisions", headers=auth).get_json()
    assert [r["note"] for r in listed["items"]] == ["restore:1", "", ""]
    assert listed["total"] == 3
    missing = client.post(f"{API}/stories/{story.id}/revisions/9/restore", headers=auth,
                          json={"base_revision": 3})  # fmt: skip
    assert missing.status_code == 404
    outsider = client.post(path, headers=bearer(make.writer()), json={"base_revision": 3})
    assert outsider.status_code == 404
    assert client.post(path, headers=auth, json={}).status_code == 422


def test_saves_wait_while_someone_edits_in_the_editor(client, make):
    from plugins.blog.services import locks

    writer, editor = make.writer(), make.the_editor()
    story = make.story(writer)
    locks.acquire(editor, reload(story))
    db.session.commit()
    refused = client.patch(f"{API}/stories/{story.id}", headers=bearer(writer),
                           json={"base_revision": 1, "body": "Mine."})  # fmt: skip
    assert refused.status_code == 409 and editor.name in refused.get_json()["message"]
    seen = client.get(f"{API}/stories/{story.id}", headers=bearer(writer)).get_json()
    assert seen["editorial"]["locked_by"]["username"] == editor.username
    assert seen["editorial"]["lock_expires_at"]
    own = client.patch(f"{API}/stories/{story.id}", headers=bearer(editor),
                       json={"base_revision": 1, "body": "The editor's."})  # fmt: skip
    assert own.status_code == 200, "the lock's holder saves"
    assert revision_count(story) == 2


def test_details_only_editors_change_the_writers(client, make):
    writer, second = make.writer(), make.writer(username="second")
    story = make.story(writer)
    path = f"{API}/stories/{story.id}"
    refused = client.patch(path, headers=bearer(writer),
                           json={"writers": [writer.username, "second"]})  # fmt: skip
    assert refused.status_code == 422 and "writers" in refused.get_json()["errors"]["json"]
    done = client.patch(path, headers=bearer(make.the_editor()),
                        json={"writers": [writer.username, "second"], "due_date": TOMORROW,
                              "category": None, "image_alt": "A hall full of people"})  # fmt: skip
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert [a["username"] for a in body["authors"]] == [writer.username, "second"]
    assert body["category"] is None and body["image_alt"] == "A hall full of people"
    assert body["editorial"]["due_date"] == TOMORROW and body["revision_number"] == 1
    assert client.get(path, headers=bearer(second)).status_code == 200


def test_a_pitch_is_changed_as_a_pitch(client, make):
    pitcher = make.writer()
    pitch = make.pitch(pitcher, length=800)
    auth = bearer(pitcher)
    changed = client.patch(f"{API}/stories/{pitch.id}/pitch", headers=auth,
                           json={"length": 1200, "title": "A better working title"})  # fmt: skip
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert (
        body["editorial"]["pitch"]["length"] == 1200 and body["title"] == "A better working title"
    )
    assert body["editorial"]["pitch"]["what"] == reload(pitch).pitch_what, "the rest stays"
    too_long = client.patch(f"{API}/stories/{pitch.id}/pitch", headers=auth, json={"length": 10**6})
    assert too_long.status_code == 422 and "length" in too_long.get_json()["errors"]["json"]
    text = client.patch(f"{API}/stories/{pitch.id}", headers=auth,
                        json={"base_revision": 0, "body": "Text on a pitch?"})  # fmt: skip
    assert text.status_code == 422 and reload(pitch).revision_number == 0
    other = client.patch(f"{API}/stories/{pitch.id}/pitch", headers=bearer(make.writer()),
                         json={"length": 900})  # fmt: skip
    assert other.status_code == 404
    accepted = make.move(make.the_editor(), pitch, "accept")
    late = client.patch(f"{API}/stories/{accepted.id}/pitch", headers=auth, json={"length": 900})
    assert late.status_code in {403, 422}, "no longer a pitch"
