"""The editor's JSON side: live preview, autosave (one per person and story), and the
featured image upload; and the restore prompt an autosave brings to the editor."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from sqlalchemy import func, select

from plugins.blog.models import StoryAutosave
from plugins.blog.services import autosave, revisions
from plugins.blog.services.workflow import WorkflowError
from space.db import db
from tests.conftest import csrf_token

from .conftest import reload


def _writer(story):
    from space.accounts.models import User

    return db.session.get(User, story.writer_id)


@pytest.fixture
def token(client):
    def get(path="/blog/stories"):
        return csrf_token(client, path)

    return get


def _json(client, path, payload, token):
    return client.post(path, json=payload, headers={"X-CSRFToken": token})


def _autosaves(story):
    return db.session.scalar(
        select(func.count()).select_from(StoryAutosave).where(StoryAutosave.story_id == story.id)
    )


# --- autosave: the service ------------------------------------------------------------------


def test_autosave_keeps_one_copy_per_person_and_story(make):
    story = make.story()
    writer, editor = _writer(story), make.editor()
    autosave.save(writer, story, 1, "Title", "Excerpt", "First words")
    autosave.save(writer, story, 1, "Title", "Excerpt", "First words, then more")
    autosave.save(editor, story, 1, "Title", "Excerpt", "The editor's words")
    db.session.commit()
    assert _autosaves(story) == 2
    assert autosave.get(writer, story).body == "First words, then more"
    assert autosave.get(editor, story).body == "The editor's words"


def test_an_autosave_is_offered_only_while_it_differs_from_the_story(make):
    story = make.story()
    writer = _writer(story)
    autosave.save(writer, story, 1, story.title, story.excerpt, story.body)
    db.session.commit()
    assert autosave.pending(writer, story) is None
    autosave.save(writer, story, 1, story.title, story.excerpt, story.body + " more")
    db.session.commit()
    kept = autosave.pending(writer, story)
    assert kept is not None and not autosave.is_behind(kept, story)


def test_saving_a_revision_drops_the_savers_autosave_only(make):
    story = make.story()
    writer, editor = _writer(story), make.editor()
    autosave.save(writer, story, 1, "T", "E", "writer's")
    autosave.save(editor, story, 1, "T", "E", "editor's")
    revisions.save(writer, story, revisions.Text(story.title, story.excerpt, "New body"),
                   base_revision=1)  # fmt: skip
    db.session.commit()
    assert autosave.get(writer, story) is None
    assert autosave.get(editor, story).body == "editor's"
    assert autosave.is_behind(autosave.get(editor, story), reload(story))


def test_autosave_checks_sizes_and_the_base_revision(make):
    story = make.story()
    writer = _writer(story)
    with pytest.raises(WorkflowError) as error:
        autosave.save(writer, story, 1, "T", "E", "x" * 100_001)
    assert error.value.field == "body"
    with pytest.raises(WorkflowError) as error:
        autosave.save(writer, story, 7, "T", "E", "x")
    assert error.value.field == "base_revision"
    assert autosave.discard(writer, story) is False


# --- autosave: the endpoint -----------------------------------------------------------------


def test_the_editor_autosaves_as_json(make, client, login, token):
    story = make.story()
    login(_writer(story))
    path = f"/blog/stories/{story.id}/autosave"
    payload = {"base_revision": 1, "title": "T", "excerpt": "E", "body": "Half a thought"}
    response = _json(client, path, payload, token())
    assert response.status_code == 200
    assert response.get_json()["saved_at"]
    response = _json(client, path, {**payload, "body": "A whole thought"}, token())
    assert response.status_code == 200
    assert _autosaves(story) == 1
    assert autosave.get(_writer(story), story).body == "A whole thought"
    response = _json(client, path, {"discard": True}, token())
    assert response.status_code == 200
    assert _autosaves(story) == 0


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ([1, 2, 3], 400),
        ({"base_revision": "x", "body": "b"}, 400),
        ({"base_revision": True, "body": "b"}, 400),
        ({"base_revision": 1, "body": 42}, 400),
        ({"base_revision": 1, "title": ["list"]}, 400),
        ({"base_revision": 99, "body": "b"}, 422),
        ({"base_revision": 1, "title": "T" * 500}, 422),
    ],
)
def test_bad_autosaves_are_refused_in_json(make, client, login, token, payload, status):
    story = make.story()
    login(_writer(story))
    response = _json(client, f"/blog/stories/{story.id}/autosave", payload, token())
    assert response.status_code == status
    assert response.get_json()["error"]
    assert _autosaves(story) == 0


def test_autosave_of_a_story_one_may_not_edit(make, client, login, token):
    story = make.story()
    payload = {"base_revision": 1, "body": "Not mine"}
    path = f"/blog/stories/{story.id}/autosave"
    assert _json(client, path, payload, token("/login")).status_code == 401
    login(make.writer())
    assert _json(client, path, payload, token()).status_code == 404
    assert _json(client, "/blog/stories/987654/autosave", payload, token()).status_code == 404


def test_the_editor_offers_to_restore_an_autosave_newer_than_the_head(make, client, login, post):
    story = make.story()
    writer = _writer(story)
    autosave.save(writer, story, 1, story.title, story.excerpt, "Words the crash nearly ate")
    db.session.commit()
    login(writer)
    page = client.get(f"/blog/stories/{story.id}/edit").get_data(as_text=True)
    assert "You have unsaved text from" in page
    assert "restore=autosave" in page
    assert "Words the crash nearly ate" not in page
    page = client.get(f"/blog/stories/{story.id}/edit?restore=autosave").get_data(as_text=True)
    assert "Words the crash nearly ate" in page
    assert "Your unsaved text is restored below" in page
    response = post(f"/blog/stories/{story.id}/edit", {"discard_autosave": "1"},
                    token_from=f"/blog/stories/{story.id}/edit")  # fmt: skip
    assert response.status_code == 302
    assert autosave.get(writer, story) is None


def test_restoring_an_autosave_made_before_someone_saved_leads_to_the_stale_refusal(
    make, client, login
):
    story = make.story()
    writer, editor = _writer(story), make.editor()
    autosave.save(writer, story, 1, story.title, story.excerpt, "The writer's unsaved words")
    revisions.save(editor, story, revisions.Text(story.title, story.excerpt, "The editor's"),
                   base_revision=1)  # fmt: skip
    db.session.commit()
    login(writer)
    page = client.get(f"/blog/stories/{story.id}/edit").get_data(as_text=True)
    assert "version 2 was saved since" in page
    page = client.get(f"/blog/stories/{story.id}/edit?restore=autosave").get_data(as_text=True)
    assert 'name="base_revision" type="hidden" value="1"' in page


# --- preview ----------------------------------------------------------------------------------


def test_the_live_preview_cooks_markdown_safely(make, client, login, token):
    login(make.writer())
    response = _json(client, "/blog/preview",
                     {"body": "# Hello\n\n<script>x()</script> **there**"}, token())  # fmt: skip
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<h1>Hello</h1>" in html and "<strong>there</strong>" in html
    assert "<script>" not in html
    form = client.post("/blog/preview", data={"body": "_it_", "csrf_token": token()})
    assert form.get_json()["html"] == "<p><em>it</em></p>"


@pytest.mark.parametrize(("payload", "status"),
                         [({"body": 5}, 400), ({"body": "x" * 100_001}, 413)])  # fmt: skip
def test_a_bad_preview_is_a_json_error(make, client, login, token, payload, status):
    login(make.writer())
    response = _json(client, "/blog/preview", payload, token())
    assert response.status_code == status
    assert response.get_json()["error"]


def test_the_preview_needs_an_account(client, token):
    response = _json(client, "/blog/preview", {"body": "hi"}, token("/login"))
    assert response.status_code == 401


# --- the featured image -----------------------------------------------------------------------


def _png() -> bytes:
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))  # fmt: skip

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\xff\x00" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def upload_dir(app, tmp_path):
    app.config["SPACE_UPLOAD_DIR"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def test_the_image_is_uploaded_at_once_for_the_editor(make, client, login, token, upload_dir):
    story = make.story()
    login(_writer(story))
    response = client.post(f"/blog/stories/{story.id}/image",
                           data={"image": (io.BytesIO(_png()), "tree.png")},
                           headers={"X-CSRFToken": token()})  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    url = response.get_json()["url"]
    assert url.startswith("/uploads/") and url.endswith(".png")
    assert reload(story).image_url == ""  # the story changes when the form is saved


def test_the_image_can_come_with_the_form_without_javascript(make, client, login, upload_dir):
    story = make.story()
    login(_writer(story))
    path = f"/blog/stories/{story.id}/edit"
    data = {"csrf_token": csrf_token(client, path), "base_revision": "1", "title": story.title,
            "excerpt": story.excerpt, "body": story.body, "language": "en",
            "category": str(story.category_id), "image_alt": "A tree",
            "image_attribution": "Photo: Bo",
            "image_file": (io.BytesIO(_png()), "tree.png")}  # fmt: skip
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    story = reload(story)
    assert story.image_url.startswith("/uploads/") and story.image_alt == "A tree"


def test_a_file_that_is_not_an_image_is_refused_beside_the_field(make, client, login, upload_dir):
    story = make.story()
    login(_writer(story))
    path = f"/blog/stories/{story.id}/edit"
    data = {"csrf_token": csrf_token(client, path), "base_revision": "1", "title": story.title,
            "excerpt": story.excerpt, "body": "Kept text", "language": "en",
            "image_file": (io.BytesIO(b"<svg></svg>"), "x.svg")}  # fmt: skip
    response = client.post(path, data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Only PNG, JPEG, GIF and WebP" in html and "Kept text" in html
    response = client.post(f"/blog/stories/{story.id}/image",
                           data={"image": (io.BytesIO(b"nope"), "x.txt")},
                           headers={"X-CSRFToken": csrf_token(client, path)})  # fmt: skip
    assert response.status_code == 422
    assert response.get_json()["error"]
